"""The in-process cache: what it answers is what a dict with expiry times would, and it stays
within its bound."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from providers.cache import MemoryStore

KEYS = st.sampled_from([f"k{i}" for i in range(6)])
OPS = st.lists(st.one_of(
    st.tuples(st.just("set"), st.lists(KEYS, max_size=4), st.integers(0, 5)),
    st.tuples(st.just("get"), st.lists(KEYS, max_size=4), st.just(0)),
    st.tuples(st.just("delete"), st.lists(KEYS, max_size=2), st.just(0)),
    st.tuples(st.just("tick"), st.just([]), st.integers(0, 4))), max_size=40)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@settings(max_examples=150, deadline=None)
@given(ops=OPS)
def test_it_answers_what_a_dict_of_expiry_times_would(ops):
    clock = Clock()
    store = MemoryStore(max_entries=10_000, clock=clock)
    model: dict[str, tuple[float, int]] = {}

    def live(key: str) -> int | None:
        expires, value = model.get(key, (0.0, None))
        return value if expires > clock.now else None

    async def run() -> None:
        for n, (op, keys, amount) in enumerate(ops):
            if op == "set":
                await store.set_many([(k, n) for k in keys], ttl=amount)
                model.update({k: (clock.now + max(1, amount), n) for k in keys})
            elif op == "get":
                assert await store.get_many(keys) == [live(k) for k in keys]
            elif op == "delete":
                await store.delete_many(keys)
                for k in keys:
                    model.pop(k, None)
            else:
                clock.now += amount
    asyncio.run(run())


def test_past_its_bound_it_drops_expired_entries_first_then_the_oldest_written():
    clock = Clock()
    store = MemoryStore(max_entries=10, clock=clock)

    async def run() -> None:
        await store.set_many([("short", 1)], ttl=1)
        await store.set_many([(f"old{i}", i) for i in range(5)], ttl=60)
        clock.now += 2  # "short" has expired
        await store.set_many([("old0", "rewritten")], ttl=60)  # now the newest
        await store.set_many([(f"new{i}", i) for i in range(5)], ttl=60)
        assert store.size <= 10
        assert await store.get_many(["short"]) == [None]
        assert await store.get_many(["old0", "new4"]) == ["rewritten", 4]
        assert await store.get_many(["old1"]) == [None]  # the oldest written went
    asyncio.run(run())


def test_it_never_holds_more_than_its_bound():
    store = MemoryStore(max_entries=100)

    async def run() -> None:
        for start in range(0, 1000, 7):
            await store.set_many([(f"k{i}", i) for i in range(start, start + 7)], ttl=60)
            assert store.size <= 100
    asyncio.run(run())
