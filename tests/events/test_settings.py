"""`[events]` is checked at start: unknown keys, brokers, sources and intervals stop start-up
with a message naming the key; the default is off, one durable name per process."""

from __future__ import annotations

import os

import pytest

from events.settings import EventsSettings, parse_events
from gateway.cli import main
from providers.errors import ConfigError


def test_events_are_off_by_default_and_each_process_has_its_own_consumer_name():
    settings = EventsSettings()
    assert not settings.enabled and str(os.getpid()) in settings.consumer
    assert parse_events({}).stale_after_seconds == {"nomis": 900.0, "delius": 3600.0}


@pytest.mark.parametrize(("raw", "named"), [
    ({"enabeld": True}, "enabeld"),
    ({"broker": "kafka"}, "events.broker"),
    ({"check_seconds": 0}, "events.check_seconds"),
    ({"check_seconds": "often"}, "events.check_seconds"),
    ({"retention_seconds": -1}, "events.retention_seconds"),
    ({"stale_after_seconds": {}}, "events.stale_after_seconds"),
    ({"stale_after_seconds": {"nomis": True}}, "events.stale_after_seconds.nomis"),
    ({"stale_after_seconds": {"no.mis": 60}}, "source names"),
], ids=["unknown-key", "broker", "zero", "text", "negative", "no-sources", "bool", "dotted"])
def test_a_bad_events_setting_names_itself(raw, named):
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        parse_events(raw)


def test_redis_gets_its_own_default_url():
    assert parse_events({"broker": "redis"}).url.startswith("redis://")


def test_a_simulator_publishing_to_an_unknown_broker_is_refused(capsys):
    assert main(["simulate", "nomis", "--events", "kafka://127.0.0.1:9092"]) == 2
    assert "--events" in capsys.readouterr().err
