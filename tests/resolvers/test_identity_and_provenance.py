"""The response says when the two systems disagree on who someone is, and where data came from."""

from datetime import UTC, datetime

import pytest

from providers.identifiers import canonical_pnc

CHECK = """query($crn: ID!) { offender(crn: $crn) { crn identityCheck { consistent mismatches }
  custody { prisonNumber } } }"""


@pytest.mark.parametrize("crn, mismatches", [
    ("X000060", ["dateOfBirth"]), ("X000061", ["pncNumber"]), ("X000004", [])])
async def test_identity_check_names_what_the_systems_disagree_on(gql, crn, mismatches):
    org = "C01" if crn == "X000004" else "C08"
    body = await gql(CHECK, {"crn": crn}, org=org)
    assert body["data"]["offender"]["identityCheck"] == {
        "consistent": not mismatches, "mismatches": mismatches}
    warnings = body["extensions"].get("warnings", [])
    assert [w["code"] for w in warnings] == (["IDENTITY_MISMATCH"] if mismatches else [])
    if mismatches:
        assert warnings[0]["path"] == ["offender"]


async def test_identity_check_needs_the_custody_scope(gql):
    body = await gql(CHECK, {"crn": "X000060"}, org="C08", scopes=("read",))
    assert body["data"]["offender"]["identityCheck"] is None
    assert {e["path"][-1] for e in body["errors"]} == {"identityCheck", "custody"}


def test_pnc_short_and_long_forms_compare_equal():
    assert canonical_pnc("12/394773H") == canonical_pnc("2012/0394773H") == "2012/0394773H"
    assert canonical_pnc("99/1234567B") == "1999/1234567B"
    assert canonical_pnc(None) is None


def test_a_short_pnc_year_is_the_latest_not_after_this_one():
    assert canonical_pnc("27/1234567B", this_year=2026) == "1927/1234567B"
    assert canonical_pnc("27/1234567B", this_year=2027) == "2027/1234567B"
    assert canonical_pnc("26/1234567B", this_year=2026) == "2026/1234567B"
    this_year = datetime.now(UTC).year  # by default: the current year, not a fixed one
    found = canonical_pnc(f"{this_year % 100:02d}/1234567B")
    assert found == f"{this_year}/1234567B" or datetime.now(UTC).year != this_year


async def test_provenance_is_queryable_on_joined_types(gql, dataset):
    body = await gql("""{ offender(crn: "X000004") {
        provenance { provider fromCache stale lastModified ageSeconds fetchedAt }
        cases { provenance { provider lastModified } }
        custody { provenance { provider lastModified } sentenceDates { provenance {
          provider lastModified } } } } }""")
    offender = body["data"]["offender"]
    person = dataset.people["X000004"]
    assert offender["provenance"]["provider"] == "embedded"
    assert offender["provenance"]["fromCache"] is False and offender["provenance"]["stale"] is False
    # the real records carry no last-modified time, and the demo data invents none
    assert offender["provenance"]["lastModified"] is None is person.updated_at
    custody = dataset.custody["A0004AA"]
    assert offender["custody"]["provenance"]["lastModified"] is None is custody.updated_at
    dates = dataset.sentence_dates[custody.booking_id]
    assert offender["custody"]["sentenceDates"]["provenance"]["lastModified"] is None \
        is dates.updated_at


async def test_provenance_over_http_names_each_system(http_gql):
    body = await http_gql('{ offender(crn: "X000004") { provenance { provider } '
                          'custody { provenance { provider } } } }')
    offender = body["data"]["offender"]
    assert offender["provenance"]["provider"] == "delius"
    assert offender["custody"]["provenance"]["provider"] == "nomis"
