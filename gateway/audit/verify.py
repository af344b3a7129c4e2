"""`casegraph audit verify`: read a trail from its sink and walk its hash chain."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from gateway.audit.chain import verify
from gateway.audit.sinks import read_file, read_table
from gateway.audit.trail import AuditSettings
from providers.registry import ConfigError

SHOWN = 20  # problems listed; after one removal every later entry is out of sequence


def verify_trail(settings: AuditSettings, file: Path | None = None, dsn: str | None = None
                 ) -> tuple[bool, list[str]]:
    """(intact, report lines). A file or DSN given overrides the configured sink."""
    if file is None and dsn is None:
        if settings.sink == "none":
            raise ConfigError("audit.sink = 'none': nothing to verify")
        file, dsn = (None, settings.dsn) if settings.sink == "postgres" else (settings.path,
                                                                               None)
    try:
        entries = read_file(file) if file is not None else asyncio.run(read_table(str(dsn)))
        count, head, problems = verify(entries)
    except (OSError, ValueError, asyncpg.PostgresError) as exc:
        raise ConfigError(f"audit: cannot read the trail: {exc}") from exc
    source = str(file) if file is not None else "audit_log"
    if problems:
        shown = [f"  {p}" for p in problems[:SHOWN]]
        more = [f"  ... and {len(problems) - SHOWN} more"] if len(problems) > SHOWN else []
        return False, [f"casegraph: audit trail {source} is NOT intact "
                       f"({len(problems)} problems in {count} entries):", *shown, *more]
    return True, [f"casegraph: audit trail {source} intact: {count} entries; head {head} "
                  "(keep this hash elsewhere to detect entries cut from the end)"]
