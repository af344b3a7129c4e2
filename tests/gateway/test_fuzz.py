"""Bad input over real HTTP: whatever arrives, the answer is well-formed JSON with coded errors,
never a 5xx, never a stack trace."""

from __future__ import annotations

import json
from functools import cache

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries

from gateway import tokens
from gateway.app import create_app
from gateway.ratelimit import RateLimitSettings
from gateway.settings import Settings
from resolvers.schema import build_schema
from tests.servers import serving

CODES = {"UNAUTHENTICATED", "BAD_REQUEST", "BAD_USER_INPUT", "GRAPHQL_PARSE_FAILED",
         "GRAPHQL_VALIDATION_FAILED", "FORBIDDEN", "CONFLICT", "QUERY_TOO_COMPLEX",
         "INTERNAL_SERVER_ERROR", "PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_NOT_SUPPORTED",
         "PERSISTED_QUERY_HASH_MISMATCH", "BACKEND_UNAVAILABLE", "BACKEND_TIMEOUT",
         "BACKEND_BAD_DATA"}
FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)
TOKENS = ["{", "}", "(", ")", "[", "]", ":", "$", "!", "@", "...", "=", '"', "#", "\\u0000",
          "query", "fragment", "on", "offender", "caseload", "crn", "first", "after", "edges",
          "node", "__schema", "__typename", "X000001", "-1", "1e999", "null", "true", " ", "\n"]
documents = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join) | st.text(max_size=200)
SDL = build_schema().as_str()
requests = st.fixed_dictionaries({}, optional={
    "query": st.one_of(documents, json_values), "variables": json_values,
    "operationName": st.one_of(st.none(), st.text(max_size=20), json_values),
    "extensions": json_values})


@pytest.fixture(scope="module")
def server():
    app = create_app(Settings(rate_limits=RateLimitSettings(default="100000/minute")))
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


@cache
def auth() -> dict[str, str]:
    return {"authorization": f"Bearer {tokens.mint('C01')}"}


def assert_well_formed(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text[:500]
    assert "Traceback" not in response.text and 'File "' not in response.text
    body = response.json()
    for item in body if isinstance(body, list) else [body]:
        assert set(item) <= {"data", "errors", "extensions"}
        for error in item.get("errors", []):
            assert isinstance(error["message"], str)
            assert error["extensions"]["code"] in CODES, error


@FUZZ
@given(body=st.binary(max_size=300))
def test_any_bytes_as_a_body(server, body):
    response = server.post("/graphql", content=body,
                           headers={**auth(), "content-type": "application/json"})
    assert_well_formed(response)


@FUZZ
@given(body=json_values | requests | st.lists(requests, max_size=12))
def test_any_json_as_a_request(server, body):
    assert_well_formed(server.post("/graphql", json=body, headers=auth()))


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["query", "variables", "operationName",
                                              "extensions"]), st.text(max_size=80)))
def test_any_query_string_on_get(server, params):
    assert_well_formed(server.get("/graphql", params=params, headers=auth()))


header_values = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80).map(
    str.strip)  # surrounding spaces cannot be sent


@FUZZ
@given(accept=header_values, content_type=header_values, authorization=header_values)
def test_odd_headers(server, accept, content_type, authorization):
    headers = {"accept": accept, "content-type": content_type, "authorization": authorization}
    response = server.post("/graphql", headers=headers,
                           content=b'{"query": "{ viewer { organisation } }"}')
    if "text/html" not in response.headers.get("content-type", ""):
        assert_well_formed(response)


@FUZZ
@given(data=st.data())
def test_valid_documents_with_wrong_variables(server, data):
    query = data.draw(queries(SDL))
    variables = data.draw(st.dictionaries(st.text(max_size=8), json_values, max_size=4))
    assert_well_formed(server.post("/graphql", json={"query": query, "variables": variables},
                                   headers=auth()))


def test_a_json_body_nested_past_any_sane_depth_is_refused_cleanly(server):
    deep = "[" * 100_000 + "]" * 100_000
    response = server.post("/graphql", content=deep.encode(),
                           headers={**auth(), "content-type": "application/json"})
    assert response.status_code in (400, 413)
    assert json.loads(response.text)["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
