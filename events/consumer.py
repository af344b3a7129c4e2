"""One process's consumer: every configured source's events from the broker into its hub.

One task per source: subscribe (retried with exponential backoff on the injected clock while
the broker is unreachable), then for each delivery parse the envelope, hand the event to the
hub and ack it. An envelope that does not parse is counted, logged without its content and
acked (a poison message redelivered for ever would stop the feed behind it); nothing in a
delivery can end the task. Acking after the hand-over makes delivery at-least-once; the hub
drops the duplicates that follow a redelivery.

A checker task wakes every `check_seconds` on the same clock, measures the broker's lag per
source and publishes the FEED_STALE notices that `FeedFreshness.transitions` says are due.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from events.broker import Broker, BrokerError, Delivery
from events.envelope import BadEvent, DomainEvent
from events.freshness import FeedFreshness
from events.hub import Hub
from providers.clock import Clock

log = logging.getLogger("casegraph.events")
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 30.0


class EventConsumer:
    """Broker to hub for `sources`; `counts[(source, outcome)]` with outcome accepted,
    duplicate or bad; `ready` is set once every source has been subscribed."""

    def __init__(self, broker: Broker, hub: Hub, freshness: FeedFreshness,
                 sources: Iterable[str], clock: Clock, check_seconds: float,
                 on_change: Callable[[DomainEvent], Awaitable[None]] | None = None) -> None:
        self.broker, self.hub, self.freshness = broker, hub, freshness
        self.on_change = on_change  # before the hub: what a subscriber re-reads is new
        self.sources = tuple(sources)
        self.clock, self.check_seconds = clock, check_seconds
        self.counts: Counter[tuple[str, str]] = Counter()
        self.connected: dict[str, bool] = dict.fromkeys(self.sources, False)
        self.ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._consume(s), name=f"events-{s}")
                       for s in self.sources]
        self._tasks.append(asyncio.create_task(self._check(), name="events-freshness"))

    async def aclose(self) -> None:
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        # Closing the broker also ends a read that a client library carried on with after the
        # cancellation (redis-py can swallow one that lands as a blocking read returns).
        await self.broker.aclose()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _consume(self, source: str) -> None:
        while not self._stopping:
            try:
                deliveries = await self._subscribe(source)
                async for delivery in deliveries:
                    await self.handle(delivery)
            except BrokerError as exc:
                if self._stopping:
                    return
                log.warning("events from %s: connection lost (%s)", source, exc)
            except Exception:  # a client library's surprise must not end the feed
                log.exception("events from %s: consumer failed; resubscribing", source)
            self.connected[source] = False
            if not self._stopping:
                await self.clock.sleep(BACKOFF_FIRST)

    async def _subscribe(self, source: str) -> AsyncIterator[Delivery]:
        retrying = AsyncRetrying(retry=retry_if_exception_type(BrokerError),
                                 wait=wait_exponential(multiplier=BACKOFF_FIRST,
                                                       max=BACKOFF_MAX),
                                 sleep=self.clock.sleep, before_sleep=_log_retry)
        deliveries: AsyncIterator[Delivery] | None = None
        async for attempt in retrying:
            with attempt:
                deliveries = await self.broker.subscribe(source)
        assert deliveries is not None  # the retrying loop ends only with a subscription
        self.connected[source] = True
        await self._measure(source)
        if all(self.connected.values()):
            self.ready.set()
        return deliveries

    async def handle(self, delivery: Delivery) -> None:
        """Parse, publish, ack: a bad envelope is counted and acked, never raised."""
        try:
            event = DomainEvent.from_json(delivery.data, delivery.source)
        except BadEvent as exc:
            self.counts[(delivery.source, "bad")] += 1
            log.warning("events from %s: envelope dropped (%s)", delivery.source, exc)
        else:
            if (resumed := self.freshness.received(delivery.source)) is not None:
                self.hub.publish(resumed)
            if self.on_change is not None:
                await self.on_change(event)
            accepted = self.hub.publish(event)
            self.counts[(delivery.source, "accepted" if accepted else "duplicate")] += 1
        await delivery.ack()

    async def _measure(self, source: str) -> None:
        try:
            lag = await self.broker.lag(source)
        except BrokerError:
            lag = None
        self.freshness.measured(source, lag)

    async def _check(self) -> None:
        while True:
            await self.clock.sleep(self.check_seconds)
            try:
                await self.check()
            except Exception:  # the watch on the feed must outlive any one check
                log.exception("events: freshness check failed")

    async def check(self) -> None:
        """Measure lag per source, then publish the FEED_STALE notices now due."""
        for source in self.sources:
            await self._measure(source)
        for notice in self.freshness.transitions():
            self.hub.publish(notice)


def _log_retry(state: object) -> None:
    log.warning("events: broker unreachable, retrying (%s)",
                getattr(getattr(state, "outcome", None), "exception", lambda: None)())
