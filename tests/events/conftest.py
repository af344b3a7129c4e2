"""Brokers for the events tests: the real NATS JetStream and Redis on loopback, each test on
its own stream, subjects and consumer names, removed afterwards."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import nats
import pytest
import redis.asyncio as aioredis
from nats.js.errors import NotFoundError

from events.broker import Broker, open_broker
from events.settings import DEFAULT_URLS, EventsSettings

BROKERS = ("nats", "redis")


def isolated(broker: str, **changes: object) -> EventsSettings:
    """Settings no other test shares: a unique stream, subject prefix and consumer."""
    tag = uuid.uuid4().hex[:10]
    base = EventsSettings(enabled=True, broker=broker, url=DEFAULT_URLS[broker],
                          stream=f"TEST_{tag}", subject_prefix=f"test.{tag}",
                          consumer=f"gw-{tag}", check_seconds=5.0,
                          stale_after_seconds={"nomis": 60.0, "delius": 120.0})
    return replace(base, **changes)  # type: ignore[arg-type]


async def remove(settings: EventsSettings) -> None:
    if settings.broker == "nats":
        nc = await nats.connect(settings.url)
        with contextlib.suppress(NotFoundError):
            await nc.jetstream().delete_stream(settings.stream)
        await nc.close()
    else:
        client = aioredis.Redis.from_url(settings.url)
        await client.delete(*[settings.subject(s) for s in settings.stale_after_seconds])
        await client.aclose()


@pytest.fixture(params=BROKERS)
async def settings(request) -> AsyncIterator[EventsSettings]:
    """One isolated configuration per broker."""
    chosen = isolated(request.param)
    yield chosen
    await remove(chosen)


@pytest.fixture
async def brokers(settings) -> AsyncIterator[Callable[..., Broker]]:
    """`brokers(consumer=...)`: brokers on the test's stream, closed at the end."""
    opened: list[Broker] = []

    def make(**changes: object) -> Broker:
        broker = open_broker(replace(settings, **changes))
        opened.append(broker)
        return broker
    yield make
    for broker in opened:
        await broker.aclose()
