"""Subscriptions: latency from a hub publish to the subscriber's message, and fan-out.

`python -m bench.events` measures, in one gateway process on the embedded provider:
- latency: one subscriber over graphql-transport-ws on loopback (uvicorn in a thread, the
  `websockets` client in the main thread: one process, so they share the GIL), one event at a
  time, from `Hub.publish` (timed on the server's loop) to the client's parse of `next`;
  and the same through the service alone (no socket), the transport's share left out;
- fan-out: 1,000 subscriptions across the 21 CRCs (about 48 each) on the service, events
  published in batches no larger than a subscriber's queue; events per second is events
  published over the time until every subscriber had every message it was owed.
Events are manager changes and custody receptions about people of every CRC (Limited Access
people left out, whom machine clients are never sent).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson

from events.envelope import DomainEvent
from gateway import tokens
from gateway.app import create_app
from gateway.audit.trail import AuditSettings
from gateway.serving import tune_gc
from gateway.settings import Settings
from gateway.subscriptions.service import Request
from gateway.subscriptions.settings import SubscriptionSettings
from policies.principal import Principal
from providers.embedded.dataset import shared

QUERY = ("subscription { caseloadChanges { kind occurredAt crn offender { crn name { surname } "
         "offenderManager { provider { code } } } custody { prisonNumber establishment { code } "
         "} } }")
CRCS = tuple(f"C{n:02d}" for n in range(1, 22))
SEED = 20261130


def _settings(subscribers: int) -> Settings:
    return Settings(audit=AuditSettings(sink="none"), rate_limits=replace(
        Settings().rate_limits, enabled=False), subscriptions=SubscriptionSettings(
            max_per_principal=subscribers, max_total=subscribers + 10, queue=256,
            heartbeat_seconds=3600))


def _people(rng: random.Random) -> list[tuple[str, str | None, str]]:
    """(CRN, NOMS number, managing CRC) of people machine clients may be sent."""
    data = shared()
    found = [(p.crn, p.noms_number, p.managing_provider) for p in data.people.values()
             if p.managing_provider in CRCS and not p.limited_access
             and (not p.noms_number or len(data.noms_to_crns.get(p.noms_number, ())) == 1)]
    rng.shuffle(found)
    return found


def _event(n: int, person: tuple[str, str | None, str]) -> DomainEvent:
    crn, noms, _ = person
    at = datetime.now(UTC)
    if noms and n % 2:
        return DomainEvent("prisoner-offender-search.prisoner.received", 1, at, "nomis",
                           noms=noms, additional={"reason": "ADMISSION"}, event_id=f"b{n}")
    return DomainEvent("person.community.manager.allocated", 1, at, "delius", crn=crn,
                       event_id=f"b{n}")


def _principal(org: str, n: int) -> Principal:
    return Principal(subject=f"{org.lower()}-bench-{n}", org=org, org_type="CRC",
                     scopes=frozenset(tokens.DEFAULT_SCOPES))


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 3),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 3),
            "max_ms": round(ordered[-1] * 1000, 3)}


async def service_latency(events: int) -> dict[str, float]:
    """Publish to message through the service alone, one event at a time."""
    app = create_app(_settings(10))
    hub, service = app.state.hub, app.state.subscriptions
    people = [p for p in _people(random.Random(SEED)) if p[2] == "C05"]
    messages = service.run(_principal("C05", 0), time.time() + 86_400, Request(QUERY, None, None))
    first = asyncio.ensure_future(anext(messages))
    while hub.listeners < 2:
        await asyncio.sleep(0)
    tune_gc()
    samples = []
    pending: asyncio.Future[Any] | None = first
    for n in range(events):
        started = time.perf_counter()
        hub.publish(_event(n, people[n % len(people)]))
        await (pending if pending is not None else anext(messages))
        samples.append(time.perf_counter() - started)
        pending = None
    await messages.aclose()
    await service.feeds.aclose()
    return _percentiles(samples)


def websocket_latency(events: int) -> dict[str, float]:
    """Publish to the client's parsed `next` over graphql-transport-ws on loopback."""
    import uvicorn
    import websockets.sync.client as ws_client

    app = create_app(_settings(10))
    hub = app.state.hub
    people = [p for p in _people(random.Random(SEED + 1)) if p[2] == "C05"]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           lifespan="off", ws="websockets-sansio"))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),),
                              daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    published: dict[int, float] = {}

    def publish(n: int) -> None:
        published[n] = time.perf_counter()
        hub.publish(_event(n, people[n % len(people)]))
    samples = []
    with ws_client.connect(f"ws://127.0.0.1:{port}/graphql",
                           subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        socket.send(orjson.dumps({"type": "connection_init", "payload": {
            "Authorization": "Bearer " + tokens.mint("C05")}}).decode())
        socket.recv()
        socket.send(orjson.dumps({"type": "subscribe", "id": "1",
                                  "payload": {"query": QUERY}}).decode())
        while hub.listeners < 2:
            time.sleep(0.001)
        tune_gc()
        for n in range(events):
            loop.call_soon_threadsafe(publish, n)
            message = orjson.loads(socket.recv())
            received = time.perf_counter()
            assert message["type"] == "next", message
            samples.append(received - published[n])
    asyncio.run_coroutine_threadsafe(app.state.subscriptions.feeds.aclose(), loop).result(10)
    server.should_exit = True
    thread.join(timeout=10)
    return _percentiles(samples)


async def fan_out(subscribers: int, events: int, batch: int) -> dict[str, Any]:
    """Events per second one process sends to `subscribers` across the 21 CRCs."""
    app = create_app(_settings(subscribers))
    hub, service = app.state.hub, app.state.subscriptions
    per_org = {org: 0 for org in CRCS}
    received = [0]
    done = asyncio.Event()
    expected = [0]

    async def consume(messages: Any) -> None:
        async for _ in messages:
            received[0] += 1
            if received[0] >= expected[0]:
                done.set()
    tasks = []
    service.feeds.start()
    for n in range(subscribers):
        org = CRCS[n % len(CRCS)]
        per_org[org] += 1
        tasks.append(asyncio.ensure_future(consume(service.run(
            _principal(org, n), time.time() + 86_400, Request(QUERY, None, None)))))
    while hub.listeners < subscribers + 1:
        await asyncio.sleep(0.001)
    people = _people(random.Random(SEED + 2))
    tune_gc()  # as `casegraph serve` does once started
    started = time.perf_counter()
    reads_before = service.rereads.reads
    for first in range(0, events, batch):
        done.clear()
        for n in range(first, min(events, first + batch)):
            person = people[n % len(people)]
            expected[0] += per_org[person[2]]
            hub.publish(_event(n, person))
        await done.wait()
    elapsed = time.perf_counter() - started
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await service.feeds.aclose()
    return {"subscribers": subscribers, "crcs": len(CRCS), "events": events,
            "messages": received[0], "seconds": round(elapsed, 3),
            "events_per_second": round(events / elapsed, 1),
            "messages_per_second": round(received[0] / elapsed, 1),
            "reads": service.rereads.reads - reads_before,
            "slow_consumers": hub.dropped_listeners}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-events", type=int, default=500)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args(argv)
    report = {
        "service_latency": asyncio.run(service_latency(args.latency_events)),
        "websocket_latency": websocket_latency(args.latency_events),
        "fan_out": asyncio.run(fan_out(args.subscribers, args.events, args.batch)),
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
