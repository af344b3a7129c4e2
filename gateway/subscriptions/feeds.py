"""Each source's newest event and whether it is stale, as this process's hub has seen them.

Read by heartbeats. The age is of the newest `occurredAt` a source published (events arrive
out of order: the newest, not the last). Staleness is the feed monitor's verdict, taken
from the `FeedNotice`s it publishes on the hub (FEED_STALE until FEED_RESUMED).
"""

from __future__ import annotations

import asyncio
import contextlib
import math

from events.envelope import DomainEvent
from events.hub import FeedNotice, Hub, SlowConsumer
from providers.clock import Clock

QUEUE = 4096


class FeedAges:
    """Listens to the hub for the process's lifetime (started with the first subscriber)."""

    def __init__(self, hub: Hub, clock: Clock) -> None:
        self._hub = hub
        self._clock = clock
        self.newest: dict[str, float] = {}
        self.stale: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._follow())

    async def _follow(self) -> None:
        while True:
            listener = self._hub.listen(QUEUE)
            with contextlib.suppress(SlowConsumer):  # fell behind: listen again
                async for item in listener:
                    self.saw(item)
                return  # the hub closed

    def saw(self, item: DomainEvent | FeedNotice) -> None:
        if isinstance(item, DomainEvent):
            at = item.occurred_at.timestamp()
            if at > self.newest.get(item.source, -math.inf):
                self.newest[item.source] = at
        elif item.code == "FEED_STALE":
            self.stale.add(item.source)
        elif item.code == "FEED_RESUMED":
            self.stale.discard(item.source)

    def ages(self, granularity: float) -> list[tuple[str, float | None, bool]]:
        """(source, age in whole `granularity` steps, stale) for every source seen, by name."""
        now = self._clock.time()
        sources = sorted(set(self.newest) | self.stale)
        found = []
        for source in sources:
            newest = self.newest.get(source)
            age = None if newest is None else max(0.0, now - newest)
            if age is not None and granularity > 0:
                age = math.floor(age / granularity) * granularity
            found.append((source, age, source in self.stale))
        return found

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
