"""Per-request DataLoaders, one per kind: every key asked for in one tick is one provider call.

Raw records: only the row judge (`resolvers.reach`) and the look-ahead that warms it read
these; resolvers get records from the judge."""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from providers import freshness, related
from providers.base import Page
from providers.errors import ProviderError
from providers.registry import Registry

if TYPE_CHECKING:  # the gateway hands its telemetry in; resolvers never import the gateway
    from gateway.telemetry import ProviderCall, Telemetry


@dataclass(slots=True)
class SourceLog:
    """When this request last called each provider: the fetch time of uncached records."""

    fetched_at: dict[str, float] = field(default_factory=dict)

    def record(self, provider: str) -> None:
        self.fetched_at[provider] = time.time()



MISSING: Any = object()  # a value not (yet) in hand


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A record the backend sent malformed (its error): the row judge decides whether the
    caller may hear of it, since saying so would say that the record exists."""

    error: ProviderError


class Loaders:
    """Lazily created DataLoaders keyed by kind, and paged queries, all logged."""

    def __init__(self, registry: Registry, log: SourceLog, batching: bool = True,
                 telemetry: Telemetry | None = None) -> None:
        self._registry = registry
        self._log = log
        self._telemetry = telemetry
        self._batch_size = None if batching else 1
        self._loaders: dict[str, DataLoader[str, Any]] = {}
        self.kinds_read: set[str] = set()  # what an answer's freshness depends on

    def release(self) -> None:
        """Let go of what this request loaded, once its answer is made. graphql-core's
        executor holds itself in a cycle (through its resolve-info helpers) and, through the
        context, these loaders: without this, every future and record of the request would
        wait for the garbage collector (measured: about 1,200 objects per cold caseload)."""
        self._loaders.clear()

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

    def _batch(self, kind: str) -> Callable[[list[str]], Any]:
        # The DataLoader keeps this function, and this object keeps the DataLoader: a strong
        # reference back would make a cycle, and then every future and record the request
        # loaded would wait for the garbage collector instead of going with the request.
        ref = weakref.ref(self)

        async def load(keys: list[str]) -> Sequence[Any]:
            loaders = ref()
            if loaders is None:  # a DataLoader outliving its request
                raise RuntimeError("the request's loaders are gone")
            with related.listening(loaders._primer(kind)):  # records it answered on the way
                found = await loaders._logged(kind, loaders._registry.fetch(kind, keys),
                                              len(keys))
            return [Unreadable(v) if isinstance(v, ProviderError) else v for v in found]
        return load

    async def page(self, kind: str, criteria: dict[str, Any], offset: int, limit: int) -> Page:
        found: Page = await self._logged(kind, self._registry.page(kind, criteria, offset,
                                                                    limit), limit)
        prime = self._primer(kind)
        for related_kind, records in found.related.items():
            prime(related_kind, records)
        return found

    def _primer(self, kind: str) -> Callable[[str, Mapping[str, Any]], None]:
        """Records of another kind a provider answered while asked for `kind` (the people
        behind a NOMS number, a caseload's people) go into that kind's loader, so they are
        not asked for again: the same calls whether or not anything was found."""
        provider = self._registry.bindings[kind]

        def prime(related_kind: str, records: Mapping[str, Any]) -> None:
            if self._registry.bindings.get(related_kind) == provider:
                loader = self.of(related_kind)
                for key, record in records.items():
                    loader.prime(key, record)
        return prime

    async def _logged(self, kind: str, call: Any, size: int) -> Any:
        provider = self._registry.bindings[kind]
        self.kinds_read.add(kind)
        if self._telemetry is None:
            return await self._timed(provider, kind, call, None)
        with self._telemetry.provider_call(provider, kind, size) as observed:
            return await self._timed(provider, kind, call, observed)

    async def _timed(self, provider: str, kind: str, call: Any,
                     observed: ProviderCall | None) -> Any:
        fresh = freshness.current()
        before = dict(fresh.counts.get((provider, kind), {})) if fresh and observed else {}
        try:
            result = await call
        except ProviderError as exc:
            self._log.record(provider)
            if observed is not None:
                observed.failed(exc.code)
            raise
        self._log.record(provider)
        if fresh is not None and observed is not None:
            after = fresh.counts.get((provider, kind), {})
            observed.hits = after.get("fromCache", 0) - before.get("fromCache", 0)
            observed.misses = after.get("fromBackend", 0) - before.get("fromBackend", 0)
        return result
