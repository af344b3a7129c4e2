"""README "Events": its configuration is accepted as shown, its curl changes are accepted by
the simulators and answer envelopes shaped as shown, and the example configuration loads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from gateway.settings import load_settings
from providers.delius import simulator as delius
from providers.nomis import simulator as nomis

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
EVENTS = README[README.index("\n## Events\n"):README.index("\n## Performance\n")]
PREFIX = '[auth]\ndemo = true\n[providers.e]\ntype = "embedded"\n'


def test_the_events_configuration_shown_is_accepted(tmp_path):
    [block] = re.findall(r"```toml\n(.*?)```", EVENTS, re.S)
    config = tmp_path / "c.toml"
    config.write_text(PREFIX + block)
    events = load_settings(config).events
    assert (events.enabled, events.broker, events.url) == (True, "nats",
                                                           "nats://127.0.0.1:4222")
    assert dict(events.stale_after_seconds) == {"nomis": 900.0, "delius": 3600.0}
    assert (events.check_seconds, events.retention_seconds) == (5.0, 86400.0)


def test_the_example_configuration_consumes_events():
    events = load_settings(ROOT / "examples" / "simulated-events.toml").events
    assert events.enabled and events.broker == "nats"


async def test_the_curl_changes_are_accepted_and_answer_the_envelope_shown():
    apps = {"8081": delius.build()[1], "8082": nomis.build()[1]}
    calls = re.findall(r"http://127\.0\.0\.1:(\d+)/_sim/events .*?-d '(.*?)'", EVENTS, re.S)
    assert [port for port, _ in calls] == ["8082", "8081"]
    answers = []
    for port, body in calls:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[port]),
                                     base_url=f"http://127.0.0.1:{port}") as sim:
            response = await sim.post("/_sim/events", content=body,
                                       headers={"Content-Type": "application/json"})
        assert response.status_code == 200, response.text
        answers.append(response.json())
    [shown] = re.findall(r"```json\n(.*?)```", EVENTS, re.S)
    expected, got = json.loads(shown)["published"][0], answers[0]["published"][0]
    assert {k: v for k, v in got.items() if k != "occurredAt"} == \
        {k: v for k, v in expected.items() if k != "occurredAt"}


@pytest.mark.parametrize("name", ["casegraph_events_newest_age_seconds", "casegraph_events_lag",
                                  "casegraph_events_stale", "casegraph_events_envelopes"])
def test_the_metrics_named_are_the_ones_registered(name):
    source = (ROOT / "events" / "feed.py").read_text()
    assert name.replace("_", ".", 2) in source and name in EVENTS
