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

from collections.abc import Sequence
from typing import Any

from policies.kinds import judged as judged_kind
from providers.records import Case, Custody, Person
from resolvers.judge import CaseStub, Received, Stub, then
from resolvers.loaders import MISSING
from resolvers.reach_custody import CustodyJudge

__all__ = ["CaseStub", "Reach", "Received", "Stub", "then"]


class Reach(CustodyJudge):
    """Row judgement for one operation and principal: what resolvers ask for records."""

    # -- people ----------------------------------------------------------------------------

    def person(self, crn: str, *, lookup: bool = False) -> Any:
        """The person with this CRN as the principal may see them (Person, Stub or None)."""
        raw = self.loaders.peek("offender", crn)
        if raw is not MISSING:
            raw = self._unread(raw)
            held = self._held_at_now(raw) if raw is not None else None
            if held is not MISSING:
                return self._attempted("offender", crn, raw, self._verdict(raw, held), lookup)
        return self._person_later(crn, lookup)

    async def _person_later(self, crn: str, lookup: bool) -> Person | Stub | None:
        raw = self._unread(await self.loaders.load("offender", crn))
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
        found = await self.loaders.load_many("offender", crns)
        return await self.people_judged([self._unread(p) for p in found])

    async def people_by_noms(self, noms: str, *, lookup: bool = False) -> list[Person]:
        """Every probation record holding this NOMS number that the principal may see in
        full. A stub is found by its CRN alone: a NOMS number must not confirm whose it is."""
        crns = self._unread(await self.loaders.load("offender_by_noms", noms)) or ()
        raw = [self._unread(p) for p in await self.loaders.load_many("offender", crns)]
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
        return self._child_verdict(kind, key, self._read(raw))

    async def _child_later(self, kind: str, key: str) -> Any:
        return self._child_verdict(kind, key, self._read(await self.loaders.load(kind, key)))

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

    # -- reference data --------------------------------------------------------------------

    def reference(self, kind: str, key: str) -> Any:
        """Establishments and organisations: reference data, the same for everyone."""
        spec = judged_kind(kind)
        if spec.type_name is not None or spec.parent is not None:
            raise LookupError(f"{kind} is not reference data")
        raw = self.loaders.peek(kind, key)
        if raw is MISSING:
            return self._reference_later(kind, key)
        raw = self._read(raw)
        return None if raw is None else self.hand(kind, key, raw)

    async def _reference_later(self, kind: str, key: str) -> Any:
        raw = self._read(await self.loaders.load(kind, key))
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
        found = {c: self._unread(self.loaders.peek("offender", c)) for c in crns}
        return {c: p for c, p in found.items() if p is not None and p is not MISSING}
