"""What browsers need: CORS that admits the headers GraphQL clients send and exposes the rate
limit, and a 401 (not the CSRF refusal) for a query sent before a token was set."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.cors import APOLLO_HEADERS, EXPOSED_HEADERS
from gateway.csrf import CSRFGuard
from gateway.ratelimit import RateLimitSettings
from gateway.settings import Settings, load_settings
from providers.registry import ConfigError
from tests.conftest import bearer

ORIGIN = "https://caseload.crc-c01.example"


@pytest.fixture(scope="module")
async def cors_client():
    app = create_app(Settings(cors_origins=(ORIGIN,), cors_allow_headers=("X-Request-Id",),
                              rate_limits=RateLimitSettings(default="50/minute")))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as client:
        yield client


def preflight(client: httpx.AsyncClient, headers: str):
    return client.options("/graphql", headers={
        "origin": ORIGIN, "access-control-request-method": "POST",
        "access-control-request-headers": headers})


async def test_apollo_clients_headers_pass_the_preflight_by_default(cors_client):
    response = await preflight(cors_client, ", ".join(["content-type", "authorization",
                                                       *APOLLO_HEADERS]))
    assert response.status_code == 200
    allowed = {h.strip() for h in response.headers["access-control-allow-headers"].split(",")}
    assert set(APOLLO_HEADERS) <= allowed


async def test_an_operator_adds_request_headers_and_others_stay_refused(cors_client):
    assert (await preflight(cors_client, "x-request-id, authorization")).status_code == 200
    assert (await preflight(cors_client, "x-not-listed")).status_code == 400


async def test_browser_code_may_read_the_rate_limit_headers(cors_client):
    response = await cors_client.post("/graphql", json={"query": "{ viewer { organisation } }"},
                                      headers={**bearer("C01"), "origin": ORIGIN})
    exposed = {h.strip().lower() for h in
               response.headers["access-control-expose-headers"].split(",")}
    assert {h.lower() for h in EXPOSED_HEADERS} <= exposed
    assert "ratelimit-remaining" in response.headers


def test_the_allowed_headers_are_read_from_the_config_file_and_checked(tmp_path):
    config = tmp_path / "c.toml"
    base = '[auth]\ndemo = true\n[providers.e]\ntype = "embedded"\n[http]\n' \
           f'cors_origins = ["{ORIGIN}"]\n'
    config.write_text(base + 'cors_allow_headers = ["X-Request-Id"]\n')
    assert load_settings(config).cors_allow_headers == ("X-Request-Id",)
    config.write_text(base + 'cors_allow_headers = ["bad header: yes"]\n')
    with pytest.raises(ConfigError, match="cors_allow_headers"):
        create_app(load_settings(config))


async def test_a_query_over_get_with_no_token_is_401_unauthenticated(client):
    response = await client.get("/graphql", params={"query": "{ viewer { organisation } }"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# The guard as a class of requests: whatever a simple request carries, it never reaches the
# app behind the guard, and it is a 401 exactly when it is a credential-free GraphQL GET.
def _reached(_scope, _receive, send):
    return PlainTextResponse("reached")(_scope, _receive, send)


GUARDED = TestClient(CSRFGuard(_reached))
SIMPLE_TYPES = st.sampled_from([None, "text/plain", "application/x-www-form-urlencoded",
                                "multipart/form-data; boundary=x"])


@settings(max_examples=200, deadline=None, database=None)
@given(method=st.sampled_from(["GET", "POST"]), content_type=SIMPLE_TYPES,
       params=st.dictionaries(st.sampled_from(["query", "extensions", "variables", "x"]),
                              st.text(max_size=20), max_size=3),
       cookie=st.booleans(), accept=st.sampled_from(["*/*", "application/json",
                                                     "application/graphql-response+json"]))
def test_a_simple_request_never_passes_the_guard(method, content_type, params, cookie, accept):
    headers = {"accept": accept}
    if content_type:
        headers["content-type"] = content_type
    if cookie:
        headers["cookie"] = "session=1"
    response = GUARDED.request(method, "/graphql", params=params, headers=headers)
    anonymous_query = method == "GET" and not cookie and bool({"query", "extensions"} & set(
        params))
    assert response.status_code == (401 if anonymous_query else 400)
    assert response.text != "reached"


def test_introspection_advertises_only_the_specifications_directive_locations(app):
    """graphql-js 16 cannot parse `DIRECTIVE_DEFINITION` (graphql-core 3.3 adds it to
    @deprecated); codegen through graphql-tools rebuilds SDL from introspection and failed."""
    from graphql import introspection_from_schema

    spec = {"QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION",
            "FRAGMENT_SPREAD", "INLINE_FRAGMENT", "VARIABLE_DEFINITION", "SCHEMA", "SCALAR",
            "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INTERFACE", "UNION", "ENUM",
            "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION"}
    directives = introspection_from_schema(app.state.schema._schema)["__schema"]["directives"]
    assert {loc for d in directives for loc in d["locations"]} <= spec
    assert "deprecated" in {d["name"] for d in directives}
