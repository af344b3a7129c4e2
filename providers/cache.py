"""Our small cache seam: memory by default (`MemoryStore`), Redis through aiocache to share
between processes.

A cache that is down is a miss, never an error: the gateway keeps answering from backends.
Redis holds values in `codec`'s tagged JSON, never pickle: an entry that is not one we wrote
(garbage, or a pickle planted by whoever can write to Redis) is a miss, logged, and nothing
in it runs.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from aiocache import RedisCache
from aiocache.serializers import NullSerializer

from providers import codec

log = logging.getLogger("casegraph.cache")


class Cache(Protocol):
    async def get_many(self, keys: list[str]) -> list[Any | None]: ...
    async def set_many(self, items: list[tuple[str, Any]], ttl: float) -> None: ...
    async def delete_many(self, keys: list[str]) -> None: ...
    async def clear(self) -> None: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class AiocacheStore:
    """aiocache behind the seam, failing open: errors are logged once and read as misses."""

    def __init__(self, backend: Any, label: str, encoded: bool = False) -> None:
        self._backend = backend
        self.label = label
        self.encoded = encoded  # values cross a process boundary: through `codec`
        self._warned = False

    async def get_many(self, keys: list[str]) -> list[Any | None]:
        if not keys:
            return []
        try:
            found = list(await self._backend.multi_get(keys))
        except Exception as exc:
            self._warn(exc)
            return [None] * len(keys)
        return [self._decoded(raw) for raw in found] if self.encoded else found

    async def set_many(self, items: list[tuple[str, Any]], ttl: float) -> None:
        if not items:
            return
        try:
            if self.encoded:
                items = [(key, codec.encode(value)) for key, value in items]
            await self._backend.multi_set(items, ttl=max(1, int(ttl)))
        except Exception as exc:
            self._warn(exc)

    async def delete_many(self, keys: list[str]) -> None:
        """Forget these entries (aiocache has no multi-delete: one call each, concurrently)."""
        if not keys:
            return
        try:
            await asyncio.gather(*(self._backend.delete(key) for key in keys))
        except Exception as exc:
            self._warn(exc)

    async def clear(self) -> None:
        """Forget every entry (this store's namespace only, on Redis)."""
        try:
            await self._backend.clear()
        except Exception as exc:
            self._warn(exc)

    def _decoded(self, raw: Any) -> Any:
        if raw is None:
            return None
        try:
            return codec.decode(raw)
        except codec.Unreadable as exc:
            log.warning("cache %s: an entry we did not write (%s) read as a miss", self.label,
                        exc)
            return None

    async def ping(self) -> bool:
        try:
            await self._backend.set("casegraph:ping", 1, ttl=5)
            return True
        except Exception:
            return False

    def _warn(self, exc: Exception) -> None:
        if not self._warned:
            log.warning("cache %s unavailable, serving from backends: %s", self.label,
                        type(exc).__name__)
            self._warned = True

    async def close(self) -> None:
        await self._backend.close()


class MemoryStore:
    """One process's cache: a dict whose entries carry their expiry time, checked as they are
    read. aiocache's memory backend arms a timer per entry (a cold caseload sets ~80 entries,
    so ~80 timers, each cancelled and armed again when the entry is rewritten); here nothing
    runs until a read or a sweep. Bounded: past `max_entries`, expired entries go first, then
    the oldest written."""

    label = "memory"

    def __init__(self, max_entries: int = 200_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: dict[str, tuple[float, Any]] = {}
        self._max = max_entries
        self._clock = clock

    async def get_many(self, keys: list[str]) -> list[Any | None]:
        now, entries = self._clock(), self._entries
        found: list[Any | None] = []
        for key in keys:
            entry = entries.get(key)
            if entry is None:
                found.append(None)
            elif entry[0] <= now:
                del entries[key]
                found.append(None)
            else:
                found.append(entry[1])
        return found

    async def set_many(self, items: list[tuple[str, Any]], ttl: float) -> None:
        expires, entries = self._clock() + max(1.0, ttl), self._entries
        for key, value in items:
            entries.pop(key, None)  # written again: newest, so last to be dropped
            entries[key] = (expires, value)
        if len(entries) > self._max:
            self._shrink()

    def _shrink(self) -> None:
        """Expired entries out; then the oldest written, down to nine tenths of the bound
        (so the sweep, linear in the entries, runs once per tenth of them written)."""
        now = self._clock()
        self._entries = entries = {k: e for k, e in self._entries.items() if e[0] > now}
        excess = len(entries) - self._max * 9 // 10
        for key in list(itertools.islice(entries, max(0, excess))):
            del entries[key]

    async def delete_many(self, keys: list[str]) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def clear(self) -> None:
        self._entries.clear()

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._entries.clear()

    @property
    def size(self) -> int:  # not __len__: an empty cache must still be truthy
        return len(self._entries)


def memory_cache(max_entries: int = 200_000) -> MemoryStore:
    return MemoryStore(max_entries)


def redis_cache(host: str = "127.0.0.1", port: int = 6379, db: int = 0,
                namespace: str = "casegraph") -> AiocacheStore:
    backend = RedisCache(endpoint=host, port=port, db=db, namespace=namespace,
                         serializer=NullSerializer(encoding=None), timeout=1)
    return AiocacheStore(backend, f"redis {host}:{port}/{db}", encoded=True)
