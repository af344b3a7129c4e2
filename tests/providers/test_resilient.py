"""Timeouts within the deadline, retries for transient failures, a breaker that opens.

Time is a `FakeClock` wherever the outcome depends on it; the two timeout tests wait on a
backend that never answers, so their outcome does not depend on how long anything takes."""

import asyncio

import pytest

from providers import deadline
from providers.base import Page
from providers.breaker import Breaker
from providers.errors import BackendBadData, BackendTimeout, BackendUnavailable
from providers.resilient import ResilientProvider
from tests.clock import FakeClock


class Flaky:
    """Fails the first `failures` calls with `error`, then answers (or, with `hang`, never
    answers); counts calls."""

    name, kinds = "flaky", frozenset({"offender"})

    def __init__(self, failures: int = 0, error: type[Exception] = BackendUnavailable,
                 hang: bool = False) -> None:
        self.failures, self.error, self.hang, self.calls = failures, error, hang, 0

    async def fetch(self, kind, keys):
        self.calls += 1
        if self.hang:
            await asyncio.Event().wait()
        if self.calls <= self.failures:
            raise self.error(self.name, "simulated")
        return [f"record {k}" for k in keys]

    async def page(self, kind, criteria, offset, limit):
        return Page((), 0)

    async def aclose(self):
        pass


async def test_transient_failures_are_retried_after_a_backoff():
    inner, clock = Flaky(failures=2), FakeClock(autojump=True)
    provider = ResilientProvider(inner, backoff_seconds=0.5, clock=clock)
    assert await provider.fetch("offender", ["a"]) == ["record a"]
    assert inner.calls == 3
    assert 0 < clock.monotonic() <= 2 * 1.0  # two waits, each at most the 1 s cap


async def test_bad_data_is_not_retried():
    inner = Flaky(failures=1, error=BackendBadData)
    with pytest.raises(BackendBadData):
        await ResilientProvider(inner, clock=FakeClock(autojump=True)).fetch("offender", ["a"])
    assert inner.calls == 1


async def test_a_backend_that_does_not_answer_times_out_as_backend_timeout():
    provider = ResilientProvider(Flaky(hang=True), timeout_seconds=0.05, attempts=1)
    with pytest.raises(BackendTimeout, match=r"no answer within 0\.05 s"):
        await provider.fetch("offender", ["a"])


async def test_the_deadline_bounds_all_attempts_together():
    """Five attempts of 5 s each fit in no 0.1 s deadline: the first attempt gets what is left
    of it, and once it is spent no further attempt calls the backend."""
    deadline.start(0.1)
    inner = Flaky(hang=True)
    provider = ResilientProvider(inner, timeout_seconds=5, attempts=5, backoff_seconds=0.001)
    with pytest.raises(BackendTimeout):
        await provider.fetch("offender", ["a"])
    assert inner.calls == 1
    deadline.start(3600)


async def test_the_breaker_opens_then_probes_after_the_cooldown():
    inner, clock = Flaky(failures=4), FakeClock()
    provider = ResilientProvider(inner, attempts=1, breaker=Breaker(
        threshold=2, cooldown_seconds=10, clock=clock))
    for _ in range(2):
        with pytest.raises(BackendUnavailable):
            await provider.fetch("offender", ["a"])
    assert provider.state == "circuit open"
    with pytest.raises(BackendUnavailable, match="circuit open"):
        await provider.fetch("offender", ["a"])
    assert inner.calls == 2  # the open circuit did not call the backend
    clock.advance(9.9)
    assert provider.state == "circuit open"
    clock.advance(0.1)
    assert provider.state == "degraded"
    with pytest.raises(BackendUnavailable):
        await provider.fetch("offender", ["a"])  # the probe fails: open again
    assert provider.state == "circuit open" and inner.calls == 3
    clock.advance(10)
    inner.failures = 0
    assert await provider.fetch("offender", ["a"]) == ["record a"]
    assert provider.state == "up"


async def test_the_breaker_lets_one_probe_through_at_a_time():
    clock = FakeClock()
    breaker = Breaker(threshold=1, cooldown_seconds=5, clock=clock)
    breaker.failed()
    assert not breaker.allow()
    clock.advance(5)
    assert breaker.allow() and not breaker.allow()  # a second caller waits for the verdict
    breaker.release()  # the probe ended without one (deadline, bad data)
    assert breaker.allow()
