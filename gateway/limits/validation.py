"""Parse and validate under the limits: cheapest checks first, each refusal final.

Per document: aliases (one pass), then depth, then cost (each fragment worked out once), and
only a document within all three meets graphql-core's own rules (which include its bound on
nested introspection lists). With introspection off, a document that uses it is refused first,
as such. A time budget for parse and validation together is the backstop: the clock is read at
each node graphql-core visits, and a document past the budget is refused with
QUERY_TOO_COMPLEX (and a log line). The clock is the thread's CPU time less garbage collection
(`work_time`), the time this document's own work holds the event loop: wall time would also
count waits for a CPU or the GIL, and collections, that the document did not cause. Verdicts
are cached per document text (bounded); a refusal for time is not cached, as it says more
about the moment than about the document. Suggestions ("Did you mean ...?") are hidden when
introspection is off: they would describe the schema that introspection hides.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    TypeInfo,
    ValidationContext,
    ValidationRule,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from gateway.limits import Limits
from gateway.limits.aliases import MaxAliases
from gateway.limits.base import too_complex
from gateway.limits.cost import MaxCost
from gateway.limits.depth import MaxDepth
from gateway.limits.work_time import WORK_TIME

Clock = Callable[[], float]
log = logging.getLogger("casegraph.limits")


@dataclass(frozen=True)
class Verdict:
    """A document's validation errors and each operation's estimated cost."""

    errors: list[GraphQLError]
    costs: Mapping[str | None, int] = field(default_factory=dict)

    def cost(self, operation_name: str | None) -> int:
        if operation_name in self.costs:
            return self.costs[operation_name]
        return next(iter(self.costs.values()), 0) if len(self.costs) == 1 else 0


class OverBudget(Exception):
    """Parsing and validating took longer than the budget."""


class Budget(ValidationRule):
    """Reads the clock at every node and stops validation once the deadline has passed."""

    def __init__(self, context: ValidationContext, clock: Clock, deadline: float) -> None:
        super().__init__(context)
        self.clock, self.deadline = clock, deadline

    def enter(self, *_: Any) -> None:
        if self.clock() > self.deadline:
            raise OverBudget


class Validation:
    """The validation policy of one gateway; `clock` is injectable so tests are exact."""

    def __init__(self, limits: Limits, introspection: bool, clock: Clock = WORK_TIME,
                 capacity: int = 512) -> None:
        self.limits = limits
        self.introspection = introspection
        self.clock = clock
        self.budget = limits.validation_budget_ms / 1000
        self._cache: OrderedDict[str, Verdict] = OrderedDict()
        self._capacity = capacity

    def judge(self, schema: GraphQLSchema, document: DocumentNode, rules: Sequence[Any],
              started: float, text: str | None = None) -> Verdict:
        """The verdict on `document` (parsed from `text`), within the budget from `started`."""
        if text is not None and (cached := self._cache.get(text)) is not None:
            self._cache.move_to_end(text)
            return cached
        try:
            verdict = self._judge(schema, document, rules, started + self.budget)
        except OverBudget:
            log.warning("a document took more than %d ms to parse and validate; refused",
                        self.limits.validation_budget_ms)
            return Verdict([self._over_budget(started)])
        if text is not None:
            self._cache[text] = verdict
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        return verdict

    def cost_of(self, text: str | None, operation_name: str | None) -> int:
        """The estimated cost of an operation of a document already judged (0 if unknown)."""
        verdict = self._cache.get(text) if text is not None else None
        return verdict.cost(operation_name) if verdict is not None else 0

    def _judge(self, schema: GraphQLSchema, document: DocumentNode, rules: Sequence[Any],
               deadline: float) -> Verdict:
        if not self.introspection:  # introspection refused as such, whatever its size
            refused = validate(schema, document, [NoSchemaIntrospectionCustomRule])
            if refused:
                return Verdict(refused)
        errors: list[GraphQLError] = []
        context = ValidationContext(schema, document, TypeInfo(schema), errors.append,
                                    not self.introspection)
        cost = MaxCost(context, self.limits.max_cost, self.introspection)
        for rule in self._limit_rules(context, cost):
            if self.clock() > deadline:
                raise OverBudget
            try:
                rule.enter_document(document)
            except RecursionError:
                errors.append(too_complex("the query nests too deeply to be checked", None,
                                          "max_depth", self.limits.max_depth + 1,
                                          self.limits.max_depth))
            if errors:
                return Verdict(errors)
        checks = (*rules, MaybeNullValidationRule, OneOfInputValidationRule,
                  _budget(self.clock, deadline))
        return Verdict(validate(schema, document, checks, hide_suggestions=not self.introspection),
                       dict(cost.costs))

    def _limit_rules(self, context: ValidationContext, cost: MaxCost) -> Iterator[Any]:
        yield MaxAliases(context, self.limits.max_aliases)
        yield MaxDepth(context, self.limits.max_depth,
                       self.limits.max_introspection_depth if self.introspection else None)
        yield cost

    def _over_budget(self, started: float) -> GraphQLError:
        spent = round((self.clock() - started) * 1000)
        maximum = self.limits.validation_budget_ms
        return too_complex(f"the query took more than {maximum} ms to check", None,
                           "validation_budget_ms", spent, maximum)


def _budget(clock: Clock, deadline: float) -> Callable[[ValidationContext], Budget]:
    return lambda context: Budget(context, clock, deadline)


class GuardedValidation(SchemaExtension):
    """Strawberry's validation step, replaced by `Validation` (which also caches)."""

    def __init__(self, validation: Validation) -> None:
        super().__init__()
        self.validation = validation
        self.started = 0.0

    def on_operation(self) -> Iterator[None]:
        self.started = self.validation.clock()  # before parsing: the budget covers both
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        verdict = self.validation.judge(context.schema._schema, context.graphql_document,
                                        context.validation_rules, self.started, context.query)
        context.pre_execution_errors = verdict.errors
        yield
