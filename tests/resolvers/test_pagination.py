"""Relay connections: cursors walk the whole list; bounds and bad cursors are clear errors."""

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.limited_access import LimitedAccess
from policies.principal import Principal
from resolvers.errors import BadUserInput
from resolvers.pagination import MAX_POSITION, connection, decode_cursor, encode_cursor
from tests.conftest import codes

BOUND = "0123456789ab"  # a binding-shaped hex string

PAGE = "query($after: String, $first: Int) { caseload(first: $first, after: $after) { " \
       "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } " \
       "edges { cursor node { eventId } } } }"


async def test_cursors_walk_the_caseload_without_gaps_or_repeats(gql, dataset):
    seen, after = [], None
    while True:
        body = await gql(PAGE, {"first": 40, "after": after})
        page = body["data"]["caseload"]
        seen += [e["node"]["eventId"] for e in page["edges"]]
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
                     "edges { node { eventId offender { offenderManager { team { code } } } } } "
                     "} }",
                     {"t": team}, staff="C01T101", username="demo.officer")
    nodes = [e["node"] for e in body["data"]["caseload"]["edges"]]
    # a person Limited Access keeps from demo.officer matches a filter by nothing but a CRN
    limited = LimitedAccess(Principal("s", "C01", "CRC", frozenset(), username="demo.officer"))
    expected = [c.id for c in dataset.caseloads["C01"]
                if dataset.people[c.crn].active_manager.team_code == team
                and not limited.limits(dataset.people[c.crn])]
    assert [n["eventId"] for n in nodes] == expected
    managers = [n["offender"]["offenderManager"] for n in nodes if n["offender"]["offenderManager"]]
    assert {m["team"]["code"] for m in managers} == {team}


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


HOSTILE = ["²", "٣", "1" * 5000, _cursor("cg1:" + "9" * 30), _cursor("cg1:²"), _cursor("cg1:٣"),
           _cursor("cg1:" + "1" * 5000), _cursor("cg2:" + "0" * 12 + ":" + "9" * 30),
           encode_cursor(MAX_POSITION, ("caseload", None)), _cursor("cg1:5") + "\n"]


@pytest.mark.parametrize("cursor", HOSTILE)
async def test_a_hostile_cursor_is_bad_user_input_before_any_work(gql, cursor):
    body = await gql(PAGE, {"first": 5, "after": cursor})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["data"]["caseload"] is None
    assert body["extensions"]["sources"] == []


@given(st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), max_size=30).map(
        lambda digits: _cursor(f"cg2:{BOUND}:{digits}")),
    st.integers(min_value=-10, max_value=10**40).map(lambda n: _cursor(f"cg2:{BOUND}:{n}")),
    st.integers(min_value=0, max_value=2 * MAX_POSITION).map(
        lambda n: encode_cursor(n, ("caseload", None))),
    st.binary(max_size=40).map(lambda raw: base64.urlsafe_b64encode(raw).decode())))
@settings(max_examples=300, database=None)
def test_a_cursor_decodes_only_to_a_position_this_list_issued(cursor):
    try:
        offset = decode_cursor(cursor, ("caseload", None))
    except BadUserInput:
        return
    assert 1 <= offset <= MAX_POSITION
    assert cursor == encode_cursor(offset - 1, ("caseload", None))


def test_no_cursor_is_issued_past_the_bound():
    page = connection(list(range(100)), MAX_POSITION - 10, 50_000, lambda i: i, ("caseload",))
    assert len(page.edges) == 10 and page.page_info.has_next_page is False
    assert decode_cursor(page.page_info.end_cursor, ("caseload",)) == MAX_POSITION


CROSS = {
    "caseload": ("query($v: String, $after: String) { caseload(first: 1, after: $after, "
                 "filter: {teamCode: $v}) { pageInfo { endCursor } } }",
                 {"staff": "C01T101", "username": "demo.officer"}),
    "offenders": ("query($v: String!, $after: String) { offenders(search: $v, first: 1, "
                  "after: $after) { pageInfo { endCursor } } }", {}),
    "prisoners": ("query($v: ID!, $after: String) { establishment(code: $v) { "
                  "prisoners(first: 1, after: $after) { pageInfo { endCursor } } } }",
                  {"org": "MDI"}),
}


@pytest.mark.parametrize("kind, values", [
    ("caseload", "two teams"), ("offenders", ("X00000", "X00004")), ("prisoners", ("MDI", "LEI"))])
async def test_a_cursor_from_one_list_or_filter_is_refused_on_another(gql, dataset, kind, values):
    query, who = CROSS[kind]
    if values == "two teams":
        values = sorted({dataset.people[c.crn].active_manager.team_code
                         for c in dataset.caseloads["C01"]})[:2]
    issued = await gql(query, {"v": values[0]}, **who)
    assert "errors" not in issued, issued
    cursor = json.dumps(issued["data"]).split('"endCursor": "')[1].split('"')[0]
    assert "errors" not in await gql(query, {"v": values[0], "after": cursor}, **who)
    body = await gql(query, {"v": values[1], "after": cursor}, **who)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "different list or filter" in body["errors"][0]["message"]
