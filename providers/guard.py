"""The regression guard: notice a backend answering with data older than already served.

The lesson of an old data file restored into a live system: per record, remember the newest
last-modified time served; an answer older than that is flagged (a DATA_REGRESSION warning
in the response, a log line, a counter) and, when configured, withheld.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from providers import freshness
from providers.base import Page, Provider
from providers.cache import Cache

log = logging.getLogger("casegraph.regression")
REMEMBER_SECONDS = 90 * 24 * 3600
REGRESSIONS: Counter[str] = Counter()  # by provider: exported as a metric


def _stamp(record: Any) -> datetime | None:
    if isinstance(record, tuple):
        stamps = [s for r in record if (s := _stamp(r)) is not None]
        return max(stamps) if stamps else None
    return getattr(record, "updated_at", None)


class RegressionGuard:
    """Wraps a provider; `withhold=True` answers None for a regressed record."""

    def __init__(self, inner: Provider, marks: Cache, *, withhold: bool = False) -> None:
        self.inner = inner
        self.name = inner.name
        self.kinds = inner.kinds
        self.marks = marks
        self.withhold = withhold

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        found = list(await self.inner.fetch(kind, keys))
        stamps = {k: s for k, r in zip(keys, found, strict=True) if (s := _stamp(r))}
        if not stamps:
            return found
        names = [f"hwm:{self.name}:{kind}:{k}" for k in stamps]
        marks = dict(zip(stamps, await self.marks.get_many(names), strict=True))
        newer = [(f"hwm:{self.name}:{kind}:{k}", s) for k, s in stamps.items()
                 if (mark := marks[k]) is None or s > mark]
        await self.marks.set_many(newer, ttl=REMEMBER_SECONDS)
        regressed = {k for k, s in stamps.items() if (mark := marks[k]) is not None and s < mark}
        if regressed:
            self._flag(kind, regressed)
            if self.withhold:
                self._withhold(kind, {k: r for k, r in zip(keys, found, strict=True)
                                      if k in regressed})
                found = [None if k in regressed else r for k, r in zip(keys, found, strict=True)]
        return found

    def _withhold(self, kind: str, records: dict[str, Any]) -> None:
        """Keep the withheld records aside for this request: the row judge warns a caller
        who would have received one, and nobody else."""
        current = freshness.current()
        if current is not None:
            for key, record in records.items():
                current.withheld[(kind, key)] = (self.name, record)

    def _flag(self, kind: str, keys: set[str]) -> None:
        """Count and log the regression; the response warns only a caller who received one
        of these records (a withheld record reaches nobody)."""
        REGRESSIONS[self.name] += len(keys)
        log.warning("data regression: %s answered %d %s record(s) older than already served",
                    self.name, len(keys), kind)
        current = freshness.current()
        if current is not None and not self.withhold:
            current.regression(self.name, kind, keys)

    async def page(self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
                   ) -> Page:
        return await self.inner.page(kind, criteria, offset, limit)

    @property
    def state(self) -> str:
        return getattr(self.inner, "state", "up")

    async def aclose(self) -> None:
        await self.inner.aclose()
