from providers.identifiers import (
    cro_check_letter,
    cro_number,
    is_crn,
    is_noms_number,
    pnc_is_valid,
    pnc_number,
)


def test_published_valid_pnc_numbers_pass_the_check():
    for value in ("2012/0052494Q", "1999/1234567B"):
        assert pnc_is_valid(value), value


def test_published_invalid_pnc_example_fails_the_check():
    # community-api's own example; the check letter should be W (domain.md 1.2).
    assert not pnc_is_valid("2004/0712343H")
    assert pnc_is_valid("2004/0712343W")


def test_generated_pnc_numbers_carry_the_right_check_letter():
    assert pnc_number(2012, 52494) == "2012/0052494Q"
    assert not pnc_is_valid(pnc_number(2012, 52494, valid=False))


def test_cro_check_letter_follows_the_mod_23_rule():
    # community-api's example 123456/04A is invalid: the check letter should be R.
    assert cro_check_letter(2004, 123456) == "R"
    assert cro_number(2004, 123456) == "123456/04R"


def test_identifier_shapes():
    assert is_crn("X123456") and not is_crn("x123456") and not is_crn("X12345")
    assert is_noms_number("A1234BC") and not is_noms_number("A1234B") and not is_noms_number("")
