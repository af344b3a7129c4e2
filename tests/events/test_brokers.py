"""The broker seam against the real NATS JetStream and Redis: every consumer name receives
every event, in order, once when acked; what was delivered but not acked comes again after a
reconnect (at-least-once); lag counts what this consumer has not acked."""

from __future__ import annotations

import asyncio

import pytest

import events.nats_broker
from tests.events.delivery import envelope, eventually, take


async def test_every_consumer_receives_every_event_once_in_order(brokers):
    a, b, publisher = brokers(consumer="gw-a"), brokers(consumer="gw-b"), brokers()
    first, second = await a.subscribe("nomis"), await b.subscribe("nomis")
    sent = [envelope(n) for n in range(20)]
    for raw in sent:
        await publisher.publish("nomis", raw)
    assert await take(first, 20) == sent and await take(second, 20) == sent
    await publisher.publish("nomis", envelope(99))  # what follows the 20 is the next, no repeat
    assert await take(first, 1) == await take(second, 1) == [envelope(99)]
    await first.aclose()
    await second.aclose()


async def test_sources_are_apart(brokers):
    consumer, publisher = brokers(consumer="gw-a"), brokers()
    prison, probation = await consumer.subscribe("nomis"), await consumer.subscribe("delius")
    await publisher.publish("delius", envelope(1))
    await publisher.publish("nomis", envelope(2))
    assert await take(prison, 1) == [envelope(2)] and await take(probation, 1) == [envelope(1)]
    await prison.aclose()
    await probation.aclose()


async def test_what_was_not_acked_is_delivered_again_after_a_reconnect(brokers, monkeypatch):
    monkeypatch.setattr(events.nats_broker, "ACK_WAIT_SECONDS", 1.0)
    before, publisher = brokers(consumer="gw-a"), brokers()
    deliveries = await before.subscribe("nomis")
    await publisher.publish("nomis", envelope(1))
    await publisher.publish("nomis", envelope(2))
    assert await take(deliveries, 1) == [envelope(1)]  # acked
    assert await take(deliveries, 1, ack=False) == [envelope(2)]  # lost with the connection
    await deliveries.aclose()
    await before.aclose()
    after = brokers(consumer="gw-a")
    again = await after.subscribe("nomis")
    assert await take(again, 1) == [envelope(2)]
    await again.aclose()


async def test_lag_counts_what_this_consumer_has_not_acked(brokers):
    consumer, publisher = brokers(consumer="gw-a"), brokers()
    deliveries = await consumer.subscribe("nomis")
    assert await consumer.lag("nomis") == 0
    for n in range(3):
        await publisher.publish("nomis", envelope(n))

    async def lag_is(value: int) -> bool:
        return await consumer.lag("nomis") == value
    await eventually(lambda: lag_is(3))
    await take(deliveries, 3)
    await eventually(lambda: lag_is(0))
    await deliveries.aclose()


@pytest.mark.parametrize("settings", ["nats"], indirect=True)
async def test_an_unreachable_broker_is_a_broker_error(settings):
    from dataclasses import replace

    from events.broker import BrokerError, open_broker

    broker = open_broker(replace(settings, url="nats://127.0.0.1:1"))
    with pytest.raises(BrokerError):
        await broker.publish("nomis", envelope(1))
    await broker.aclose()


async def test_a_new_consumer_starts_at_the_events_published_after_it(brokers):
    publisher = brokers()
    await publisher.publish("nomis", envelope(1))  # creates the stream; nobody listening
    consumer = brokers(consumer="gw-late")
    deliveries = await consumer.subscribe("nomis")
    await publisher.publish("nomis", envelope(2))
    assert await take(deliveries, 1) == [envelope(2)]
    await deliveries.aclose()


@pytest.mark.parametrize("settings", ["nats"], indirect=True)
async def test_nats_durables_are_deleted_after_an_hour_without_a_pull(settings, brokers):
    import nats

    consumer = brokers(consumer="gw-a")
    deliveries = await consumer.subscribe("nomis")
    nc = await nats.connect(settings.url)
    info = await nc.jetstream().consumer_info(settings.stream, "gw-a-nomis")
    await nc.close()
    assert info.config.inactive_threshold == 3600.0
    assert info.config.durable_name == "gw-a-nomis"
    await deliveries.aclose()


