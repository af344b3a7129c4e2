"""The circuit opens only for the backend's own failures, and an open circuit fails at once."""

import base64

import httpx
import pytest

from gateway.app import create_app
from providers.breaker import Breaker
from providers.errors import BackendUnavailable, CircuitOpen
from providers.resilient import ResilientProvider
from tests.conftest import codes, http_settings, post_query


class Failing:
    """Fails every call with `error`; counts calls."""

    name, kinds = "failing", frozenset({"offender", "caseload"})

    def __init__(self, error: BackendUnavailable) -> None:
        self.error, self.calls = error, 0

    async def fetch(self, kind, keys):
        self.calls += 1
        raise self.error

    async def page(self, kind, criteria, offset, limit):
        self.calls += 1
        raise self.error

    async def aclose(self):
        pass


class Sleeps(list):
    """A clock whose sleeps record each backoff instead of waiting it out."""

    def time(self) -> float:
        return 0.0

    def monotonic(self) -> float:
        return 0.0

    async def sleep(self, seconds: float) -> None:
        self.append(seconds)


def resilient(error: BackendUnavailable, attempts: int = 3) -> tuple[ResilientProvider, Sleeps]:
    sleeps = Sleeps()
    provider = ResilientProvider(Failing(error), attempts=attempts, clock=sleeps,
                                 breaker=Breaker(threshold=3, cooldown_seconds=3600))
    return provider, sleeps


async def test_an_open_circuit_fails_at_once_without_retry_or_backoff():
    provider, sleeps = resilient(BackendUnavailable("failing", "HTTP 503"), attempts=1)
    for _ in range(3):
        with pytest.raises(BackendUnavailable):
            await provider.fetch("offender", ["X000001"])
    assert provider.state == "circuit open"
    provider.attempts = 5
    with pytest.raises(CircuitOpen):
        await provider.fetch("offender", ["X000001"])
    assert sleeps == [] and provider.inner.calls == 3


async def test_the_same_poisonous_request_repeated_never_opens_the_circuit():
    provider, _ = resilient(BackendUnavailable("failing", "HTTP 500", input_suspect=True))
    for _ in range(10):
        with pytest.raises(BackendUnavailable):
            await provider.page("caseload", {"team": "T1"}, 10**29, 20)
    assert provider.state == "up"


async def test_a_backend_failing_different_requests_still_opens_the_circuit():
    provider, _ = resilient(BackendUnavailable("failing", "HTTP 500", input_suspect=True),
                            attempts=1)
    for offset in range(3):
        with pytest.raises(BackendUnavailable):
            await provider.page("caseload", {"team": "T1"}, offset, 20)
    assert provider.state == "circuit open"


async def test_failures_that_are_the_backends_open_the_circuit():
    provider, _ = resilient(BackendUnavailable("failing", "connection refused"), attempts=1)
    for _ in range(3):
        with pytest.raises(BackendUnavailable):
            await provider.page("caseload", {"team": "T1"}, 0, 20)
    assert provider.state == "circuit open"


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


async def test_a_30_digit_cursor_reaches_no_backend_and_opens_no_circuit(simulators):
    delius = simulators["delius"][0]
    settings = http_settings(simulators)
    settings.providers["delius"]["resilience"] = {"breaker_threshold": 5}
    app = create_app(settings)
    before = dict(delius.stats)
    query = "query($a: String) { caseload(first: 20, after: $a) { totalCount } }"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        for cursor in (_cursor("cg1:" + "9" * 30), _cursor("cg1:" + "8" * 30)):
            body = await post_query(client, query, {"a": cursor})
            assert codes(body) == ["BAD_USER_INPUT"]
        reached = {path: n - before.get(path, 0) for path, n in delius.stats.items()
                   if n != before.get(path, 0)}
        ready = (await client.get("/readyz")).json()
        after = await post_query(client, query)
    await app.state.registry.aclose()
    assert reached == {}
    assert ready["providers"]["delius"]["state"] == "up"
    assert "errors" not in after and after["data"]["caseload"]["totalCount"] > 0


async def test_a_500_from_ndelius_is_marked_as_maybe_the_inputs(simulators):
    from providers.delius.provider import DeliusProvider
    from providers.simulation import CLIENT_SECRET

    adapter = DeliusProvider("delius", base_url=simulators["delius"][1],
                             client_secret=CLIENT_SECRET)
    try:
        with pytest.raises(BackendUnavailable) as failure:
            await adapter.page("caseload", {"provider": "C01"}, 10**29, 20)  # past Java's int
        assert failure.value.input_suspect and "HTTP 500" in str(failure.value)
        simulators["delius"][0].faults.down = True
        with pytest.raises(BackendUnavailable) as failure:
            await adapter.page("caseload", {"provider": "C01"}, 0, 20)
        assert not failure.value.input_suspect and "HTTP 503" in str(failure.value)
    finally:
        await adapter.aclose()
