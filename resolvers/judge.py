"""What the row judge is made of: the stubs it hands out, what it remembers of what it handed
out, and the verdicts every part of it shares (`resolvers.reach` puts them together)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any

from policies.evaluator import Decisions, RowFilter
from policies.limited_access import LimitedAccess
from providers import freshness
from providers.errors import ProviderError
from providers.freshness import Provenance
from providers.records import Person
from resolvers.loaders import MISSING, Loaders, Unreadable

log = logging.getLogger("casegraph.reach")



@dataclass(frozen=True, slots=True)
class Stub:
    """A person Limited Access keeps from this principal."""

    crn: str
    message: str | None


@dataclass(frozen=True, slots=True)
class CaseStub:
    """A Limited Access person's case: its id and whether it is open, nothing else."""

    id: str
    crn: str
    active: bool


@dataclass(slots=True)
class Received:
    """What the caller was handed: keys by kind, items of list pages, lookups refused."""

    keys: dict[str, set[str]] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    page_provenance: dict[str, list[Provenance]] = field(default_factory=dict)
    withheld: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # regressions
    attempts: list[dict[str, str]] = field(default_factory=list)
    people: set[str] = field(default_factory=set)  # CRNs whose data the answer may carry
    prisoners: set[str] = field(default_factory=set)  # NOMS numbers of custody handed out
    in_full: set[str] = field(default_factory=set)  # keys of every record handed out in full


class Judge:
    """Row judgement for one operation and principal: the shared verdicts and bookkeeping."""

    def __init__(self, loaders: Loaders, decisions: Decisions) -> None:
        self.loaders = loaders
        self.decisions = decisions
        self.limited = LimitedAccess(decisions.principal)
        self.received = Received()
        self._full: set[int] = set()
        self._rows: dict[str, RowFilter] = {}

    # -- judgement helpers ------------------------------------------------------------------

    def rows(self, type_name: str) -> RowFilter:
        found = self._rows.get(type_name)
        if found is None:
            found = self._rows[type_name] = self.decisions.row_filter(type_name)
        return found

    def is_full(self, record: Any) -> bool:
        """Was this very record handed out in full (not a stub) during this operation?"""
        return record is not None and id(record) in self._full

    def hand(self, kind: str, key: str, record: Any) -> Any:
        self._full.add(id(record))
        self.received.keys.setdefault(kind, set()).add(key)
        self.received.in_full.add(key)
        return record

    def _person_verdict(self, person: Person, held_at: Any) -> Person | Stub | None:
        """The verdict alone, handing nothing out."""
        rows = self.rows("Offender")
        if not rows(person, {"heldAt": held_at} if rows.needs else {}):
            return None
        if self.limited.limits(person):
            return Stub(person.crn, person.restriction_message or person.exclusion_message)
        return person

    def hand_person(self, judged: Person | Stub | None) -> Person | Stub | None:
        if judged is not None:
            self.received.keys.setdefault("offender", set()).add(judged.crn)
            self.received.people.add(judged.crn)
            if isinstance(judged, Person):
                self._full.add(id(judged))
                self.received.in_full.add(judged.crn)
                if judged.noms_number:  # an event may name the person by either number
                    self.received.in_full.add(judged.noms_number)
        return judged

    def _held_at_now(self, person: Person) -> Any:
        """The prison holding the person, from custody already loaded; MISSING if not."""
        if not self.rows("Offender").needs:
            return None
        if not person.noms_number:
            return None
        custody = self.loaders.peek("custody", person.noms_number)
        if custody is MISSING:
            return MISSING
        custody = self._unread(custody)
        return custody.agency_id if custody and custody.active else None

    async def _held_at(self, people: Sequence[Person | None]) -> list[Any]:
        if not self.rows("Offender").needs:
            return [None] * len(people)
        nomses = [p.noms_number if p and p.noms_number else "" for p in people]
        try:
            custody = await self.loaders.load_many("custody", nomses)
        except ProviderError as exc:  # fail closed: nobody is held anywhere we can tell
            log.warning("row judgement could not read custody: %s", exc.code)
            return [None] * len(people)
        readable = [self._unread(c) for c in custody]
        return [c.agency_id if c and c.active else None for c in readable]

    def _withheld(self, kind: str, key: str, judge: Any) -> None:
        """A record the regression guard withheld: warn this caller if they would have
        received it (`judge(record)`), and nobody else."""
        current = freshness.current()
        found = current.withheld.get((kind, key)) if current is not None else None
        if found is not None and judge(found[1]):
            self.received.withheld.setdefault((found[0], kind), set()).add(key)

    def _unread(self, value: Any) -> Any:
        """A record reached by a key the caller chose: if the backend sent it malformed, it
        is absent (an error would tell the caller it exists, whoever's it is)."""
        if isinstance(value, Unreadable):
            log.warning("a record sent malformed is treated as absent (%s)", value.error.code)
            return None
        return value

    @staticmethod
    def _read(value: Any) -> Any:
        """A record reached through a parent handed out in full, or reference data: if the
        backend sent it malformed, the caller is told so at its path."""
        if isinstance(value, Unreadable):
            raise value.error
        return value

    def _attempt(self, kind: str, key: str, outcome: str) -> None:
        self.received.attempts.append({"kind": kind, "key": key, "outcome": outcome})



def then(value: Any, after: Any) -> Any:
    """`after(value)` now, or once the awaitable `value` is done."""
    if isinstance(value, Awaitable):
        async def later() -> Any:
            return after(await value)
        return later()
    return after(value)
