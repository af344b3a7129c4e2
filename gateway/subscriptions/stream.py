"""One subscriber's changes: which events it is sent, judged per event on the re-read record.

A change is sent only about a person the subscriber may see in full when the event is
judged: `caseloadChanges` needs the probation record (the Offender row rule: for a CRC, a
person it manages), `custodyChanges` the custody record (the Custody row rule, over everyone
holding the prisoner number). A person Limited Access keeps from the subscriber is nobody
to it: no message at all. A person this stream told the subscriber about who is no longer
theirs gets one LEFT_CASELOAD with the identifier the stream already sent, and then
nothing more. Filters are applied after that judgement, to records the subscriber may see.

Heartbeats go out on the clock's schedule, whatever happens on the feed; the stream ends
with TOKEN_EXPIRED when the token does, and with SLOW_CONSUMER when the subscriber's queue
overflowed (the hub dropped it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import strawberry

from events.envelope import DomainEvent
from events.hub import FeedNotice, Hub, Listener, SlowConsumer
from gateway.subscriptions.kinds import change_kind, named_prison
from gateway.subscriptions.rereads import Reread, Rereads
from policies.evaluator import NOTHING, Decisions
from policies.limited_access import LimitedAccess
from providers.clock import Clock
from providers.records import Custody, Person
from providers.registry import Registry
from resolvers.changes import PERSON_KINDS, Change, ChangeFilter, ChangeKind, FeedAge, Subject
from resolvers.errors import CasegraphError
from resolvers.judge import Stub
from resolvers.loaders import Loaders, SourceLog
from resolvers.reach import Reach

if TYPE_CHECKING:
    from gateway.subscriptions.feeds import FeedAges

TICK: Any = object()  # the heartbeat timer fired
_NO_PROVIDERS = Registry({}, {})  # what a message without a record may read: nothing


class StreamEnded(CasegraphError):
    """Why a stream ended, as the subscriber is told: a coded error (an answer, not an
    incident: nothing is logged)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.reason = code


@dataclass(frozen=True, slots=True)
class Verdict:
    """A change this subscriber may be sent: about whom, and the prison its records name."""

    subject: Subject
    prison: str | None


