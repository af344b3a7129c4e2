"""Resilience around a provider: deadline-bounded timeouts, retries with jittered backoff for
reads (every provider call is a read), a circuit breaker, and bounded concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from providers import deadline
from providers.base import Page, Provider, pager
from providers.breaker import Breaker
from providers.clock import SYSTEM, Clock
from providers.errors import BackendTimeout, BackendUnavailable, CircuitOpen

T = TypeVar("T")
RETRYABLE = (BackendUnavailable, BackendTimeout)


class ResilientProvider:
    """Wraps any provider; its own errors stay ours, and an open circuit answers at once
    (CircuitOpen is never retried, so never waits out a backoff)."""

    def __init__(self, inner: Provider, *, timeout_seconds: float = 5.0, attempts: int = 3,
                 backoff_seconds: float = 0.05, concurrency: int = 20,
                 breaker: Breaker | None = None, clock: Clock = SYSTEM) -> None:
        self.inner = inner
        self.name = inner.name
        self.kinds = inner.kinds
        self.timeout = timeout_seconds
        self.attempts = attempts
        self.backoff = backoff_seconds
        self.breaker = breaker or Breaker(clock=clock)
        self.clock = clock
        self._slots = asyncio.Semaphore(concurrency)

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        return await self._call(lambda: self.inner.fetch(kind, keys), (kind, tuple(keys)))

    async def page(self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
                   ) -> Page:
        request = (kind, sorted(criteria.items()), offset, limit)
        inner = pager(self.inner)
        return await self._call(lambda: inner.page(kind, criteria, offset, limit), request)

    async def _call(self, call: Callable[[], Awaitable[T]], request: object) -> T:
        budget = deadline.remaining(self.timeout * self.attempts)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts) | stop_after_delay(budget),
            wait=wait_random_exponential(multiplier=self.backoff, max=1.0),
            retry=retry_if_exception(_retryable), reraise=True, sleep=self.clock.sleep)
        async for attempt in retrying:
            with attempt:
                return await self._once(call, request)
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    async def _once(self, call: Callable[[], Awaitable[T]], request: object) -> T:
        if not self.breaker.allow():
            raise CircuitOpen(self.name, "circuit open: not calling a failing backend")
        seconds = deadline.remaining(self.timeout)
        if seconds <= 0:
            self.breaker.release()
            raise BackendTimeout(self.name, "the query's deadline has passed")
        try:
            async with self._slots, asyncio.timeout(seconds):
                result = await call()
        except TimeoutError as exc:
            self.breaker.failed()
            raise BackendTimeout(self.name, f"no answer within {seconds:.2f} s") from exc
        except RETRYABLE as exc:
            suspect = isinstance(exc, BackendUnavailable) and exc.input_suspect
            self.breaker.failed(hash(repr(request)) if suspect else None)
            raise
        except BaseException:
            self.breaker.release()  # bad data or cancellation: the backend did answer
            raise
        self.breaker.succeeded()
        return result

    @property
    def state(self) -> str:
        return {"closed": "up", "half-open": "degraded", "open": "circuit open"}[
            self.breaker.state]

    async def aclose(self) -> None:
        await self.inner.aclose()


def _retryable(error: BaseException) -> bool:
    return isinstance(error, RETRYABLE) and not isinstance(error, CircuitOpen)
