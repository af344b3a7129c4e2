"""A rate limit weighed by cost: each operation is charged its estimated cost, per client.

The cost is the cost rule's estimate (`gateway/limits/cost.py`: fields, multiplied by page
sizes), worked out during validation; an introspection-only operation is charged 1. The charge
is made after validation and before execution, so a client over its budget calls no backend:
its operation is answered with `RATE_LIMITED` (`extensions.limit = "cost"`, `retryAfter`),
an HTTP 429 when it was the request's only operation. Off unless `[rate_limits] cost` is set.
Like the count limit, a store that is down lets requests through, logged once.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator

from graphql import ExecutionResult, GraphQLError
from limits.aio.strategies import MovingWindowRateLimiter
from strawberry.extensions import SchemaExtension

from gateway.limits.validation import Validation
from gateway.ratelimit import RateLimitSettings, item, storage

log = logging.getLogger("casegraph.ratelimit")


class CostLimit:
    """The per-client cost budgets, in the rate limits' store."""

    def __init__(self, settings: RateLimitSettings, validation: Validation) -> None:
        assert settings.cost is not None
        self.default = item(settings.cost, "rate_limits.cost")
        self.clients = {subject: item(text, f"rate_limits.cost_clients.{subject}")
                        for subject, text in settings.cost_clients.items()}
        self.limiter = MovingWindowRateLimiter(storage(settings.storage))
        self.validation = validation
        self.store_down = False

    async def charge(self, subject: str, cost: int) -> GraphQLError | None:
        """None when `cost` fits the client's budget (and is charged), else the refusal."""
        limit = self.clients.get(subject, self.default)
        try:
            if await self.limiter.hit(limit, subject, "cost", cost=cost):
                self.store_down = False
                return None
            stats = await self.limiter.get_window_stats(limit, subject, "cost")
        except Exception as exc:  # the shared store is down: let it through, loudly
            if not self.store_down:
                self.store_down = True
                log.warning("cost limit store unavailable (%s); costs not counted",
                            type(exc).__name__)
            return None
        retry = max(1, math.ceil(stats.reset_time - time.time()))
        return GraphQLError(
            f"cost limit of {limit} exceeded: this operation costs {cost}; retry in {retry} s",
            extensions={"code": "RATE_LIMITED", "limit": "cost", "value": cost,
                        "maximum": limit.amount, "remaining": stats.remaining,
                        "retryAfter": retry})


class CostCharged(SchemaExtension):
    """Charges each operation's cost before it executes; refuses it when over budget."""

    def __init__(self, costs: CostLimit) -> None:
        super().__init__()
        self.costs = costs

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        cost = self.costs.validation.cost_of(context.query, context.operation_name)
        refusal = await self.costs.charge(context.context.principal.subject, max(1, cost))
        if refusal is not None:
            context.result = ExecutionResult(data=None, errors=[refusal])
        yield
