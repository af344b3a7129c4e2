"""Caching, resilience and honest data, end to end against the simulators."""

import time

import httpx
import pytest

from gateway.app import create_app
from providers.simulation import Faults
from tests.conftest import http_settings, post_query

CASELOAD = """{ caseload(first: 50) { edges { node { id offender { crn custody { status
  establishment { name } sentenceDates { conditionalReleaseDate
  homeDetentionCurfewEligibilityDate } } } } } } }"""
PROFILE = '{ offender(crn: "X000004") { crn cases { id } custody { prisonNumber } } }'


async def _client(simulators, **changes):
    settings = http_settings(simulators, cache=changes.pop("cache", "memory"))
    for key, value in changes.items():
        object.__setattr__(settings, key, value)
    app = create_app(settings)
    return app, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def _backend_calls(simulators):
    async with httpx.AsyncClient() as client:
        return sum([(await client.get(f"{url}/_sim/stats")).json()["total"]
                    for _, url in simulators.values()])


async def _reset(simulators):
    async with httpx.AsyncClient() as client:
        for _, url in simulators.values():
            await client.delete(f"{url}/_sim/stats")


async def test_a_warm_cache_serves_a_caseload_with_no_backend_calls(simulators):
    app, client = await _client(simulators)
    async with client:
        cold = await post_query(client, CASELOAD, org="C05")
        await _reset(simulators)
        warm = await post_query(client, CASELOAD, org="C05")
    await app.state.registry.aclose()
    assert warm["data"] == cold["data"]
    assert await _backend_calls(simulators) == 0
    delius = next(s for s in warm["extensions"]["sources"] if s["provider"] == "delius")
    assert delius["fromBackend"] == 0 and delius["fromCache"] > 0


async def test_cached_data_never_crosses_tenants_unchecked(simulators):
    app, client = await _client(simulators)
    async with client:
        await post_query(client, PROFILE, org="C01")  # C01's offender is now cached
        other = await post_query(client, PROFILE, org="C16")
    await app.state.registry.aclose()
    assert other["data"] == {"offender": None}


async def test_stale_data_is_served_and_marked_while_a_backend_is_down(simulators):
    app, client = await _client(simulators, cache_ttls={"custody": 0.0})
    async with client:
        fresh = await post_query(client, PROFILE)
        simulators["nomis"][0].faults.down = True
        stale = await post_query(client, PROFILE)
    await app.state.registry.aclose()
    assert stale["data"] == fresh["data"] and "errors" not in stale
    nomis = next(s for s in stale["extensions"]["sources"] if s["provider"] == "nomis")
    assert nomis["stale"] == 1 and nomis["kinds"]["custody"]["stale"] == 1
    assert nomis["maxAgeSeconds"] >= 0


async def test_a_backend_slower_than_the_deadline_is_cut_off_in_time(simulators):
    """NOMIS answers after 3 s, within the per-call timeout (5 s): only the query's 0.5 s
    deadline can cut it off, so a BACKEND_TIMEOUT shows the deadline did (no stopwatch)."""
    simulators["nomis"][0].faults.latency_ms = 3000
    app, client = await _client(simulators, cache="none", deadline_seconds=0.5)
    async with client:
        body = await post_query(client, PROFILE)
    await app.state.registry.aclose()
    assert body["data"]["offender"]["cases"] and body["data"]["offender"]["custody"] is None
    assert body["errors"][0]["extensions"] == {"code": "BACKEND_TIMEOUT", "provider": "nomis"}


async def test_a_flapping_backend_is_ridden_out_by_retries(simulators):
    simulators["nomis"][0].faults.error_rate = 0.4
    app, client = await _client(simulators, cache="none")
    async with client:
        answers = [await post_query(client, PROFILE) for _ in range(10)]
    await app.state.registry.aclose()
    assert sum("errors" not in a for a in answers) >= 9
    assert all(a["data"]["offender"]["cases"] for a in answers)


