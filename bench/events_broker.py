"""Latency from a simulator's change to the subscriber's message, over the real broker.

`python -m bench.events_broker` starts the nDelius and NOMIS simulators as processes
publishing to NATS JetStream on 127.0.0.1:4222 (a stream of the run's own, removed after),
and one gateway (in this process) consuming it, with one `custodyChanges` subscriber through
the subscription service. Each change is a NOMIS transfer of one prisoner, made one at a time
by `POST /_sim/events`; the time runs from just before that POST to the subscriber's message,
so it holds the simulator's own change (it rebuilds its indexes), the broker's delivery,
the gateway's re-read of the prisoner over HTTP and the message's execution.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import nats

from bench.events import _percentiles
from bench.processes import free_port, process
from gateway.app import create_app
from gateway.settings import load_settings
from gateway.subscriptions.service import Request
from policies.principal import Principal
from providers.simulation import CLIENT_SECRET

ROOT = Path(__file__).parents[1]
QUERY = ("subscription { custodyChanges { kind nomsNumber custody { prisonNumber "
         "establishment { code } } } }")
URL = "nats://127.0.0.1:4222"


def events_config(delius: str, nomis: str, *, url: str, stream: str, subject_prefix: str,
                  consumer: str | None = None, heartbeat_seconds: float = 3600) -> str:
    """examples/simulated-events.toml over simulators at these URLs, on its own stream
    (and consumer name), no UI, no rate limits, no audit file."""
    text = (ROOT / "examples" / "simulated-events.toml").read_text()
    text = text.replace("http://127.0.0.1:8081", delius).replace("http://127.0.0.1:8082", nomis)
    text = text.replace('ui_dir = "examples/caseload-ui/dist"', "")
    own = f'url = "{url}"\nstream = "{stream}"\nsubject_prefix = "{subject_prefix}"'
    if consumer is not None:
        own += f'\nconsumer = "{consumer}"'
    text = text.replace('url = "nats://127.0.0.1:4222"', own)
    return text + (f"\n[subscriptions]\nheartbeat_seconds = {heartbeat_seconds}\n\n"
                   "[rate_limits]\nenabled = false\n\n[audit]\nsink = \"none\"\n")


async def _measure(config: Path, nomis: str, changes: int) -> dict[str, Any]:
    os.environ.setdefault("DELIUS_CLIENT_SECRET", CLIENT_SECRET)
    os.environ.setdefault("NOMIS_CLIENT_SECRET", CLIENT_SECRET)
    app = create_app(load_settings(config))
    async with app.router.lifespan_context(app):
        await asyncio.wait_for(app.state.events.consumer.ready.wait(), 30)
        who = Principal(subject="c01-bench", org="C01", org_type="CRC",
                        scopes=frozenset({"read", "custody:read"}))
        messages = app.state.subscriptions.run(who, time.time() + 86_400,
                                               Request(QUERY, None, None))
        pending = asyncio.ensure_future(anext(messages))
        while app.state.hub.listeners < 2:
            await asyncio.sleep(0.01)
        samples, posts = [], []
        async with httpx.AsyncClient(base_url=nomis, timeout=30) as sim:
            for n in range(changes):
                prison = ("LEI", "MDI")[n % 2]
                started = time.perf_counter()
                response = await sim.post("/_sim/events", json={
                    "change": "transfer", "noms": "A0004AA", "to": prison})
                posts.append(time.perf_counter() - started)
                response.raise_for_status()
                while True:
                    _, message = await asyncio.wait_for(pending, 30)
                    pending = asyncio.ensure_future(anext(messages))
                    change = message.get("data", {}).get("custodyChanges") or {}
                    if change.get("kind") == "TRANSFERRED":
                        break
                samples.append(time.perf_counter() - started)
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pending
        await messages.aclose()
    return {"change_to_message": _percentiles(samples),
            "simulator_post": _percentiles(posts)}


async def _remove(tag: str) -> None:
    client = await nats.connect(URL)
    try:
        await client.jetstream().delete_stream(f"BENCH_{tag}")
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200)
    args = parser.parse_args(argv)
    tag = uuid.uuid4().hex[:8]
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        urls = {}
        for system in ("delius", "nomis"):
            port = free_port()
            urls[system] = f"http://127.0.0.1:{port}"
            stack.enter_context(process(
                ["simulate", system, "--port", str(port), "--events", URL,
                 "--stream", f"BENCH_{tag}", "--subject-prefix", f"bench.{tag}"],
                f"{urls[system]}/_sim/stats", Path(tmp) / f"{system}.log"))
        config = Path(tmp) / "gateway.toml"
        config.write_text(events_config(urls["delius"], urls["nomis"], url=URL,
                                        stream=f"BENCH_{tag}", subject_prefix=f"bench.{tag}"))
        try:
            report = asyncio.run(_measure(config, urls["nomis"], args.changes))
        finally:
            asyncio.run(_remove(tag))
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
