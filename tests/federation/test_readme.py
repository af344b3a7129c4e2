"""The README's Federation section: its query, configuration and commands are the ones the
tests run."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from graphql import parse, print_ast

from gateway import tokens
from gateway.app import create_app
from gateway.ratelimit import RateLimitSettings
from gateway.settings import load_settings
from tests.federation.conftest import ask, federated

ROOT = Path(__file__).parents[2]
SECTION = (ROOT / "README.md").read_text().split("## Federation\n", 1)[1].split("\n## ", 1)[0]
QUERY = (ROOT / "examples" / "federation" / "caseload-with-notes.graphql").read_text()


def _selection(document: str) -> str:
    return print_ast(parse(document).definitions[0].selection_set)  # type: ignore[attr-defined]


def test_the_readme_shows_the_example_query():
    [shown] = re.findall(r"```\n(\{.*?)```", SECTION, re.S)
    assert _selection(shown) == _selection(QUERY)


async def test_the_example_query_answers_with_the_subgraphs_fields(notes_app, stats):
    body = await ask(notes_app, QUERY, org="C01", staff="C01T101", username="demo.officer")
    assert "errors" not in body
    edges = body["data"]["caseload"]["edges"]
    assert len(edges) == 10 and any(e["node"]["offender"]["caseNotes"] for e in edges)
    assert any(e["node"]["offender"]["custody"] for e in edges)


def test_the_example_configuration_is_what_the_readme_says(monkeypatch):
    monkeypatch.chdir(ROOT)
    settings = load_settings(ROOT / "examples" / "federation" / "casegraph.toml")
    notes = settings.federation.subgraphs["casenotes"]
    assert settings.federation.subgraph is True
    assert notes["url"] == "http://127.0.0.1:8091/graphql"
    assert notes["client_secret_env"] == "CASENOTES_CLIENT_SECRET"
    assert Path(notes["policies"]).is_dir()
    assert "examples.federation.casenotes --port 8091" in SECTION
    assert "--config examples/federation/casegraph.toml" in SECTION


async def test_the_demo_serves_subgraph_behind_the_same_protections():
    app = create_app(replace(federated(None), rate_limits=RateLimitSettings(
        default="3/minute")))
    assert "/subgraph" in {getattr(r, "path", "") for r in create_app().routes}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as client:
        anonymous = await client.post("/subgraph", json={"query": "{ _service { sdl } }"})
        assert anonymous.status_code == 401
        token = {"Authorization": f"Bearer {tokens.mint('C01', ('read',))}"}
        statuses = [(await client.post(path, json={"query": "{ viewer { subject } }"},
                                       headers=token)).status_code
                    for path in ("/graphql", "/subgraph", "/graphql", "/subgraph")]
    assert statuses == [200, 200, 200, 429], "one budget across both endpoints"


@pytest.mark.parametrize("name", ["introspection", "link", "key_single",
                                  "key_single_on_case", "key_on_custody"])
def test_each_compatibility_check_the_readme_reports_passing_is_a_test(name):
    from tests.federation import test_compatibility

    assert any(n.startswith(f"test_{name}") for n in dir(test_compatibility))
    assert re.search(r"\| passes \|", SECTION)
