"""The broker on NATS JetStream: one stream over `<subject_prefix>.>`, created if missing, and
a durable pull consumer per (process, source), acked explicitly.

A durable consumer keeps its place across a dropped connection, so what was published while
the link was down is delivered after it, and anything delivered but not acked is delivered
again. It starts at the events published after it was created (a new process has no
subscribers waiting for older changes), and the server deletes it after an hour without a
pull, so the consumers of processes that died do not pile up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import nats
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig
from nats.js.errors import NotFoundError

from events.broker import BrokerError, Delivery
from events.settings import EventsSettings

log = logging.getLogger("casegraph.events")
FETCH_BATCH = 64
FETCH_WAIT_SECONDS = 1.0  # a pull outstanding this long, then another (the loop stays live)
ACK_WAIT_SECONDS = 30.0
DURABLE_IDLE_SECONDS = 3600.0


class JetStream:
    """`events.broker.Broker` over NATS JetStream."""

    def __init__(self, settings: EventsSettings) -> None:
        self.settings = settings
        self._nc: Any = None
        self._js: Any = None
        self._lock = asyncio.Lock()

    async def _jetstream(self) -> Any:
        async with self._lock:
            if self._nc is None or self._nc.is_closed:
                try:
                    # Reconnecting is the consumer's (with backoff, on its clock): a lost
                    # connection closes, and the next call connects afresh. (nats-py retries
                    # a first connection for ever unless attempts are bounded above 0.)
                    self._nc = await nats.connect(self.settings.url, connect_timeout=2,
                                                  allow_reconnect=False,
                                                  max_reconnect_attempts=1,
                                                  reconnect_time_wait=0.1,
                                                  error_cb=_log_error)
                    self._js = self._nc.jetstream()
                    await self._ensure_stream()
                except (NatsError, OSError) as exc:
                    await self._drop()
                    raise BrokerError(f"NATS at {self.settings.url}: {exc!r}") from None
            return self._js

    async def _ensure_stream(self) -> None:
        try:
            await self._js.stream_info(self.settings.stream)
        except NotFoundError:
            await self._js.add_stream(StreamConfig(
                name=self.settings.stream, subjects=[f"{self.settings.subject_prefix}.>"],
                max_age=self.settings.retention_seconds))

    async def publish(self, source: str, envelope: bytes) -> None:
        js = await self._jetstream()
        try:
            await js.publish(self.settings.subject(source), envelope, stream=self.settings.stream)
        except (NatsError, OSError) as exc:
            raise BrokerError(f"publish to NATS: {exc!r}") from None

    def durable(self, source: str) -> str:
        return f"{self.settings.consumer}-{source}"

    async def subscribe(self, source: str) -> AsyncIterator[Delivery]:
        js = await self._jetstream()
        config = ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.NEW,
                                ack_wait=ACK_WAIT_SECONDS,
                                inactive_threshold=DURABLE_IDLE_SECONDS)
        try:
            sub = await js.pull_subscribe(self.settings.subject(source),
                                          durable=self.durable(source),
                                          stream=self.settings.stream, config=config)
        except (NatsError, OSError) as exc:
            raise BrokerError(f"NATS consumer for {source}: {exc!r}") from None
        return self._deliveries(source, sub)

    async def _deliveries(self, source: str, sub: Any) -> AsyncIterator[Delivery]:
        try:
            while True:
                try:
                    messages = await sub.fetch(FETCH_BATCH, timeout=FETCH_WAIT_SECONDS)
                except NatsTimeout:
                    continue
                except (NatsError, OSError) as exc:
                    raise BrokerError(f"NATS fetch for {source}: {exc!r}") from None
                for message in messages:
                    yield Delivery(source, message.data, message.ack)
        finally:
            with contextlib.suppress(NatsError, OSError):
                await sub.unsubscribe()

    async def lag(self, source: str) -> int | None:
        js = await self._jetstream()
        try:
            info = await js.consumer_info(self.settings.stream, self.durable(source))
        except (NatsError, OSError):
            return None
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)

    async def aclose(self) -> None:
        async with self._lock:
            await self._drop()

    async def _drop(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None and not nc.is_closed:
            with contextlib.suppress(NatsError, OSError):
                await nc.close()


async def _log_error(exc: Exception) -> None:
    log.warning("NATS connection: %r", exc)
