"""The broker on Redis Streams: one stream key per source (`<subject_prefix>.<source>`),
trimmed to the retention period as events are added, and one consumer group per process.

A consumer group is a durable cursor: after a dropped connection the group first hands back
what it delivered but never saw acked (the pending list, read from id 0), then what is new.
A group created for a new process starts at the stream's end, as a JetStream consumer does.
The default group name holds the host and pid, so every process start makes a group; a group
whose reader has not read for `GROUP_IDLE_SECONDS` (a process gone) is removed by the next
process that subscribes, as JetStream deletes a durable idle that long.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from events.broker import BrokerError, Delivery
from events.settings import EventsSettings

READ_BATCH = 64
BLOCK_MS = 1000
POOL_SIZE, POOL_WAIT_SECONDS = 32, 5.0
MEMBER = "gateway"  # one reader per group: the group itself is the process's cursor
GROUP_IDLE_SECONDS = 3600.0  # as `events.nats_broker.DURABLE_IDLE_SECONDS`
log = logging.getLogger("casegraph.events")


class RedisStreams:
    """`events.broker.Broker` over Redis Streams."""

    def __init__(self, settings: EventsSettings) -> None:
        self.settings = settings
        # A burst of publishes waits for a connection rather than failing (redis-py's default
        # pool refuses past its size).
        pool = aioredis.BlockingConnectionPool.from_url(
            settings.url, socket_connect_timeout=2, max_connections=POOL_SIZE,
            timeout=POOL_WAIT_SECONDS)
        self._redis: Any = aioredis.Redis.from_pool(pool)
        self._closed = False

    async def publish(self, source: str, envelope: bytes) -> None:
        oldest = int((time.time() - self.settings.retention_seconds) * 1000)
        try:
            await self._redis.xadd(self.settings.subject(source), {"envelope": envelope},
                                   minid=str(oldest), approximate=False)
        except (RedisError, OSError) as exc:
            raise BrokerError(f"publish to Redis: {exc!r}") from None

    async def subscribe(self, source: str) -> AsyncIterator[Delivery]:
        key, group = self.settings.subject(source), self.settings.consumer
        try:
            await self._redis.xgroup_create(key, group, id="$", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise BrokerError(f"Redis group for {source}: {exc!r}") from None
        except (RedisError, OSError) as exc:
            raise BrokerError(f"Redis group for {source}: {exc!r}") from None
        try:  # the reader exists from the start: a group with none is never taken as gone
            await self._redis.xgroup_createconsumer(key, group, MEMBER)
        except (RedisError, OSError) as exc:
            raise BrokerError(f"Redis group for {source}: {exc!r}") from None
        await self._remove_abandoned(key, group)
        return self._deliveries(source, key, group)

    async def _remove_abandoned(self, key: str, own: str) -> None:
        """Other processes' groups whose readers have all been idle for an hour. A live reader
        blocks for at most `BLOCK_MS` between reads, so its idle time stays near a second; a
        group with no reader yet is left alone (its process may be about to read)."""
        idle_ms = GROUP_IDLE_SECONDS * 1000
        try:
            for info in await self._redis.xinfo_groups(key):
                name = _text(info.get("name"))
                if name == own:
                    continue
                readers = await self._redis.xinfo_consumers(key, name)
                if readers and all(int(r.get("idle") or 0) >= idle_ms for r in readers):
                    await self._redis.xgroup_destroy(key, name)
                    log.info("removed the abandoned event group %s of %s", name, key)
        except (RedisError, OSError) as exc:  # housekeeping: the next subscriber tries again
            log.warning("could not check %s for abandoned groups: %r", key, exc)

    async def _deliveries(self, source: str, key: str, group: str) -> AsyncIterator[Delivery]:
        cursor = "0"  # first the pending list (delivered before, never acked), then new
        while not self._closed:
            try:
                answer = await self._redis.xreadgroup(group, MEMBER, {key: cursor},
                                                      count=READ_BATCH, block=BLOCK_MS)
            except (RedisError, OSError) as exc:
                raise BrokerError(f"Redis read for {source}: {exc!r}") from None
            entries = answer[0][1] if answer else []
            if cursor == "0" and not entries:
                cursor = ">"
            elif not entries:  # Redis before 7.2 does not count a read that timed out as
                await self._seen(source, key, group)  # the reader's: one that returns does
            for entry_id, fields in entries:
                if cursor == "0" and not fields:  # pending, but trimmed away meanwhile
                    await self._ack(key, group, entry_id)
                    continue
                yield Delivery(source, fields.get(b"envelope", b""),
                               partial(self._ack, key, group, entry_id))

    async def _seen(self, source: str, key: str, group: str) -> None:
        """Keep the reader's idle time near zero while no events come (see
        `_remove_abandoned`): reading the pending list returns at once."""
        try:
            await self._redis.xreadgroup(group, MEMBER, {key: "0"}, count=1)
        except (RedisError, OSError) as exc:
            raise BrokerError(f"Redis read for {source}: {exc!r}") from None

    async def _ack(self, key: str, group: str, entry_id: bytes) -> None:
        try:
            await self._redis.xack(key, group, entry_id)
        except (RedisError, OSError) as exc:
            raise BrokerError(f"Redis ack: {exc!r}") from None

    async def lag(self, source: str) -> int | None:
        try:
            groups = await self._redis.xinfo_groups(self.settings.subject(source))
        except (RedisError, OSError):
            return None
        for info in groups:
            if _text(info.get("name")) == self.settings.consumer:
                lag = info.get("lag")
                return int(lag or 0) + int(info.get("pending") or 0)
        return None

    async def aclose(self) -> None:
        self._closed = True
        await self._redis.aclose()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
