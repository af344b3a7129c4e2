"""What a principal may see of the demo dataset, restated from the policy's intent, and a copy
of the dataset in which everything else is altered or removed.

The noninterference test runs the same query on both and requires the same answer: then no
record outside the principal's reach shaped it. The reach below is written from the data
alone (who manages whom, who is held where, the Limited Access lists), independently of the
evaluator and the row judge it checks. Where it over-approximates (a record counted as seen
that the gateway never shows), the test is weaker, never wrong.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from policies.limited_access import LimitedAccess
from policies.principal import Principal
from providers.embedded.dataset import Dataset
from providers.records import Case, Custody, Person

PRISONS_ELSEWHERE = ("WDI", "LEI", "BMI")  # where altered custody goes: never the principal's


@dataclass(frozen=True)
class Reach:
    """CRNs seen in full or as a stub; custody (by NOMIS key) seen in full."""

    full: frozenset[str]
    stubs: frozenset[str]
    custody: frozenset[str]
    cases: frozenset[str]  # case ids seen in full or as a stub

    @property
    def people(self) -> frozenset[str]:
        return self.full | self.stubs


def _custody_of(data: Dataset, person: Person) -> Custody | None:
    noms = person.noms_number
    return data.custody.get(data.merged_noms.get(noms, noms)) if noms else None


def in_reach(data: Dataset, who: Principal, person: Person) -> bool:
    if who.org_type == "HQ":
        return True
    if who.org_type == "PRISON":
        held = _custody_of(data, person)
        return held is not None and held.active and held.agency_id == who.org
    return person.managing_provider == who.org


def reach_of(data: Dataset, who: Principal) -> Reach:
    limited = LimitedAccess(who)
    people = [p for p in data.people.values() if in_reach(data, who, p)]
    full = frozenset(p.crn for p in people if not limited.limits(p))
    stubs = frozenset(p.crn for p in people if limited.limits(p))
    custody = set()
    for noms, record in data.custody.items():
        holders = [c for c in data.noms_to_crns.get(noms, ()) if c in full | stubs]
        at_prison = who.org_type == "PRISON" and record.agency_id == who.org
        listed = who.org_type == "HQ" or at_prison or (
            who.org_type in ("CRC", "NPS") and bool(holders))
        if listed and (not holders or any(c in full for c in holders)):
            custody.add(noms)
    for crn in full:  # through the person: a merged number still reaches its booking
        held = _custody_of(data, data.people[crn])
        if held is not None and (who.org_type != "PRISON" or held.agency_id == who.org):
            custody.add(held.noms_number)
    own = who.org_type == "HQ" or who.org_type in ("CRC", "NPS")
    cases = frozenset(c.id for crn in full | stubs for c in data.cases.get(crn, ())
                      if own and (who.org_type == "HQ" or c.managing_provider == who.org))
    return Reach(full, stubs, frozenset(custody), cases)


def _removes(key: str) -> bool:
    """Half the unseen records are removed, half altered, by a fixed hash of their key."""
    return hashlib.sha256(key.encode()).digest()[0] % 2 == 0


def _shift(day: date | None, days: int = 17) -> date | None:
    return None if day is None else day - timedelta(days=days)


def _older(stamp: datetime | None) -> datetime | None:
    return None if stamp is None else stamp - timedelta(days=3)


def _altered_person(p: Person, stub: bool) -> Person:
    """Everything but what decides reach: CRN, NOMS number, managing provider, the lists."""
    managers = tuple(replace(m, forenames="Altered", surname="Officer",
                             team_code=f"{m.provider_code}ZZZ", team_name="Altered team",
                             staff_code=f"{m.provider_code}ZZZZ") for m in p.managers)
    return replace(p, forename="Altered", middle_names=("Middle",),
                   surname="Person-" + p.crn[-3:],
                   date_of_birth=_shift(p.date_of_birth), gender="Unknown",
                   pnc_number=None, cro_number=None, aliases=(), tier="Z_9", managers=managers,
                   probation_status="PREVIOUSLY_KNOWN" if not stub else p.probation_status,
                   updated_at=_older(p.updated_at))


def _altered_case(c: Case) -> Case:
    return replace(c, offences=(), sentence=None, requirements=(), key_dates=None,
                   conviction_date=_shift(c.conviction_date), institution_code="ZZZ",
                   custodial_status="Z", updated_at=_older(c.updated_at))


def _altered_custody(c: Custody, who: Principal, anchor: bool) -> Custody:
    """An anchor (the booking that puts someone in a prison's reach) keeps where and whether
    the person is held: that decides reach, not what is seen of the booking."""
    elsewhere = c.agency_id if anchor else next(p for p in PRISONS_ELSEWHERE if p != who.org)
    return replace(c, agency_id=elsewhere, cell_location="Z-9-99", forename="Altered",
                   surname="Prisoner", date_of_birth=_shift(c.date_of_birth) or c.date_of_birth,
                   pnc_number=None, category="Z", reception_date=_shift(c.reception_date)
                   or c.reception_date, legal_status="REMAND",
                   updated_at=_older(c.updated_at))


def copy_outside_reach(data: Dataset, who: Principal) -> tuple[Dataset, Reach]:
    """The dataset with every record `who` may not see in full altered or removed."""
    seen = reach_of(data, who)
    people = {}
    for crn, p in data.people.items():
        if crn in seen.full:
            people[crn] = p
        elif crn in seen.stubs:
            people[crn] = _altered_person(p, stub=True)
        elif not _removes(crn):
            people[crn] = _altered_person(p, stub=False)
    cases = {}
    for crn, found in data.cases.items():
        if crn not in people:
            continue
        kept = []
        for c in found:
            if crn in seen.full and c.id in seen.cases:
                kept.append(c)
            elif c.id in seen.cases:  # a stub's case: its id, number and state show
                kept.append(_altered_case(c))
            elif not _removes(c.id) or crn in seen.stubs:
                kept.append(_altered_case(c))  # a stub's cases keep their place
        cases[crn] = tuple(kept)
    registrations = {crn: r if crn in seen.full else tuple(
        replace(x, type_code="ZZZZ", type_description="Altered", risk_colour="White")
        for x in r) for crn, r in data.registrations.items() if crn in people}
    custody, dates, movements = {}, {}, {}
    anchors = {held.noms_number for crn in seen.people
               if (held := _custody_of(data, data.people[crn])) is not None}
    for noms, record in data.custody.items():
        booking = record.booking_id
        if noms in seen.custody:
            custody[noms] = record
            dates[booking] = data.sentence_dates[booking]
            movements[noms] = data.movements.get(noms, ())
        elif noms in anchors or not _removes(noms):
            custody[noms] = _altered_custody(record, who, noms in anchors)
            dates[booking] = replace(data.sentence_dates[booking], conditional_release_date=None,
                                     sentence_expiry_date=None, licence_expiry_date=None)
            movements[noms] = tuple(replace(m, to_agency="ZZZ") for m in
                                    data.movements.get(noms, ()))
    appointments = {}
    for crn, kept_by_providers in data.appointments.items():
        if crn not in people:
            continue
        appointments[crn] = tuple(
            a if crn in seen.full and _own_appointment(who, a.provider_code)
            else replace(a, location="Altered", type="Altered", staff_code="ZZZZ")
            for a in kept_by_providers if crn in seen.full or not _removes(a.id))
    copy = data.derived(people=people, cases=cases, registrations=registrations,
                        custody=custody, sentence_dates=dates, movements=movements,
                        appointments=appointments)
    return copy, seen


def _own_appointment(who: Principal, provider: str) -> bool:
    return who.org_type == "HQ" or provider == who.org
