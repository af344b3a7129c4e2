"""Query limits, one validation rule per module; `validation` runs them, cheapest first.

Each refusal is a GraphQL error with `extensions.code = QUERY_TOO_COMPLEX` naming the limit.
Token counting happens in the parser (strawberry's MaxTokensLimiter); the rest are rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_cost: int = 25_000
    max_introspection_depth: int = 20  # the standard introspection queries nest 13 to 15
    validation_budget_ms: int = 500  # CPU to parse and validate a document: a backstop


LIMIT_KEYS = ("max_depth", "max_aliases", "max_tokens", "max_cost", "max_introspection_depth",
              "validation_budget_ms")
