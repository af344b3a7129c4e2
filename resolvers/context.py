"""The typed per-request context: who asks, what they may see, and how to reach backends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from strawberry.types import Info as StrawberryInfo

from policies.evaluator import Decisions
from policies.principal import IGNORE_EXCLUSIONS, IGNORE_RESTRICTIONS, Principal
from providers.freshness import Freshness
from providers.records import Person
from resolvers.loaders import Loaders, SourceLog


@dataclass(slots=True)
class Context:
    """Everything a resolver may use; no resolver reaches a provider or a policy any other way."""

    principal: Principal
    decisions: Decisions
    loaders: Loaders
    sources: SourceLog
    python_names: dict[str, dict[str, str]]
    freshness: Freshness = field(default_factory=Freshness)
    denials: list[GraphQLError] = field(default_factory=list)
    # What the audit trail records of this operation.
    operation: tuple[str | None, str | None] = (None, None)  # (name, document)
    offenders: set[str] = field(default_factory=set)  # CRNs whose data was built for the answer
    prisoners: set[str] = field(default_factory=set)  # NOMS numbers of custody records built
    field_groups: set[str] = field(default_factory=set)
    denied_fields: list[str] = field(default_factory=list)
    _masks: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def may(self, type_name: str, field_name: str) -> bool:
        return self.decisions.allows(type_name, field_name)

    def masks(self, type_name: str) -> tuple[str, ...]:
        """Python attribute names of the fields this principal may not read on `type_name`."""
        found = self._masks.get(type_name)
        if found is None:
            names = self.python_names.get(type_name, {})
            found = tuple(names[f] for f in self.decisions.denied.get(type_name, ()) if f in names)
            self._masks[type_name] = found
        return found

    def limited(self, person: Person) -> bool:
        """True when Limited Access lists keep this principal from the person's details."""
        if not person.limited_access:
            return False
        user, scopes = self.principal.username, self.principal.scopes
        excluded = bool(person.exclusion_users) and IGNORE_EXCLUSIONS not in scopes and (
            user is None or user in person.exclusion_users)
        restricted = bool(person.restriction_users) and IGNORE_RESTRICTIONS not in scopes and (
            user is None or user not in person.restriction_users)
        return excluded or restricted


Info = StrawberryInfo[Context, None]


def masked(obj: Any, type_name: str, ctx: Context) -> Any:
    """Null the fields the principal may not read; the cost is one tuple walk per object."""
    for name in ctx.masks(type_name):
        setattr(obj, name, None)
    return obj
