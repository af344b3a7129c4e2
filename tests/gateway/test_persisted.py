"""Persisted operations: APQ as Apollo clients speak it, and trusted documents per client."""

import hashlib
import json
from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from gateway.persisted import PersistedSettings
from gateway.settings import Settings
from providers.registry import ConfigError
from tests.conftest import bearer, codes, http_settings

MANIFEST = Path(__file__).parents[2] / "examples" / "trusted" / "crc-nightly.json"
TRUSTED = json.loads(MANIFEST.read_text())["operations"]
QUERY = "{ viewer { organisation } }"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(text: str, with_query: bool) -> dict:
    body: dict = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest(text)}}}
    return body | ({"query": text} if with_query else {})


def make_client(settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings)),
                             base_url="http://casegraph.test")


async def test_apq_asks_for_the_document_once_then_runs_by_hash(client):
    text = "{ viewer { organisation scopes } }"
    new = {**bearer("C01"), "accept": "application/graphql-response+json"}
    unknown = await client.post("/graphql", json=apq(text, False), headers=new)
    assert unknown.status_code == 200  # Apollo clients retry with the text; a 400 disables APQ
    assert codes(unknown.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    registered = await client.post("/graphql", json=apq(text, True), headers=new)
    assert registered.json()["data"]["viewer"]["organisation"] == "C01"
    by_hash = await client.post("/graphql", json=apq(text, False),
                                headers=bearer("C01", username="colleague", staff="C01T102"))
    assert by_hash.json()["data"]["viewer"]["organisation"] == "C01"


async def test_a_document_one_organisation_ran_is_not_known_to_another(client):
    """A hash that ran would tell C16 that someone had run that document, identifiers in it
    included: each organisation has its own store."""
    text = '{ offender(crn: "X000001") { crn name { surname } } }'
    await client.post("/graphql", json=apq(text, True), headers=bearer("C01"))
    other = await client.post("/graphql", json=apq(text, False), headers=bearer("C16"))
    assert codes(other.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_apq_by_get_as_apollo_clients_send_it(client):
    text = "{ viewer { subject } }"
    await client.post("/graphql", json=apq(text, True), headers=bearer("C01"))
    response = await client.get("/graphql", headers=bearer("C01"), params={
        "extensions": json.dumps(apq(text, False)["extensions"])})
    assert response.json()["data"]["viewer"]["subject"] == "c01-client"


async def test_only_a_document_that_ran_is_remembered(client):
    junk = "{ this is not graphql"
    refused = await client.post("/graphql", json=apq(junk, True), headers=bearer("C01"))
    assert codes(refused.json()) == ["GRAPHQL_PARSE_FAILED"]
    again = await client.post("/graphql", json=apq(junk, False), headers=bearer("C01"))
    assert codes(again.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_a_hash_that_does_not_match_the_query_is_refused(client):
    body = apq(QUERY, True) | {"query": "{ viewer { scopes } }"}
    response = await client.post("/graphql", json=body, headers=bearer("C01"))
    assert codes(response.json()) == ["PERSISTED_QUERY_HASH_MISMATCH"]


async def test_an_unknown_protocol_version_is_not_supported(client):
    body = {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": digest(QUERY)}}}
    response = await client.post("/graphql", json=body, headers=bearer("C01"))
    assert codes(response.json()) == ["PERSISTED_QUERY_NOT_SUPPORTED"]


async def test_apq_can_be_turned_off():
    async with make_client(Settings(persisted=PersistedSettings(apq=False))) as c:
        response = await c.post("/graphql", json=apq(QUERY, True), headers=bearer("C01"))
    assert codes(response.json()) == ["PERSISTED_QUERY_NOT_SUPPORTED"]


async def test_apq_documents_are_shared_between_gateways_through_redis(simulators):
    text = '{ offender(crn: "X000001") { crn } }'
    settings = http_settings(simulators, cache="redis")
    apps = [create_app(settings), create_app(settings)]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[0]),
                                 base_url="http://t") as first, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[1]),
                              base_url="http://t") as second:
        await first.post("/graphql", json=apq(text, True), headers=bearer("C01"))
        response = await second.post("/graphql", json=apq(text, False), headers=bearer("C01"))
    for app in apps:
        await app.state.registry.aclose()
    assert response.json()["data"] == {"offender": {"crn": "X000001"}}


@pytest.fixture(scope="module")
async def trusted_client():
    settings = Settings(persisted=PersistedSettings(clients={"c16-client": MANIFEST}))
    async with make_client(settings) as c:
        yield c


async def test_a_trusted_client_runs_its_operations_by_hash(trusted_client):
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": TRUSTED[1]["id"]}},
            "variables": {"crn": "X000002"}}
    response = await trusted_client.post("/graphql", json=body, headers=bearer("C16"))
    assert response.json()["data"]["offender"]["crn"] == "X000002"


async def test_a_trusted_client_may_send_the_exact_text_of_a_listed_operation(trusted_client):
    response = await trusted_client.post("/graphql", headers=bearer("C16"), json={
        "query": TRUSTED[0]["body"]})
    assert "caseload" in response.json()["data"]


@pytest.mark.parametrize("body", [
    {"query": QUERY},
    apq(QUERY, True),
    apq(QUERY, False),
    {"query": TRUSTED[0]["body"] + " "},  # not the listed text
])
async def test_a_trusted_client_cannot_run_anything_else(trusted_client, body):
    response = await trusted_client.post("/graphql", json=body, headers=bearer("C16"))
    assert codes(response.json()) == ["PERSISTED_QUERY_NOT_IN_LIST"]
    assert "data" not in response.json()


async def test_other_clients_are_not_held_to_that_list(trusted_client):
    response = await trusted_client.post("/graphql", json={"query": QUERY}, headers=bearer("C01"))
    assert response.json()["data"]["viewer"]["organisation"] == "C01"


def test_a_trusted_operation_that_does_not_validate_stops_start_up(tmp_path):
    bad = tmp_path / "bad.json"
    text = "{ offender { nosuchfield } }"
    bad.write_text(json.dumps({digest(text): text}))
    with pytest.raises(ConfigError, match="does not validate"):
        create_app(Settings(persisted=PersistedSettings(clients={"x": bad})))


def test_a_manifest_key_that_is_not_the_documents_hash_stops_start_up(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"0" * 64: QUERY}))
    with pytest.raises(ConfigError, match="not the sha256"):
        create_app(Settings(persisted=PersistedSettings(clients={"x": bad})))
