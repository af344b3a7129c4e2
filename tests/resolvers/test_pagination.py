"""Relay connections: cursors walk the whole list; bounds and bad cursors are clear errors."""

import pytest

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
    expected = sorted(c.id for c in dataset.caseloads["C01"] if c.active)
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


async def test_caseload_filter_by_team_and_closed_cases(gql, dataset):
    team = dataset.caseloads["C01"][0].manager.team_code
    body = await gql("query($t: String) { caseload(first: 100, filter: {teamCode: $t}) { "
                     "edges { node { id offenderManager { team { code } } } } } }", {"t": team},
                     staff="C01T101", username="demo.officer")
    nodes = [e["node"] for e in body["data"]["caseload"]["edges"]]
    expected = [c.id for c in dataset.caseloads["C01"] if c.active and c.manager.team_code == team]
    assert [n["id"] for n in nodes] == expected
    managers = [n["offenderManager"] for n in nodes if n["offenderManager"]]
    assert {m["team"]["code"] for m in managers} == {team}
    closed = await gql("{ caseload(first: 100, filter: {active: false}) { edges { node { active }"
                       " } } }")
    assert {e["node"]["active"] for e in closed["data"]["caseload"]["edges"]} == {False}
