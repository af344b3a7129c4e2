"""`casegraph policy explain` and `casegraph policy test`: see why, and prove policies as data."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from graphql import parse, validate

from gateway import tokens
from gateway.app import create_app
from gateway.auth import TokenVerifier
from gateway.settings import Settings
from policies.enforcement import fragments_of, operation_of, selected_fields
from policies.evaluator import Evaluator
from policies.kinds import KINDS

CASES = Path(__file__).parents[1] / "policies" / "cases"


ENFORCEMENT = ("fields: decided once for the operation by the executor "
               "(resolvers/policed.py), denied fields null before any resolver runs; "
               "rows: judged where records leave the loaders (resolvers/reach.py)")


def explain(settings: Settings, token: str, query: str) -> list[str]:
    """One line per selected field: its path, decision and the rule that made it, as the
    executor's walk decides them (the same walk, the same decisions).

    `token` may carry the `Bearer ` prefix, as copied from a header. A query that does not
    parse or validate raises its first `GraphQLError`, as the gateway would answer it.
    """
    app = create_app(settings)
    schema = app.state.schema._schema
    document = parse(query)
    if errors := validate(schema, document):
        raise errors[0]
    principal = asyncio.run(TokenVerifier(settings.auth).principal(f"Bearer {_bare(token)}"))
    decisions: Evaluator = app.state.evaluator
    verdict = decisions.decisions(principal)
    lines = [f"principal: {principal.subject} org={principal.org} ({principal.org_type}) "
             f"scopes={sorted(principal.scopes)}", f"enforced by: {ENFORCEMENT}"]
    for type_name, rows in sorted(verdict.rows.items()):
        kinds = ", ".join(sorted(k for k, spec in KINDS.items() if spec.type_name == type_name))
        lines.append(f"rows of {type_name}: {_rows(verdict.rules.get(type_name), rows)}"
                     + (f" [records: {kinds}]" if kinds else ""))
    operation = operation_of(document.definitions, None)
    if operation is None:
        return [*lines, "no single operation to explain in that document"]
    for s in selected_fields(schema, operation, fragments_of(document.definitions)):
        lines.append(f"{'.'.join(s.path):<60} {verdict.explain(s.type_name, s.field)}")
    return lines


def _bare(token: str) -> str:
    """The token alone, from `Bearer <token>` or `<token>` (as copied from a header)."""
    token = token.strip()
    return token[7:].strip() if token[:7].lower() == "bearer " else token


def _rows(rule: Any, rows: Any) -> str:
    if rule is None or rule.rows is None:
        return "none visible (no rule: deny by default)"
    if rows.clauses is None:
        return f"all ({rule.source})"
    if not rows.clauses and rule.rows_scope is not None:
        return f"none visible: needs scope {rule.rows_scope!r} ({rule.source})"
    if not rows.clauses:
        return f"none visible ({rule.source})"
    clauses = [" and ".join(f"{name} = {want!r}" for name, _, want in clause)
               for clause in rows.clauses]
    return f"{' or '.join(clauses)} ({rule.source})"


@dataclass(frozen=True)
class CaseResult:
    source: str
    name: str
    problems: tuple[str, ...]


def run_cases(settings: Settings, files: list[Path]) -> list[CaseResult]:
    """Run every `[[case]]` of the files through the real app, in process."""
    return asyncio.run(_run_all(create_app(settings), files))


async def _run_all(app: Any, files: list[Path]) -> list[CaseResult]:
    results = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://policy.test") as client:
        for path in files:
            for case in tomllib.loads(path.read_text()).get("case", []):
                results.append(CaseResult(path.name, case["name"],
                                          tuple(await _check(client, case))))
    return results


async def _check(client: httpx.AsyncClient, case: dict[str, Any]) -> list[str]:
    who = case["principal"]
    token = tokens.mint(who["org"], who.get("scopes", tokens.DEFAULT_SCOPES),
                        staff=who.get("staff"), username=who.get("user"))
    response = await client.post("/graphql", json={"query": case["query"]},
                                 headers={"Authorization": f"Bearer {token}"})
    body = response.json()
    seen = set(_strings(body.get("data")))
    problems = [f"expected to see {v}" for v in case.get("visible", []) if v not in seen]
    problems += [f"must not see {v}" for v in case.get("hidden", []) if v in seen]
    denied = sorted(".".join(map(str, e["path"])) for e in body.get("errors", [])
                    if e.get("extensions", {}).get("code") == "FORBIDDEN")
    if "denied" in case and denied != sorted(case["denied"]):
        problems.append(f"denied paths {denied}, expected {sorted(case['denied'])}")
    return problems


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
