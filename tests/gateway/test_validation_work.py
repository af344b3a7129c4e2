"""Validation does work linear in the document: each fragment is worked out once, the cheapest
limits go first, and a clock budget backs them up. Work is counted (rule visits, function
calls), never timed."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    TypeInfo,
    ValidationContext,
    parse,
    specified_rules,
    visit,
)
from graphql.language import Lexer, Source, TokenKind, Visitor
from hypothesis import HealthCheck, given, settings

from bench.documents import documents, nested_fragments
from gateway.limits import Limits
from gateway.limits.cost import MaxCost
from gateway.limits.depth import MaxDepth
from gateway.limits.validation import Validation
from resolvers.schema import build_schema
from tests.conftest import codes

SCHEMA = build_schema()._schema
PROPERTY = settings(max_examples=30, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class TooMuchWork(Exception):
    pass


class Calls:
    count = 0


@contextmanager
def counted_calls(cap: int) -> Iterator[Calls]:
    """Counts the function calls made in this thread; past `cap`, stops the work with
    TooMuchWork, so a validator that does exponential work fails fast instead of hanging."""
    calls = Calls()

    def profile(*_: object) -> None:
        calls.count += 1
        if calls.count > cap:
            sys.setprofile(None)
            raise TooMuchWork(f"more than {cap} calls")

    sys.setprofile(profile)
    try:
        yield calls
    finally:
        sys.setprofile(None)


def tokens(text: str) -> int:
    lexer, count = Lexer(Source(text)), 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


def selections(text: str) -> int:
    class Count(Visitor):
        found = 0

        def enter(self, node: object, *_: object) -> None:
            self.found += isinstance(node, FieldNode | InlineFragmentNode | FragmentSpreadNode)

    counter = Count()
    visit(parse(text), counter)
    return counter.found


def judge(text: str, limits: Limits = Limits(), clock=None):  # noqa: B008 - frozen value
    validation = Validation(limits, True, *([clock] if clock else []))
    return validation.judge(SCHEMA, parse(text), specified_rules, validation.clock(), text)


def test_thirty_levels_of_doubled_fragments_are_refused_with_little_work():
    document = nested_fragments(30)  # spreads F0 2**30 times
    assert len(document) < 1500
    with counted_calls(cap=50 * len(document)) as calls:
        verdict = judge(document)
    assert [e.extensions["limit"] for e in verdict.errors] == ["max_cost"]
    assert calls.count < 50 * len(document)


async def test_other_requests_are_served_while_hostile_ones_arrive(client, gql):
    hostile = [gql(nested_fragments(30 - i)) for i in range(3)]
    ordinary = gql('{ offender(crn: "X000001") { crn } }')
    with counted_calls(cap=2_000_000):
        *refused, answered, health = await asyncio.gather(*hostile, ordinary,
                                                          client.get("/healthz"))
    assert all(codes(body) == ["QUERY_TOO_COMPLEX"] for body in refused)
    assert answered["data"] == {"offender": {"crn": "X000001"}}
    assert health.json() == {"status": "ok"}


@PROPERTY
@given(documents())
def test_depth_and_cost_visit_each_selection_at_most_once(document):
    context = ValidationContext(SCHEMA, parse(document), TypeInfo(SCHEMA), lambda _: None)
    depth, cost = MaxDepth(context, limit=10, introspection_limit=20), MaxCost(context, 10**9)
    depth.enter_document(context.document)
    cost.enter_document(context.document)
    assert depth.visits <= selections(document)
    assert cost.visits <= selections(document)


@PROPERTY
@given(documents())
def test_all_of_validation_is_linear_in_the_document(document):
    budget = 600 * tokens(document) + 20_000
    with counted_calls(cap=budget) as calls:
        judge(document, Limits(max_cost=10**9))
    assert calls.count <= budget


class Ticking:
    """A clock that moves one millisecond each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


def test_a_document_past_the_time_budget_is_refused_and_not_remembered(caplog):
    document = nested_fragments(8)  # within every limit: only time can refuse it
    validation = Validation(Limits(validation_budget_ms=50), True, Ticking())
    verdict = validation.judge(SCHEMA, parse(document), specified_rules, 0.0, document)
    assert any("more than 50 ms" in r.getMessage() for r in caplog.records)
    [error] = verdict.errors
    assert error.extensions["code"] == "QUERY_TOO_COMPLEX"
    assert error.extensions["limit"] == "validation_budget_ms"
    assert error.extensions["maximum"] == 50 and error.extensions["value"] > 50
    validation.clock = lambda: 0.0  # the clock stands still: within budget, and now cached
    assert validation.judge(SCHEMA, parse(document), specified_rules, 0.0, document).errors == []


def test_the_budget_counts_parsing_too():
    validation = Validation(Limits(validation_budget_ms=50), True, lambda: 0.051)
    verdict = validation.judge(SCHEMA, parse("{ viewer { subject } }"), specified_rules, 0.0)
    assert verdict.errors[0].extensions["limit"] == "validation_budget_ms"


def test_cheapest_limits_go_first_and_each_refusal_is_final():
    aliases = " ".join(f"a{i}: viewer {{ subject }}" for i in range(16))
    deep = "cases { offender { " * 6 + "crn" + " } }" * 6
    verdict = judge(f'{{ {aliases} offender(crn: "X000001") {{ {deep} }} }}')
    assert [e.extensions["limit"] for e in verdict.errors] == ["max_aliases"]


def test_the_budget_is_half_a_second_of_the_threads_cpu_by_default():
    from gateway.limits.work_time import WORK_TIME

    assert Limits().validation_budget_ms == 500
    assert Validation(Limits(), True).clock is WORK_TIME  # thread CPU time less collections
