"""The policy model: per organisation type, per schema type, which rows and which fields.

A row filter is a list of clauses (any may match); a clause maps row attributes to a value
or a `$reference` to the principal (all must match). `rows = "all"` sees every row. A field
is readable when listed in `fields`, or in `scoped` with a scope the principal holds; fields
listed in `deny` are covered but refused. A field nobody mentions is uncovered: start-up fails.
`rows_scope` makes every row of the type need a scope, on every path (a prison's roll, a
global id), not only the fields that lead to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ALL_ROWS = "all"


@dataclass(frozen=True, slots=True)
class Clause:
    conditions: tuple[tuple[str, object], ...]


@dataclass(frozen=True, slots=True)
class TypeRule:
    """What one organisation type may see of one schema type, and which file said so."""

    source: str
    rows: tuple[Clause, ...] | str | None = None
    fields: frozenset[str] = frozenset()
    scoped: Mapping[str, str] = field(default_factory=dict)
    deny: frozenset[str] = frozenset()
    rows_scope: str | None = None  # a scope without which no row of the type is visible

    def mentions(self, name: str) -> bool:
        return name in self.fields or name in self.scoped or name in self.deny


@dataclass(frozen=True)
class PolicySet:
    """Every organisation type's rules by schema type name."""

    rules: Mapping[str, Mapping[str, TypeRule]]

    def rule(self, org_type: str, type_name: str) -> TypeRule | None:
        return self.rules.get(org_type, {}).get(type_name)
