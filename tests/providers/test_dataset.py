"""The embedded dataset: deterministic, realistic shares, consistent dates, seeded scenarios."""

from collections import Counter

from providers.embedded.dataset import build
from providers.identifiers import CRN_PATTERN, NOMS_PATTERN, pnc_is_valid


def test_same_seed_gives_identical_data():
    first, second = build(seed=7, size=300), build(seed=7, size=300)
    assert first.people == second.people
    assert first.cases == second.cases
    assert first.custody == second.custody
    assert first.sentence_dates == second.sentence_dates


def test_another_seed_gives_other_people():
    assert build(seed=7, size=300).people.keys() != build(seed=8, size=300).people.keys()


def test_size_is_selectable(dataset):
    small = build(size=200)
    people_small = len(small.people) + sum(1 for n in small.custody if n not in small.noms_to_crns)
    people_default = len(dataset.people) + sum(
        1 for n in dataset.custody if n not in dataset.noms_to_crns)
    assert 200 <= people_small <= 240  # plus the fixed scenario people
    assert 5000 <= people_default <= 5040


def test_identifiers_have_real_formats_and_are_unique(dataset):
    assert all(CRN_PATTERN.match(crn) for crn in dataset.people)
    assert all(NOMS_PATTERN.match(n) for n in dataset.custody)
    book_numbers = [c.book_number for c in dataset.custody.values()]
    assert len(book_numbers) == len(set(book_numbers))
    pncs = [p.pnc_number for p in dataset.people.values() if p.pnc_number]
    invalid = [p for p in pncs if not pnc_is_valid(p)]
    assert 0.6 < len(pncs) / len(dataset.people) < 0.8
    assert 0 < len(invalid) < 40  # a handful deliberately invalid, as real data has


def test_every_provider_has_cases_and_crcs_hold_most(dataset):
    providers = Counter(c.managing_provider for cases in dataset.cases.values() for c in cases)
    assert {f"N0{i}" for i in range(1, 8)} | {f"C{i:02d}" for i in range(1, 22)} <= set(providers)
    crc = sum(n for p, n in providers.items() if p.startswith("C"))
    assert 0.6 < crc / sum(providers.values()) < 0.8


def test_segment_shares_follow_the_statistics(dataset):
    people = len(dataset.people) + sum(1 for n in dataset.custody if n not in dataset.noms_to_crns)
    in_prison = sum(1 for c in dataset.custody.values() if c.active and c.legal_status != "REMAND"
                    and c.legal_status != "CONVICTED_UNSENTENCED")
    released = sum(1 for c in dataset.custody.values() if not c.active)
    remand = sum(1 for c in dataset.custody.values()
                 if c.legal_status in ("REMAND", "CONVICTED_UNSENTENCED"))
    assert 0.22 < in_prison / people < 0.28
    assert 0.12 < released / people < 0.18
    assert 0.03 < remand / people < 0.07


def test_sentence_dates_are_consistent(dataset):
    checked = 0
    for dates in dataset.sentence_dates.values():
        start, hdced, crd = (dates.sentence_start_date,
                             dates.home_detention_curfew_eligibility_date,
                             dates.conditional_release_date)
        led, sed, tused = dates.licence_expiry_date, dates.sentence_expiry_date, \
            dates.topup_supervision_expiry_date
        if crd is None:
            continue
        checked += 1
        assert start < crd <= led <= sed
        if hdced:
            assert start < hdced < crd
        if tused:
            assert tused > led
        assert dates.release_date is not None
    assert checked > 1000


def test_custody_and_probation_agree_on_book_number_and_prison(dataset):
    crn, noms = "X000004", "A0004AA"
    [case] = dataset.cases[crn]
    custody = dataset.custody[noms]
    assert case.booking_number == custody.book_number
    assert case.institution_code == custody.agency_id == "MDI"


def test_drift_scenarios_disagree_between_systems(dataset):
    stale = dataset.cases["X000020"][0].key_dates
    truth = dataset.sentence_dates[dataset.custody["A0020AA"].booking_id]
    assert stale.conditional_release_date != truth.conditional_release_date
    assert dataset.cases["X000021"][0].institution_code != dataset.custody["A0021AA"].agency_id
    assert dataset.cases["X000022"][0].custodial_status == "D"
    assert dataset.custody["A0022AA"].status == "INACTIVE OUT"


def test_transfer_leaves_an_inactive_old_manager(dataset):
    person = dataset.people["X000010"]
    assert person.managing_provider == "C09"
    assert [m.provider_code for m in person.managers if not m.active] == ["C05"]


def test_duplicates_merge_lao_and_unallocated_are_seeded(dataset):
    assert dataset.noms_to_crns["A0030AA"] == ("X000030", "X000031")
    assert dataset.noms_to_crns["A0032AA"] == ("X000032", "X000033")
    assert dataset.merged_noms["A0034AB"] == "A0034AA"
    assert dataset.people["X000040"].exclusion_users == ("jexcluded",)
    assert dataset.people["X000041"].restriction_users == ("rallowed",)
    assert dataset.people["X000050"].active_manager.unallocated
    assert dataset.custody["A0060AA"].date_of_birth != dataset.people["X000060"].date_of_birth
    assert "A0070AA" not in dataset.noms_to_crns
    assert dataset.movements["A0071AA"][0].to_agency == "BROADM"
