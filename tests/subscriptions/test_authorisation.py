"""Per-event authorisation: a change reaches exactly the subscribers who may see its person
when it happens, judged on the record re-read after it, through the same policy walk and row
judge as queries."""

from __future__ import annotations

import pytest

from tests.subscriptions.world import (
    CASELOAD,
    CUSTODY,
    SCOPES,
    World,
    changes,
    kind_of,
    principal,
)

CRN, NOMS = "R970903", "K8456PF"  # managed by C05, held at SFI, the one record of its number
RECEIVED = "prisoner-offender-search.prisoner.received"
MANAGER = "person.community.manager.allocated"


@pytest.fixture
async def world():
    found = World()
    yield found
    await found.close()


async def test_a_transfer_ends_the_old_managers_stream_and_starts_the_new_ones(world):
    c05, c09, c07 = [await world.subscribe(principal(org)) for org in ("C05", "C09", "C07")]
    await world.publish(world.event(RECEIVED, noms=NOMS, reason="ADMISSION", prisonId="SFI"))
    world.manager_to(CRN, "C09")
    await world.publish(world.event(MANAGER, crn=CRN, source="delius"))
    await world.publish(world.event(RECEIVED, noms=NOMS, reason="ADMISSION", prisonId="SFI"))
    world.tick()
    seen = {org: changes(await s.until_heartbeat()) for org, s in
            (("C05", c05), ("C09", c09), ("C07", c07))}
    assert [c["kind"] for c in seen["C05"]] == ["RECEIVED", "LEFT_CASELOAD"]
    assert seen["C05"][0]["offender"]["offenderManager"]["provider"]["code"] == "C05"
    assert seen["C05"][1] == {"kind": "LEFT_CASELOAD", "crn": CRN, "nomsNumber": None,
                              "offender": None, "custody": None}
    assert [c["kind"] for c in seen["C09"]] == ["MANAGER_CHANGED", "RECEIVED"]
    assert seen["C09"][0]["offender"]["offenderManager"]["provider"]["code"] == "C09"
    assert seen["C09"][1]["custody"] == {"prisonNumber": NOMS, "establishment": {"code": "SFI"}}
    assert seen["C07"] == []


async def test_hq_sees_every_change_and_a_prison_the_people_it_holds(world):
    hq = await world.subscribe(principal("HQ"), CUSTODY)
    sfi = await world.subscribe(principal("SFI"), CUSTODY)
    lei = await world.subscribe(principal("LEI"), CUSTODY)
    await world.publish(world.event(RECEIVED, noms=NOMS, reason="ADMISSION", prisonId="SFI"))
    world.held_at(NOMS, "LEI")
    await world.publish(world.event(RECEIVED, noms=NOMS, reason="TRANSFERRED", prisonId="LEI"))
    world.tick()
    assert [c["kind"] for c in changes(await hq.until_heartbeat())] == \
        ["RECEIVED", "TRANSFERRED"]
    assert changes(await sfi.until_heartbeat()) == [
        {"kind": "RECEIVED", "crn": CRN, "nomsNumber": NOMS,
         "custody": {"prisonNumber": NOMS, "establishment": {"code": "SFI"}}},
        {"kind": "LEFT_CASELOAD", "crn": None, "nomsNumber": NOMS, "custody": None}]
    assert [(c["kind"], c["custody"]["establishment"]["code"])
            for c in changes(await lei.until_heartbeat())] == [("TRANSFERRED", "LEI")]


