"""A gateway over a private, changeable copy of the demo data, on a FakeClock, with events
published by hand into its hub; subscriptions run through the service as the transports run
them. Tests change a record, publish the event that says so, and read what each subscriber
was sent, up to the heartbeat that the clock's next step brings (nothing is waited for)."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from events.envelope import DomainEvent
from gateway.app import create_app
from gateway.audit.trail import AuditSettings
from gateway.settings import Settings
from gateway.subscriptions.service import Request
from gateway.subscriptions.settings import SubscriptionSettings
from policies.principal import Principal
from providers.embedded.dataset import shared
from providers.embedded.provider import EmbeddedProvider
from tests.clock import FakeClock

HEARTBEAT = 15.0
SCOPES = frozenset({"read", "custody:read", "risk:read"})
TYPES = {"HQ": "HQ"}
CASELOAD = ("subscription { caseloadChanges { kind crn nomsNumber offender { crn "
            "offenderManager { provider { code } } } custody { prisonNumber "
            "establishment { code } } } }")
CUSTODY = ("subscription($f: ChangeFilter) { custodyChanges(filter: $f) { kind crn nomsNumber "
           "custody { prisonNumber establishment { code } } } }")
_ids = itertools.count()


def principal(org: str, *, scopes: frozenset[str] = SCOPES, username: str | None = None,
              subject: str | None = None) -> Principal:
    kind = "HQ" if org == "HQ" else "CRC" if org.startswith("C") else "PRISON"
    return Principal(subject=subject or f"{org.lower()}-client", org=org, org_type=kind,
                     scopes=scopes, username=username)


class Subscriber:
    """One subscription's messages, pumped into a queue as the transports pump them."""

    def __init__(self, messages: Any) -> None:
        self.queue: asyncio.Queue[tuple[str, Any] | None] = asyncio.Queue()
        self._messages = messages
        self.reading = asyncio.Event()
        self.reading.set()
        self.held = 0  # messages taken while not reading (a client that stopped reading)
        self.task = asyncio.ensure_future(self._pump())

    async def _pump(self) -> None:
        async for message in self._messages:
            if not self.reading.is_set():
                self.held += 1
                await self.reading.wait()
            await self.queue.put(message)
        await self.queue.put(None)

    async def holding(self, count: int) -> None:
        """Until `count` messages are held (the subscription is then stopped at a yield)."""
        for _ in range(10_000):
            if self.held >= count:
                return
            await asyncio.sleep(0)
        raise AssertionError(f"held {self.held} messages, not {count}")

    async def next(self) -> tuple[str, Any] | None:
        async with asyncio.timeout(10):  # bounds a bug; a correct run never waits for time
            return await self.queue.get()

    async def until_heartbeat(self) -> list[tuple[str, Any]]:
        """Every message up to and including the next HEARTBEAT (or the end)."""
        found = []
        while (message := await self.next()) is not None:
            found.append(message)
            if message[0] == "error" or kind_of(message) == "HEARTBEAT":
                break
        return found

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


def kind_of(message: tuple[str, Any]) -> str | None:
    if message[0] != "next":
        return None
    change = next(iter(message[1]["data"].values()))
    return None if change is None else change["kind"]


def changes(messages: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """The change messages' payloads, heartbeats left out."""
    return [next(iter(m[1]["data"].values())) for m in messages
            if m[0] == "next" and kind_of(m) != "HEARTBEAT"]


class World:
    def __init__(self, settings: Settings | None = None) -> None:
        self.clock = FakeClock()
        base = shared()
        self.data = base.derived(people=dict(base.people), custody=dict(base.custody))
        settings = settings or Settings(audit=AuditSettings(sink="none"))
        settings = replace(settings, subscriptions=replace(
            settings.subscriptions, heartbeat_seconds=HEARTBEAT))
        self.app = create_app(settings, clock=self.clock)
        self.app.state.registry.providers["embedded"] = EmbeddedProvider(dataset=self.data)
        self.hub = self.app.state.hub
        self.service = self.app.state.subscriptions
        self.subscribers: list[Subscriber] = []
        self.original: tuple[dict[str, Any], dict[str, Any]] = ({}, {})  # a test's snapshot

    async def subscribe(self, who: Principal, query: str = CASELOAD,
                        variables: dict[str, Any] | None = None, *,
                        expires_at: float | None = None, listens: bool = True) -> Subscriber:
        """A running subscription; with `listens`, once it listens to the hub."""
        self.service.feeds.start()
        await asyncio.sleep(0)
        before = self.hub.listeners
        found = Subscriber(self.service.run(who, expires_at or self.clock.time() + 86_400,
                                            Request(query, variables, None)))
        self.subscribers.append(found)
        for _ in range(10_000):
            if not listens or self.hub.listeners > before:
                break
            await asyncio.sleep(0)
        else:
            raise AssertionError("the subscription never listened to the hub")
        return found

    def event(self, event_type: str, *, crn: str | None = None, noms: str | None = None,
              source: str = "nomis", **additional: Any) -> DomainEvent:
        return DomainEvent(event_type=event_type, version=1,
                           occurred_at=datetime.fromtimestamp(self.clock.time(), UTC),
                           source=source, crn=crn, noms=noms, additional=additional,
                           event_id=f"event-{next(_ids)}")

    async def publish(self, event: DomainEvent, *, read_now: bool = True) -> None:
        """Publish; with `read_now`, read the event's records before anything else changes."""
        self.hub.publish(event)
        if read_now:
            await self.service.rereads.of(event)

    def tick(self) -> None:
        """The clock's next heartbeat: every subscriber sends what it has, then a HEARTBEAT."""
        self.clock.advance(HEARTBEAT)

    # -- changes to the records ---------------------------------------------------------------

    def manager_to(self, crn: str, provider: str) -> None:
        person = self.data.people[crn]
        managers = tuple(replace(m, provider_code=provider) if m.active else m
                         for m in person.managers)
        self.data.people[crn] = replace(person, managers=managers)

    def held_at(self, noms: str, prison: str) -> None:
        self.data.custody[noms] = replace(self.data.custody[noms], agency_id=prison,
                                          active=True)

    async def close(self) -> None:
        for subscriber in self.subscribers:
            await subscriber.close()
        self.hub.close()
        await self.service.feeds.aclose()


def subscription_settings(**changes: Any) -> Settings:
    return Settings(audit=AuditSettings(sink="none"),
                    subscriptions=replace(SubscriptionSettings(), **changes))
