"""Events into running gateways over the real brokers: a simulator's change is published,
consumed by each gateway process onto its hub, and a re-read through the providers shows the
new state; two processes each receive every event once; `/readyz` and `/metrics` show each
source's newest-event age, lag and staleness, which a fake clock moves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace

import httpx
import pytest
from starlette.applications import Starlette

from events.broker import open_broker
from events.envelope import DomainEvent
from events.hub import FeedNotice
from gateway.app import create_app
from gateway.response_cache import ResponseCacheSettings
from providers.clock import SYSTEM, Clock
from providers.delius import simulator as delius
from providers.nomis import simulator as nomis
from tests.clock import FakeClock
from tests.conftest import http_settings, post_query
from tests.events.delivery import BOUND
from tests.servers import serving

CUSTODY = '{ offender(crn: "X000004") { custody { establishment { code } status } } }'
MANAGER = '''{ offender(crn: "X000004") { offenderManager { provider { code } }
  custody { establishment { code } } } }'''


@pytest.fixture
def sims(settings):
    """Both simulators on loopback, publishing to the test's broker stream."""
    delius_sim, delius_app = delius.build(sink=open_broker(settings))
    nomis_sim, nomis_app = nomis.build(sink=open_broker(settings))
    with serving(delius_app) as delius_url, serving(nomis_app) as nomis_url:
        yield {"delius": (delius_sim, delius_url), "nomis": (nomis_sim, nomis_url)}


