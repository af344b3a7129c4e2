"""The typed per-request context: who asks, what they may see, and the records they may have."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from strawberry.types import Info as StrawberryInfo

from policies.evaluator import Decisions
from policies.principal import Principal
from providers.freshness import Freshness
from resolvers.loaders import SourceLog
from resolvers.reach import Reach


@dataclass(slots=True)
class Context:
    """Everything a resolver may use. Records come only from `reach`, which judges each row;
    fields a principal may not read are nulled by the executor before any resolver runs."""

    principal: Principal
    decisions: Decisions
    reach: Reach
    sources: SourceLog
    freshness: Freshness = field(default_factory=Freshness)
    denials: list[GraphQLError] = field(default_factory=list)
    # What the audit trail records of this operation.
    operation: tuple[str | None, str | None] = (None, None)  # (name, document)
    field_groups: set[str] = field(default_factory=set)
    denied_fields: list[str] = field(default_factory=list)
    # Per operation: what federated fields forward to their subgraph (resolvers.forwarding).
    forwarded: dict[object, str] = field(default_factory=dict)
    # A subscription's own feed of changes (gateway.subscriptions); None for a query.
    changes: Any = None

    def may(self, type_name: str, field_name: str) -> bool:
        """For look-ahead only (skip loading what will not be read); never for enforcement."""
        return self.decisions.allows(type_name, field_name)


Info = StrawberryInfo[Context, None]
