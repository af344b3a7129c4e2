"""Per-request DataLoaders, one per kind: every key asked for in one tick is one provider call."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from providers import freshness
from providers.base import Page
from providers.errors import ProviderError
from providers.freshness import Freshness
from providers.registry import Registry

if TYPE_CHECKING:  # the gateway hands its telemetry in; resolvers never import the gateway
    from gateway.telemetry import ProviderCall, Telemetry


@dataclass(slots=True)
class SourceLog:
    """What this request asked of which provider: reported in the response's extensions."""

    calls: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    fetched_at: dict[str, float] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def record(self, provider: str, kind: str, started: float, error: str | None) -> None:
        self.calls.setdefault((provider, kind), []).append(time.perf_counter() - started)
        self.fetched_at[provider] = time.time()
        if error:
            self.failures[provider] = error

    def report(self, freshness: Freshness | None = None) -> list[dict[str, Any]]:
        """Per provider: kinds asked, calls and time; with a cache, what came from it."""
        by_provider: dict[str, dict[str, Any]] = {}
        for (provider, kind), durations in sorted(self.calls.items()):
            entry = by_provider.setdefault(provider, {
                "provider": provider, "kinds": {}, "fetchedAt": _iso(self.fetched_at[provider]),
                "status": "failed" if provider in self.failures else "ok"})
            entry["kinds"][kind] = {"calls": len(durations),
                                    "ms": round(sum(durations) * 1000, 2)}
            if freshness is not None and (provider, kind) in freshness.counts:
                entry["kinds"][kind] |= freshness.counts[(provider, kind)]
        if freshness is not None:
            for provider, entry in by_provider.items():
                entry |= freshness.summary(provider)
        return list(by_provider.values())


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


MISSING: Any = object()  # a value not (yet) in hand


class Loaders:
    """Lazily created DataLoaders keyed by kind, and paged queries, all logged."""

    def __init__(self, registry: Registry, log: SourceLog, batching: bool = True,
                 telemetry: Telemetry | None = None) -> None:
        self._registry = registry
        self._log = log
        self._telemetry = telemetry
        self._batch_size = None if batching else 1
        self._loaders: dict[str, DataLoader[str, Any]] = {}

    def provider_name(self, kind: str) -> str:
        return self._registry.bindings[kind]

    def of(self, kind: str) -> DataLoader[str, Any]:
        loader = self._loaders.get(kind)
        if loader is None:
            loader = self._loaders[kind] = DataLoader(load_fn=self._batch(kind),
                                                      max_batch_size=self._batch_size)
        return loader

    def peek(self, kind: str, key: str) -> Any:
        """The value if this request already loaded it, else MISSING: no await needed."""
        loader = self._loaders.get(kind)
        future = loader.cache_map.get(key) if loader is not None else None
        if future is None or not future.done() or future.cancelled() or future.exception():
            return MISSING
        return future.result()

    async def load(self, kind: str, key: str) -> Any:
        return await self.of(kind).load(key)

    async def load_many(self, kind: str, keys: Sequence[str]) -> list[Any]:
        return await self.of(kind).load_many(keys)

    def _batch(self, kind: str):
        async def load(keys: list[str]) -> Sequence[Any]:
            return await self._logged(kind, self._registry.fetch(kind, keys), len(keys))
        return load

    async def page(self, kind: str, criteria: dict[str, Any], offset: int, limit: int) -> Page:
        found: Page = await self._logged(kind, self._registry.page(kind, criteria, offset,
                                                                    limit), limit)
        for related_kind, records in found.related.items():
            if self._registry.bindings.get(related_kind) == self._registry.bindings[kind]:
                loader = self.of(related_kind)
                for key, record in records.items():
                    loader.prime(key, record)
        return found

    async def _logged(self, kind: str, call: Any, size: int) -> Any:
        provider = self._registry.bindings[kind]
        if self._telemetry is None:
            return await self._timed(provider, kind, call, None)
        with self._telemetry.provider_call(provider, kind, size) as observed:
            return await self._timed(provider, kind, call, observed)

    async def _timed(self, provider: str, kind: str, call: Any,
                     observed: ProviderCall | None) -> Any:
        started = time.perf_counter()
        fresh = freshness.current()
        before = dict(fresh.counts.get((provider, kind), {})) if fresh and observed else {}
        try:
            result = await call
        except ProviderError as exc:
            self._log.record(provider, kind, started, exc.code)
            if observed is not None:
                observed.failed(exc.code)
            raise
        self._log.record(provider, kind, started, None)
        if fresh is not None and observed is not None:
            after = fresh.counts.get((provider, kind), {})
            observed.hits = after.get("fromCache", 0) - before.get("fromCache", 0)
            observed.misses = after.get("fromBackend", 0) - before.get("fromBackend", 0)
        return result
