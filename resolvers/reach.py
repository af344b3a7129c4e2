"""The one place rows are judged: every record a resolver gets comes through here.

Resolvers never see the loaders. They ask `Reach` for records, and Reach judges each one by
the row rule of its schema type (`policies.kinds` names the type of every provider kind)
before handing it out:
- a record outside the principal's reach is `None`, exactly like one that does not exist;
- a person Limited Access keeps from the principal is a `Stub` (the CRN and the reason);
  their case in a caseload is a `CaseStub`; their custody, dates, movements, appointments and
  registrations are not handed out at all;
- a record that belongs to another (cases, registrations and appointments to a person; dates
  and movements to a custody record) is handed out only through a parent handed out in full.

Reach also remembers what it handed out, so `extensions` and the audit describe exactly what
the caller received. Methods answer at once when the records are already loaded and the
verdict needs no more I/O (a caseload row must not await), else they return an awaitable.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any

from policies.evaluator import Decisions, RowFilter
from policies.kinds import judged as judged_kind
from policies.limited_access import LimitedAccess
from providers import freshness
from providers.errors import ProviderError
from providers.freshness import Provenance
from providers.records import Case, Custody, Person
from resolvers.loaders import MISSING, Loaders

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


class Reach:
    """Row judgement for one operation and principal."""

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
        return [c.agency_id if c and c.active else None for c in custody]

    def _withheld(self, kind: str, key: str, judge: Any) -> None:
        """A record the regression guard withheld: warn this caller if they would have
        received it (`judge(record)`), and nobody else."""
        current = freshness.current()
        found = current.withheld.get((kind, key)) if current is not None else None
        if found is not None and judge(found[1]):
            self.received.withheld.setdefault((found[0], kind), set()).add(key)

    # -- people ----------------------------------------------------------------------------

    def person(self, crn: str, *, lookup: bool = False) -> Any:
        """The person with this CRN as the principal may see them (Person, Stub or None)."""
        raw = self.loaders.peek("offender", crn)
        if raw is not MISSING:
            held = self._held_at_now(raw) if raw is not None else None
            if held is not MISSING:
                return self._attempted("offender", crn, raw, self._verdict(raw, held), lookup)
        return self._person_later(crn, lookup)

    async def _person_later(self, crn: str, lookup: bool) -> Person | Stub | None:
        raw = await self.loaders.load("offender", crn)
        [judged] = await self.people_judged([raw])
        return self._attempted("offender", crn, raw, judged, lookup)

    def _verdict(self, raw: Person | None, held: Any) -> Person | Stub | None:
        return None if raw is None else self.hand_person(self._person_verdict(raw, held))

    async def people_judged(self, people: Sequence[Person | None], *, hand: bool = True
                            ) -> list[Person | Stub | None]:
        held = await self._held_at(people)
        if not hand:
            return [None if p is None else self._person_verdict(p, h)
                    for p, h in zip(people, held, strict=True)]
        return [self._verdict(p, h) for p, h in zip(people, held, strict=True)]

    async def people(self, crns: Sequence[str]) -> list[Person | Stub | None]:
        return await self.people_judged(await self.loaders.load_many("offender", crns))

    async def people_by_noms(self, noms: str, *, lookup: bool = False) -> list[Person]:
        """Every probation record holding this NOMS number that the principal may see in
        full. A stub is found by its CRN alone: a NOMS number must not confirm whose it is."""
        crns = await self.loaders.load("offender_by_noms", noms) or ()
        raw = await self.loaders.load_many("offender", crns)
        judged = await self.people_judged(raw, hand=False)
        found = [p for p in judged if isinstance(p, Person)]
        for person in found:
            self.hand_person(person)
        if lookup and not found:
            self._attempt("offenderByNomsNumber", noms, "refused" if crns else "not found")
        return found

    def _attempted(self, kind: str, key: str, raw: Any, judged: Any, lookup: bool) -> Any:
        if raw is None:
            self._withheld(kind, key, lambda p: self._person_verdict(
                p, self._held_at_now(p)) not in (None, MISSING))
        if lookup and judged is None:
            self._attempt(kind, key, "not found" if raw is None else "refused")
        return judged

    def _attempt(self, kind: str, key: str, outcome: str) -> None:
        self.received.attempts.append({"kind": kind, "key": key, "outcome": outcome})

    # -- what belongs to a person ----------------------------------------------------------

    def _child(self, kind: str, parent: Any, key: str) -> Any:
        """Records of `kind` under `parent`: none unless the parent was handed out in full."""
        spec = judged_kind(kind)
        if spec.parent is None or not self.is_full(parent):
            return None
        raw = self.loaders.peek(kind, key)
        if raw is MISSING:
            return self._child_later(kind, key)
        return self._child_verdict(kind, key, raw)

    async def _child_later(self, kind: str, key: str) -> Any:
        return self._child_verdict(kind, key, await self.loaders.load(kind, key))

    def _child_verdict(self, kind: str, key: str, raw: Any) -> Any:
        if raw is None:
            self._withheld(kind, key, lambda _record: True)  # the parent was let through
            return None
        type_name = judged_kind(kind).type_name
        rows = self.rows(type_name) if type_name in self.decisions.rows and type_name else None
        if isinstance(raw, tuple):
            kept = tuple(r for r in raw if rows is None or rows(r))
            self._full.update(map(id, kept))
            self.received.keys.setdefault(kind, set()).add(key)
            return kept
        if rows is not None and not rows(raw):
            return None
        return self.hand(kind, key, raw)

    def cases_of(self, person: Any) -> Any:
        return self._child("cases", person, getattr(person, "crn", ""))

    def registrations_of(self, person: Any) -> Any:
        return self._child("registrations", person, getattr(person, "crn", ""))

    def appointments_of(self, owner: Person | Case | Any) -> Any:
        """A person's appointments, or one case's: the case must have been handed out in full."""
        if isinstance(owner, Case):  # a full case stands for its person, already let through
            found = self._child("appointments", owner, owner.crn)
            return then(found, lambda all_: None if all_ is None else tuple(
                a for a in all_ if a.case_id == owner.id))
        return self._child("appointments", owner, getattr(owner, "crn", ""))

    def sentence_dates_of(self, custody: Custody) -> Any:
        return self._child("sentence_dates", custody, str(custody.booking_id))

    def movements_of(self, custody: Custody) -> Any:
        return self._child("movements", custody, custody.noms_number)

    def remote_of(self, kind: str, parent: Any, key: str) -> Any:
        """What a federated subgraph answers for an entity (`policies.kinds.remote_kind`):
        nothing unless the entity's record was handed out in full."""
        return self._child(kind, parent, key)

    # -- custody ---------------------------------------------------------------------------

    def custody_of(self, person: Any) -> Any:
        """The latest booking of a person handed out in full, if the principal may see it."""
        noms = getattr(person, "noms_number", None)
        if not noms or not self.is_full(person):
            return None
        raw = self.loaders.peek("custody", noms)
        if raw is not MISSING:
            judged = self._custody_via(noms, raw, person)
            if judged is not MISSING:
                return judged
        return self._custody_later(noms, person)

    async def _custody_later(self, noms: str, person: Person) -> Custody | None:
        raw = await self.loaders.load("custody", noms)
        judged = self._custody_via(noms, raw, person)
        if judged is MISSING:
            [judged] = await self.custody_judged([raw], [noms])
        return judged

    def _custody_via(self, noms: str, raw: Custody | None, person: Person) -> Any:
        """Judged without I/O when the person we came from settles it: they hold the NOMS
        number and Limited Access let them through, and filters only test membership, so a
        pass on the providers known so far is a pass."""
        if raw is None:
            self._withheld("custody", noms, lambda record: self._passes_via(record, person))
            return None
        if self._passes_via(raw, person):
            return self._hand_custody(noms, raw)
        return MISSING if "managingProviders" in self.rows("Custody").needs else None

    def _passes_via(self, record: Custody, person: Person) -> bool:
        known = frozenset({person.managing_provider} - {None})
        return self.rows("Custody")(record, {"managingProviders": known})

    def _hand_custody(self, key: str, record: Custody) -> Custody:
        self.received.prisoners.add(record.noms_number)
        return self.hand("custody", key, record)

    async def custody_by_noms(self, noms: str) -> Custody | None:
        """A booking reached by its NOMS number alone (a federation reference), judged as
        custody reached without a person is."""
        raw = await self.loaders.load("custody", noms)
        [judged] = await self.custody_judged([raw], [noms])
        if judged is None:
            self._attempt("custody", noms, "not found" if raw is None else "refused")
        return judged

    async def custody_judged(self, records: Sequence[Custody | None], keys: Sequence[str],
                             *, hand: bool = True) -> list[Custody | None]:
        """Custody reached without a person: judged by its own row rule over everyone holding
        the NOMS number, and hidden when every such person the principal may see is one
        Limited Access keeps from them."""
        rows = self.rows("Custody")
        nomses = [r.noms_number if r else "" for r in records]
        try:
            holders = await self._holders(nomses)
        except ProviderError as exc:
            log.warning("row judgement could not read who holds a NOMS number: %s", exc.code)
            return [None] * len(records)
        judged: list[Custody | None] = []
        for record, key, visible in zip(records, keys, holders, strict=True):
            providers = frozenset(p.managing_provider for _, p in visible if p.managing_provider)
            ok = record is not None and rows(record, {"managingProviders": providers}) and (
                not visible or any(isinstance(v, Person) for v, _ in visible))
            judged.append(None if not ok or record is None else
                          self._hand_custody(key, record) if hand else record)
        return judged

    async def _holders(self, nomses: Sequence[str]
                       ) -> list[list[tuple[Person | Stub, Person]]]:
        """Per NOMS number: the probation records holding it that the principal may see, each
        as (verdict, record), judged without being handed out. Records outside their reach
        play no part."""
        crn_lists = await self.loaders.load_many("offender_by_noms", nomses)
        crns = sorted({crn for found in crn_lists if found for crn in found})
        raw = dict(zip(crns, await self.loaders.load_many("offender", crns), strict=True))
        people = [p for p in raw.values() if p is not None]
        held = dict(zip([p.crn for p in people], await self._held_at(people), strict=True))
        verdicts = {p.crn: (self._person_verdict(p, held[p.crn]), p) for p in people}
        return [[(v, p) for c in found or () if c in verdicts
                 for v, p in [verdicts[c]] if v is not None] for found in crn_lists]

    # -- reference data --------------------------------------------------------------------

    def reference(self, kind: str, key: str) -> Any:
        """Establishments and organisations: reference data, the same for everyone."""
        spec = judged_kind(kind)
        if spec.type_name is not None or spec.parent is not None:
            raise LookupError(f"{kind} is not reference data")
        raw = self.loaders.peek(kind, key)
        if raw is MISSING:
            return self._reference_later(kind, key)
        return None if raw is None else self.hand(kind, key, raw)

    async def _reference_later(self, kind: str, key: str) -> Any:
        raw = await self.loaders.load(kind, key)
        return None if raw is None else self.hand(kind, key, raw)

    # -- cases in a list -------------------------------------------------------------------

    async def cases_judged(self, cases: Sequence[Case], *, hand: bool = True
                           ) -> list[Case | CaseStub | None]:
        """Cases reached without their person (a caseload): by the Case row rule, then as a
        stub when Limited Access keeps the person from the principal."""
        rows = self.rows("Case")
        passing = [c if rows(c) else None for c in cases]
        people = await self._raw_people([c.crn for c in passing if c is not None])
        judged: list[Case | CaseStub | None] = []
        for case in passing:
            person = people.get(case.crn) if case is not None else None
            if case is None or person is None:
                judged.append(None)
            elif self.limited.limits(person):
                judged.append(CaseStub(case.id, case.crn, case.active))
            else:
                judged.append(case)
        return [self.hand_row(j) for j in judged] if hand else judged

    def hand_row(self, judged: Any) -> Any:
        """Hand out one row of a list judged earlier without handing it out."""
        if isinstance(judged, Person | Stub):
            return self.hand_person(judged)
        if isinstance(judged, CaseStub):
            self.received.people.add(judged.crn)
        elif isinstance(judged, Case):
            self.received.people.add(judged.crn)
            self.hand("cases", judged.crn, judged)
        elif isinstance(judged, Custody):
            self._hand_custody(judged.noms_number, judged)
        return judged

    async def _raw_people(self, crns: Sequence[str]) -> dict[str, Person]:
        missing = [c for c in crns if self.loaders.peek("offender", c) is MISSING]
        if missing:
            await self.loaders.load_many("offender", missing)
        found = {c: self.loaders.peek("offender", c) for c in crns}
        return {c: p for c, p in found.items() if p is not None and p is not MISSING}


def then(value: Any, after: Any) -> Any:
    """`after(value)` now, or once the awaitable `value` is done."""
    if isinstance(value, Awaitable):
        async def later() -> Any:
            return after(await value)
        return later()
    return after(value)


