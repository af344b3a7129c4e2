"""Admission control: so many run, so many wait in order, the rest are refused at once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest

from gateway.admission import Admission, AdmissionSettings
from gateway.app import create_app
from gateway.audit.trail import AuditSettings
from gateway.settings import Settings
from tests.conftest import bearer


class Held:
    """An app whose requests run until the test lets each one go, in order of arrival."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.gates: dict[int, asyncio.Event] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        number = scope["number"]
        self.started.append(number)
        await self.gates.setdefault(number, asyncio.Event()).wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    def release(self, number: int) -> None:
        self.gates.setdefault(number, asyncio.Event()).set()


async def call(app: Any, number: int) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    await app({"type": "http", "number": number}, receive, send)
    return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"]


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_past_the_slots_and_the_queue_requests_are_refused_at_once():
    held = Held()
    rejected: list[str] = []
    app = Admission(held, AdmissionSettings(max_in_flight=2, queue=2, queue_seconds=60),
                    rejected.append)
    tasks = [asyncio.create_task(call(app, n)) for n in range(4)]
    await settle()
    assert held.started == [0, 1] and len(app.waiting) == 2
    status, headers, body = await call(app, 4)  # no slot, no room to wait
    assert status == 503 and headers[b"retry-after"] == b"2"
    assert orjson.loads(body)["errors"][0]["extensions"]["code"] == "OVERLOADED"
    assert rejected == ["queue_full"]
    held.release(1)
    await settle()
    assert held.started == [0, 1, 2]  # the longest waiter goes first
    for n in (0, 2, 3):
        held.release(n)
    assert [t[0] for t in await asyncio.gather(*tasks)] == [200] * 4
    assert app.in_flight == 0 and not app.waiting


async def test_a_request_that_waits_too_long_is_refused_and_its_place_given_up():
    held = Held()
    app = Admission(held, AdmissionSettings(max_in_flight=1, queue=5, queue_seconds=0.05))
    first = asyncio.create_task(call(app, 0))
    await settle()
    assert (await call(app, 1))[0] == 503
    assert app.refusals["queue_timeout"] == 1 and not app.waiting
    held.release(0)
    assert (await first)[0] == 200
    held.release(2)
    assert (await call(app, 2))[0] == 200 and app.in_flight == 0


async def test_a_client_that_leaves_while_waiting_frees_its_place():
    held = Held()
    app = Admission(held, AdmissionSettings(max_in_flight=1, queue=5, queue_seconds=60))
    first = asyncio.create_task(call(app, 0))
    await settle()
    waiting = asyncio.create_task(call(app, 1))
    await settle()
    waiting.cancel()
    await settle()
    assert not app.waiting
    held.release(0)
    await first
    assert app.in_flight == 0


def test_zero_slots_turns_admission_control_off():
    app = Admission(Held(), AdmissionSettings(max_in_flight=0))
    assert app.settings.max_in_flight == 0


@pytest.mark.parametrize("raw", [{"max_in_flight": -1}, {"queue_seconds": 0},
                                 {"retry_after_seconds": 0}, {"slots": 3}])
def test_bad_admission_settings_stop_start_up(raw, tmp_path):
    from gateway.settings import load_settings
    from providers.registry import ConfigError

    config = tmp_path / "c.toml"
    lines = "\n".join(f"{k} = {v}" for k, v in raw.items())
    config.write_text(f'[auth]\ndemo = true\n[providers.embedded]\ntype = "embedded"\n'
                      f'[admission]\n{lines}\n')
    with pytest.raises(ConfigError, match="admission"):
        load_settings(config)


async def test_the_gateway_refuses_with_overloaded_and_counts_it_in_metrics():
    app = create_app(Settings(audit=AuditSettings(sink="none"),
                              admission=AdmissionSettings(max_in_flight=1, queue=0)))
    app.state.admission.in_flight = 1  # as if one operation were running
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as client:
        refused = await client.post("/graphql", json={"query": "{ viewer { subject } }"},
                                    headers=bearer("C01"))
        assert refused.status_code == 503 and refused.headers["retry-after"] == "2"
        assert refused.json()["errors"][0]["extensions"]["code"] == "OVERLOADED"
        assert (await client.get("/healthz")).status_code == 200  # probes are never queued
        metrics = (await client.get("/metrics")).text
        [line] = [m for m in metrics.splitlines() if m.startswith("casegraph_admission_rejected")]
        assert 'reason="queue_full"' in line and line.endswith(" 1.0")
        app.state.admission.in_flight = 0
        answered = await client.post("/graphql", json={"query": "{ viewer { subject } }"},
                                     headers=bearer("C01"))
        assert answered.status_code == 200