async def test_a_failing_backend_opens_its_circuit_and_readyz_says_so(simulators):
    simulators["nomis"][0].faults.down = True
    settings = http_settings(simulators)
    settings.providers["nomis"]["resilience"] = {"attempts": 1, "breaker_threshold": 2,
                                                 "breaker_cooldown_seconds": 60}
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        for _ in range(3):
            body = await post_query(client, PROFILE)
        ready = (await client.get("/readyz")).json()
    await app.state.registry.aclose()
    assert body["errors"][0]["extensions"]["code"] == "BACKEND_UNAVAILABLE"
    assert ready["providers"]["nomis"]["state"] == "circuit open"
    assert ready["providers"]["delius"]["state"] == "up"
    assert ready["status"] == "degraded"


async def test_a_restored_old_snapshot_raises_the_regression_flag(simulators):
    app, client = await _client(simulators, cache="none")
    async with client:
        before = await post_query(client, PROFILE)
        simulators["nomis"][0].faults = Faults(restored=True)
        after = await post_query(client, PROFILE)
    await app.state.registry.aclose()
    assert "warnings" not in before["extensions"]
    [warning] = after["extensions"]["warnings"]
    assert warning["code"] == "DATA_REGRESSION" and warning["provider"] == "nomis"
    assert warning["kind"] == "custody"


@pytest.mark.parametrize("withhold", [True])
async def test_regressed_records_can_be_withheld(simulators, withhold):
    app, client = await _client(simulators, cache="none", withhold_regressions=withhold)
    async with client:
        await post_query(client, PROFILE)
        simulators["nomis"][0].faults = Faults(restored=True)
        after = await post_query(client, PROFILE)
    await app.state.registry.aclose()
    assert after["data"]["offender"]["custody"] is None
    assert after["extensions"]["warnings"][0]["withheld"] is True


async def test_with_redis_down_the_gateway_keeps_answering_from_backends(simulators):
    app, client = await _client(simulators, cache="redis",
                                cache_url="redis://127.0.0.1:1/0")
    async with client:
        body = await post_query(client, PROFILE)
        ready = (await client.get("/readyz")).json()
    await app.state.registry.aclose()
    assert body["data"]["offender"]["custody"]["prisonNumber"] == "A0004AA"
    assert ready["cache"] == {"backend": "redis", "state": "down"}


async def test_gateways_share_a_redis_cache(simulators):
    import uuid

    db_url = "redis://127.0.0.1:6379/0"
    first_app, first = await _client(simulators, cache="redis", cache_url=db_url)
    second_app, second = await _client(simulators, cache="redis", cache_url=db_url)
    marker = uuid.uuid4().hex[:6]
    query = '{ offenders(search: "X00000 MARK", first: 5) { totalCount } }'.replace("MARK",
                                                                                   marker)
    async with first, second:
        await post_query(first, query)
        await _reset(simulators)
        await post_query(second, query)
    for app in (first_app, second_app):
        await app.state.registry.aclose()
    assert await _backend_calls(simulators) == 0


async def test_a_caseload_asks_nomis_while_ndelius_reads_the_convictions(simulators):
    """The people are known after the team search: custody needs only them, so NOMIS is asked
    while nDelius is still answering for the convictions (independent calls in parallel)."""
    delius, nomis = simulators["delius"][0], simulators["nomis"][0]
    delius.faults.latency_ms = 300  # a wide window: the order below does not hang on timing
    app, client = await _client(simulators, cache="none")
    began = time.monotonic()  # earlier tests' slow requests may still finish meanwhile
    async with client:
        body = await post_query(client, CASELOAD)
    await app.state.registry.aclose()
    assert "errors" not in body and body["data"]["caseload"]["edges"]
    [convictions] = [t for t in delius.timeline if t[0] == "POST /convictions" and t[1] > began]
    [custody] = [t for t in nomis.timeline
                 if t[0] == "POST /prisoner-search/prisoner-numbers" and t[1] > began]
    assert custody[1] < convictions[2]  # NOMIS asked before the convictions were answered
