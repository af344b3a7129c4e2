"""The bounded queue between responses and the audit sink.

The response path only enqueues (no I/O). A writer task drains the queue in batches. When the
sink fails, every failure is logged as an error and retried with backoff, and the trail reports
`failing`; once the queue is full, `record` returns False and the gateway withholds personal
data rather than serve it unrecorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.audit.sinks import AuditSink, FileSink, PostgresSink
from providers.clock import SYSTEM, Clock

log = logging.getLogger("casegraph.audit")
BATCH = 200
# How long the writer waits after an event for others to share its write and fsync (group
# commit). Nobody waits on it: the response path only enqueues. Under load, an append and an
# fsync per request cost more than the request (measured: warm caseload, two processes, 255
# -> 303 requests/s); an event is on disk within about this long of its answer.
LINGER_SECONDS = 0.02


@dataclass(frozen=True)
class AuditSettings:
    sink: str = "file"  # file | postgres | none
    path: Path = Path("var/audit/audit.jsonl")
    dsn: str | None = None
    queue: int = 10_000


def open_trail(settings: AuditSettings, clock: Clock = SYSTEM) -> AuditTrail | None:
    if settings.sink == "none":
        return None
    sink = PostgresSink(str(settings.dsn)) if settings.sink == "postgres" \
        else FileSink(settings.path)
    return AuditTrail(sink, capacity=settings.queue, clock=clock)


class AuditTrail:
    def __init__(self, sink: AuditSink, capacity: int = 10_000,
                 retry_seconds: tuple[float, float] = (0.2, 5.0), clock: Clock = SYSTEM) -> None:
        self.sink = sink
        self.clock = clock
        self.capacity = capacity
        self.retry_seconds = retry_seconds
        self.written = 0
        self.failures = 0
        self.refused = 0
        self.failing = False
        self._queue: asyncio.Queue[dict[str, Any]] | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def state(self) -> str:
        if self._queue is not None and self._queue.full():
            return "full"
        return "failing" if self.failing else "ok"

    def record(self, event: dict[str, Any]) -> bool:
        """Queue one event; False when the queue is full (the sink has been failing)."""
        if self._queue is None:  # created on first use, inside the serving event loop
            self._queue = asyncio.Queue(self.capacity)
            self._task = asyncio.get_running_loop().create_task(self._drain())
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.refused += 1
            log.error("audit queue full (%d): personal data withheld", self.capacity)
            return False
        return True

    async def flush(self) -> None:
        """Wait until every queued event is written (tests, shutdown)."""
        if self._queue is not None:
            await self._queue.join()

    async def aclose(self, timeout: float = 5.0) -> None:
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.flush(), timeout)
            if self._queue is not None and (waiting := self._queue.qsize()):
                log.error("audit: %d events could not be written before shutdown", waiting)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.sink.aclose()

    async def _drain(self) -> None:
        assert self._queue is not None
        while True:
            batch = [await self._queue.get()]
            await self.clock.sleep(LINGER_SECONDS)  # group commit: one append and fsync for all
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._write(batch)
            for _ in batch:
                self._queue.task_done()

    async def _write(self, batch: list[dict[str, Any]]) -> None:
        delay = self.retry_seconds[0]
        while True:
            try:
                await self.sink.append(batch)
            except Exception as exc:  # any sink failure: loud, retried, never dropped
                self.failures += 1
                self.failing = True
                log.error("audit sink failed (%s); %d events waiting", type(exc).__name__,
                          len(batch) + (self._queue.qsize() if self._queue else 0))
                await self.clock.sleep(delay)
                delay = min(delay * 2, self.retry_seconds[1])
                continue
            self.written += len(batch)
            self.failing = False
            return
