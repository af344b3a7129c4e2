"""The standard introspection queries of graphql-js, graphql-core and gql pass the limits
wherever introspection is on (judged by their own bound, not the data depth limit); the
pathological ones do not; with introspection off all of them are refused."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from gql import Client
from gql.transport.httpx import HTTPXAsyncTransport
from gql.utilities import get_introspection_query_ast
from graphql import get_introspection_query, print_ast

from gateway import tokens
from gateway.app import create_app
from gateway.settings import Settings
from tests.conftest import codes, post_query

AUDIT = Path(__file__).parent / "http_audit"  # holds graphql-js, pinned by its lock file
JS_FLAGS = ["descriptions", "specifiedByUrl", "directiveIsRepeatable", "schemaDescription",
            "inputValueDeprecation", "oneOf"]
CORE_FLAGS = ["descriptions", "specified_by_url", "directive_is_repeatable",
              "schema_description", "input_value_deprecation", "one_of"]
GQL_FLAGS = ["descriptions", "specified_by_url", "directive_is_repeatable", "schema_description",
             "input_value_deprecation", "input_object_one_of"]


def graphql_js_queries() -> dict[str, str]:
    """graphql-js's getIntrospectionQuery: its defaults, every flag on, every flag off."""
    node = shutil.which("node")
    assert node and (AUDIT / "node_modules" / "graphql").is_dir(), \
        "node and graphql-js are needed: `make test` installs them"
    options = {"defaults": {}, "all flags": dict.fromkeys(JS_FLAGS, True),
               "no flags": dict.fromkeys(JS_FLAGS, False)}
    script = ("import { getIntrospectionQuery } from 'graphql';"
              f"const options = {json.dumps(options)};"
              "const out = {}; for (const [k, v] of Object.entries(options)) "
              "out[k] = getIntrospectionQuery(v); console.log(JSON.stringify(out));")
    run = subprocess.run([node, "--input-type=module", "-e", script], cwd=AUDIT,
                         capture_output=True, text=True, timeout=60, check=True)
    return {f"graphql-js {k}": q for k, q in json.loads(run.stdout).items()}


def standard_queries() -> dict[str, str]:
    found = graphql_js_queries()
    found["graphql-core defaults"] = get_introspection_query()
    found["graphql-core all flags"] = get_introspection_query(**dict.fromkeys(CORE_FLAGS, True))
    found["gql defaults"] = print_ast(get_introspection_query_ast())
    found["gql all flags"] = print_ast(get_introspection_query_ast(
        **dict.fromkeys(GQL_FLAGS, True)))
    return found


STANDARD = standard_queries()


@pytest.mark.parametrize("name", sorted(STANDARD))
async def test_a_standard_introspection_query_passes_the_limits(gql, name):
    body = await gql(STANDARD[name])
    assert "errors" not in body, body["errors"]
    schema = body["data"]["__schema"]
    assert schema["queryType"]["name"] == "Query"
    query = next(t for t in schema["types"] if t["name"] == "Query")
    assert {"offender", "caseload", "offenders"} <= {f["name"] for f in query["fields"]}


@pytest.fixture(scope="module")
def closed_app():
    return create_app(Settings(introspection=False))


@pytest.mark.parametrize("name", sorted(STANDARD))
async def test_with_introspection_off_each_is_refused(closed_app, name):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=closed_app),
                                 base_url="http://t") as client:
        body = await post_query(client, STANDARD[name])
    assert "data" not in body and set(codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert all("introspection" in e["message"] for e in body["errors"])


async def test_gql_loads_the_schema_from_the_gateway(app):
    transport = HTTPXAsyncTransport(
        "http://casegraph.test/graphql", transport=httpx.ASGITransport(app=app),
        headers={"Authorization": f"Bearer {tokens.mint('C01')}"})
    async with Client(transport=transport, fetch_schema_from_transport=True) as session:
        assert session.client.schema is not None
        query = session.client.schema.query_type
    assert query is not None and "caseload" in query.fields


def _of_type(levels: int) -> str:
    inner = "name"
    for _ in range(levels):
        inner = f"kind ofType {{ {inner} }}"
    return inner


async def test_deeply_nested_type_references_are_refused_by_the_introspection_bound(gql):
    body = await gql(f'{{ __type(name: "Query") {{ fields {{ type {{ {_of_type(25)} }} }} }} }}')
    assert codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body["errors"][0]["extensions"]["limit"] == "max_introspection_depth"
    assert body["errors"][0]["extensions"]["maximum"] == 20


async def test_nested_lists_of_types_are_refused(gql):
    body = await gql('{ __type(name: "Query") { fields { type { fields { type { fields { '
                     "name } } } } } } }")
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "introspection depth" in body["errors"][0]["message"]


async def test_an_operation_that_also_reads_data_is_judged_by_the_data_limits(gql):
    body = await gql(f'{{ viewer {{ subject }} __type(name: "Query") {{ fields {{ type {{ '
                     f"{_of_type(8)} }} }} }} }}")
    assert codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body["errors"][0]["extensions"]["limit"] == "max_depth"
