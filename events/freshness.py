"""How fresh each source's feed is: polling cannot tell "nothing changed" from "the feed
stopped", so the gateway watches the silence itself.

`FeedFreshness` is the read-only view other parts use (subscriptions' heartbeats, `/readyz`,
`/metrics`):

- `ages() -> dict[str, float | None]`: per configured source, seconds since the newest event
  was received (by this process, on the injected clock's monotonic time); None before any.
- `stale() -> set[str]`: the sources silent longer than their `stale_after_seconds` (silence
  counts from the newest event, or from start when none has come).
- `lags() -> dict[str, int | None]`: per source, events the broker holds for this process
  not yet delivered or acked (as last measured; None where unknown).
- `expectations`: the configured silence allowed per source, in seconds.

The consumer records with `received(source)`; the checker calls `transitions()` and publishes
what it returns (one FEED_STALE when a source goes quiet, FEED_RESUMED when it speaks again).
"""

from __future__ import annotations

from collections.abc import Mapping

from events.hub import FeedNotice
from providers.clock import Clock

STALE, RESUMED = "FEED_STALE", "FEED_RESUMED"


class FeedFreshness:
    """Per-source newest-event times, measured lag and the stale set (see module docstring)."""

    def __init__(self, expectations: Mapping[str, float], clock: Clock) -> None:
        self.expectations = dict(expectations)
        self._clock = clock
        self._started = clock.monotonic()
        self._newest: dict[str, float] = {}
        self._lags: dict[str, int | None] = dict.fromkeys(self.expectations)
        self._stale: set[str] = set()

    def ages(self) -> dict[str, float | None]:
        now = self._clock.monotonic()
        return {source: (now - self._newest[source]) if source in self._newest else None
                for source in self.expectations}

    def stale(self) -> set[str]:
        return set(self._stale)

    def lags(self) -> dict[str, int | None]:
        return dict(self._lags)

    def received(self, source: str) -> FeedNotice | None:
        """Note an event from `source`; FEED_RESUMED when the source had been stale."""
        if source not in self.expectations:
            return None
        self._newest[source] = self._clock.monotonic()
        if source in self._stale:
            self._stale.discard(source)
            return FeedNotice(RESUMED, source, 0.0)
        return None

    def measured(self, source: str, lag: int | None) -> None:
        self._lags[source] = lag

    def transitions(self) -> list[FeedNotice]:
        """The FEED_STALE notices due now: once per source per silence."""
        now, notices = self._clock.monotonic(), []
        for source, allowed in self.expectations.items():
            silent_since = self._newest.get(source, self._started)
            if source not in self._stale and now - silent_since > allowed:
                self._stale.add(source)
                newest = self._newest.get(source)
                notices.append(FeedNotice(STALE, source,
                                          None if newest is None else now - newest))
        return notices
