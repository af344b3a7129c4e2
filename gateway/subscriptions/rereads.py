"""Each event's records, read once per process however many subscribers judge them.

An event names a person (CRN and/or NOMS number) and what changed; the current records are
read through the providers (the `detailUrl` pattern), into one set of loaders per event.
Every subscriber judges and shapes its message from those loaders with its own row judge
(`Reach`), so a thousand subscribers cost one read, and a field only some of them select is
read once, by the first who asks. A copy a cache holds from before the event is not used.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from events.envelope import DomainEvent
from providers.cached import fetched_after
from providers.errors import ProviderError
from providers.registry import Registry
from resolvers.loaders import Loaders, SourceLog, Unreadable

if TYPE_CHECKING:
    from gateway.telemetry import Telemetry

log = logging.getLogger("casegraph.subscriptions")
KEPT = 512  # events whose reads are kept (the service keeps two subscriber queues' worth)


@dataclass(frozen=True, slots=True)
class Reread:
    """The records of one event: `loaders` hold them; `crns` are the probation records it is
    about, `noms` its prisoner number (from the event, else from those records). `verdicts`:
    the row judge's verdict on them per kind of stream and what decides it (the row rules
    and Limited Access standing), worked out by the first subscriber that needs it."""

    loaders: Loaders
    crns: tuple[str, ...]
    noms: str | None
    verdicts: dict[Any, Any] = field(default_factory=dict)


class Rereads:
    """One read per event per process, kept for the last `keep` events: a subscriber is at
    most its queue behind, so a read it needs is still here."""

    def __init__(self, registry: Registry, batching: bool = True,
                 telemetry: Telemetry | None = None, keep: int = KEPT) -> None:
        self._registry = registry
        self._keep = keep
        self._batching = batching
        self._telemetry = telemetry
        self._reads: OrderedDict[str, tuple[DomainEvent, asyncio.Task[Reread | None]]] = \
            OrderedDict()
        self.reads = 0  # events read (the benchmark and tests count them)

    def of(self, event: DomainEvent) -> asyncio.Task[Reread | None]:
        """The read of this event's records, started by its first subscriber. None when the
        records could not be read: nobody is sent the change (fail closed)."""
        key = event.event_id or f"object:{id(event)}"  # the hub hands every listener one object
        found = self._reads.get(key)
        if found is not None:
            return found[1]
        # Its own context: no subscriber's request state (freshness, deadline) leaks into it.
        task = asyncio.get_running_loop().create_task(self._read(event),
                                                      context=contextvars.Context())
        self._reads[key] = (event, task)
        while len(self._reads) > self._keep:
            self._reads.popitem(last=False)
        return task

    async def _read(self, event: DomainEvent) -> Reread | None:
        self.reads += 1
        loaders = Loaders(self._registry, SourceLog(), self._batching, self._telemetry)
        try:
            with fetched_after(event.occurred_at.timestamp()):
                return await _records(loaders, event)
        except ProviderError as exc:
            log.warning("a change's records could not be read (%s): not sent", exc.code)
            return None


async def _records(loaders: Loaders, event: DomainEvent) -> Reread:
    noms = event.noms
    if event.crn:
        crns: tuple[str, ...] = (event.crn,)
    elif noms:
        crns = tuple(_readable(await loaders.load("offender_by_noms", noms)) or ())
    else:
        crns = ()
    people = [_readable(p) for p in await loaders.load_many("offender", list(crns))]
    if noms is None:
        noms = next((p.noms_number for p in people if p is not None and p.noms_number), None)
    if noms:
        await loaders.load("offender_by_noms", noms)  # custody is judged over its holders
        custody = _readable(await loaders.load("custody", noms))
        if custody is not None:  # what a custody change is most often about, read fresh
            await asyncio.gather(loaders.load("sentence_dates", str(custody.booking_id)),
                                 loaders.load("movements", noms))
    return Reread(loaders, crns, noms)


def _readable(value: Any) -> Any:
    return None if isinstance(value, Unreadable) else value
