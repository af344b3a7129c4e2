"""GraphQL over HTTP: media types, status codes, CSRF, CORS, batches, and the graphql-http audit."""

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from gateway import tokens
from gateway.app import create_app
from gateway.negotiation import GRAPHQL_RESPONSE, JSON, response_media_type
from gateway.settings import Settings
from tests.conftest import bearer
from tests.servers import serving

AUDIT = Path(__file__).parent / "http_audit"
NEW = {"accept": GRAPHQL_RESPONSE}


@pytest.mark.parametrize("accept, chosen", [
    (None, JSON), ("", JSON), ("*/*", JSON), ("application/json", JSON),
    (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
    (f"{GRAPHQL_RESPONSE}, application/json", GRAPHQL_RESPONSE),
    (f"application/json, {GRAPHQL_RESPONSE};q=0.9", JSON),
    (f"application/json;q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
    ("text/html, application/*;q=0.8", JSON), ("text/csv", None), ("application/json;q=0", None),
])
def test_the_response_media_type_follows_accept(accept, chosen):
    assert response_media_type(accept) == chosen


async def test_a_client_accepting_neither_type_gets_406(client):
    response = await client.post("/graphql", json={"query": "{ viewer { organisation } }"},
                                 headers={**bearer("C01"), "accept": "text/csv"})
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_graphql_response_json_answers_request_errors_with_400_and_no_data(client):
    response = await client.post("/graphql", json={"query": "{ viewer { "},
                                 headers={**bearer("C01"), **NEW})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" not in body and body["errors"][0]["extensions"]["code"] == \
        "GRAPHQL_PARSE_FAILED"


async def test_graphql_response_json_answers_a_run_document_with_200(client):
    response = await client.post("/graphql", json={"query": "{ viewer { organisation } }"},
                                 headers={**bearer("C01"), **NEW})
    assert response.status_code == 200
    assert response.json()["data"] == {"viewer": {"organisation": "C01"}}


async def test_legacy_json_answers_request_errors_with_200(client):
    response = await client.post("/graphql", json={"query": "{ nosuch }"}, headers=bearer("C01"))
    assert response.status_code == 200 and "data" not in response.json()


async def test_a_form_post_without_a_token_is_refused_as_possible_csrf(client):
    response = await client.post("/graphql", content=b"query={viewer{organisation}}",
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert "cross-site" in response.json()["errors"][0]["message"]


async def test_a_get_with_only_a_preflight_header_passes_csrf_and_meets_authentication(client):
    response = await client.get("/graphql", params={"query": "{ viewer { organisation } }"},
                                headers={"graphql-require-preflight": "1"})
    assert response.status_code == 401


async def test_a_form_post_even_with_a_token_is_not_run(client):
    response = await client.post("/graphql", content=b"query={viewer{organisation}}", headers={
        **bearer("C01"), "content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and "data" not in response.json()


async def test_an_authenticated_get_without_a_query_is_a_coded_error_not_a_page(client):
    response = await client.get("/graphql", headers={**bearer("C01"), "accept": "*/*"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_get_runs_queries_only(client):
    response = await client.get("/graphql", params={"query": "mutation { x }"},
                                headers=bearer("C01"))
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.fixture(scope="module")
async def cors_client():
    app = create_app(Settings(cors_origins=("https://ui.crc.example",)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as c:
        yield c


async def test_cors_preflight_from_an_allowed_origin_is_answered(cors_client):
    response = await cors_client.options("/graphql", headers={
        "origin": "https://ui.crc.example", "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://ui.crc.example"


async def test_cors_refuses_an_origin_not_on_the_list(cors_client):
    response = await cors_client.options("/graphql", headers={
        "origin": "https://evil.example", "access-control-request-method": "POST"})
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_no_cors_headers_unless_configured(client):
    response = await client.post("/graphql", json={"query": "{ viewer { organisation } }"},
                                 headers={**bearer("C01"), "origin": "https://ui.crc.example"})
    assert "access-control-allow-origin" not in response.headers


async def test_a_batch_over_the_limit_is_refused_whole_naming_the_limit(client):
    response = await client.post("/graphql", headers=bearer("C01"),
                                 json=[{"query": "{ viewer { organisation } }"}] * 11)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT", "limit": "max_batch", "maximum": 10}


async def test_batches_can_be_turned_off():
    app = create_app(Settings(max_batch=0))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as c:
        response = await c.post("/graphql", headers=bearer("C01"),
                                json=[{"query": "{ viewer { organisation } }"}])
    assert response.status_code == 400


def test_the_graphql_http_audit_passes_every_must_and_should(app):
    """The `graphql-http` package's own audits, run by node against the server on loopback."""
    node = shutil.which("node")
    assert node and (AUDIT / "node_modules" / "graphql-http").is_dir(), \
        "node and the audit's packages are needed: `make test` installs them"
    with serving(app) as url:
        run = subprocess.run([node, str(AUDIT / "audit.mjs"), f"{url}/graphql",
                              tokens.mint("C01", tokens.DEFAULT_SCOPES)],
                             capture_output=True, text=True, timeout=120, check=True)
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(results) >= 50
    assert [r for r in results if r["status"] != "ok"] == []
