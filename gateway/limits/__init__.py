"""Query limits, one validation rule per module, and the list that names them all.

Each refusal is a GraphQL error with `extensions.code = QUERY_TOO_COMPLEX` naming the limit.
Token counting happens in the parser (strawberry's MaxTokensLimiter); the rest are rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from graphql import ASTValidationRule

from gateway.limits.aliases import MaxAliases
from gateway.limits.cost import MaxCost
from gateway.limits.depth import MaxDepth


@dataclass(frozen=True)
class Limits:
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_cost: int = 25_000


def rules(limits: Limits) -> list[type[ASTValidationRule] | Any]:
    return [partial(MaxDepth, limit=limits.max_depth),
            partial(MaxAliases, limit=limits.max_aliases),
            partial(MaxCost, limit=limits.max_cost)]
