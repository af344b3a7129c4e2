"""Our small cache seam over aiocache: memory by default, Redis to share between processes.

A cache that is down is a miss, never an error: the gateway keeps answering from backends.
Redis holds values in `codec`'s tagged JSON, never pickle: an entry that is not one we wrote
(garbage, or a pickle planted by whoever can write to Redis) is a miss, logged, and nothing
in it runs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from aiocache import RedisCache, SimpleMemoryCache
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


def memory_cache() -> AiocacheStore:
    # No timeout: memory never blocks, and aiocache's timeout is an asyncio.wait_for (a task)
    # around every call.
    return AiocacheStore(SimpleMemoryCache(serializer=NullSerializer(), timeout=None), "memory")


def redis_cache(host: str = "127.0.0.1", port: int = 6379, db: int = 0,
                namespace: str = "casegraph") -> AiocacheStore:
    backend = RedisCache(endpoint=host, port=port, db=db, namespace=namespace,
                         serializer=NullSerializer(encoding=None), timeout=1)
    return AiocacheStore(backend, f"redis {host}:{port}/{db}", encoded=True)
