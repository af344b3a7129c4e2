"""Where sealed audit entries are appended: a JSON-lines file, or a PostgreSQL table.

Both keep one chain across several gateway processes: the file under an exclusive `flock`,
the table under a transaction-scoped advisory lock; each append reads the chain's head first.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import orjson

from gateway.audit.chain import GENESIS, encode, seal

_LOCK = 0x41554454  # "AUDT": one appender at a time across processes
DDL = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq bigint PRIMARY KEY,
    line text NOT NULL,
    entry jsonb GENERATED ALWAYS AS (line::jsonb) STORED
);
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""


class AuditSink(Protocol):
    """Appends events to the chain, sealing each; raises when it cannot."""

    async def append(self, events: list[dict[str, Any]]) -> None: ...
    async def aclose(self) -> None: ...


class FileSink:
    """One JSON object per line, fsynced per batch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # The file (inode, size) as this sink left it, with the chain's head then: when it is
        # still so under the lock, nobody appended since and the tail need not be read.
        self._left: tuple[int, int, int, str] | None = None

    async def append(self, events: list[dict[str, Any]]) -> None:
        await asyncio.to_thread(self._append, events)

    def _open(self) -> BinaryIO:
        try:
            return open(self.path, "a+b")  # the caller closes it
        except FileNotFoundError:  # the first append, or the directory was removed
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return open(self.path, "a+b")

    def _append(self, events: list[dict[str, Any]]) -> None:
        with self._open() as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            found = os.fstat(f.fileno())
            left = self._left
            if left is not None and (left[0], left[1]) == (found.st_ino, found.st_size):
                seq, prev = left[2], left[3]
            else:
                seq, prev = _head(f)
            lines = []
            for event in events:
                seq += 1
                entry = seal(event, seq, prev)
                prev = entry["hash"]
                lines.append(encode(entry) + b"\n")
            f.write(b"".join(lines))
            f.flush()
            os.fsync(f.fileno())
            self._left = (found.st_ino, f.tell(), seq, prev)

    async def aclose(self) -> None:
        return None


def _head(f: Any) -> tuple[int, str]:
    """(seq, hash) of the last entry in the open file, read from its tail."""
    size = f.seek(0, os.SEEK_END)
    if size == 0:
        return 0, GENESIS
    window = 8192  # an entry is a few KB (a 100-row caseload's CRNs); read per append
    while True:  # widen the window until it holds the whole last line
        f.seek(max(0, size - window))
        tail = f.read().rstrip(b"\n")
        if b"\n" in tail or window >= size:
            entry = orjson.loads(tail.rsplit(b"\n", 1)[-1])
            return int(entry["seq"]), str(entry["hash"])
        window *= 4


def read_file(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                yield orjson.loads(line)


class PostgresSink:
    """Rows of (seq, line); UPDATE and DELETE are refused by a trigger."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._pool: Any = None

    async def _connect(self) -> Any:
        import asyncpg

        if self._pool is None:
            self._pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=2)
            async with self._pool.acquire() as connection, connection.transaction():
                await connection.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
                await connection.execute(DDL)
        return self._pool

    async def append(self, events: list[dict[str, Any]]) -> None:
        pool = await self._connect()
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
            last = await connection.fetchrow(
                "SELECT seq, line FROM audit_log ORDER BY seq DESC LIMIT 1")
            seq, prev = (0, GENESIS) if last is None else (
                last["seq"], orjson.loads(last["line"])["hash"])
            rows = []
            for event in events:
                seq += 1
                entry = seal(event, seq, prev)
                prev = entry["hash"]
                rows.append((seq, encode(entry).decode()))
            await connection.executemany("INSERT INTO audit_log (seq, line) VALUES ($1, $2)",
                                         rows)

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.close()


async def read_table(dsn: str) -> list[dict[str, Any]]:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT line FROM audit_log ORDER BY seq")
    finally:
        await connection.close()
    return [orjson.loads(r["line"]) for r in rows]
