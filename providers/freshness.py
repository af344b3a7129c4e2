"""Where each value came from and how old it is, for the request being answered.

The gateway binds a `Freshness` per request; cached providers record into it, resolvers read
per-record provenance from it, and the response's extensions report it.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Provenance:
    provider: str
    fetched_at: float
    from_cache: bool
    stale: bool


@dataclass
class Freshness:
    records: dict[tuple[str, str], Provenance] = field(default_factory=dict)
    counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def record(self, kind: str, key: str, provenance: Provenance) -> None:
        self.records[(kind, key)] = provenance
        tally = self.counts.setdefault((provenance.provider, kind),
                                       {"fromCache": 0, "fromBackend": 0, "stale": 0})
        tally["fromCache" if provenance.from_cache else "fromBackend"] += 1
        tally["stale"] += provenance.stale

    def of(self, kind: str, key: str) -> Provenance | None:
        return self.records.get((kind, key))

    def warn(self, code: str, message: str, **details: Any) -> None:
        entry = {"code": code, "message": message, **details}
        if entry not in self.warnings:
            self.warnings.append(entry)

    def summary(self, provider: str) -> dict[str, Any]:
        """Cache use and the oldest data served, for one provider."""
        found = [p for p in self.records.values() if p.provider == provider]
        if not found:
            return {}
        oldest = min(p.fetched_at for p in found)
        return {"fromCache": sum(p.from_cache for p in found),
                "fromBackend": sum(not p.from_cache for p in found),
                "stale": sum(p.stale for p in found),
                "maxAgeSeconds": round(time.time() - oldest, 3)}


_current: ContextVar[Freshness | None] = ContextVar("casegraph_freshness", default=None)


def bind(freshness: Freshness) -> None:
    _current.set(freshness)


def current() -> Freshness | None:
    return _current.get()
