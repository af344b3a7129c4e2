"""Bounded resources and the end of a stream: per-principal limits, a slow consumer dropped,
the token's expiry (by the clock), heartbeats and feed notices, and the audit of each message."""

from __future__ import annotations

import httpx
import orjson
import pytest

from events.hub import FeedNotice
from gateway.audit.trail import AuditSettings
from gateway.settings import Settings
from tests.events.test_gateway_events import metric
from tests.subscriptions.world import (
    CUSTODY,
    HEARTBEAT,
    World,
    changes,
    kind_of,
    principal,
    subscription_settings,
)

NOMS = "K8456PF"  # R970903, managed by C05, held at SFI
RECEIVED = "prisoner-offender-search.prisoner.received"


def _codes(message):
    assert message[0] == "error"
    return [e["extensions"]["code"] for e in message[1]]


async def test_a_principal_opens_at_most_its_limit_of_streams():
    world = World(subscription_settings(max_per_principal=2))
    try:
        c05 = principal("C05")
        open_ = [await world.subscribe(c05) for _ in range(2)]
        refused = await world.subscribe(c05, listens=False)
        assert _codes(await refused.next()) == ["TOO_MANY_SUBSCRIPTIONS"]
        other = await world.subscribe(principal("C05", subject="another-c05-client"))
        await open_[0].close()  # its slot comes back
        again = await world.subscribe(c05)
        world.tick()
        for subscriber in (again, other):
            assert [kind_of(m) for m in await subscriber.until_heartbeat()] == ["HEARTBEAT"]
    finally:
        await world.close()


async def test_a_slow_consumer_is_told_and_dropped_and_the_others_go_on():
    world = World(subscription_settings(queue=4))
    try:
        slow = await world.subscribe(principal("HQ", subject="slow"), CUSTODY)
        fast = await world.subscribe(principal("HQ", subject="fast"), CUSTODY)
        slow.reading.clear()  # a client that stops reading: its messages back up
        for n in range(7):
            await world.publish(world.event(RECEIVED, noms=NOMS, reason="ADMISSION"))
            assert kind_of(await fast.next()) == "RECEIVED"
            if n == 0:
                await slow.holding(1)
        slow.reading.set()
        messages = []
        while (message := await slow.next()) is not None:
            messages.append(message)
        assert [kind_of(messages[0]), *_codes(messages[1])] == ["RECEIVED", "SLOW_CONSUMER"]
        assert len(messages) == 2 and world.hub.dropped_listeners == 1
        world.tick()
        assert [kind_of(m) for m in await fast.until_heartbeat()] == ["HEARTBEAT"]
    finally:
        await world.close()


async def test_the_stream_ends_with_token_expired_when_the_token_does(caplog):
    world = World()
    try:
        subscriber = await world.subscribe(principal("C05"),
                                           expires_at=world.clock.time() + 2 * HEARTBEAT + 1)
        world.tick()
        assert kind_of(await subscriber.next()) == "HEARTBEAT"
        world.tick()
        assert kind_of(await subscriber.next()) == "HEARTBEAT"
        world.clock.advance(1)
        assert _codes(await subscriber.next()) == ["TOKEN_EXPIRED"]
        assert await subscriber.next() is None
        late = await world.subscribe(principal("C05", subject="late"), listens=False,
                                     expires_at=world.clock.time() - 1)
        assert _codes(await late.next()) == ["TOKEN_EXPIRED"]
        # An ending is an answer, not an incident: nothing logged as an error.
        assert not [r for r in caplog.records if r.levelname == "ERROR"]
    finally:
        await world.close()


async def test_heartbeats_carry_each_sources_age_and_stale_feeds_are_announced():
    world = World()
    try:
        subscriber = await world.subscribe(principal("C05"), "subscription { caseloadChanges "
                                           "{ kind crn offender { crn } feeds { source "
                                           "ageSeconds stale } } }")
        world.tick()
        assert changes(await subscriber.until_heartbeat()) == []  # heartbeat only
        await world.publish(world.event("prisoner-offender-search.prisoner.alerts-updated",
                                        noms=NOMS))
        world.clock.advance(40)
        world.hub.publish(FeedNotice("FEED_STALE", "nomis", 40.0))
        messages = await subscriber.until_heartbeat()
        feed = [m[1]["data"]["caseloadChanges"] for m in messages]
        assert feed == [
            {"kind": "FEED_STALE", "crn": None, "offender": None,
             "feeds": [{"source": "nomis", "ageSeconds": 30.0, "stale": True}]},
            {"kind": "HEARTBEAT", "crn": None, "offender": None,
             "feeds": [{"source": "nomis", "ageSeconds": 30.0, "stale": True}]}]
        world.hub.publish(FeedNotice("FEED_RESUMED", "nomis", 0.0))
        world.tick()
        assert [(m[1]["data"]["caseloadChanges"]["kind"],
                 m[1]["data"]["caseloadChanges"]["feeds"][0]["stale"])
                for m in await subscriber.until_heartbeat()] == \
            [("FEED_RESUMED", False), ("HEARTBEAT", False)]
    finally:
        await world.close()


