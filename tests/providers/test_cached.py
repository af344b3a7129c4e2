"""The cache: batch-aware, coalescing, stale-if-error; Redis shared, and Redis down is a miss."""

import asyncio
import uuid

import pytest

from providers import freshness
from providers.base import Page
from providers.cache import memory_cache, redis_cache
from providers.cached import CachedProvider
from providers.errors import BackendUnavailable
from tests.clock import FakeClock


class Backend:
    name, kinds = "backend", frozenset({"offender", "caseload"})

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.asked: list[list[str]] = []
        self.pages = 0
        self.down = False
        self.gate = gate  # when given, every call waits for it

    async def fetch(self, kind, keys):
        if self.gate is not None:
            await self.gate.wait()
        if self.down:
            raise BackendUnavailable(self.name, "down")
        self.asked.append(list(keys))
        return [None if k.startswith("missing") else f"record {k}" for k in keys]

    async def page(self, kind, criteria, offset, limit):
        if self.down:
            raise BackendUnavailable(self.name, "down")
        self.pages += 1
        return Page(("a", "b"), 2)

    async def aclose(self):
        pass


async def test_a_batch_asks_the_backend_only_for_what_is_missing():
    backend = Backend()
    cached = CachedProvider(backend, memory_cache())
    await cached.fetch("offender", [f"k{i}" for i in range(90)])
    found = await cached.fetch("offender", [f"k{i}" for i in range(100)])
    assert found == [f"record k{i}" for i in range(100)]
    assert [len(a) for a in backend.asked] == [90, 10]


async def test_not_found_is_cached_too():
    backend = Backend()
    cached = CachedProvider(backend, memory_cache())
    assert await cached.fetch("offender", ["missing1"]) == [None]
    assert await cached.fetch("offender", ["missing1"]) == [None]
    assert len(backend.asked) == 1


class Forgetful:
    """A cache that stores nothing and counts lookups: only coalescing can save a call."""

    def __init__(self, expected: int) -> None:
        self.lookups, self.expected, self.all_looked = 0, expected, asyncio.Event()

    async def get_many(self, keys):
        self.lookups += 1
        if self.lookups == self.expected:
            self.all_looked.set()
        return [None] * len(keys)

    async def set_many(self, items, ttl):
        pass


async def test_concurrent_identical_loads_are_coalesced():
    backend, cache = Backend(gate=asyncio.Event()), Forgetful(expected=20)
    cached = CachedProvider(backend, cache)
    loads = asyncio.gather(*(cached.fetch("offender", ["hot"]) for _ in range(20)))
    await cache.all_looked.wait()  # each load missed the cache and went on to load or join
    backend.gate.set()
    assert await loads == [["record hot"]] * 20
    assert backend.asked == [["hot"]]


async def test_expired_entries_are_served_stale_while_the_backend_is_down():
    backend, clock = Backend(), FakeClock()
    cached = CachedProvider(backend, memory_cache(), ttls={"offender": 60, "caseload": 30},
                            clock=clock)
    await cached.fetch("offender", ["k1"])
    await cached.page("caseload", {}, 0, 10)
    clock.advance(30)
    assert await cached.fetch("offender", ["k1"]) == ["record k1"]
    assert len(backend.asked) == 1  # within its 60 s
    clock.advance(31)
    backend.down = True
    log = freshness.Freshness()
    freshness.bind(log)
    assert await cached.fetch("offender", ["k1"]) == ["record k1"]
    assert (await cached.page("caseload", {}, 0, 10)).items == ("a", "b")
    assert log.of("offender", "k1").stale is True
    assert [p.stale for p in log.records.values()] == [True, True]
    with pytest.raises(BackendUnavailable):
        await cached.fetch("offender", ["k2"])  # nothing to fall back on


async def test_a_page_is_cached_by_criteria_and_window():
    backend = Backend()
    cached = CachedProvider(backend, memory_cache())
    await cached.page("caseload", {"provider": "C01"}, 0, 10)
    await cached.page("caseload", {"provider": "C01"}, 0, 10)
    await cached.page("caseload", {"provider": "C16"}, 0, 10)
    assert backend.pages == 2


async def test_two_gateway_processes_share_the_redis_cache():
    namespace = f"casegraph-test-{uuid.uuid4().hex[:8]}"
    first, second = Backend(), Backend()
    one = CachedProvider(first, redis_cache(namespace=namespace))
    two = CachedProvider(second, redis_cache(namespace=namespace))
    assert await one.cache.ping()
    await one.fetch("offender", ["k1", "k2"])
    assert await two.fetch("offender", ["k1", "k2"]) == ["record k1", "record k2"]
    assert second.asked == []
    await one.cache.close()
    await two.cache.close()


async def test_redis_down_reads_as_misses_and_the_backend_answers():
    backend = Backend()
    cached = CachedProvider(backend, redis_cache(port=1))
    assert not await cached.cache.ping()
    assert await cached.fetch("offender", ["k1"]) == ["record k1"]
    assert await cached.fetch("offender", ["k1"]) == ["record k1"]
    assert len(backend.asked) == 2


async def test_a_change_is_read_again_past_a_copy_cached_before_it():
    """A subscription's re-read (`fetched_after` the event): a copy fetched before the event
    is the record the event replaced; one fetched after it is served."""
    from providers.cached import fetched_after

    backend, clock = Backend(), FakeClock()
    cached = CachedProvider(backend, memory_cache(), clock=clock)
    await cached.fetch("offender", ["k1"])
    with fetched_after(clock.time() - 1):
        await cached.fetch("offender", ["k1"])
    assert len(backend.asked) == 1
    clock.advance(5)
    with fetched_after(clock.time() - 1):
        await cached.fetch("offender", ["k1"])
    await cached.fetch("offender", ["k1"])
    assert backend.asked == [["k1"], ["k1"]]
