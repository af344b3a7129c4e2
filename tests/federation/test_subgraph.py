"""casegraph as an Apollo Federation v2 subgraph (`/subgraph`): `_service` and `_entities`,
answered as the caller's own token allows, over real HTTP on loopback."""

from __future__ import annotations

import re

import httpx
import pytest
from graphql import build_schema, parse, validate

from gateway import tokens
from gateway.app import create_app
from gateway.settings import load_settings
from resolvers.nodes import global_id
from tests.federation.conftest import ask, federated
from tests.servers import serving

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) { __typename
  ... on Offender { crn accessRestricted name { surname } }
  ... on Case { id active offender { crn } }
  ... on Custody { prisonNumber status } } }"""


CASE = global_id("Case", "X000001", "2500000001")


def offender(crn: str) -> dict:
    return {"__typename": "Offender", "crn": crn}


@pytest.fixture(scope="module")
def subgraph_url():
    with serving(create_app(federated(None))) as url:
        yield f"{url}/subgraph"


def post(url: str, query: str, variables: dict | None = None, org: str = "C01",
         **claims) -> dict:
    scopes = claims.pop("scopes", ("read", "custody:read", "risk:read"))
    token = tokens.mint(org, scopes, **claims)
    response = httpx.post(url, json={"query": query, "variables": variables or {}},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_service_sdl_declares_federation_v2_and_the_keys(subgraph_url):
    sdl = post(subgraph_url, "{ _service { sdl } }")["data"]["_service"]["sdl"]
    assert re.search(r'extend schema @link\(url: "https://specs.apollo.dev/federation/v2\.3", '
                     r'import: \["@key"\]\)', sdl)
    for entity, key in (("Offender", "crn"), ("Case", "id"),
                        ("Custody", "prisonNumber")):
        assert re.search(rf'type {entity}( implements Node)? @key\(fields: "{key}"\)', sdl)
    assert "_entities" not in sdl and "_Service" not in sdl  # the router adds those itself


def test_entities_answer_as_the_forwarded_token_allows(subgraph_url):
    refs = [offender("X000001"), offender("X000002"), offender("X000040"),
            {"__typename": "Custody", "prisonNumber": "A0004AA"},
            {"__typename": "Custody", "prisonNumber": "A0005AA"},
            {"__typename": "Case", "id": CASE},
            offender("X999999")]
    c01 = post(subgraph_url, ENTITIES, {"r": refs}, staff="C01T101", username="jexcluded")
    found = c01["data"]["_entities"]
    assert found[0] == {"__typename": "Offender", "crn": "X000001", "accessRestricted": False,
                        "name": {"surname": found[0]["name"]["surname"]}}
    assert found[1] is None and found[4] is None and found[6] is None  # C16's, unknown
    assert found[2] == {"__typename": "Offender", "crn": "X000040", "accessRestricted": True,
                        "name": None}  # Limited Access: a stub, as everywhere
    assert found[3]["prisonNumber"] == "A0004AA"
    assert found[5] == {"__typename": "Case", "id": CASE, "active": True,
                        "offender": {"crn": "X000001"}}
    assert "errors" not in c01
    c16 = post(subgraph_url, ENTITIES, {"r": refs}, org="C16", staff="C16T101")
    assert [e and e["__typename"] for e in c16["data"]["_entities"]] == [
        None, "Offender", None, None, "Custody", None, None]


def test_fields_under_entities_are_judged_by_the_same_policies(subgraph_url):
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Offender { crn registrations { typeCode } custody { status } } } }"""
    body = post(subgraph_url, query, {"r": [offender("X000004")]}, scopes=("read",))
    assert body["data"]["_entities"] == [{"crn": "X000004", "registrations": None,
                                          "custody": None}]
    assert sorted((e["extensions"]["code"], tuple(e["path"])) for e in body["errors"]) == [
        ("FORBIDDEN", ("_entities", "@", "custody")),
        ("FORBIDDEN", ("_entities", "@", "registrations"))]


def test_a_malformed_reference_is_an_error_at_its_place(subgraph_url):
    refs = [offender("X000001"), offender("nonsense"), {"__typename": "Prisoner"}, "text",
            {"__typename": "Case", "id": global_id("Offender", "X000001")}]
    body = post(subgraph_url, ENTITIES, {"r": refs})
    assert body["data"]["_entities"][0]["crn"] == "X000001"
    assert body["data"]["_entities"][1:] == [None] * 4
    assert [(e["extensions"]["code"], e["path"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", ["_entities", i]) for i in range(1, 5)]


def test_references_are_bounded_and_counted_by_the_cost_rule(subgraph_url):
    too_many = post(subgraph_url, ENTITIES, {"r": [offender("X000001")] * 101})
    assert "data" not in too_many or too_many["data"] is None
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    cases = ("cases { offences { code description main offenceDate } "
             "requirements { category subcategory length active } }")  # 821 per entity

    def literal(n: int) -> str:
        refs = ", ".join(['{__typename: "Offender", crn: "X000001"}'] * n)
        return "{ _entities(representations: [" + refs + "]) { ... on Offender { " + cases \
            + " } } }"
    fine = post(subgraph_url, literal(20))
    assert "errors" not in fine and len(fine["data"]["_entities"]) == 20
    variable = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Offender { " \
        + cases + " } } }"
    for document, variables in ((literal(60), {}), (variable, {"r": [offender("X000001")]})):
        [error] = post(subgraph_url, document, variables)["errors"]
        assert (error["extensions"]["code"], error["extensions"]["limit"]) == (
            "QUERY_TOO_COMPLEX", "max_cost")


def test_the_subgraph_schema_is_the_client_schema_plus_federation(subgraph_url):
    sdl = post(subgraph_url, "{ _service { sdl } }")["data"]["_service"]["sdl"]
    bare = re.sub(r' @key\(fields: "[^"]*"\)', "", sdl.split("\n", 1)[1])
    schema = build_schema(bare)
    query = '{ caseload(first: 1) { edges { node { id offender { crn } } } } viewer { subject } }'
    assert validate(schema, parse(query)) == []
    assert "caseload" in schema.query_type.fields and "_entities" not in schema.query_type.fields


async def test_subgraph_is_served_only_when_configured(tmp_path):
    config = tmp_path / "casegraph.toml"
    config.write_text('[auth]\ndemo = true\n[providers.embedded]\ntype = "embedded"\n')
    off = create_app(load_settings(config))
    assert "/subgraph" not in {r.path for r in off.routes}
    config.write_text(config.read_text() + "[federation]\nsubgraph = true\n")
    on = create_app(load_settings(config))
    assert "/subgraph" in {r.path for r in on.routes}
    body = await ask(on, "{ _service { sdl } }", path="/subgraph")
    assert "@key" in body["data"]["_service"]["sdl"]
    plain = await ask(on, "{ _service { sdl } }")
    assert plain["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
