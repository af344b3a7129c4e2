"""Compiles a policy set, once per principal, into set lookups and row predicates.

Field decisions depend only on the principal, so they are made here before any query runs;
per record the cost is a predicate over a few attributes, per cell a set lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from policies.attributes import NEEDS, PUSHDOWN, ROW_ATTRIBUTES, Extras, Getter
from policies.model import ALL_ROWS, PolicySet, TypeRule
from policies.principal import Principal

_NO_EXTRAS: Extras = {}


@dataclass(frozen=True, slots=True)
class RowFilter:
    """Which records of one type a principal may see; `clauses is None` means every record."""

    clauses: tuple[tuple[tuple[str, Getter, object], ...], ...] | None
    needs: frozenset[str]
    _test: Callable[[Any, Extras], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_test", _compile(self.clauses))

    def __call__(self, record: Any, extras: Extras = _NO_EXTRAS) -> bool:
        return self._test(record, extras)

    def pushdown(self, type_name: str) -> dict[str, Any] | None:
        """Provider criteria equal to this filter, `{}` for all rows, None if not expressible."""
        if self.clauses is None:
            return {}
        mapping = PUSHDOWN.get(type_name, {})
        if len(self.clauses) != 1 or any(name not in mapping for name, _, _ in self.clauses[0]):
            return None
        return {mapping[name]: want for name, _, want in self.clauses[0]}


def _compile(clauses: tuple[tuple[tuple[str, Getter, object], ...], ...] | None
             ) -> Callable[[Any, Extras], bool]:
    """The predicate, with the common one-condition filter (`managingProvider: C01`) as a
    single call: it runs once per row of every list."""
    if clauses is None:
        return lambda _record, _extras: True
    if len(clauses) == 1 and len(clauses[0]) == 1:
        [(_, get, want)] = clauses[0]
        return lambda record, extras: _matches(get(record, extras), want)
    return lambda record, extras: any(
        all(_matches(get(record, extras), want) for _, get, want in clause)
        for clause in clauses)


def _matches(actual: object, wanted: object) -> bool:
    if isinstance(actual, frozenset | set | tuple):
        return wanted in actual
    return actual == wanted and actual is not None


NOTHING = RowFilter((), frozenset())


@dataclass(frozen=True)
class Decisions:
    """Everything one principal may see, decided once."""

    principal: Principal
    allowed: Mapping[str, frozenset[str]]
    denied: Mapping[str, frozenset[str]]
    rows: Mapping[str, RowFilter]
    rules: Mapping[str, TypeRule]

    def allows(self, type_name: str, field: str) -> bool:
        return field in self.allowed.get(type_name, ())

    def row_filter(self, type_name: str) -> RowFilter:
        return self.rows.get(type_name, NOTHING)

    def may_see_some(self, type_name: str) -> bool:
        """False for a row-judged type whose rule admits no row at all (a prison's cases)."""
        rows = self.rows.get(type_name)
        return rows is None or rows.clauses != ()

    def explain(self, type_name: str, field: str) -> str:
        """The rule behind one field's decision, for `casegraph policy explain`."""
        rule = self.rules.get(type_name)
        org_type = self.principal.org_type
        if rule is None or not rule.mentions(field):
            return f"denied: no rule covers {type_name}.{field} for {org_type} (deny by default)"
        where = f"{rule.source} types.{type_name}"
        if field in rule.deny:
            return f"denied by {where}.deny"
        if field in rule.fields:
            return f"allowed by {where}.fields"
        scope = rule.scoped[field]
        verdict = "allowed" if scope in self.principal.scopes else "denied (scope missing)"
        return f"{verdict} by {where}.scoped: needs scope {scope!r}"


class Evaluator:
    """Holds the policy set and the schema's fields; hands out cached `Decisions`."""

    def __init__(self, policies: PolicySet, schema_fields: Mapping[str, Iterable[str]]) -> None:
        self.policies = policies
        self.schema_fields = {t: frozenset(f) for t, f in schema_fields.items()}
        self.decisions = lru_cache(maxsize=4096)(self._decide)

    def _decide(self, principal: Principal) -> Decisions:
        rules = self.policies.rules.get(principal.org_type, {})
        allowed, denied, rows = {}, {}, {}
        for type_name, fields in self.schema_fields.items():
            rule = rules.get(type_name)
            ok = frozenset() if rule is None else rule.fields | {
                name for name, scope in rule.scoped.items() if scope in principal.scopes}
            allowed[type_name] = ok & fields
            denied[type_name] = fields - ok
            if type_name in ROW_ATTRIBUTES:
                rows[type_name] = _row_filter(type_name, rule, principal)
        return Decisions(principal, allowed, denied, rows, rules)


def _row_filter(type_name: str, rule: TypeRule | None, principal: Principal) -> RowFilter:
    if rule is None or rule.rows is None:
        return NOTHING
    if rule.rows_scope is not None and rule.rows_scope not in principal.scopes:
        return NOTHING
    if rule.rows == ALL_ROWS:
        return RowFilter(None, frozenset())
    getters = ROW_ATTRIBUTES[type_name]
    clauses = tuple(
        tuple((name, getters[name], _resolve(want, principal)) for name, want in c.conditions)
        for c in rule.rows if not isinstance(c, str))
    used = {name for clause in clauses for name, _, _ in clause}
    return RowFilter(clauses, frozenset(used & NEEDS.get(type_name, frozenset())))


def _resolve(value: object, principal: Principal) -> object:
    if isinstance(value, str) and value.startswith("$"):
        return principal.value_of(value)
    return value
