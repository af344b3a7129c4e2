"""Authorisation holds by construction: a field added without a thought for permissions is
still denied where the policy denies it, a field no policy covers stops start-up, and the
only way a resolver reaches records is through the row judge."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import httpx
import pytest
from graphql import GraphQLField, GraphQLList, GraphQLString

import gateway.app
from gateway.settings import Settings
from policies.loader import SHIPPED, PolicyError
from tests.conftest import post_query

RESOLVERS = Path(__file__).parents[2] / "resolvers"
# The modules allowed to hold raw records: the judge, its lists, the loaders themselves, and
# the look-ahead that only warms them.
RAW = {"reach.py", "reach_custody.py", "judge.py", "lists.py", "loaders.py", "lookahead.py",
       "provenance.py"}


def _with_new_fields(monkeypatch, calls: list[str]) -> None:
    """The schema plus two fields written with no guard: a secret on Offender and a root
    field that lists everyone, through the only record source resolvers have."""
    real = gateway.app.build_schema

    def secret(person, info):
        calls.append(person.crn)
        return f"SECRET {person.crn}"

    async def everyone(_root, info):
        crns = ["X000001", "X000002", "X000003", "X000004", "X000005", "X000040"]
        from resolvers.offenders import built

        return [built(p) for p in await info.context.reach.people(crns)]

    def patched(*args, **kwargs):
        schema = real(*args, **kwargs)
        types = schema._schema.type_map
        types["Offender"].fields["secretNote"] = GraphQLField(GraphQLString, resolve=secret)
        types["Query"].fields["everyone"] = GraphQLField(GraphQLList(types["Offender"]),
                                                         resolve=everyone)
        return schema
    monkeypatch.setattr(gateway.app, "build_schema", patched)


def _policies(tmp_path: Path, covered: bool) -> Path:
    """The shipped policies; when `covered`, each organisation type decides the new fields:
    HQ may read the secret, everyone else is denied it."""
    target = tmp_path / "policies"
    shutil.copytree(SHIPPED, target)
    if not covered:
        return target
    for name in ("crc", "nps", "prison", "hq"):
        path = target / f"{name}.toml"
        text = path.read_text().replace("[types.Query]\nfields = [", '[types.Query]\nfields = '
                                        '[ "everyone",', 1)
        if name == "hq":
            text = text.replace("[types.Offender]\nrows = \"all\"\nfields = [",
                                '[types.Offender]\nrows = "all"\nfields = [ "secretNote",', 1)
        elif "deny = [\n  \"cases\"" in text:
            text = text.replace('deny = [\n  "cases"', 'deny = [\n  "secretNote", "cases"', 1)
        else:
            text = text.replace("[types.Offender]\n", '[types.Offender]\ndeny = ["secretNote"]\n',
                                1)
        path.write_text(text)
    return target


async def _ask(app, query: str, **who) -> dict:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        return await post_query(client, query, **who)


async def test_a_new_field_with_no_guard_is_denied_where_the_policy_denies_it(
        monkeypatch, tmp_path):
    calls: list[str] = []
    _with_new_fields(monkeypatch, calls)
    app = gateway.app.create_app(Settings(policy_dir=_policies(tmp_path, covered=True)))
    query = """{ offender(crn: "X000001") { crn secretNote }
                 caseload(first: 3) { edges { node { offender { secretNote } } } } }"""
    body = await _ask(app, query, org="C01")
    assert body["data"]["offender"] == {"crn": "X000001", "secretNote": None}
    assert all(e["node"]["offender"]["secretNote"] is None
               for e in body["data"]["caseload"]["edges"])
    assert sorted(e["path"] for e in body["errors"]) == sorted([
        ["offender", "secretNote"], ["caseload", "edges", "@", "node", "offender", "secretNote"]])
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert calls == [], "the resolver of a denied field must never run"
    allowed = await _ask(app, '{ offender(crn: "X000001") { secretNote } }', org="HQ")
    assert allowed["data"]["offender"]["secretNote"] == "SECRET X000001"


async def test_records_from_a_new_root_field_are_judged_by_the_same_rows(monkeypatch, tmp_path):
    _with_new_fields(monkeypatch, [])
    app = gateway.app.create_app(Settings(policy_dir=_policies(tmp_path, covered=True)))
    body = await _ask(app, "{ everyone { crn accessRestricted name { surname } } }",
                      org="C01", username="jexcluded", staff="C01T101")
    found = [p for p in body["data"]["everyone"] if p is not None]
    assert [p["crn"] for p in found] == ["X000001", "X000004", "X000040"]
    assert found[2] == {"crn": "X000040", "accessRestricted": True, "name": None}


def test_a_field_no_policy_covers_stops_start_up(monkeypatch, tmp_path):
    _with_new_fields(monkeypatch, [])
    with pytest.raises(PolicyError) as refused:
        gateway.app.create_app(Settings(policy_dir=_policies(tmp_path, covered=False)))
    assert "Offender.secretNote is not covered by any rule" in str(refused.value)
    assert "Query.everyone is not covered by any rule" in str(refused.value)


def test_no_resolver_reaches_raw_records_but_through_the_judge():
    """Resolvers get records from `ctx.reach`; only the judge's own modules use loaders."""
    offenders = []
    for path in sorted(RESOLVERS.glob("*.py")):
        if path.name in RAW:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("loaders", "_loaders"):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_no_resolver_checks_a_permission_itself():
    """Field decisions belong to the executor: no `may(` or `allows(` in resolvers. The
    look-ahead and what a federated field forwards to its subgraph ask only to leave out
    what the executor will null anyway."""
    found = [f"{p.name}" for p in sorted(RESOLVERS.glob("*.py"))
             if p.name not in {"policed.py", "context.py", "lookahead.py", "execution.py",
                               "forwarding.py"}
             and re.search(r"\.(may|allows)\(", p.read_text())]
    assert found == []
