"""Timeouts within the deadline, retries for transient failures, a breaker that opens."""

import asyncio
import time

import pytest

from providers import deadline
from providers.base import Page
from providers.breaker import Breaker
from providers.errors import BackendBadData, BackendTimeout, BackendUnavailable
from providers.resilient import ResilientProvider


class Flaky:
    """Fails the first `failures` calls with `error`, then answers; counts calls."""

    name, kinds = "flaky", frozenset({"offender"})

    def __init__(self, failures: int = 0, error: type[Exception] = BackendUnavailable,
                 delay: float = 0.0) -> None:
        self.failures, self.error, self.delay, self.calls = failures, error, delay, 0

    async def fetch(self, kind, keys):
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.calls <= self.failures:
            raise self.error(self.name, "simulated")
        return [f"record {k}" for k in keys]

    async def page(self, kind, criteria, offset, limit):
        return Page((), 0)

    async def aclose(self):
        pass


async def test_transient_failures_are_retried():
    inner = Flaky(failures=2)
    assert await ResilientProvider(inner, backoff_seconds=0.001).fetch("offender", ["a"]) == [
        "record a"]
    assert inner.calls == 3


async def test_bad_data_is_not_retried():
    inner = Flaky(failures=1, error=BackendBadData)
    with pytest.raises(BackendBadData):
        await ResilientProvider(inner, backoff_seconds=0.001).fetch("offender", ["a"])
    assert inner.calls == 1


async def test_a_slow_backend_times_out_as_backend_timeout():
    provider = ResilientProvider(Flaky(delay=1.0), timeout_seconds=0.05, attempts=1)
    with pytest.raises(BackendTimeout):
        await provider.fetch("offender", ["a"])


async def test_the_deadline_bounds_all_attempts_together():
    deadline.start(0.3)
    provider = ResilientProvider(Flaky(delay=1.0), timeout_seconds=5, attempts=5,
                                 backoff_seconds=0.001)
    started = time.monotonic()
    with pytest.raises(BackendTimeout):
        await provider.fetch("offender", ["a"])
    assert time.monotonic() - started < 0.6
    deadline.start(3600)


async def test_the_breaker_opens_then_probes_after_the_cooldown():
    inner = Flaky(failures=4)
    provider = ResilientProvider(inner, attempts=1, breaker=Breaker(threshold=2,
                                                                    cooldown_seconds=0.1))
    for _ in range(2):
        with pytest.raises(BackendUnavailable):
            await provider.fetch("offender", ["a"])
    assert provider.state == "circuit open"
    with pytest.raises(BackendUnavailable, match="circuit open"):
        await provider.fetch("offender", ["a"])
    assert inner.calls == 2  # the open circuit did not call the backend
    await asyncio.sleep(0.12)
    assert provider.state == "degraded"
    with pytest.raises(BackendUnavailable):
        await provider.fetch("offender", ["a"])  # the probe fails: open again
    assert provider.state == "circuit open"
    await asyncio.sleep(0.12)
    inner.failures = 0
    assert await provider.fetch("offender", ["a"]) == ["record a"]
    assert provider.state == "up"
