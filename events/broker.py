"""The broker seam: envelopes published on one subject per source, consumed with an ack.

Two implementations: NATS JetStream (`events.nats_broker`) and Redis Streams
(`events.redis_broker`). Each consumer name is its own durable cursor (a JetStream durable
consumer, a Redis consumer group), so every gateway process, consuming under its own name,
receives every event; delivery is at-least-once (an event not acked is delivered again after
a reconnect), so consumers must tolerate duplicates (the hub drops them by `event_id`).

Errors: a broker's own exceptions are translated at this boundary into `BrokerError`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from events.settings import EventsSettings


class BrokerError(Exception):
    """The broker could not be reached or refused an operation (the consumer backs off)."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One envelope as the broker handed it over; `ack` once it has been dealt with."""

    source: str
    data: bytes
    ack: Callable[[], Awaitable[None]]


class Broker(Protocol):
    """Publish envelopes per source; consume each source under this process's durable name."""

    async def publish(self, source: str, envelope: bytes) -> None: ...

    async def subscribe(self, source: str) -> AsyncIterator[Delivery]:
        """Bind this process's durable consumer of `source` (created on first use, from the
        events published after), then iterate what it has not acked, in order; iteration
        raises `BrokerError` when the connection is lost."""
        ...

    async def lag(self, source: str) -> int | None:
        """Events on `source` not yet delivered or not yet acked, for this consumer."""
        ...

    async def aclose(self) -> None: ...


def open_broker(settings: EventsSettings) -> Broker:
    """The configured broker (connections are made on first use)."""
    if settings.broker == "redis":
        from events.redis_broker import RedisStreams

        return RedisStreams(settings)
    from events.nats_broker import JetStream

    return JetStream(settings)
