"""Limited Access Offenders: exclusions deny named users, restrictions allow only named ones."""

import pytest

QUERY = '{ offender(crn: "%s") { crn accessRestricted accessMessage name { surname } } }'


async def _restricted(gql, crn, **claims):
    body = await gql(QUERY % crn, org="C01", **claims)
    offender = body["data"]["offender"]
    assert offender["crn"] == crn
    if offender["accessRestricted"]:
        assert offender["name"] is None and offender["accessMessage"]
    return offender["accessRestricted"]


@pytest.mark.parametrize("crn, user, restricted", [
    ("X000040", "jexcluded", True),    # excluded user
    ("X000040", "demo.officer", False),
    ("X000041", "rallowed", False),    # the one allowed user
    ("X000041", "demo.officer", True),
    ("X000042", "rallowed", False),    # both lists: allowed, and not excluded
    ("X000042", "jexcluded", True),
    ("X000001", "jexcluded", False),   # no limits on ordinary cases
])
async def test_people_see_what_the_lists_allow(gql, crn, user, restricted):
    assert await _restricted(gql, crn, username=user, staff="C01T101") is restricted


@pytest.mark.parametrize("crn", ["X000040", "X000041", "X000042"])
async def test_a_machine_client_never_sees_a_limited_persons_details(gql, crn):
    assert await _restricted(gql, crn) is True


async def test_bypass_scopes_lift_the_lists(gql):
    scopes = ("read", "ignore_delius_exclusions_always", "ignore_delius_inclusions_always")
    assert await _restricted(gql, "X000042", scopes=scopes) is False


async def test_limited_cases_in_a_caseload_show_only_their_id(gql):
    nodes, after = {}, None
    while True:
        body = await gql("query($a: String) { caseload(first: 100, after: $a) { pageInfo { "
                         "hasNextPage endCursor } edges { node { id sentence { description } "
                         "offender { crn accessRestricted custody { status } } } } } }",
                         {"a": after}, org="C01")
        page = body["data"]["caseload"]
        nodes |= {e["node"]["offender"]["crn"]: e["node"] for e in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    limited = nodes["X000041"]
    assert limited["sentence"] is None and limited["offender"]["accessRestricted"] is True
    assert limited["offender"]["custody"] is None
    assert nodes["X000001"]["sentence"] is not None
