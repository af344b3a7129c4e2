"""Where each value came from and how old it is, for the request being answered.

The gateway binds a `Freshness` per request; cached providers record into it, resolvers read
per-record provenance from it, and the response's extensions report it.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from providers.frozen import record


@record
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
    # (provider, kind) -> keys answered older than already served; reported per caller,
    # only for the records that caller received.
    regressed: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # (kind, key) -> (provider, record) withheld as regressed, judged per caller.
    withheld: dict[tuple[str, str], tuple[str, Any]] = field(default_factory=dict)

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

    def regression(self, provider: str, kind: str, keys: set[str]) -> None:
        self.regressed.setdefault((provider, kind), set()).update(keys)


_current: ContextVar[Freshness | None] = ContextVar("casegraph_freshness", default=None)


def bind(freshness: Freshness) -> None:
    _current.set(freshness)


def current() -> Freshness | None:
    return _current.get()