async def test_a_prison_may_not_open_a_caseload_stream(world):
    refused = await world.subscribe(principal("SFI"), CASELOAD, listens=False)
    kind, errors = await refused.next()
    assert kind == "error" and [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    assert await refused.next() is None


async def test_fields_a_principal_may_not_read_are_null_with_forbidden_on_every_message(world):
    no_custody = await world.subscribe(principal("C05", scopes=frozenset({"read"})))
    await world.publish(world.event(RECEIVED, noms=NOMS, reason="ADMISSION", prisonId="SFI"))
    world.tick()
    messages = await no_custody.until_heartbeat()
    [change] = changes(messages)
    assert change["crn"] == CRN and change["custody"] is None
    assert {e["extensions"]["code"] for e in messages[0][1]["errors"]} == {"FORBIDDEN"}
    assert kind_of(messages[-1]) == "HEARTBEAT"


@pytest.mark.parametrize("username, sent", [("jexcluded", False), ("demo.officer", True),
                                            (None, False)])
async def test_limited_access_keeps_every_change_about_the_person_from_excluded_users(
        world, username, sent):
    who = principal("C01", username=username, subject=f"c01-{username}")
    subscriber = await world.subscribe(who)
    await world.publish(world.event(MANAGER, crn="X000040", source="delius"))
    world.tick()
    found = changes(await subscriber.until_heartbeat())
    assert [c["crn"] for c in found] == (["X000040"] if sent else [])


async def test_filters_apply_to_changes_the_subscriber_may_see(world):
    only_released = await world.subscribe(principal("C05"), CUSTODY,
                                          {"f": {"kinds": ["RELEASED"]}})
    at_lei = await world.subscribe(principal("C05"), CUSTODY, {"f": {"establishment": "lei"}})
    await world.publish(world.event(RECEIVED, noms=NOMS, reason="ADMISSION", prisonId="SFI"))
    world.held_at(NOMS, "LEI")
    await world.publish(world.event("prisoner-offender-search.prisoner.released", noms=NOMS,
                                    reason="RELEASED", prisonId="SFI"))
    world.tick()
    assert [c["kind"] for c in changes(await only_released.until_heartbeat())] == ["RELEASED"]
    assert [c["kind"] for c in changes(await at_lei.until_heartbeat())] == ["RELEASED"]


async def test_each_event_is_read_once_however_many_subscribe(world):
    subscribers = [await world.subscribe(principal(org, subject=f"{org}-{n}"))
                   for n in range(3) for org in ("C05", "C09", "HQ")]
    reads = world.service.rereads.reads
    event = world.event(RECEIVED, noms=NOMS, reason="ADMISSION", prisonId="SFI")
    await world.publish(event, read_now=False)
    world.tick()
    sent = [len(changes(await s.until_heartbeat())) for s in subscribers]
    assert sent == [1, 0, 1] * 3
    assert world.service.rereads.reads == reads + 1
    read = await world.service.rereads.of(event)
    assert read is not None and len(read.verdicts) == 3  # judged once per standing


async def test_events_subscribers_are_not_told_of_are_ignored(world):
    subscriber = await world.subscribe(principal("HQ", scopes=SCOPES))
    await world.publish(world.event("prisoner-offender-search.prisoner.alerts-updated",
                                    noms=NOMS))
    await world.publish(world.event(MANAGER, crn="X999999", source="delius"))  # nobody
    world.tick()
    assert changes(await subscriber.until_heartbeat()) == []


@pytest.mark.parametrize("which", [CASELOAD, CUSTODY])
async def test_an_establishment_filter_needs_custody_read(world, which):
    """Without custody:read, which prison a change concerns is not the subscriber's to
    know: a filter naming one is refused, not answered by what arrives."""
    query = which.replace("caseloadChanges {", "caseloadChanges(filter: $f) {").replace(
        "subscription {", "subscription($f: ChangeFilter) {")
    reader = await world.subscribe(principal("C05", scopes=frozenset({"read"})), query,
                                   {"f": {"establishment": "SFI"}}, listens=False)
    ended = await reader.next()
    assert ended is not None and ended[0] == "error", ended
    assert "FORBIDDEN" in str(ended[1])
    allowed = await world.subscribe(principal("C05"), query, {"f": {"establishment": "SFI"}})
    await world.publish(world.event(RECEIVED, noms=NOMS, reason="ADMISSION", prisonId="SFI"))
    world.tick()
    assert [c["kind"] for c in changes(await allowed.until_heartbeat())] == ["RECEIVED"]


async def test_a_custody_stream_carries_custodys_kinds_only(world):
    custody = await world.subscribe(principal("C05"), CUSTODY)
    world.manager_to(CRN, "C05")
    await world.publish(world.event(MANAGER, crn=CRN, source="delius"))
    await world.publish(world.event(RECEIVED, noms=NOMS, reason="ADMISSION", prisonId="SFI"))
    world.tick()
    assert [c["kind"] for c in changes(await custody.until_heartbeat())] == ["RECEIVED"]
