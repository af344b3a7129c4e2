"""casegraph composed with a CRC's subgraph under a real router (Apollo Gateway, from npm),
over real HTTP on loopback: the router forwards each caller's token, and casegraph answers
its part, `_entities` included, exactly as it answers that caller directly."""

from __future__ import annotations

import httpx
import pytest

from examples.federation import casenotes
from gateway import tokens
from gateway.app import create_app
from tests.federation.conftest import federated
from tests.federation.router import router
from tests.servers import serving

OFFICER = {"staff": "C01T101", "username": "demo.officer"}


@pytest.fixture(scope="module")
def composed(dataset):
    """Router URL, and casegraph's own /graphql URL to compare with."""
    _, notes = casenotes.build(dataset, open_=True)
    with serving(notes) as notes_url, serving(create_app(federated(None))) as casegraph_url, \
            router({"casegraph": f"{casegraph_url}/subgraph",
                    "casenotes": f"{notes_url}/graphql"}) as url:
        yield url, f"{casegraph_url}/graphql"


def post(url: str, query: str, org: str = "C01", **claims) -> dict:
    token = tokens.mint(org, ("read", "custody:read", "risk:read"), **claims)
    response = httpx.post(url, json={"query": query},
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_router_serves_casegraph_and_the_crc_subgraph_as_one_schema(composed):
    router_url, direct = composed
    query = """{ offender(crn: "X000001") { crn name { surname } tier
        caseNotes(first: 2) { id type } }
      caseload(first: 3) { edges { node { id active caseNotes { id } } } } }"""
    both = post(router_url, query, **OFFICER)
    assert "errors" not in both
    alone = post(direct, """{ offender(crn: "X000001") { crn name { surname } tier }
      caseload(first: 3) { edges { node { id active } } } }""", **OFFICER)
    assert both["data"]["offender"]["name"] == alone["data"]["offender"]["name"]
    assert [e["node"]["id"] for e in both["data"]["caseload"]["edges"]] == \
        [e["node"]["id"] for e in alone["data"]["caseload"]["edges"]]
    assert len(both["data"]["offender"]["caseNotes"]) == 2


def test_references_from_another_subgraph_resolve_as_the_callers_token_allows(composed):
    router_url, direct = composed
    query = "{ recentlyNoted(first: 12) { crn name { surname } tier } }"
    for org, claims in (("C01", OFFICER), ("N04", {"staff": "N04T101", "username": "n04"}),
                        ("C16", {})):
        via_router = post(router_url, query, org, **claims)["data"]["recentlyNoted"]
        for person in via_router:
            alone = post(direct, '{ offender(crn: "' + person["crn"]
                         + '") { name { surname } tier } }', org, **claims)["data"]["offender"]
            expected = alone or {"name": None, "tier": None}
            assert {"name": person["name"], "tier": person["tier"]} == expected, person["crn"]
        seen = [p["crn"] for p in via_router if p["name"] is not None]
        assert (org == "C16") == (seen == [])  # none of these twelve is C16's


def test_denials_reach_the_client_through_the_router(composed):
    router_url, _ = composed
    body = post(router_url, '{ offender(crn: "X000004") { crn registrations { typeCode } } }',
                "C16")
    assert body["data"]["offender"] is None
    c01 = httpx.post(router_url, json={"query": '{ offender(crn: "X000004") { crn '
                                                'registrations { typeCode } } }'},
                     headers={"Authorization": "Bearer " + tokens.mint("C01", ("read",))},
                     timeout=30).json()
    assert c01["data"]["offender"] == {"crn": "X000004", "registrations": None}
    assert [e["extensions"]["code"] for e in c01["errors"]] == ["FORBIDDEN"]


def test_the_example_query_answers_through_the_router_but_for_prisoner(composed):
    """Under a router, entity types join by name: the subgraph's `Prisoner` is not casegraph's
    `Custody` there (only casegraph's own composition maps it), so that field is left out."""
    from tests.federation.test_readme import QUERY

    query = QUERY.replace("custody { prisonNumber resettlementNeeds { pathway priority } }",
                          "custody { prisonNumber }")
    assert query != QUERY
    body = post(composed[0], query, **OFFICER)
    assert "errors" not in body and len(body["data"]["caseload"]["edges"]) == 10
    assert any(e["node"]["caseNotes"] for e in body["data"]["caseload"]["edges"])
