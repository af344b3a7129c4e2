"""The regression guard: notice a backend answering with data older than already served.

The lesson of an old data file restored into a live system. Per record the guard remembers
what cannot go backwards (`providers.signals`: booking ids, recorded releases, the latest
movement, sentence calculations replaced, `Last-Modified` and `ETag`); an answer behind that
is flagged (a DATA_REGRESSION warning, a log line, a counter) and, when configured, withheld.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from providers import freshness, signals
from providers.base import Page, Provider, pager
from providers.cache import Cache

log = logging.getLogger("casegraph.regression")
REMEMBER_SECONDS = 90 * 24 * 3600
REGRESSIONS: Counter[str] = Counter()  # by provider: exported as a metric


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
        seen = {k: m for k, r in zip(keys, found, strict=True)
                if (m := signals.observe(kind, r)) is not None}
        if not seen:
            return found
        names = {k: f"hwm:{self.name}:{kind}:{k}" for k in seen}
        before = dict(zip(seen, await self.marks.get_many(list(names.values())), strict=True))
        regressed = {k: why for k, now in seen.items()
                     if (mark := before[k]) and (why := signals.reasons(mark, now))}
        await self.marks.set_many([(names[k], signals.merged(before[k], now))
                                   for k, now in seen.items() if k not in regressed],
                                  ttl=REMEMBER_SECONDS)
        if regressed:
            self._flag(kind, sorted(regressed), sorted({r for w in regressed.values()
                                                        for r in w}))
            if self.withhold:
                self._withhold(kind, {k: r for k, r in zip(keys, found, strict=True)
                                      if k in regressed})
                found = [None if k in regressed else r for k, r in zip(keys, found, strict=True)]
        return found

    def _flag(self, kind: str, regressed_keys: Sequence[str], signs: Sequence[str] = ()) -> None:
        """The one place a regression is reported: counted and logged (the keys never: they
        identify people), and routed per record, so the response warns only a caller who
        received one of these records (a withheld record reaches nobody)."""
        REGRESSIONS[self.name] += len(regressed_keys)
        log.warning("data regression: %s answered %d %s record(s) older than already served "
                    "(%s)", self.name, len(regressed_keys), kind, ", ".join(signs))
        current = freshness.current()
        if current is not None and not self.withhold:
            current.regression(self.name, kind, set(regressed_keys))

    def _withhold(self, kind: str, records: dict[str, Any]) -> None:
        """Keep the withheld records aside for this request: the row judge warns a caller
        who would have received one, and nobody else."""
        current = freshness.current()
        if current is not None:
            for key, record in records.items():
                current.withheld[(kind, key)] = (self.name, record)

    async def page(self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
                   ) -> Page:
        return await pager(self.inner).page(kind, criteria, offset, limit)

    @property
    def state(self) -> str:
        return getattr(self.inner, "state", "up")

    async def aclose(self) -> None:
        await self.inner.aclose()
