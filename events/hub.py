"""One process's fan-out from its broker consumer to its subscribers.

Each subscriber listens through its own bounded queue: a subscriber that cannot keep up is
cut off (told why, once) instead of growing memory, and never slows the others. Redelivered
events (the broker is at-least-once) are dropped here by `event_id`, so a subscriber sees
each change once however often the broker hands it over.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass

from events.envelope import DomainEvent

DEFAULT_QUEUE = 256
REMEMBERED_IDS = 10_000


class SlowConsumer(Exception):
    """Raised from a listener whose queue overflowed: it has already lost events."""


@dataclass(frozen=True, slots=True)
class FeedNotice:
    """Something about the feed rather than a person: e.g. a source silent too long
    (`code` FEED_STALE), or back (`FEED_RESUMED`). Carries no record."""

    code: str
    source: str
    age_seconds: float | None


Item = DomainEvent | FeedNotice


class Listener:
    """One subscriber's view of the hub: iterate it; close it when done."""

    def __init__(self, hub: Hub, max_queue: int) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[Item | None] = asyncio.Queue(max_queue)
        self.overflowed = False

    def offer(self, item: Item) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
            self._drain()
            self._queue.put_nowait(None)  # wakes the reader, which then raises SlowConsumer

    @property
    def pending(self) -> int:
        """Items queued and not yet read (a reader takes them before its own timers)."""
        return self._queue.qsize()

    def _drain(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()

    def __aiter__(self) -> AsyncIterator[Item]:
        return self._items()

    async def _items(self) -> AsyncIterator[Item]:
        try:
            while True:
                item = await self._queue.get()
                if item is None:
                    if self.overflowed:
                        raise SlowConsumer("subscriber fell behind the feed")
                    return
                yield item
        finally:
            self.close()

    def close(self) -> None:
        self._hub._listeners.discard(self)


class Hub:
    """Publish once, offered to every listener; duplicates (same `event_id`) dropped."""

    def __init__(self) -> None:
        self._listeners: set[Listener] = set()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self.published = 0
        self.duplicates = 0
        self.dropped_listeners = 0

    def listen(self, max_queue: int = DEFAULT_QUEUE) -> Listener:
        listener = Listener(self, max_queue)
        self._listeners.add(listener)
        return listener

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    def publish(self, item: Item) -> bool:
        """Offer `item` to every listener; False when it was a duplicate and dropped."""
        if isinstance(item, DomainEvent) and item.event_id:
            if item.event_id in self._seen:
                self.duplicates += 1
                return False
            self._seen[item.event_id] = None
            if len(self._seen) > REMEMBERED_IDS:
                self._seen.popitem(last=False)
        self.published += 1
        for listener in list(self._listeners):
            listener.offer(item)
            if listener.overflowed:
                self.dropped_listeners += 1
                listener.close()
        return True

    def close(self) -> None:
        """End every listener's iteration (shutdown)."""
        for listener in list(self._listeners):
            try:
                listener._queue.put_nowait(None)
            except asyncio.QueueFull:
                listener._drain()
                listener._queue.put_nowait(None)
            listener.close()
