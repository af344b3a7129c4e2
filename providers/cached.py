"""A cached provider: raw records per (provider, kind, key), shared by every tenant.

Batch-aware: of 100 keys with 90 cached, one backend call asks for 10. Identical loads in
flight in this process are coalesced (no stampede on a hot key). Entries outlive their TTL
by a grace period; while the backend fails, those are served and marked stale. Policies are
decided after this layer, on every read, so nothing here crosses tenants unchecked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import Any

from providers import freshness
from providers.base import Page, Provider, pager
from providers.cache import Cache
from providers.clock import SYSTEM, Clock
from providers.errors import ProviderError
from providers.freshness import Provenance

DEFAULT_TTLS = {"organisation": 3600.0, "establishment": 3600.0, "offender": 60.0,
                "offender_by_noms": 60.0, "cases": 60.0, "registrations": 60.0,
                "custody": 30.0, "sentence_dates": 30.0, "movements": 30.0,
                "appointments": 30.0, "caseload": 30.0, "offender_search": 30.0,
                "prisoners": 30.0}

# Entries fetched before this instant are not served (a change's re-read: see `fetched_after`).
_floor: ContextVar[float] = ContextVar("casegraph_cache_floor", default=0.0)


@contextmanager
def fetched_after(instant: float) -> Iterator[None]:
    """Within this block (and tasks it starts), a cached entry fetched before `instant` is
    read again from the backend: an event says a record changed at `instant`, so a copy
    from before then is the record it replaced."""
    token = _floor.set(instant)
    try:
        yield
    finally:
        _floor.reset(token)


class CachedProvider:
    """Wraps a provider with a cache; entries are `(value, fetched_at)`."""

    def __init__(self, inner: Provider, cache: Cache, *, ttls: Mapping[str, float] | None = None,
                 grace_seconds: float = 600.0, clock: Clock = SYSTEM) -> None:
        self.inner = inner
        self.clock = clock
        self.name = inner.name
        self.kinds = inner.kinds
        self.cache = cache
        self.ttls = {**DEFAULT_TTLS, **(ttls or {})}
        self.grace = grace_seconds
        self._inflight: dict[tuple[str, str], asyncio.Future[Any]] = {}

    def _key(self, kind: str, key: str) -> str:
        return f"{self.name}:{kind}:{key}"

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        unique = list(dict.fromkeys(keys))
        entries = await self.cache.get_many([self._key(kind, k) for k in unique])
        now, ttl = self.clock.time(), self.ttls.get(kind, 60.0)
        cached = {k: e for k, e in zip(unique, entries, strict=True) if e is not None}
        floor = _floor.get()
        wanted = [k for k in unique if k not in cached or now - cached[k][1] > ttl
                  or cached[k][1] < floor]
        values: dict[str, tuple[Any, float, bool, bool]] = {
            k: (e[0], e[1], True, False) for k, e in cached.items() if k not in wanted}
        if wanted:
            try:
                loaded = await self._coalesced(kind, wanted)
                values |= {k: (v, t, False, False) for k, (v, t) in loaded.items()}
            except ProviderError:
                if any(k not in cached for k in wanted):
                    raise
                values |= {k: (cached[k][0], cached[k][1], True, True) for k in wanted}
        self._note(kind, values)
        return [values[k][0] for k in keys]

    async def _coalesced(self, kind: str, keys: list[str]) -> dict[str, tuple[Any, float]]:
        """Load keys, joining loads already in flight for the same (kind, key)."""
        joined = {k: self._inflight[(kind, k)] for k in keys if (kind, k) in self._inflight}
        own = [k for k in keys if k not in joined]
        futures = {k: asyncio.get_running_loop().create_future() for k in own}
        self._inflight.update({(kind, k): f for k, f in futures.items()})
        try:
            if own:
                found = await self.inner.fetch(kind, own)
                stamp = self.clock.time()
                for k, value in zip(own, found, strict=True):
                    futures[k].set_result((value, stamp))
                await self.cache.set_many(  # a record's error stands for it once, uncached
                    [(self._key(kind, k), (v, stamp)) for k, v in zip(own, found, strict=True)
                     if not isinstance(v, ProviderError)],
                    ttl=self.ttls.get(kind, 60.0) + self.grace)
        except BaseException as exc:
            for future in futures.values():
                if not future.done():
                    future.set_exception(exc)
                    future.exception()  # retrieved: no "never retrieved" warning
            raise
        finally:
            for k in own:
                self._inflight.pop((kind, k), None)
        return {k: await f for k, f in {**joined, **futures}.items()}

    def _note(self, kind: str, values: Mapping[str, tuple[Any, float, bool, bool]]) -> None:
        log = freshness.current()
        if log is not None:
            for key, (_, fetched_at, from_cache, stale) in values.items():
                log.record(kind, key, Provenance(self.name, fetched_at, from_cache, stale))

    async def page(self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
                   ) -> Page:
        key = self._key(kind, f"{sorted(criteria.items())}:{offset}:{limit}")
        [entry] = await self.cache.get_many([key])
        now, ttl = self.clock.time(), self.ttls.get(kind, 30.0)
        if entry is not None and now - entry[1] <= ttl:
            return self._noted(kind, key, entry[0], entry[1], True, False)
        try:
            found = await pager(self.inner).page(kind, criteria, offset, limit)
        except ProviderError:
            if entry is None:
                raise
            return self._noted(kind, key, entry[0], entry[1], True, True)
        stamp = self.clock.time()
        await self.cache.set_many([(key, (found, stamp))], ttl=ttl + self.grace)
        return self._noted(kind, key, found, stamp, False, False)

    def _noted(self, kind: str, key: str, page: Page, fetched_at: float, from_cache: bool,
               stale: bool) -> Page:
        """The page, carrying its own provenance: the row judge reports it only to a caller
        whose whole page it is (a pushed-down row filter), never for a scan."""
        self._note(kind, {key: (None, fetched_at, from_cache, stale)})
        return replace(page, provenance=Provenance(self.name, fetched_at, from_cache, stale))

    async def forget(self, keys: Mapping[str, Sequence[str]]) -> int:
        """Drop the cached records a change event names (`{kind: keys}`), so the next read of
        them goes to the backend, as the event's `detailUrl` says to. The booking a custody
        record names goes with it (sentence dates are keyed by booking). Pages stay: a list
        is as fresh as its own TTL says, and `extensions.sources` shows its age."""
        wanted = {kind: list(found) for kind, found in keys.items() if kind in self.kinds}
        for noms in wanted.get("custody", ()):
            [entry] = await self.cache.get_many([self._key("custody", noms)])
            booking = getattr(entry[0], "booking_id", None) if entry is not None else None
            if booking is not None and "sentence_dates" in self.kinds:
                wanted.setdefault("sentence_dates", []).append(str(booking))
        dropped = [self._key(kind, key) for kind, found in wanted.items() for key in found]
        await self.cache.delete_many(dropped)
        return len(dropped)

    @property
    def state(self) -> str:
        return getattr(self.inner, "state", "up")

    async def aclose(self) -> None:
        await self.inner.aclose()
