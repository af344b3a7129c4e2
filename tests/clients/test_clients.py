"""Front-end tooling against a running gateway: graphql-codegen from its introspection URL,
relay-compiler over the example operations, and the README's urql client.

The tools are the npm packages pinned by `tests/clients/package-lock.json` (`make test` runs
`npm ci` there). The gateway is a real server on loopback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from gateway import tokens
from gateway.app import create_app
from gateway.graphiql import example_queries
from gateway.settings import Settings
from resolvers.schema import build_schema
from tests.clients.relay import REFETCHABLE_OFFENDER, write_project
from tests.servers import serving

HERE = Path(__file__).parent
BIN = HERE / "node_modules" / ".bin"


@pytest.fixture(scope="module")
def gateway_url():
    assert shutil.which("node") and BIN.is_dir(), \
        "node and the client packages are needed: `make test` installs them"
    app = create_app(Settings())  # the demo's limits: introspection is judged by its own
    with serving(app) as url:
        yield f"{url}/graphql"


def _run(*args: str | Path, cwd: Path = HERE, env: dict[str, str] | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                         timeout=180, env={**os.environ, **(env or {})})
    if check:
        assert run.returncode == 0, run.stdout + run.stderr
    return run


@pytest.fixture(scope="module")
def generated(gateway_url, tmp_path_factory) -> Path:
    """TypeScript types for the schema and for gateway/examples/*.graphql, from the gateway's
    introspection; the folder holds schema.ts and operations.ts."""
    out = tmp_path_factory.mktemp("codegen")
    _run(BIN / "graphql-codegen", "--config", "codegen.js", env={
        "CASEGRAPH_URL": gateway_url, "CASEGRAPH_TOKEN": tokens.mint("C01"),
        "CODEGEN_OUT": str(out)})
    return out


def _typecheck(generated: Path, consumers: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name, text in consumers.items():
        (generated / name).write_text(text)
    return _run(BIN / "tsc", "--noEmit", "--strict", "--target", "es2022", "--module",
                "es2022", "--moduleResolution", "bundler", generated / "schema.ts",
                generated / "operations.ts", *(generated / name for name in consumers),
                check=False)


def test_codegen_types_every_example_operation_from_the_running_gateway(generated):
    text = (generated / "operations.ts").read_text()
    for document in example_queries().values():
        name = document.split("query ", 1)[1].split()[0]
        assert f"export type {name}Query = " in text, name
    assert "export type CustodyStatus =\n  | 'ACTIVE_IN'" in text  # the enum, from introspection
    # The schema's own types: the plugin prints the introspected schema as SDL and parses it
    # with graphql-js 16 (the directive locations it knows: see gateway/directives.py).
    assert re.search(r"^export type Offender = (Node & )?\{", (generated / "schema.ts").read_text(),
                     re.M)


CONSUMER = """import type { CaseloadQuery } from "./operations";
export function firstPrison(data: CaseloadQuery): string | null | undefined {
  return data.caseload?.edges[0]?.node.offender?.%s;
}
"""


def test_the_generated_types_compile_and_follow_each_operations_selection(generated):
    run = _typecheck(generated, {"selected.ts": CONSUMER % "custody?.establishment?.name",
                                 "unselected.ts": CONSUMER % "pncNumber"})  # not in Caseload
    errors = [line for line in run.stdout.splitlines() if "error TS" in line]
    assert errors and all(e.startswith("unselected.ts") or "/unselected.ts" in e.split("(")[0]
                          for e in errors), run.stdout
    assert "pncNumber" in errors[0]


def test_relay_compiler_compiles_the_example_operations(tmp_path):
    config = write_project(tmp_path, build_schema().as_str())
    run = _run(BIN / "relay-compiler", config, cwd=tmp_path, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    artifacts = sorted(p.name for p in (tmp_path / "src" / "__generated__").iterdir())
    assert len(artifacts) == len(example_queries())
    assert "CaseloadQuery.graphql.ts" in artifacts


def test_relay_compiler_compiles_a_refetchable_offender_fragment(tmp_path, gateway_url):
    config = write_project(tmp_path, build_schema().as_str(),
                           {"OffenderCard": REFETCHABLE_OFFENDER})
    run = _run(BIN / "relay-compiler", config, cwd=tmp_path, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    refetch = tmp_path / "src" / "__generated__" / "OffenderCardRefetchQuery.graphql.ts"
    text = json.loads(re.search(r'"text": (".*")', refetch.read_text()).group(1))
    assert "node(id: $id)" in text  # Relay refetches an Offender by node(id:)
    # ... and the compiled query runs: an Offender's global id brings the same person back.
    headers = {"Authorization": f"Bearer {tokens.mint('C01')}"}
    first = httpx.post(gateway_url, headers=headers, timeout=30, json={
        "query": "{ caseload(first: 1) { edges { node { offender { id crn } } } } }"})
    offender = first.json()["data"]["caseload"]["edges"][0]["node"]["offender"]
    again = httpx.post(gateway_url, headers=headers, timeout=30,
                       json={"query": text, "variables": {"id": offender["id"]}}).json()
    assert "errors" not in again and again["data"]["node"]["crn"] == offender["crn"]


README = (HERE.parents[1] / "README.md").read_text()
FRONT_END = README.split("## For front-end teams", 1)[1].split("\n## ", 1)[0]


def _block(language: str, containing: str) -> str:
    return next(b for b in re.findall(rf"```{language}\n(.*?)```", FRONT_END, re.S)
                if containing in b)


def test_the_readmes_apollo_and_codegen_setups_are_the_files_that_run():
    ui = HERE.parents[1] / "examples" / "caseload-ui" / "src" / "client.ts"
    assert _block("ts", "PersistedQueryLink") == ui.read_text()
    assert _block("js", "graphql-codegen") == (HERE / "codegen.js").read_text()
    for image in re.findall(r"\]\((docs/[^)]+\.png)\)", FRONT_END):
        assert (HERE.parents[1] / image).is_file(), image


def test_the_readmes_urql_client_runs_against_the_gateway(gateway_url):
    run = subprocess.run([shutil.which("node") or "node", "--input-type=module"],
                         input=_block("js", "@urql/core"), cwd=HERE, capture_output=True,
                         text=True, timeout=60, env={**os.environ, "CASEGRAPH_URL": gateway_url,
                                                     "CASEGRAPH_TOKEN": tokens.mint("C01")})
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert answer["error"] is None and answer["data"]["caseload"]["totalCount"] > 0
