"""Admission control: a bounded number of operations in flight, a bounded queue, then 503.

Past its capacity a process that keeps accepting work gets slower for everyone: every
request holds memory while it waits for a core, and latency grows with the queue. Here at
most `max_in_flight` requests to /graphql run at once; up to `queue` more wait, first come
first served, for at most `queue_seconds`; anything beyond is answered at once with HTTP 503
`OVERLOADED` and `Retry-After`, before the body is read or the token checked, so a refusal
costs almost nothing. Refusals are counted (`casegraph.admission.rejected`, by reason).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.responses import error_body


@dataclass(frozen=True)
class AdmissionSettings:
    max_in_flight: int = 8  # per process; 0 turns admission control off
    queue: int = 32  # requests waiting for a slot
    queue_seconds: float = 1.0  # how long one may wait before it is refused
    # A refused client that waits 2 s rather than 1 costs the process half the refusals.
    retry_after_seconds: int = 2


class Admission:
    """ASGI middleware around the GraphQL endpoint: run, queue or refuse."""

    def __init__(self, app: ASGIApp, settings: AdmissionSettings,
                 rejected: Callable[[str], None] | None = None) -> None:
        self.app = app
        self.settings = settings
        self.in_flight = 0
        self.waiting: deque[asyncio.Future[None]] = deque()
        self._rejected = rejected or (lambda _reason: None)
        self.refusals = {"queue_full": 0, "queue_timeout": 0}
        self._body = orjson.dumps(error_body(
            "The gateway is at capacity; retry after the time in Retry-After", "OVERLOADED"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.settings.max_in_flight <= 0:
            await self.app(scope, receive, send)
            return
        reason = await self._admit()
        if reason is not None:
            await self._refuse(reason, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._release()

    async def _admit(self) -> str | None:
        """None once a slot is held; else why the request is refused."""
        if self.in_flight < self.settings.max_in_flight and not self.waiting:
            self.in_flight += 1
            return None
        if len(self.waiting) >= self.settings.queue:
            return "queue_full"
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append(turn)
        try:
            async with asyncio.timeout(self.settings.queue_seconds):
                await turn  # `_release` hands its slot over by completing this future
            return None
        except TimeoutError:
            if turn.done() and not turn.cancelled():  # the slot came as time ran out
                self._release()
            else:
                self._forget(turn)
            return "queue_timeout"
        except BaseException:  # the client went away while waiting
            if turn.done() and not turn.cancelled():
                self._release()
            else:
                self._forget(turn)
            raise

    def _forget(self, turn: asyncio.Future[None]) -> None:
        turn.cancel()
        with contextlib.suppress(ValueError):
            self.waiting.remove(turn)

    def _release(self) -> None:
        """Hand the slot to the longest waiter, or free it."""
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.in_flight -= 1

    async def _refuse(self, reason: str, send: Send) -> None:
        self.refusals[reason] += 1
        self._rejected(reason)
        retry = str(self.settings.retry_after_seconds).encode()
        await send({"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", b"application/json"), (b"retry-after", retry),
            (b"content-length", str(len(self._body)).encode())]})
        await send({"type": "http.response.body", "body": self._body})
