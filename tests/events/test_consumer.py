"""The consumer between a real broker and one process's hub: duplicates and reordering reach
subscribers once each, a bad envelope is dropped and counted and the feed goes on, and a
silent source is announced once (FEED_STALE) and again when it speaks (FEED_RESUMED), on a
clock the test moves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from events.consumer import EventConsumer
from events.envelope import DomainEvent
from events.freshness import FeedFreshness
from events.hub import FeedNotice, Hub
from tests.clock import FakeClock
from tests.events.delivery import BOUND, envelope


@pytest.fixture
async def running(settings, brokers) -> AsyncIterator[tuple[EventConsumer, object, FakeClock]]:
    """A started consumer of nomis and delius on a fake clock, and a publisher."""
    clock = FakeClock()
    freshness = FeedFreshness(settings.stale_after_seconds, clock)
    consumer = EventConsumer(brokers(), Hub(), freshness, ("nomis", "delius"), clock,
                             settings.check_seconds)
    consumer.start()
    async with asyncio.timeout(BOUND):
        await consumer.ready.wait()
    yield consumer, brokers(consumer="publisher"), clock
    await consumer.aclose()


async def _next(items: AsyncIterator[object]) -> object:
    async with asyncio.timeout(BOUND):
        return await anext(items)


async def test_duplicates_and_reordering_reach_the_hub_once_each(running):
    consumer, publisher, _ = running
    items = aiter(consumer.hub.listen())
    later, earlier, last = envelope(2), envelope(1), envelope(3)
    for raw in (later, earlier, later, earlier, last):  # redelivered, and out of order
        await publisher.publish("nomis", raw)
    got = [await _next(items) for _ in range(3)]
    assert [e.additional["n"] for e in got] == [2, 1, 3]  # each once, as they came
    assert consumer.counts[("nomis", "accepted")] == 3
    assert consumer.counts[("nomis", "duplicate")] == 2


@pytest.mark.parametrize("bad", [b"not json", b"[]", b'{"eventType": 7, "version": 1}',
                                 b'{"eventType": "x", "version": 1, "occurredAt": "yesterday"}',
                                 b"\x00" * 20_000], ids=["text", "array", "type", "date", "huge"])
async def test_a_bad_envelope_is_dropped_and_counted_and_the_feed_goes_on(running, bad, caplog):
    consumer, publisher, _ = running
    items = aiter(consumer.hub.listen())
    await publisher.publish("nomis", bad)
    await publisher.publish("nomis", envelope(1))
    event = await _next(items)
    assert isinstance(event, DomainEvent) and event.additional["n"] == 1
    assert consumer.counts[("nomis", "bad")] == 1
    assert consumer.freshness.ages()["nomis"] is not None
    dropped = [r.getMessage() for r in caplog.records if "envelope dropped" in r.getMessage()]
    assert len(dropped) == 1 and bad.decode()[:8] not in dropped[0]  # logged without content


async def test_a_silent_source_is_announced_once_and_again_when_it_speaks(running, settings):
    consumer, publisher, clock = running
    items = aiter(consumer.hub.listen())
    nomis_allowed = settings.stale_after_seconds["nomis"]  # 60 s; delius 120 s
    for _ in range(int(nomis_allowed / settings.check_seconds) + 1):  # checks up to 65 s
        await clock.sleeping()
        clock.advance(settings.check_seconds)
    assert await _next(items) == FeedNotice("FEED_STALE", "nomis", None)
    assert consumer.freshness.stale() == {"nomis"}
    await clock.sleeping()
    clock.advance(settings.check_seconds)  # still silent: no second notice
    await publisher.publish("nomis", envelope(1))
    assert await _next(items) == FeedNotice("FEED_RESUMED", "nomis", 0.0)
    assert isinstance(await _next(items), DomainEvent)
    assert consumer.freshness.stale() == set()
    ages = consumer.freshness.ages()
    assert ages["nomis"] == 0.0 and ages["delius"] is None
    assert consumer.freshness.lags()["nomis"] is not None


async def test_a_lost_connection_is_reopened_and_what_was_published_meanwhile_arrives(
        settings, brokers, caplog):
    """The durable consumer keeps its place: events published while this process's link was
    down are delivered once it has reconnected (after a backoff on the real clock)."""
    from providers.clock import SYSTEM

    broker = brokers()
    consumer = EventConsumer(broker, Hub(), FeedFreshness(settings.stale_after_seconds, SYSTEM),
                             ("nomis",), SYSTEM, settings.check_seconds)
    consumer.start()
    try:
        async with asyncio.timeout(BOUND):
            await consumer.ready.wait()
        items, publisher = aiter(consumer.hub.listen()), brokers(consumer="publisher")
        await _cut(broker)
        for n in range(3):
            await publisher.publish("nomis", envelope(n))
        got = [await _next(items) for _ in range(3)]
        assert [e.additional["n"] for e in got] == [0, 1, 2]
        assert consumer.connected["nomis"]
        assert any("connection lost" in r.getMessage() for r in caplog.records)
    finally:
        await consumer.aclose()


async def _cut(broker) -> None:
    """Drop the broker's connection under the consumer, as a network fault would."""
    if hasattr(broker, "_nc"):
        await broker._nc.close()
    else:
        await broker._redis.connection_pool.disconnect()


class RecordingClock(FakeClock):
    """A fake clock that jumps at every sleep and remembers each sleep's length."""

    def __init__(self) -> None:
        super().__init__(autojump=True)
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await super().sleep(seconds)


@pytest.mark.parametrize("settings", ["nats"], indirect=True)
async def test_an_unreachable_broker_is_retried_with_exponential_backoff(settings):
    from dataclasses import replace

    from events.broker import open_broker

    clock = RecordingClock()
    dead = open_broker(replace(settings, url="nats://127.0.0.1:1"))
    consumer = EventConsumer(dead, Hub(), FeedFreshness({"nomis": 60.0}, clock), ("nomis",),
                             clock, check_seconds=10_000.0)
    consumer.start()
    try:
        async with asyncio.timeout(BOUND):
            while len([s for s in clock.slept if s != 10_000.0]) < 9:
                await asyncio.sleep(0.01)
    finally:
        await consumer.aclose()
    backoff = [s for s in clock.slept if s != 10_000.0][:9]
    assert backoff == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    assert not consumer.ready.is_set() and not consumer.connected["nomis"]
