"""`POST /_sim/events`: a simulator changes its data as told and publishes the domain event
the real system would, so a gateway that re-reads the person sees the new state.

The body is one change (`{"change": "transfer", "noms": "A0004AA", "to": "LEI"}`; each
simulator's `changes` module lists its own); the answer is `{"published": [envelope]}`.
Changes are applied one at a time, each with an `occurredAt` later than the last (so two
identical changes are still two events, never one event delivered twice). Without a broker
(`events=None`) the change is applied and the envelope returned, not published; with one
that fails, the change stays applied and the answer is 503 (the event is lost, as when a real
publisher fails after its commit: the gateway's freshness watch is there for that).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from events.broker import BrokerError
from events.envelope import DomainEvent
from providers.clock import SYSTEM, Clock

Apply = Callable[[dict[str, Any], str, datetime], DomainEvent]
KEPT = 1000


class EventSink(Protocol):
    """Where a simulator publishes (an `events.broker.Broker` is one)."""

    async def publish(self, source: str, envelope: bytes) -> None: ...


class SimulatedChanges:
    """The `/_sim/events` route of one simulator; `published` keeps the last 1,000 envelopes."""

    def __init__(self, source: str, apply: Apply, sink: EventSink | None = None,
                 clock: Clock = SYSTEM) -> None:
        self.source, self._apply, self.sink, self._clock = source, apply, sink, clock
        self.published: deque[bytes] = deque(maxlen=KEPT)
        self._last: datetime | None = None
        self._lock = asyncio.Lock()

    def route(self) -> Route:
        return Route("/_sim/events", self._endpoint, methods=["POST"])

    def _occurred_at(self) -> datetime:
        at = datetime.fromtimestamp(self._clock.time(), UTC)
        if self._last is not None and at <= self._last:
            at = self._last + timedelta(microseconds=1)
        self._last = at
        return at

    async def _endpoint(self, request: Request) -> Response:
        try:
            change = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            change = None
        if not isinstance(change, dict):
            return JSONResponse({"error": "send one change as a JSON object"}, 400)
        async with self._lock:
            try:
                event = self._apply(change, str(request.base_url), self._occurred_at())
            except LookupError as exc:
                return JSONResponse({"error": str(exc)}, 404)
            except ValueError as exc:
                return JSONResponse({"error": str(exc)}, 400)
            envelope = event.to_json()
            try:
                if self.sink is not None:
                    await self.sink.publish(self.source, envelope)
            except BrokerError as exc:
                return JSONResponse({"error": f"change applied, event not published: {exc}",
                                     "published": []}, 503)
            self.published.append(envelope)
        return JSONResponse({"published": [orjson.loads(envelope)]})