class ChangeStream:
    """The `changes` of one subscription's context. `begin` readies the context for one
    message (a fresh row judge over that event's records); `sent` is told what went out."""

    def __init__(self, hub: Hub, rereads: Rereads, feeds: FeedAges, decisions: Decisions,
                 clock: Clock, expires_at: float, queue: int, heartbeat_seconds: float,
                 begin: Callable[[Reach], None]) -> None:
        self.hub, self.rereads, self.feeds = hub, rereads, feeds
        self.decisions = decisions
        self.clock = clock
        self.expires_at = expires_at
        self.queue = queue
        self.heartbeat_seconds = heartbeat_seconds
        self.begin = begin
        self.ended: StreamEnded | None = None
        self.known: dict[str, Subject] = {}  # people this stream has told of, by key
        self.current: Subject | None = None  # whom the message being sent is about
        # All the row judge's verdicts on an event depend on: the row rules and Limited Access.
        limited = LimitedAccess(decisions.principal)
        self._standing = (decisions.row_filter("Offender"), decisions.row_filter("Custody"),
                          limited._user, limited._check_exclusions,
                          limited._check_restrictions)
        self._nothing = Loaders(_NO_PROVIDERS, SourceLog())

    async def stream(self, which: str, wanted: ChangeFilter | None) -> AsyncIterator[Change]:
        if wanted is not None and wanted.establishment is not None \
                and not self._may_read_prisons():
            # Which prison a change concerns is custody data: a filter on it would tell,
            # stream by stream, what the principal may not read.
            self._end("FORBIDDEN", "Filtering on an establishment needs what reading "
                      "Custody.establishment needs (the custody:read scope)")
        first_beat = self.clock.monotonic() + self.heartbeat_seconds  # as it starts listening
        listener = self.hub.listen(self.queue)
        try:
            async for item in self._items(listener, first_beat):
                if item is TICK:
                    self._begin(None)
                    yield self._heartbeat()
                elif isinstance(item, FeedNotice):
                    self._begin(None)
                    yield Change(kind=ChangeKind[item.code], occurred_at=None, crn=None,
                                 noms_number=None, subject=None,
                                 feeds=[self._feed(item.source)])
                else:
                    for change, loaders in await self._changes(which, wanted, item):
                        self._begin(loaders, Subject(change.crn, change.noms_number))
                        yield change
        finally:
            listener.close()

    async def _changes(self, which: str, wanted: ChangeFilter | None, event: DomainEvent
                       ) -> list[tuple[Change, Loaders | None]]:
        """What this event means to this subscriber: a change, a LEFT_CASELOAD, or nothing."""
        kind = change_kind(event)
        if kind is None or (read := await self.rereads.of(event)) is None:
            return []
        key = (which, self._standing)
        judging = read.verdicts.get(key)
        if judging is None:  # the same for every subscriber of this standing: judged once
            judging = read.verdicts[key] = asyncio.ensure_future(self._judged(which, read))
        verdict = await judging
        keys = list(read.crns) if which == "caseload" else [read.noms] if read.noms else []
        if verdict is None:
            return [(Change(kind=ChangeKind.LEFT_CASELOAD, occurred_at=None, crn=_id(left.crn),
                            noms_number=left.noms, feeds=None, subject=None), None)
                    for left in (self.known.pop(k) for k in sorted(keys) if k in self.known)]
        if which == "custody" and kind is ChangeKind.MANAGER_CHANGED:
            return []  # custody streams carry custody's kinds (the README's list)
        if not _wanted(wanted, kind, verdict, event):
            return []
        subject = verdict.subject
        key = subject.crn if which == "caseload" else subject.noms
        if key is not None:
            self.known[key] = Subject(key, None) if which == "caseload" else Subject(None, key)
        return [(Change(kind=kind, occurred_at=event.occurred_at, crn=_id(subject.crn),
                        noms_number=subject.noms, feeds=None, subject=subject), read.loaders)]

    async def _judged(self, which: str, read: Reread) -> Verdict | None:
        """The row judge's verdict on the re-read records, handing nothing out."""
        judge = Reach(read.loaders, self.decisions)
        raw = [judge._unread(judge.loaders.peek("offender", crn)) for crn in read.crns]
        people = [p for p in raw if isinstance(p, Person)]
        verdicts = await judge.people_judged(people, hand=False)
        if any(isinstance(v, Stub) for v in verdicts):
            return None  # Limited Access: nothing about this person at all
        visible = sorted((v for v in verdicts if isinstance(v, Person)), key=lambda p: p.crn)
        custody = None
        if read.noms:
            record = judge._unread(judge.loaders.peek("custody", read.noms))
            if isinstance(record, Custody):
                [custody] = await judge.custody_judged([record], [read.noms], hand=False)
        if which == "caseload":
            if not visible:
                return None
            person = visible[0]
            return Verdict(Subject(person.crn, person.noms_number),
                           custody.agency_id if custody else None)
        if custody is None:
            return None
        crn = visible[0].crn if visible else None
        return Verdict(Subject(crn, custody.noms_number), custody.agency_id)

    def _heartbeat(self) -> Change:
        return Change(kind=ChangeKind.HEARTBEAT, occurred_at=None, crn=None, noms_number=None,
                      subject=None, feeds=[FeedAge(source=s, age_seconds=a, stale=st)
                                           for s, a, st in self.feeds.ages(
                                               self.heartbeat_seconds)])

    def _feed(self, source: str) -> FeedAge:
        for name, age, stale in self.feeds.ages(self.heartbeat_seconds):
            if name == source:
                return FeedAge(source=name, age_seconds=age, stale=stale)
        return FeedAge(source=source, age_seconds=None, stale=source in self.feeds.stale)

    def _begin(self, loaders: Loaders | None, current: Subject | None = None) -> None:
        """A fresh row judge for the next message (over nothing, for one without a record:
        every record field of it is then null); `current`: the identifiers it carries."""
        self.current = current
        self.begin(Reach(loaders if loaders is not None else self._nothing, self.decisions))

    async def _items(self, listener: Listener, next_beat: float) -> AsyncIterator[Any]:
        """The listener's items, heartbeat ticks on schedule, and the end: at expiry, or when
        the listener overflowed. Whatever is queued goes before a tick that is due, so the
        order of messages depends on the clock and the feed alone, never on scheduling."""
        items = aiter(listener)
        next_item: asyncio.Task[Any] | None = None
        timer: asyncio.Task[None] | None = None
        expires = self.clock.monotonic() + (self.expires_at - self.clock.time())
        try:
            while True:
                if self.clock.monotonic() >= expires:
                    self._end("TOKEN_EXPIRED", "The token expired: reconnect with a new one")
                if next_item is None and listener.pending:
                    yield await self._taken(anext(items))  # queued: no wait, no task
                    continue
                if next_item is not None and (next_item.done() or listener.pending):
                    taken, next_item = next_item, None
                    yield await self._taken(taken)
                    continue
                if next_beat <= self.clock.monotonic():
                    next_beat = self.clock.monotonic() + self.heartbeat_seconds
                    if timer is not None:
                        timer.cancel()
                        timer = None
                    yield TICK
                    continue
                if next_item is None:
                    next_item = asyncio.ensure_future(anext(items))
                if timer is None:
                    timer = asyncio.ensure_future(self._until(min(expires, next_beat)))
                await asyncio.wait({next_item, timer}, return_when=asyncio.FIRST_COMPLETED)
                if timer.done():
                    timer = None
        finally:
            for task in (next_item, timer):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(BaseException):
                        await task

    async def _taken(self, item: Any) -> Any:
        """An item from the listener (awaited), or the end when the hub dropped us."""
        try:
            found = await item
        except StopAsyncIteration:
            self._end("SHUTTING_DOWN", "The gateway is shutting down: reconnect")
        except SlowConsumer:
            self._end("SLOW_CONSUMER", "This subscriber fell more than "
                      f"{self.queue} events behind the feed and was dropped")
        self.feeds.saw(found)
        return found

    async def _until(self, instant: float) -> None:
        """Sleep until a monotonic instant, worked out when the sleep starts (a clock moved
        in between is not slept through twice)."""
        await self.clock.sleep(max(0.0, instant - self.clock.monotonic()))

    def _may_read_prisons(self) -> bool:
        """Custody rows at all (custody:read) and their establishment field."""
        return self.decisions.row_filter("Custody") != NOTHING \
            and self.decisions.allows("Custody", "establishment")

    def _end(self, code: str, message: str) -> None:
        self.ended = StreamEnded(code, message)
        raise self.ended


def _wanted(wanted: ChangeFilter | None, kind: ChangeKind, verdict: Verdict,
            event: DomainEvent) -> bool:
    if wanted is None:
        return True
    if wanted.kinds is not None and kind in PERSON_KINDS and kind not in wanted.kinds:
        return False
    if wanted.establishment is not None:
        code = str(wanted.establishment).upper()
        return code in (named_prison(event), verdict.prison)
    return True


def _id(value: str | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(value)
