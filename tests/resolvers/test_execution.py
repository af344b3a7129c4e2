"""The fast executor answers exactly as graphql-core and strawberry do, errors and paths too."""

from __future__ import annotations

import datetime
import enum
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry

import resolvers.schema
from gateway.app import create_app
from gateway.tokens import DEFAULT_SCOPES
from resolvers.execution import FastExecutor, executor_for, field_plans
from resolvers.policed import PolicedExecutor
from tests.conftest import post_query
from tests.resolvers.test_errors import CustodyDown
from tests.resolvers.test_queries import PROFILE

WORKLOADS = Path(__file__).parents[2] / "bench" / "workloads"


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Leaf:
    name: str
    count: int | None
    colour: Colour | None
    when: datetime.date | None
    must: str


@strawberry.type
class Node:
    id: strawberry.ID
    ok: bool
    leaf: Leaf | None
    strict_leaf: Leaf
    leaves: list[Leaf] | None
    strict_leaves: list[Leaf]
    labels: list[str] | None

    @strawberry.field
    def echo(self, info: strawberry.Info) -> str:
        return f"{self.id}:{info.field_name}:{info.path.key}"

    @strawberry.field
    async def later(self) -> Leaf | None:
        return self.leaf

    @strawberry.field
    def boom(self) -> str | None:
        raise ValueError("resolver failed")

    @strawberry.field
    def shout(self, text: str = "hi") -> str:
        return text.upper()


def _leaf(name: Any = "a", must: Any = "m", count: Any = 1) -> Leaf:
    return Leaf(name=name, count=count, colour=Colour.RED, when=datetime.date(2026, 1, 2),
                must=must)


def _node(i: int, **broken: Any) -> Node:
    good = _leaf(str(i))
    return Node(id=strawberry.ID(str(i)), ok=bool(i % 2), leaf=broken.get("leaf", good),
                strict_leaf=broken.get("strict_leaf", good),
                leaves=broken.get("leaves", [good, _leaf("b")]),
                strict_leaves=broken.get("strict_leaves", [good]),
                labels=broken.get("labels", ["x", "y"]))


@strawberry.type
class Root:
    @strawberry.field
    def nodes(self) -> list[Node]:
        return [_node(1), _node(2, leaf=_leaf(must=None)),  # non-null leaf null: leaf nulled
                _node(3, strict_leaf=_leaf(must=None)),  # ... and through a non-null parent
                _node(4, leaves=[_leaf(), None, _leaf(count=2**40)]),  # bad Int, null item
                _node(5, labels=["ok", 7]),  # a non-string in a [String] list
                _node(6, leaf=_leaf(name=None))]  # a null non-null String

    @strawberry.field
    def strict(self) -> Node:
        return _node(7, strict_leaves=[_leaf(must=None)])


QUERIES = [
    "{ nodes { id ok echo later { name } leaf { name count colour when must }"
    "  leaves { name count } strictLeaves { must } labels shout(text: \"yo\") boom } }",
    "{ nodes { a: id b: id leaf { ...L } strictLeaf { ...L } } } fragment L on Leaf { name must }",
    "{ strict { id strictLeaves { must } } nodes { id } }",
    "query($skip: Boolean!) { nodes { id @skip(if: $skip) leaf @include(if: $skip) { name } } }",
]


def _schema(fast: bool) -> strawberry.Schema:
    schema = strawberry.Schema(query=Root)
    if fast:
        schema.execution_context_class = executor_for(schema, policed=False)
    return schema


@pytest.mark.parametrize("query", QUERIES)
async def test_same_answer_errors_and_paths_as_graphql_core(query):
    fast, stock = _schema(True), _schema(False)
    assert issubclass(fast.execution_context_class, FastExecutor)
    errors = []
    for skip in (True, False):
        got = await fast.execute(query, variable_values={"skip": skip}, root_value=Root())
        want = await stock.execute(query, variable_values={"skip": skip}, root_value=Root())
        assert got.data == want.data
        assert [(e.message, e.path, e.locations) for e in got.errors or ()] == \
            [(e.message, e.path, e.locations) for e in want.errors or ()]
        errors += want.errors or ()
    assert errors, "each query exercises an error path"


def test_plans_cover_plain_fields_and_direct_resolvers_only():
    plans = field_plans(_schema(True)._schema)
    node = plans["Node"]  # lists and fields with arguments: graphql-core's way
    assert set(node) == {"id", "ok", "leaf", "strictLeaf", "echo", "later", "boom"}
    assert {name for name, plan in node.items() if plan.resolve} == {"echo", "later", "boom"}
    assert set(plans["Leaf"]) == {"name", "count", "colour", "when", "must"}


async def _answers(monkeypatch, stock: bool, queries, provider=None) -> list[dict[str, Any]]:
    if stock:
        monkeypatch.setattr(resolvers.schema, "executor_for",
                            lambda schema: PolicedExecutor)
    if provider is not None:
        from gateway.settings import Settings
        from providers import registry

        monkeypatch.setitem(registry.BUILTIN_FACTORIES, "custom", provider)
        app = create_app(Settings(providers={"embedded": {"type": "custom"}}))
    else:
        app = create_app()
    found = []
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        for query, variables, org, scopes in queries:
            body = await post_query(client, query, variables, org=org, scopes=scopes)
            found.append({k: v for k, v in body.items() if k != "extensions"})
    monkeypatch.undo()
    return found


GATEWAY_QUERIES = [
    ((WORKLOADS / "W1-profile.graphql").read_text(), {}, "C01", DEFAULT_SCOPES),
    ((WORKLOADS / "W2-caseload.graphql").read_text(), {}, "C01", DEFAULT_SCOPES),
    ((WORKLOADS / "W3-search.graphql").read_text(), {"name": "smith"}, "C01", DEFAULT_SCOPES),
    (PROFILE, {"crn": "X000004"}, "C01", ("read",)),  # no custody scope: denials
    (PROFILE, {"crn": "X000004"}, "C16", DEFAULT_SCOPES),  # another CRC's case
    (PROFILE, {"crn": "X000060"}, "HQ", DEFAULT_SCOPES),
]


@pytest.mark.parametrize("provider", [None, CustodyDown], ids=["embedded", "custody-down"])
async def test_gateway_answers_as_with_the_stock_executor(monkeypatch, provider):
    fast = await _answers(monkeypatch, False, GATEWAY_QUERIES, provider)
    stock = await _answers(monkeypatch, True, GATEWAY_QUERIES, provider)
    assert fast == stock
    assert any("errors" in body for body in stock)


async def test_an_extension_that_wraps_resolvers_sees_every_field():
    from strawberry.extensions import SchemaExtension

    seen: dict[bool, list[str]] = {True: [], False: []}

    def counting(fast: bool) -> type[SchemaExtension]:
        class Counting(SchemaExtension):
            def resolve(self, _next, root, info, *args, **kwargs):
                seen[fast].append(".".join(str(k) for k in info.path.as_list()))
                return _next(root, info, *args, **kwargs)
        return Counting

    for fast in (True, False):
        schema = strawberry.Schema(query=Root, extensions=[counting(fast)])
        if fast:
            schema.execution_context_class = executor_for(schema, policed=False)
        await schema.execute(QUERIES[0], root_value=Root())
    assert seen[True] == seen[False] and len(seen[True]) > 100
