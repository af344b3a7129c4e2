"""Subscriptions: typed changes to people, each carrying the current record.

An event only says what changed and about whom; the record a change carries is re-read
through the providers and handed out by the row judge (`Reach`) like any query's, and its
fields are decided by the same policy walk (`resolvers.policed`). Which changes a subscriber
is sent at all is decided per event by the gateway (`gateway.subscriptions.stream`); these
resolvers only shape what it lets through.
"""

from __future__ import annotations

import datetime
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from enum import Enum
from typing import Any

import strawberry

from resolvers.context import Info
from resolvers.custody import Custody
from resolvers.offenders import Offender
from resolvers.reach import Stub, then


@strawberry.enum(description="What a change message says. The first five are changes to a "
                             "person; the rest carry no record.")
class ChangeKind(Enum):
    RECEIVED = "RECEIVED"
    RELEASED = "RELEASED"
    TRANSFERRED = "TRANSFERRED"
    SENTENCE_DATES_CHANGED = "SENTENCE_DATES_CHANGED"
    MANAGER_CHANGED = "MANAGER_CHANGED"
    LEFT_CASELOAD = strawberry.enum_value(
        "LEFT_CASELOAD", description="The person is no longer yours to see: no more changes "
                                     "about them on this stream. Carries only the identifier "
                                     "the stream already sent you.")
    HEARTBEAT = strawberry.enum_value(
        "HEARTBEAT", description="Sent on a fixed schedule: the age of each source's newest "
                                 "event, so a silent feed is told from a quiet one.")
    FEED_STALE = strawberry.enum_value(
        "FEED_STALE", description="A source has been silent longer than expected.")
    FEED_RESUMED = strawberry.enum_value(
        "FEED_RESUMED", description="A source that was stale is publishing again.")


PERSON_KINDS = frozenset({ChangeKind.RECEIVED, ChangeKind.RELEASED, ChangeKind.TRANSFERRED,
                          ChangeKind.SENTENCE_DATES_CHANGED, ChangeKind.MANAGER_CHANGED})


@strawberry.input(description="Which changes to send. Unset fields do not filter. "
                              "LEFT_CASELOAD and the feed messages are always sent.")
class ChangeFilter:
    establishment: strawberry.ID | None = strawberry.field(
        default=None, description="A prison's agency code: changes whose event names it, or "
                                  "whose person is held there now.")
    kinds: list[ChangeKind] | None = strawberry.field(
        default=None, description="Only these kinds of change.")


@strawberry.type(description="How recently a source published an event.")
class FeedAge:
    source: str = strawberry.field(description="The publishing system, e.g. `nomis`, `delius`.")
    age_seconds: float | None = strawberry.field(
        description="Seconds since its newest event (whole heartbeat intervals); null before "
                    "the first.")
    stale: bool = strawberry.field(description="Silent longer than its expectation.")


@dataclass(frozen=True, slots=True)
class Subject:
    """Whom a change is about, as the gateway judged it for this subscriber."""

    crn: str | None
    noms: str | None


@strawberry.type(description="One message of a change stream.")
class Change:
    kind: ChangeKind = strawberry.field(description="What happened.")
    occurred_at: datetime.datetime | None = strawberry.field(
        description="When the source says it happened; null on LEFT_CASELOAD and feed "
                    "messages.")
    crn: strawberry.ID | None = strawberry.field(description="The person's CRN, when known.")
    noms_number: str | None = strawberry.field(description="The person's prisoner number, "
                                                           "when known.")
    feeds: list[FeedAge] | None = strawberry.field(
        description="HEARTBEAT: every source; FEED_STALE and FEED_RESUMED: the one concerned.")
    subject: strawberry.Private[Subject | None]

    @strawberry.field(description="The person's current record, re-read after the change.")
    def offender(self, info: Info) -> Offender | None:
        if self.subject is None or self.subject.crn is None:
            return None

        def shaped(judged: Any) -> Offender | None:
            return None if judged is None or isinstance(judged, Stub) else Offender.build(judged)
        return then(info.context.reach.person(self.subject.crn), shaped)

    @strawberry.field(description="The person's current prison booking, re-read after the "
                                  "change, when you may see it.")
    async def custody(self, info: Info) -> Custody | None:
        if self.subject is None or self.subject.noms is None:
            return None
        found = await info.context.reach.custody(self.subject.noms)
        return None if found is None else Custody.build(found)


@strawberry.type(description="Changes pushed as they happen (graphql-transport-ws, or GraphQL "
                             "over SSE).")
class Subscription:
    @strawberry.subscription(description="Custody changes (received, released, transferred, "
                                         "sentence dates) of people whose custody you may see.")
    async def custody_changes(self, info: Info, filter: ChangeFilter | None = None
                              ) -> AsyncGenerator[Change | None, None]:
        async for change in info.context.changes.stream("custody", filter):
            yield change

    @strawberry.subscription(description="Every change to the people your organisation "
                                         "manages (or may see), manager changes included.")
    async def caseload_changes(self, info: Info, filter: ChangeFilter | None = None
                               ) -> AsyncGenerator[Change | None, None]:
        async for change in info.context.changes.stream("caseload", filter):
            yield change
