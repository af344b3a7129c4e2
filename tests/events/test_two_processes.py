"""Two gateway processes, one pair of simulators, one broker: a subscriber on either process
receives each change exactly once, in order (each process consumes every event under its own
consumer name; the hub drops redeliveries)."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from bench.events_broker import events_config
from bench.processes import free_port, process
from events.broker import open_broker
from gateway.tokens import mint
from providers.delius import simulator as delius
from providers.nomis import simulator as nomis
from providers.simulation import CLIENT_SECRET
from tests.events.delivery import BOUND
from tests.servers import serving

CHANGES = ("subscription { custodyChanges { kind nomsNumber "
           "custody { establishment { code } } } }")


async def _messages(url: str) -> AsyncIterator[dict[str, Any]]:
    """A GraphQL-over-SSE subscription's `next` payloads as C01's machine client; an
    `{"end": True}` when the server completes the stream."""
    headers = {"Authorization": f"Bearer {mint('C01', ('read', 'custody:read'))}",
               "Accept": "text/event-stream"}
    async with httpx.AsyncClient(timeout=BOUND) as client, client.stream(
            "POST", f"{url}/graphql", json={"query": CHANGES}, headers=headers) as response:
        assert response.status_code == 200
        event = None
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: ") and event == "next":
                yield json.loads(line[len("data: "):])
            elif event == "complete":
                yield {"end": True}
                return


async def _end(stream: AsyncIterator[dict[str, Any]]) -> str | None:
    """The code of the error that ended the stream (the messages before it skipped)."""
    code = None
    async with asyncio.timeout(BOUND):
        async for message in stream:
            if message.get("end"):
                return code
            for error in message.get("errors") or ():
                code = error.get("extensions", {}).get("code")
    return code


async def _changes(stream: AsyncIterator[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """The next `count` changes (heartbeats skipped)."""
    found: list[dict[str, Any]] = []
    async with asyncio.timeout(BOUND):
        async for message in stream:
            change = message["data"]["custodyChanges"]
            if change["kind"] != "HEARTBEAT":
                found.append(change)
                if len(found) == count:
                    return found
    return found


async def _heartbeat(stream: AsyncIterator[dict[str, Any]]) -> None:
    """Wait for the first heartbeat: the stream is listening to its process's hub."""
    async with asyncio.timeout(BOUND):
        async for message in stream:
            if message["data"]["custodyChanges"]["kind"] == "HEARTBEAT":
                return


PLAN = [({"change": "transfer", "noms": "A0004AA", "to": "LEI"}, "TRANSFERRED", "LEI"),
        ({"change": "sentence_dates", "noms": "A0004AA",
          "dates": {"conditionalReleaseDate": "2027-06-30"}}, "SENTENCE_DATES_CHANGED", "LEI"),
        ({"change": "release", "noms": "A0004AA"}, "RELEASED", "OUT")]


@pytest.mark.parametrize("settings", ["nats"], indirect=True)
async def test_a_subscriber_on_either_process_gets_each_change_once(settings, tmp_path):
    with ExitStack() as stack:
        delius_url = stack.enter_context(serving(delius.build(sink=open_broker(settings))[1]))
        nomis_url = stack.enter_context(serving(nomis.build(sink=open_broker(settings))[1]))
        urls, procs = [], []
        for name in ("a", "b"):
            config = tmp_path / f"{name}.toml"
            config.write_text(events_config(
                delius_url, nomis_url, url=settings.url, stream=settings.stream,
                subject_prefix=settings.subject_prefix, consumer=f"{settings.consumer}-{name}",
                heartbeat_seconds=1))
            port = free_port()
            urls.append(f"http://127.0.0.1:{port}")
            procs.append(stack.enter_context(process(
                ["serve", "--config", str(config), "--port", str(port)], f"{urls[-1]}/healthz",
                tmp_path / f"{name}.log", env={"DELIUS_CLIENT_SECRET": CLIENT_SECRET,
                                               "NOMIS_CLIENT_SECRET": CLIENT_SECRET})))
        streams = [aiter(_messages(url)) for url in urls]
        for stream in streams:
            await _heartbeat(stream)
        async with httpx.AsyncClient(base_url=nomis_url, timeout=BOUND) as sim:
            for body, kind, prison in PLAN:  # one at a time: a message carries the record
                assert (await sim.post("/_sim/events", json=body)).status_code == 200
                for stream in streams:  # as it is when the message is made
                    [got] = await _changes(stream, 1)
                    assert (got["kind"], got["nomsNumber"]) == (kind, "A0004AA")
                    assert got["custody"]["establishment"] == {"code": prison}
        procs[0].send_signal(signal.SIGTERM)  # a stream open: it ends at once, not at the grace
        assert await _end(streams[0]) == "SHUTTING_DOWN"
        # Drained within the bound (uvicorn re-raises the signal once it has drained).
        assert procs[0].wait(timeout=BOUND) in (0, -signal.SIGTERM)
        await streams[1].aclose()
