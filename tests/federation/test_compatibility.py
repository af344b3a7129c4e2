"""The Apollo Federation subgraph compatibility suite's assertions that apply to casegraph
(`@apollo/federation-subgraph-compatibility-tests` 1.2.1, `src/tests/*.test.ts`), written
against casegraph's own schema instead of the suite's products schema, over real HTTP.

Applicable, and here: `introspection` (the `_service` SDL is the served schema), `@link` (one
federation link, v2.0-2.3, known imports only), `@key single` (Offender by crn, Case by its
global id, Custody by prison number). Not applicable, as casegraph's keys are single fields
and its schema uses none of the rest: `@key multiple`, `@key composite`, `repeatable @key`,
`@requires`,
`@provides`, `@external`, `@shareable`, `@tag`, `@inaccessible`, `@override`,
`@interfaceObject`, `@composeDirective`. Not provided: `ftv1` (inline traces for a router;
casegraph's traces go to its own OpenTelemetry exporter).
"""

from __future__ import annotations

import re

import httpx
import pytest
from graphql import build_schema, get_named_type, strip_ignored_characters

from gateway import tokens
from gateway.app import create_app
from resolvers.nodes import global_id
from tests.federation.conftest import federated
from tests.servers import serving

# The suite's types implement no interface; casegraph's entities implement Relay's `Node`.
IMPLEMENTS = r"( implements [A-Za-z_ &]+)?"
FEDERATION_IMPORTS = {"@composeDirective", "@extends", "@external", "@inaccessible",
                      "@interfaceObject", "@key", "@override", "@provides", "@requires",
                      "@shareable", "@tag", "FieldSet"}


@pytest.fixture(scope="module")
def urls():
    with serving(create_app(federated(None))) as url:
        yield f"{url}/subgraph", f"{url}/graphql"


def request(url: str, query: str, variables: dict | None = None) -> dict:
    token = tokens.mint("HQ", ("read", "custody:read", "risk:read"), username="hq.analyst")
    response = httpx.post(url, json={"query": query, "variables": variables or {}},
                          headers={"Authorization": f"Bearer {token}",
                                   "Accept": "application/json"})
    assert response.status_code == 200
    return response.json()


def sdl(url: str) -> str:
    found: str = request(url, "query { _service { sdl } }")["data"]["_service"]["sdl"]
    return found


def test_introspection(urls):
    """`_service.sdl` has `type Query` and describes the schema served: every client type
    and field, with the same types."""
    subgraph, client = urls
    text = sdl(subgraph)
    assert "type Query" in text
    served = build_schema(re.sub(r" @key\(fields: \"[^\"]*\"\)", "", text.split("\n", 1)[1]))
    introspected = request(client, "{ __schema { types { name kind fields { name type { name "
                                   "kind ofType { name kind ofType { name kind ofType { name "
                                   "} } } } } } } }")["data"]["__schema"]["types"]
    for kind in introspected:
        if kind["name"].startswith("__") or kind["kind"] != "OBJECT":
            continue
        mine = served.type_map[kind["name"]]
        for field in kind["fields"]:
            assert get_named_type(mine.fields[field["name"]].type).name == _named(field["type"])


def _named(node: dict) -> str:
    while node.get("ofType"):
        node = node["ofType"]
    return str(node["name"])


def test_link(urls):
    normalized = strip_ignored_characters(sdl(urls[0]))
    links = re.findall(r"@link\(([\s\S]+?)\)", normalized)
    federation = [link for link in links if "specs.apollo.dev/federation/" in link]
    assert len(federation) == 1
    version = re.search(r"specs\.apollo\.dev/federation/v(.+?)\"", federation[0])
    assert version and re.fullmatch(r"2\.[0-3]", version.group(1))
    imports = re.search(r"import:\[(.+?)\]", federation[0])
    assert imports and {i.strip('"') for i in imports.group(1).split(" ")} <= FEDERATION_IMPORTS


def test_key_single_applies_and_resolves(urls):
    assert re.search(r'type Offender' + IMPLEMENTS + r'(@extends|@federation__extends)?'
                     r'(@key|@federation__key)\(fields:"crn"( resolvable:true)?\)',
                     strip_ignored_characters(sdl(urls[0])))
    body = request(urls[0], """query ($representations: [_Any!]!) {
        _entities(representations: $representations) { ...on Offender { crn tier } } }""",
                   {"representations": [{"__typename": "Offender", "crn": "X000001"}]})
    assert "errors" not in body
    assert body["data"]["_entities"][0]["crn"] == "X000001" and body["data"]["_entities"][0]["tier"]


def test_key_single_on_case_applies_and_resolves(urls):
    assert re.search(r'type Case' + IMPLEMENTS + r'(@key|@federation__key)\(fields:"id"',
                     strip_ignored_characters(sdl(urls[0])))
    case_id = global_id("Case", "X000001", "2500000001")
    body = request(urls[0], """query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ...on Case { id eventId offender { crn } active } } }""",
                   {"representations": [{"__typename": "Case", "id": case_id}]})
    assert "errors" not in body
    assert body["data"]["_entities"] == [{"id": case_id, "eventId": "2500000001",
                                          "offender": {"crn": "X000001"}, "active": True}]


def test_key_on_custody_applies_and_resolves(urls):
    assert re.search(r'type Custody' + IMPLEMENTS + r'(@key|@federation__key)'
                     r'\(fields:"prisonNumber"',
                     strip_ignored_characters(sdl(urls[0])))
    body = request(urls[0], """query ($r: [_Any!]!) { _entities(representations: $r) {
        ...on Custody { prisonNumber active } } }""",
                   {"r": [{"__typename": "Custody", "prisonNumber": "A0004AA"}]})
    assert body["data"]["_entities"] == [{"prisonNumber": "A0004AA", "active": True}]