@pytest.mark.parametrize("scopes", [frozenset({"read", "custody:read"}), frozenset({"read"})])
async def test_the_audit_trail_records_what_each_subscriber_was_sent(tmp_path, scopes):
    path = tmp_path / "audit.jsonl"
    world = World(Settings(audit=AuditSettings(sink="file", path=path)))
    try:
        subscriber = await world.subscribe(principal("C05", scopes=scopes), CUSTODY)
        await world.publish(world.event(RECEIVED, noms=NOMS, reason="ADMISSION"))
        world.tick()
        await subscriber.until_heartbeat()
        world.clock.advance(1)  # the trail lingers a moment to write events together
        await world.app.state.audit.aclose()
        written = path.read_text() if path.exists() else ""
        events = [orjson.loads(line) for line in written.splitlines()]
        if "custody:read" in scopes:
            [event] = events
            assert event["org"] == "C05" and event["prisoners"] == [NOMS]
            assert {"Change", "Custody"} <= set(event["fieldGroups"])
        else:  # no custody without the scope: only the heartbeat, its denial recorded
            assert [(e["offenders"], e["prisoners"], e["denied"]) for e in events] == \
                [([], [], ["Change.custody"])]
    finally:
        await world.close()



async def test_past_the_process_limit_a_stream_is_refused_as_overloaded():
    world = World(subscription_settings(max_total=1))
    try:
        await world.subscribe(principal("C05"))
        refused = await world.subscribe(principal("C09"), listens=False)
        assert _codes(await refused.next()) == ["OVERLOADED"]
    finally:
        await world.close()


async def test_a_message_the_audit_trail_cannot_take_ends_the_stream_unsent(tmp_path):
    world = World(Settings(audit=AuditSettings(sink="file", path=tmp_path / "a", queue=1)))
    try:
        subscriber = await world.subscribe(principal("HQ"), CUSTODY)
        for _ in range(3):  # the trail's writer waits on the clock: its queue of 1 fills
            await world.publish(world.event(RECEIVED, noms=NOMS, reason="ADMISSION"))
        messages = []
        while (message := await subscriber.next()) is not None:
            messages.append(message)
        assert _codes(messages[-1]) == ["AUDIT_UNAVAILABLE"]
        sent = [kind_of(m) for m in messages[:-1]]
        assert sent in (["RECEIVED"], ["RECEIVED", "RECEIVED"])
        assert world.app.state.audit.refused == 1
    finally:
        await world.close()


async def test_at_shutdown_every_stream_ends_with_shutting_down():
    world = World()
    try:
        subscriber = await world.subscribe(principal("C05"))
        world.hub.close()
        assert _codes(await subscriber.next()) == ["SHUTTING_DOWN"]
        assert await subscriber.next() is None
    finally:
        await world.close()


async def test_a_client_held_to_trusted_documents_subscribes_only_to_those(tmp_path):
    import hashlib
    import json

    from gateway.persisted import PersistedSettings

    listed = "subscription Listed { caseloadChanges { kind crn } }"
    manifest = tmp_path / "trusted.json"
    manifest.write_text(json.dumps({
        "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{
            "id": hashlib.sha256(listed.encode()).hexdigest(), "name": "Listed",
            "type": "subscription", "body": listed}]}))
    world = World(Settings(audit=AuditSettings(sink="none"),
                           persisted=PersistedSettings(clients={"c05-client": manifest})))
    try:
        refused = await world.subscribe(principal("C05"), CUSTODY, listens=False)
        assert _codes(await refused.next()) == ["PERSISTED_QUERY_NOT_IN_LIST"]
        allowed = await world.subscribe(principal("C05"), listed)
        world.tick()
        assert [kind_of(m) for m in await allowed.until_heartbeat()] == ["HEARTBEAT"]
    finally:
        await world.close()


async def test_metrics_count_open_streams_and_messages_sent():
    world = World()
    try:
        subscriber = await world.subscribe(principal("C05"))
        world.tick()
        assert kind_of(await subscriber.next()) == "HEARTBEAT"
        transport = httpx.ASGITransport(app=world.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            text = (await client.get("/metrics")).text
        assert metric(text, "casegraph_subscriptions_open") == 1.0
        assert metric(text, "casegraph_subscriptions_messages") == 1.0
    finally:
        await world.close()
