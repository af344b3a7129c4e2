"""Relay: global ids, `node(id:)` and `nodes(ids:)` through the same authorisation as every
other path, and connections paged backwards with `last`/`before`."""

from __future__ import annotations

import base64

import pytest

from resolvers.nodes import global_id
from tests.conftest import codes

REFETCH = """query($id: ID!) { node(id: $id) { __typename id
  ... on Offender { crn accessRestricted name { surname } }
  ... on Case { eventId active }
  ... on Custody { prisonNumber }
  ... on Establishment { code }
  ... on Appointment { appointmentId providerCode } } }"""

IDS = """{ offender(crn: "X000004") { id crn name { surname }
  cases { id eventId active } custody { id prisonNumber establishment { id code } }
  appointments { id appointmentId providerCode } } }"""


async def test_every_node_is_fetched_again_by_its_id(gql):
    found = (await gql(IDS, org="C01"))["data"]["offender"]
    objects = [found, *found["cases"], found["custody"], found["custody"]["establishment"],
               *found["appointments"]]
    assert len({o["id"] for o in objects}) == len(objects) >= 4
    for original in objects:
        again = (await gql(REFETCH, {"id": original["id"]}, org="C01"))["data"]["node"]
        assert again["id"] == original["id"]
        shared = {k: v for k, v in again.items() if k in original and k != "__typename"}
        assert shared == {k: original[k] for k in shared}


@pytest.mark.parametrize("node_id", [
    global_id("Offender", "X000002"), global_id("Custody", "A0005AA"),  # C16's
    global_id("Case", "X000002", "2500000002"), global_id("Appointment", "X000002", "1"),
])
async def test_another_organisations_node_is_null_as_if_it_did_not_exist(gql, node_id):
    refused = await gql(REFETCH, {"id": node_id}, org="C01")
    kind = base64.urlsafe_b64decode(node_id).decode().split(":")[0]
    unknown = {"Offender": global_id("Offender", "X999999"),
               "Custody": global_id("Custody", "A9999ZZ"),
               "Case": global_id("Case", "X999999", "1"),
               "Appointment": global_id("Appointment", "X999999", "1")}[kind]
    assert refused == await gql(REFETCH, {"id": unknown}, org="C01")
    assert refused["data"]["node"] is None and "errors" not in refused


async def test_a_limited_access_person_by_id_is_a_stub_and_their_cases_are_not_found(gql):
    claims = {"org": "C01", "username": "jexcluded", "staff": "C01T101"}
    person = (await gql(REFETCH, {"id": global_id("Offender", "X000040")}, **claims))
    assert person["data"]["node"]["accessRestricted"] is True
    assert person["data"]["node"]["name"] is None
    ids = (await gql('{ caseload(last: 100) { edges { node { id offender { crn } } } } }',
                     org="C01", username="demo.officer", staff="C01T101"))
    case_id = next(e["node"]["id"] for e in ids["data"]["caseload"]["edges"]
                   if e["node"]["offender"]["crn"] == "X000040")
    assert (await gql(REFETCH, {"id": case_id}, **claims))["data"]["node"] is None


@pytest.mark.parametrize("bad", ["", "nonsense", "T2ZmZW5kZXI6", global_id("Offender", "123"),
                                 global_id("Person", "X000001"), "é" * 5, "A" * 500])
async def test_an_id_this_api_did_not_issue_is_bad_input(gql, bad):
    body = await gql(REFETCH, {"id": bad}, org="C01")
    assert codes(body) == ["BAD_USER_INPUT"] and body["data"]["node"] is None


async def test_nodes_answers_in_order_and_is_bounded(gql):
    ids = [global_id("Offender", c) for c in ("X000001", "X000002", "X000004")]
    body = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { ... on Offender { crn } } }",
                     {"ids": ids}, org="C01")
    assert body["data"]["nodes"] == [{"crn": "X000001"}, None, {"crn": "X000004"}]
    many = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                     {"ids": ids * 34}, org="C01")
    assert codes(many) == ["BAD_USER_INPUT"]


PAGED = """query($first: Int, $after: String, $last: Int, $before: String) {
  caseload(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { eventId } } } }"""


async def test_last_and_before_walk_the_list_backwards_without_gaps(gql, dataset):
    expected = [c.id for c in dataset.caseloads["C01"]]
    seen: list[str] = []
    variables: dict = {"last": 35}
    while True:
        page = (await gql(PAGED, variables, org="C01"))["data"]["caseload"]
        seen = [e["node"]["eventId"] for e in page["edges"]] + seen
        assert page["totalCount"] == len(expected)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        variables = {"last": 35, "before": page["pageInfo"]["startCursor"]}
    assert seen == expected


async def test_forwards_and_backwards_at_once_is_refused(gql):
    body = await gql(PAGED, {"first": 5, "last": 5}, org="C01")
    assert codes(body) == ["BAD_USER_INPUT"]
