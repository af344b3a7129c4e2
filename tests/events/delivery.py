"""Helpers for reading from real brokers within a bound (never a sleep-and-hope)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

from events.broker import Delivery
from events.envelope import DomainEvent

BOUND = 15.0  # seconds: only a bug waits this long
T0 = datetime(2026, 11, 30, 12, tzinfo=UTC)


async def take(deliveries: AsyncIterator[Delivery], count: int, ack: bool = True
               ) -> list[bytes]:
    """The next `count` envelopes, acked unless told not to."""
    got: list[bytes] = []
    async with asyncio.timeout(BOUND):
        while len(got) < count:
            delivery = await anext(deliveries)
            got.append(delivery.data)
            if ack:
                await delivery.ack()
    return got


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Poll a broker-side condition (acks are asynchronous) until it holds, within BOUND."""
    async with asyncio.timeout(BOUND):
        while not await check():
            await asyncio.sleep(0.02)


def envelope(n: int, noms: str = "A0004AA", minutes: int | None = None) -> bytes:
    """A distinct, valid prisoner-search envelope; `minutes` sets when it occurred."""
    return DomainEvent(event_type="prisoner-offender-search.prisoner.updated", version=1,
                       occurred_at=T0 + timedelta(minutes=n if minutes is None else minutes),
                       source="nomis", noms=noms, detail_url=f"http://nomis.test/prisoner/{noms}",
                       additional={"nomsNumber": noms, "categoriesChanged": ["SENTENCE"],
                                   "n": n}).to_json()
