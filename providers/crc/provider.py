"""Reads a provider's own PostgreSQL store with asyncpg; migrates it on first use."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from providers.base import Page
from providers.crc.store import COLUMNS, migrate
from providers.errors import BackendTimeout, BackendUnavailable, ConfigError
from providers.records import Appointment

_QUERY = f"SELECT {', '.join(COLUMNS)} FROM appointments WHERE crn = ANY($1::text[]) " \
         "ORDER BY crn, starts_at, id"


class CrcStoreProvider:
    """Serves `appointments` from PostgreSQL; connection errors become our errors."""

    kinds = frozenset({"appointments"})

    def __init__(self, name: str, dsn: str | None = None, dsn_env: str = "CRC_DATABASE_URL",
                 pool_size: int = 10, timeout_seconds: float = 5.0) -> None:
        self.name = name
        self.dsn = dsn or os.environ.get(dsn_env)
        if not self.dsn:
            raise ConfigError(f"providers.{name}.dsn: set it, or the environment variable "
                              f"{dsn_env}")
        self.pool_size, self.timeout = pool_size, timeout_seconds
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def _connected(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    pool = await asyncpg.create_pool(self.dsn, min_size=1,
                                                     max_size=self.pool_size,
                                                     command_timeout=self.timeout)
                    async with pool.acquire() as connection:
                        await migrate(connection)
                    self._pool = pool
        return self._pool

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        if kind != "appointments":
            raise KeyError(kind)
        try:
            pool = await self._connected()
            rows = await pool.fetch(_QUERY, list(keys), timeout=self.timeout)
        except (TimeoutError, asyncpg.QueryCanceledError) as exc:
            raise BackendTimeout(self.name, "the store did not answer in time") from exc
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise BackendUnavailable(self.name, f"store unavailable ({type(exc).__name__})") \
                from exc
        found: dict[str, list[Appointment]] = {}
        for row in rows:
            found.setdefault(row["crn"], []).append(Appointment(*(row[c] for c in COLUMNS)))
        return [tuple(found.get(k, ())) for k in keys]

    async def page(self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
                   ) -> Page:
        raise KeyError(kind)

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.close()
