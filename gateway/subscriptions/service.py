"""Running one subscription for one principal, whatever the transport.

The document goes through the schema's own pipeline (parse cache, validation and its
limits, introspection off, the policy walk before the stream opens) and every event's
message through the schema's executor, so each message is authorised as a query is: fields
by the policy walk (denied ones null, with FORBIDDEN), records by the row judge. Each message
is audited (who, which people, which field groups) before it is sent; when the audit trail
cannot take it, the stream ends with AUDIT_UNAVAILABLE instead.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from strawberry.http import GraphQLRequestData
from strawberry.types.execution import ExecutionResult, PreExecutionError

from events.hub import Hub
from gateway.audit.event import audit_event
from gateway.audit.trail import AuditTrail
from gateway.persisted import PersistedError, PersistedOperations
from gateway.responses import format_error
from gateway.subscriptions.feeds import FeedAges
from gateway.subscriptions.rereads import Rereads
from gateway.subscriptions.settings import SubscriptionSettings
from gateway.subscriptions.stream import ChangeStream, StreamEnded
from policies.evaluator import Evaluator
from policies.principal import Principal
from providers.clock import Clock
from providers.freshness import Freshness
from providers.registry import Registry
from resolvers.context import Context
from resolvers.loaders import SourceLog
from resolvers.reach import Reach

Message = tuple[str, Any]  # ("next", result) or ("error", [errors]); the stream then ends


def coded(code: str, message: str, **extensions: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extensions}}


@dataclass(frozen=True, slots=True)
class Request:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None = None


class Subscriptions:
    """This process's subscriptions: one hub, one read per event, the limits."""

    def __init__(self, schema: Any, evaluator: Evaluator, registry: Registry, hub: Hub,
                 settings: SubscriptionSettings, clock: Clock, audit: AuditTrail | None = None,
                 batching: bool = True, telemetry: Any = None,
                 persisted: PersistedOperations | None = None) -> None:
        self.schema = schema
        self.persisted = persisted
        self.evaluator = evaluator
        self.hub = hub
        self.settings = settings
        self.clock = clock
        self.audit = audit
        self.telemetry = telemetry
        self.rereads = Rereads(registry, batching, telemetry, keep=2 * settings.queue)
        self.feeds = FeedAges(hub, clock)
        self.open: Counter[str] = Counter()
        self.sent = 0  # messages sent, over every subscription

    @property
    def total(self) -> int:
        return sum(self.open.values())

    def refusal(self, principal: Principal) -> dict[str, Any] | None:
        """Why this principal may not open another stream now, or None."""
        if not self.settings.enabled:
            return coded("BAD_REQUEST", "Subscriptions are turned off on this gateway")
        limit = self.settings.max_per_principal
        if self.open[_who(principal)] >= limit:
            return coded("TOO_MANY_SUBSCRIPTIONS", f"At most {limit} open subscriptions per "
                         "caller; complete one first", limit="max_per_principal",
                         maximum=limit)
        if self.total >= self.settings.max_total:
            return coded("OVERLOADED", "The gateway holds as many subscriptions as it may; "
                         "retry later", limit="max_total")
        return None

    async def run(self, principal: Principal, expires_at: float, request: Request
                  ) -> AsyncGenerator[Message, None]:
        """The messages of one subscription, ending with an ("error", ...) or simply ending
        (the stream completed)."""
        refused = self.refusal(principal)
        if refused is not None:
            yield "error", [refused]
            return
        if self.persisted is not None:  # a client held to trusted documents is, here too
            try:
                resolved = await self.persisted.resolve(GraphQLRequestData(
                    request.query, request.variables, request.operation_name,
                    request.extensions), principal.client_id or principal.subject,
                    principal.org)
            except PersistedError as exc:
                yield "error", [format_error(exc.as_graphql())]
                return
            request = Request(resolved.query or request.query, request.variables,
                              request.operation_name)
        who = _who(principal)
        self.open[who] += 1
        try:
            self.feeds.start()
            async for message in self._messages(principal, expires_at, request):
                yield message
        finally:
            self.open[who] -= 1
            if self.open[who] <= 0:
                del self.open[who]

    async def _messages(self, principal: Principal, expires_at: float, request: Request
                        ) -> AsyncGenerator[Message, None]:
        decisions = self.evaluator.decisions(principal)
        ctx = Context(principal=principal, decisions=decisions, reach=None,  # type: ignore[arg-type]
                      sources=SourceLog(), operation=(request.operation_name, request.query))

        def begin(reach: Reach) -> None:
            ctx.reach, ctx.freshness = reach, Freshness()
            ctx.denials, ctx.denied_fields, ctx.field_groups = [], [], set()
        stream = ChangeStream(self.hub, self.rereads, self.feeds, decisions, self.clock,
                              expires_at, self.settings.queue, self.settings.heartbeat_seconds,
                              begin)
        ctx.changes = stream
        results = await self.schema.subscribe(request.query, request.variables,
                                              context_value=ctx,
                                              operation_name=request.operation_name)
        async with contextlib.aclosing(results):
            async for result in results:
                if stream.ended is not None:
                    break
                if isinstance(result, PreExecutionError) or result.data is None:
                    yield "error", [format_error(e) for e in result.errors or ()] or [
                        coded("INTERNAL_SERVER_ERROR", "Internal server error")]
                    return
                body = self._body(result, ctx)
                if not self._audited(ctx, stream):
                    yield "error", [coded("AUDIT_UNAVAILABLE", "The audit trail cannot record "
                                          "this message, so the stream ends; reconnect "
                                          "shortly")]
                    return
                self.sent += 1
                yield "next", body
        if stream.ended is not None:
            yield "error", [_ended(stream.ended)]

    def _body(self, result: ExecutionResult, ctx: Context) -> dict[str, Any]:
        errors = [format_error(e) for e in ctx.denials] + \
            [format_error(e) for e in result.errors or ()]
        body: dict[str, Any] = {"data": result.data}
        if errors:
            body["errors"] = errors
        return body

    def _audited(self, ctx: Context, stream: ChangeStream) -> bool:
        if self.audit is None:
            return True
        received = ctx.reach.received
        people, prisoners = set(received.people), set(received.prisoners)
        if stream.current is not None:  # identifiers sent without a record
            people |= {stream.current.crn} - {None}  # type: ignore[arg-type]
            prisoners |= {stream.current.noms} - {None}  # type: ignore[arg-type]
        name, document = ctx.operation
        event = audit_event(ctx.principal, name, document, people, prisoners,
                            ctx.field_groups, ctx.denied_fields, received.attempts)
        return event is None or self.audit.record(event)


def _who(principal: Principal) -> str:
    return f"{principal.org}/{principal.subject}"


def _ended(ended: StreamEnded) -> dict[str, Any]:
    return coded(ended.reason, str(ended))
