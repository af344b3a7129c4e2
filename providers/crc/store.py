"""Schema migrations (numbered SQL files, applied once, under an advisory lock) and seeding."""

from __future__ import annotations

from pathlib import Path

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from providers.embedded.dataset import Dataset

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK = 0x43524301  # one migrator at a time across gateway processes
COLUMNS = ("id", "crn", "case_id", "provider_code", "type", "starts_at", "ends_at", "location",
           "staff_code", "outcome")


async def migrate(connection: asyncpg.Connection | PoolConnectionProxy) -> list[str]:
    """Apply the migrations not yet applied; returns their names."""
    applied: list[str] = []
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
        await connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                 "name text PRIMARY KEY, applied_at timestamptz DEFAULT now())")
        done = {r["name"] for r in await connection.fetch("SELECT name FROM schema_migrations")}
        for path in sorted(MIGRATIONS.glob("*.sql")):
            if path.name not in done:
                await connection.execute(path.read_text())
                await connection.execute("INSERT INTO schema_migrations (name) VALUES ($1)",
                                         path.name)
                applied.append(path.name)
    return applied


async def seed(connection: asyncpg.Connection, data: Dataset) -> int:
    """Replace the appointments with the dataset's; returns how many were written."""
    rows = [tuple(getattr(a, c) for c in COLUMNS)
            for found in data.appointments.values() for a in found]
    async with connection.transaction():
        await connection.execute("TRUNCATE appointments")
        await connection.copy_records_to_table("appointments", records=rows, columns=COLUMNS)
    return len(rows)