@pytest.mark.parametrize("settings", ["redis"], indirect=True)
async def test_redis_streams_are_trimmed_to_the_retention_period(settings, brokers):
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(settings.url)
    key = settings.subject("nomis")
    await client.xadd(key, {"envelope": envelope(0)}, id="1-0")  # from 1970: long expired
    await brokers().publish("nomis", envelope(1))
    entries = await client.xrange(key)
    await client.aclose()
    assert [fields[b"envelope"] for _, fields in entries] == [envelope(1)]


@pytest.mark.parametrize("settings", ["redis"], indirect=True)
async def test_redis_groups_idle_for_an_hour_are_removed_by_the_next_subscriber(
        settings, brokers, monkeypatch):
    """Each process start makes a group (the default name holds the pid): the groups of
    processes gone must not pile up. Redis measures idleness itself, so the hour is moved
    instead of waited for: kept under the hour, removed past it (0 s)."""
    import redis.asyncio as aioredis

    import events.redis_broker

    client = aioredis.Redis.from_url(settings.url)
    key = settings.subject("nomis")
    await client.xgroup_create(key, "gw-gone", id="$", mkstream=True)
    await client.xgroup_createconsumer(key, "gw-gone", "gateway")  # it had a reader
    await client.xgroup_create(key, "gw-starting", id="$")  # no reader yet

    async def groups() -> set[str]:
        return {info["name"].decode() for info in await client.xinfo_groups(key)}

    kept = await brokers(consumer="gw-a").subscribe("nomis")
    assert await groups() == {"gw-gone", "gw-starting", "gw-a"}
    monkeypatch.setattr(events.redis_broker, "GROUP_IDLE_SECONDS", 0.0)
    after = await brokers(consumer="gw-b").subscribe("nomis")
    assert await groups() == {"gw-starting", "gw-b"}  # and gw-a, idle past 0 s too
    await client.aclose()
    await kept.aclose()
    await after.aclose()


@pytest.mark.parametrize("settings", ["redis"], indirect=True)
async def test_a_redis_reader_with_no_events_is_not_idle(settings, brokers, monkeypatch):
    """A quiet hour must not make a live process's group look abandoned: after each read that
    times out, the reader is seen again (Redis before 7.2 does not count such a read)."""
    import redis.asyncio as aioredis

    import events.redis_broker

    monkeypatch.setattr(events.redis_broker, "BLOCK_MS", 50)
    client = aioredis.Redis.from_url(settings.url)
    key, broker = settings.subject("nomis"), brokers(consumer="gw-quiet")
    idle_after: list[int] = []
    enough = asyncio.Event()
    seen = broker._seen

    async def watched(*args):
        await seen(*args)
        [reader] = await client.xinfo_consumers(key, "gw-quiet")
        idle_after.append(int(reader["idle"]))
        if len(idle_after) >= 5:
            enough.set()

    monkeypatch.setattr(broker, "_seen", watched)
    deliveries = await broker.subscribe("nomis")
    reading = asyncio.create_task(anext(deliveries))
    await asyncio.wait_for(enough.wait(), timeout=30)
    reading.cancel()
    await client.aclose()
    # Unseen, the reader would be idle since it subscribed: 50 ms more at each timed-out read.
    assert max(idle_after) < 250, idle_after


async def test_two_processes_sharing_a_name_share_one_cursor(brokers):
    """Why each process needs its own name: under one, the events are split, not copied."""
    first, second, publisher = brokers(consumer="gw-x"), brokers(consumer="gw-x"), brokers()
    readers = [await first.subscribe("nomis"), await second.subscribe("nomis")]
    sent = [envelope(n) for n in range(10)]
    for raw in sent:
        await publisher.publish("nomis", raw)
    got: list[bytes] = []

    async def drain(deliveries) -> None:
        async for delivery in deliveries:
            got.append(delivery.data)
            await delivery.ack()
    tasks = [asyncio.create_task(drain(r)) for r in readers]
    await eventually(lambda: _at_least(got, len(sent)))
    for task in tasks:
        task.cancel()
    await first.aclose()  # ends a read redis-py carries on with after a cancel
    await second.aclose()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert sorted(got) == sorted(sent)  # each event once, across the two


async def _at_least(items: list[bytes], count: int) -> bool:
    return len(items) >= count


async def test_a_burst_of_concurrent_publishes_waits_for_connections_rather_than_failing(
        brokers):
    consumer, publisher = brokers(consumer="gw-a"), brokers()
    deliveries = await consumer.subscribe("nomis")
    sent = [envelope(n) for n in range(200)]
    await asyncio.gather(*[publisher.publish("nomis", raw) for raw in sent])
    assert sorted(await take(deliveries, 200)) == sorted(sent)
    await deliveries.aclose()
