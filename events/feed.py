"""A gateway process's events in, as the app wires them: the hub every subscription reads,
the feed's freshness, and (with `[events] enabled`) the broker consumer that fills the hub,
its `/readyz` entry and its `/metrics` gauges.

A stale source does not make `/readyz` degraded: every process would be taken out of service
for a silence upstream that none of them can fix. It is reported there, in `/metrics` and to
subscribers (FEED_STALE) instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from events.broker import Broker, open_broker
from events.consumer import EventConsumer
from events.envelope import DomainEvent
from events.freshness import FeedFreshness
from events.hub import Hub
from events.settings import EventsSettings
from providers.clock import Clock

OUTCOMES = ("accepted", "duplicate", "bad")


class EventFeed:
    """The hub, its freshness and, when enabled, the consumer feeding it."""

    def __init__(self, settings: EventsSettings, clock: Clock,
                 broker: Broker | None = None,
                 on_change: Callable[[DomainEvent], Awaitable[None]] | None = None) -> None:
        self.settings = settings
        self.hub = Hub()
        sources = settings.stale_after_seconds if settings.enabled else {}
        self.freshness = FeedFreshness(sources, clock)
        self.consumer: EventConsumer | None = None
        if settings.enabled:
            self.consumer = EventConsumer(broker or open_broker(settings), self.hub,
                                          self.freshness, sources, clock,
                                          settings.check_seconds, on_change)

    def start(self) -> None:
        if self.consumer is not None:
            self.consumer.start()

    async def aclose(self) -> None:
        self.hub.close()
        if self.consumer is not None:
            await self.consumer.aclose()

    def readiness(self) -> dict[str, Any]:
        """`/readyz`'s `events` entry: per source the newest event's age, lag and state."""
        if self.consumer is None:
            return {"enabled": False}
        ages, lags, stale = self.freshness.ages(), self.freshness.lags(), self.freshness.stale()
        counts = self.consumer.counts
        return {"enabled": True, "broker": self.settings.broker,
                "consumer": self.settings.consumer,
                "sources": {source: {
                    "state": "stale" if source in stale else "ok",
                    "connected": self.consumer.connected[source],
                    "newest_event_age_seconds": None if ages[source] is None
                    else round(ages[source] or 0.0, 3),
                    "stale_after_seconds": allowed, "lag": lags[source],
                    "bad_envelopes": counts[(source, "bad")]}
                    for source, allowed in self.freshness.expectations.items()}}

    def gauges(self, telemetry: Any) -> None:
        """Age, lag, staleness and envelopes by outcome, per source, read at each scrape."""
        if self.consumer is None:
            return
        consumer, freshness = self.consumer, self.freshness
        telemetry.gauge("casegraph.events.newest_age_seconds",
                        "Seconds since the newest event from each source (absent before one)",
                        lambda: [(age, {"source": s}) for s, age in freshness.ages().items()
                                 if age is not None])
        telemetry.gauge("casegraph.events.lag",
                        "Events the broker holds for this process, not yet delivered or acked",
                        lambda: [(float(lag), {"source": s}) for s, lag in
                                 freshness.lags().items() if lag is not None])
        telemetry.gauge("casegraph.events.stale",
                        "1 while a source has been silent longer than expected",
                        lambda: [(float(s in freshness.stale()), {"source": s})
                                 for s in freshness.expectations])
        telemetry.gauge("casegraph.events.envelopes",
                        "Envelopes consumed since start, by source and outcome",
                        lambda: [(float(consumer.counts[(s, o)]), {"source": s, "outcome": o})
                                 for s in consumer.sources for o in OUTCOMES])
