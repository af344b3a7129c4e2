"""Relay connections: cursors walk the whole list; bounds and bad cursors are clear errors."""

import pytest

from policies.limited_access import LimitedAccess
from policies.principal import Principal
from tests.conftest import codes

PAGE = "query($after: String, $first: Int) { caseload(first: $first, after: $after) { " \
       "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } " \
       "edges { cursor node { id } } } }"


async def test_cursors_walk_the_caseload_without_gaps_or_repeats(gql, dataset):
    seen, after = [], None
    while True:
        body = await gql(PAGE, {"first": 40, "after": after})
        page = body["data"]["caseload"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    expected = [c.id for c in dataset.caseloads["C01"]]
    assert seen == expected and len(seen) == page["totalCount"]


async def test_first_page_has_no_previous_page(gql):
    info = (await gql(PAGE, {"first": 5}))["data"]["caseload"]["pageInfo"]
    assert info["hasPreviousPage"] is False and info["hasNextPage"] is True


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_first_out_of_bounds_is_bad_user_input(gql, first):
    body = await gql(PAGE, {"first": first})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "between 1 and 100" in body["errors"][0]["message"]


@pytest.mark.parametrize("cursor", ["nonsense", "", "Y2cxOmFiYw==", "!!!"])
async def test_a_cursor_we_did_not_issue_is_bad_user_input(gql, cursor):
    body = await gql(PAGE, {"first": 5, "after": cursor})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["data"]["caseload"] is None


async def test_caseload_holds_each_supervised_person_once_in_crn_order(gql, dataset):
    body = await gql("{ caseload(first: 100) { edges { node { active offender { crn } } } } }",
                     staff="C01T101", username="demo.officer")
    crns = [e["node"]["offender"]["crn"] for e in body["data"]["caseload"]["edges"]]
    assert crns == sorted(set(crns))
    assert {e["node"]["active"] for e in body["data"]["caseload"]["edges"]} == {True}


async def test_caseload_filter_by_team(gql, dataset):
    team = dataset.people[dataset.caseloads["C01"][0].crn].active_manager.team_code
    body = await gql("query($t: String) { caseload(first: 100, filter: {teamCode: $t}) { "
                     "edges { node { id offender { offenderManager { team { code } } } } } } }",
                     {"t": team}, staff="C01T101", username="demo.officer")
    nodes = [e["node"] for e in body["data"]["caseload"]["edges"]]
    # a person Limited Access keeps from demo.officer matches a filter by nothing but a CRN
    limited = LimitedAccess(Principal("s", "C01", "CRC", frozenset(), username="demo.officer"))
    expected = [c.id for c in dataset.caseloads["C01"]
                if dataset.people[c.crn].active_manager.team_code == team
                and not limited.limits(dataset.people[c.crn])]
    assert [n["id"] for n in nodes] == expected
    managers = [n["offender"]["offenderManager"] for n in nodes if n["offender"]["offenderManager"]]
    assert {m["team"]["code"] for m in managers} == {team}