@asynccontextmanager
async def gateway(settings, sims, consumer: str, clock: Clock = SYSTEM, cached: bool = False
                  ) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """A started gateway process consuming under its own name (with its record and
    response caches on when `cached`)."""
    events = replace(settings, consumer=consumer)
    base = http_settings(sims, cache="memory" if cached else "none")
    if cached:
        base = replace(base, response_cache=ResponseCacheSettings(enabled=True))
    app = create_app(replace(base, events=events), clock=clock)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = await stack.enter_async_context(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://casegraph.test"))
        async with asyncio.timeout(BOUND):
            await app.state.events.consumer.ready.wait()
        yield app, client


async def change(sims, system: str, **body: object) -> None:
    async with httpx.AsyncClient(base_url=sims[system][1]) as sim:
        response = await sim.post("/_sim/events", json=body)
    assert response.status_code == 200, response.text


def metric(text: str, name: str, **labels: str) -> float | None:
    """A sample's value from Prometheus text, by name and (some of) its labels."""
    for line in text.splitlines():
        head, _, value = line.rpartition(" ")
        if head.startswith(name + "{") and all(f'{k}="{v}"' in head for k, v in labels.items()):
            return float(value)
    return None


async def _next(items: AsyncIterator[object]) -> object:
    async with asyncio.timeout(BOUND):
        return await anext(items)


async def test_a_simulated_change_reaches_the_hub_and_a_re_read_shows_it(settings, sims):
    async with gateway(settings, sims, "gw-a") as (app, client):
        items = aiter(app.state.hub.listen())
        await change(sims, "nomis", change="transfer", noms="A0004AA", to="LEI")
        event = await _next(items)
        assert isinstance(event, DomainEvent) and event.source == "nomis"
        assert (event.event_type, event.noms) == ("prisoner-offender-search.prisoner.received",
                                                  "A0004AA")
        assert event.detail_url == f"{sims['nomis'][1]}/prisoner/A0004AA"
        body = await post_query(client, CUSTODY, org="C01")
        assert body["data"]["offender"]["custody"] == {"establishment": {"code": "LEI"},
                                                       "status": "ACTIVE_IN"}
        await change(sims, "delius", change="manager", crn="X000004", provider="C09")
        moved = await _next(items)
        assert isinstance(moved, DomainEvent) and moved.source == "delius"
        assert (moved.crn, moved.additional["providerCode"]) == ("X000004", "C09")
        now_c09 = await post_query(client, MANAGER, org="C09")
        assert now_c09["data"]["offender"]["offenderManager"]["provider"]["code"] == "C09"
        assert now_c09["data"]["offender"]["custody"]["establishment"]["code"] == "LEI"
        assert (await post_query(client, MANAGER, org="C01"))["data"]["offender"] is None
        ready = (await client.get("/readyz")).json()["events"]
        for source in ("nomis", "delius"):
            entry = ready["sources"][source]
            assert entry["state"] == "ok" and entry["connected"] and entry["bad_envelopes"] == 0
            assert 0 <= entry["newest_event_age_seconds"] < entry["stale_after_seconds"]
        metrics = (await client.get("/metrics")).text
        assert metric(metrics, "casegraph_events_newest_age_seconds", source="nomis") is not None
        assert metric(metrics, "casegraph_events_lag", source="nomis") is not None
        assert metric(metrics, "casegraph_events_envelopes", source="delius",
                      outcome="accepted") == 1.0


async def test_two_gateway_processes_each_receive_every_event_once(settings, sims):
    async with gateway(settings, sims, "gw-a") as (a, _), \
            gateway(settings, sims, "gw-b") as (b, _):
        heard = [aiter(a.state.hub.listen()), aiter(b.state.hub.listen())]
        plan = [{"change": "transfer", "noms": "A0004AA", "to": "LEI"},
                {"change": "sentence_dates", "noms": "A0004AA",
                 "dates": {"conditionalReleaseDate": "2027-06-30"}},
                {"change": "release", "noms": "A0004AA"},
                {"change": "recall", "noms": "A0004AA", "prison": "MDI"}]
        for body in plan:
            await change(sims, "nomis", **body)
        for items, app in zip(heard, (a, b), strict=True):
            got = [await _next(items) for _ in plan]
            assert [e.event_type.rsplit(".", 1)[1] for e in got] == ["received", "updated",
                                                                     "released", "received"]
            assert app.state.hub.duplicates == 0
            assert app.state.events.consumer.counts[("nomis", "accepted")] == len(plan)


@pytest.mark.parametrize("settings", ["nats"], indirect=True)
async def test_readyz_and_metrics_show_a_silent_source_as_stale_until_it_speaks(settings,
                                                                                sims):
    clock = FakeClock()
    async with gateway(settings, sims, "gw-a", clock) as (app, client):
        items = aiter(app.state.hub.listen())
        await clock.sleeping()
        clock.advance(settings.stale_after_seconds["nomis"] + 1)
        assert await _next(items) == FeedNotice("FEED_STALE", "nomis", None)
        ready = (await client.get("/readyz")).json()
        assert ready["events"]["sources"]["nomis"]["state"] == "stale"
        assert ready["events"]["sources"]["delius"]["state"] == "ok"
        assert ready["status"] == "ready"  # a silence upstream is reported, not a failure here
        metrics = (await client.get("/metrics")).text
        assert metric(metrics, "casegraph_events_stale", source="nomis") == 1.0
        assert app.state.feed_freshness.stale() == {"nomis"}
        answer = await post_query(client, CUSTODY, org="C01")
        assert [(w["code"], w["source"]) for w in answer["extensions"]["warnings"]] == [
            ("FEED_STALE", "nomis")]  # queries say so too
        await change(sims, "nomis", change="release", noms="A0004AA")
        assert await _next(items) == FeedNotice("FEED_RESUMED", "nomis", 0.0)
        assert isinstance(await _next(items), DomainEvent)
        ready = (await client.get("/readyz")).json()["events"]["sources"]["nomis"]
        assert ready["state"] == "ok" and ready["newest_event_age_seconds"] == 0.0
        metrics = (await client.get("/metrics")).text
        assert metric(metrics, "casegraph_events_stale", source="nomis") == 0.0
        answer = await post_query(client, CUSTODY, org="C01")
        assert "warnings" not in answer.get("extensions", {})


async def test_an_event_makes_cached_records_and_answers_of_that_person_old(settings, sims):
    """Caches on: what was read before a change is not served after its event arrives."""
    async with gateway(settings, sims, "gw-cached", cached=True) as (app, client):
        items = aiter(app.state.hub.listen())
        before = await post_query(client, CUSTODY, org="C01")
        again = await post_query(client, CUSTODY, org="C01")  # now from the response cache
        assert again["data"] == before["data"]
        hits = app.state.answers.hits
        assert hits >= 1
        await change(sims, "nomis", change="transfer", noms="A0004AA", to="LEI")
        await _next(items)  # the caches forgot the person before the hub heard of it
        after = await post_query(client, CUSTODY, org="C01")
        assert after["data"]["offender"]["custody"]["establishment"] == {"code": "LEI"}
        assert app.state.answers.hits == hits  # a miss: the cached answer showed the person
        await change(sims, "delius", change="manager", crn="X000004", provider="C09")
        await _next(items)
        assert (await post_query(client, MANAGER, org="C01"))["data"]["offender"] is None


BY_NUMBER = '{ offenderByNomsNumber(nomsNumber: "A0004AA") { crn name { surname } } }'


async def test_an_event_naming_only_the_prisoner_number_ends_answers_that_showed_the_person(
        settings, sims):
    """A prison sees a person while it holds them: after their release (a NOMIS event, with
    only the prisoner number) its cached answer about them, which shows no custody, is old."""
    async with gateway(settings, sims, "gw-prison", cached=True) as (app, client):
        items = aiter(app.state.hub.listen())
        await change(sims, "nomis", change="transfer", noms="A0004AA", to="LEI")
        await _next(items)
        held = await post_query(client, BY_NUMBER, org="LEI")
        assert held["data"]["offenderByNomsNumber"]["crn"] == "X000004"
        hits = app.state.answers.hits
        assert (await post_query(client, BY_NUMBER, org="LEI"))["data"] == held["data"]
        assert app.state.answers.hits == hits + 1  # cached
        await change(sims, "nomis", change="release", noms="A0004AA")
        await _next(items)
        after = await post_query(client, BY_NUMBER, org="LEI")
        assert after["data"]["offenderByNomsNumber"] is None
