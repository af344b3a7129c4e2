"""Noninterference for subscriptions: what a subscriber receives (which messages, how many,
in what order, their errors) is the same whether or not events about people outside its
reach are published.

Hypothesis draws sequences of changes to a pool of people (received, transferred between
prisons, released, sentence dates, a change of offender manager between CRCs), each applied
to the data and announced by its event. For each subscriber the sequence runs twice on the
same gateway, from the same data: once with every event published, once with only the events
about people it may see before or after the change (`reach_oracle.in_reach`, which is
written from the data, not from the policies). The messages up to the next heartbeat must be
identical, except the heartbeat's feed ages: those say how recently each source published
anything, a property of the feed that is declassified on purpose (README "Events").
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.policies.reach_oracle import in_reach
from tests.subscriptions.world import CASELOAD, CUSTODY, World, principal

EXAMPLES = max(10, int(os.environ.get("CASEGRAPH_NI_EXAMPLES", "200")) // 5)
# People with one probation record per prisoner number and a custody record, from four CRCs.
POOL = ("X000004", "S000145", "R970903", "E028631", "C243055", "B635227", "R101529",
        "M494964")
PRISONS = ("MDI", "SFI", "PVI")
PROVIDERS = ("C01", "C05", "C09", "C07")
SUBSCRIBERS = {
    "C05 caseload": (principal("C05"), CASELOAD),
    "C05 custody": (principal("C05", subject="c05-custody"), CUSTODY),
    "C09 without custody:read": (principal("C09", scopes=frozenset({"read"})), CASELOAD),
    "MDI custody": (principal("MDI"), CUSTODY),
    "C01 excluded user": (principal("C01", username="jexcluded", subject="jexcluded"),
                          CASELOAD),
}
STEPS = st.lists(st.tuples(st.integers(0, len(POOL) - 1),
                           st.sampled_from(("received", "transferred", "released", "dates",
                                            "manager")),
                           st.integers(0, 3)), min_size=1, max_size=8)


@pytest.fixture(scope="module")
async def world():
    found = World()
    limited = found.data.people["X000004"]  # Limited Access: excluded for `jexcluded`
    found.data.people["X000004"] = replace(limited, exclusion_users=("jexcluded",),
                                           exclusion_message="Excluded")
    found.original = (dict(found.data.people), dict(found.data.custody))
    yield found
    await found.close()


def _restore(world: World) -> None:
    people, custody = world.original
    world.data.people.clear()
    world.data.people.update(people)
    world.data.custody.clear()
    world.data.custody.update(custody)


def _apply(world: World, crn: str, action: str, choice: int) -> Any:
    """Change the data as the step says; the event announcing it."""
    noms = world.data.people[crn].noms_number
    assert noms is not None
    if action == "manager":
        world.manager_to(crn, PROVIDERS[choice])
        return world.event("person.community.manager.allocated", crn=crn, source="delius")
    if action == "dates":
        return world.event("prison-offender-events.prisoner.sentence-dates-changed", noms=noms)
    prison = PRISONS[choice % len(PRISONS)]
    if action == "released":
        world.data.custody[noms] = replace(world.data.custody[noms], active=False,
                                           status="INACTIVE OUT", in_out_status="OUT")
        return world.event("prisoner-offender-search.prisoner.released", noms=noms,
                           reason="RELEASED", prisonId=prison)
    world.held_at(noms, prison)
    reason = "TRANSFERRED" if action == "transferred" else "ADMISSION"
    return world.event("prisoner-offender-search.prisoner.received", noms=noms, reason=reason,
                       prisonId=prison)


async def _received(world: World, name: str, steps: list[tuple[int, str, int]],
                    everything: bool) -> list[Any]:
    """What the subscriber was sent for these steps, with or without the events about
    people outside its reach."""
    who, query = SUBSCRIBERS[name]
    _restore(world)
    subscriber = await world.subscribe(who, query)
    try:
        for index, action, choice in steps:
            crn = POOL[index]
            before = in_reach(world.data, who, world.data.people[crn])
            event = _apply(world, crn, action, choice)
            after = in_reach(world.data, who, world.data.people[crn])
            if everything or before or after:
                await world.publish(event)
        world.tick()
        return _masked(await subscriber.until_heartbeat())
    finally:
        await subscriber.close()
        world.subscribers.remove(subscriber)


def _masked(messages: list[Any]) -> list[Any]:
    found = []
    for kind, body in messages:
        change = next(iter(body["data"].values())) if kind == "next" else None
        if change is not None and change["kind"] == "HEARTBEAT":
            body = {**body, "data": {"heartbeat": "feed ages declassified"}}
        found.append((kind, body))
    return found


@pytest.mark.parametrize("name", sorted(SUBSCRIBERS))
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
async def test_events_outside_a_subscribers_reach_change_nothing_it_receives(world, name,
                                                                            steps):
    everything = await _received(world, name, steps, everything=True)
    own = await _received(world, name, steps, everything=False)
    assert everything == own


async def test_the_pool_exercises_every_kind_of_message(world):
    """Not vacuous: the property's sequences do send changes and departures."""
    steps = [(2, "received", 0), (2, "manager", 2), (4, "manager", 1), (0, "dates", 0)]
    kinds = [body["data"].get("caseloadChanges", {"kind": "HEARTBEAT"})["kind"] for _, body in
             await _received(world, "C05 caseload", steps, everything=True)]
    assert kinds == ["RECEIVED", "LEFT_CASELOAD", "MANAGER_CHANGED", "HEARTBEAT"]
    limited = await _received(world, "C01 excluded user", [(0, "dates", 0), (1, "dates", 0)],
                              everything=True)
    assert [b["data"].get("caseloadChanges", {}).get("crn") for _, b in limited] == \
        ["S000145", None]
