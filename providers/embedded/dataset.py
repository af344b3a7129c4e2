"""One frozen, indexed synthetic dataset, built deterministically from a seed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from functools import lru_cache

from providers.embedded import appointments, reference, scenarios, segments
from providers.embedded.builder import Builder
from providers.records import (
    Appointment,
    Case,
    Custody,
    Establishment,
    Movement,
    Organisation,
    Person,
    Registration,
    SentenceDates,
    current_case,
)

DEFAULT_SEED = 20140601  # the day Transforming Rehabilitation split probation
DEFAULT_SIZE = 5000
DEFAULT_AS_OF = date(2026, 11, 1)


@dataclass(frozen=True)
class Dataset:
    """Both systems' records plus the indexes the embedded provider answers from."""

    seed: int
    as_of: date
    people: dict[str, Person]
    cases: dict[str, tuple[Case, ...]]
    registrations: dict[str, tuple[Registration, ...]]
    custody: dict[str, Custody]
    sentence_dates: dict[int, SentenceDates]
    movements: dict[str, tuple[Movement, ...]]
    merged_noms: dict[str, str]
    organisations: dict[str, Organisation]
    establishments: dict[str, Establishment]
    scenarios: dict[str, tuple[str, ...]]
    noms_to_crns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Per provider: each supervised person's current case, by CRN (a caseload counts people).
    caseloads: dict[str, tuple[Case, ...]] = field(default_factory=dict)
    prisoners: dict[str, tuple[str, ...]] = field(default_factory=dict)
    search_rows: tuple[tuple[str, str], ...] = ()
    appointments: dict[str, tuple[Appointment, ...]] = field(default_factory=dict)

    @classmethod
    def from_builder(cls, b: Builder, seed: int) -> Dataset:
        cases = {crn: tuple(found) for crn, found in b.cases.items()}
        data = cls(seed, b.as_of, dict(b.people), cases,
                   {crn: tuple(r) for crn, r in b.registrations.items()}, dict(b.custody),
                   dict(b.sentence_dates), {n: tuple(m) for n, m in b.movements.items()},
                   dict(b.merged_noms), reference.organisations(), reference.establishments(),
                   {name: tuple(ids) for name, ids in b.scenarios.items()})
        data._index()
        as_of = datetime.combine(data.as_of, time(), UTC)
        data.appointments.update(appointments.generate(seed, as_of, data.people, data.cases))
        return data

    def derived(self, **changes: object) -> Dataset:
        """A copy with some records replaced (tests alter or remove what a principal may
        not see); the indexes are rebuilt, the appointments kept as given."""
        fresh = replace(self, noms_to_crns={}, caseloads={}, prisoners={}, search_rows=(),
                        **changes)  # type: ignore[arg-type]
        fresh._index()
        return fresh

    def _index(self) -> None:
        by_noms: dict[str, list[str]] = defaultdict(list)
        for person in self.people.values():
            if person.noms_number:
                by_noms[person.noms_number].append(person.crn)
        by_provider: dict[str, list[Case]] = defaultdict(list)
        for crn, person in self.people.items():
            current = current_case(self.cases.get(crn, ()))
            if current is not None and person.managing_provider:
                by_provider[person.managing_provider].append(current)
        held: dict[str, list[str]] = defaultdict(list)
        for custody in self.custody.values():
            held[custody.agency_id].append(custody.noms_number)
        self.noms_to_crns.update({n: tuple(sorted(c)) for n, c in by_noms.items()})
        self.caseloads.update(
            {p: tuple(sorted(c, key=lambda case: case.crn)) for p, c in by_provider.items()})
        self.prisoners.update({a: tuple(sorted(n)) for a, n in held.items()})
        object.__setattr__(self, "search_rows", tuple(sorted(
            (f"{p.forename} {p.surname} {p.crn} {p.noms_number or ''}".lower(), p.crn)
            for p in self.people.values())))


def build(seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE,
          as_of: date = DEFAULT_AS_OF) -> Dataset:
    """Build a dataset of about `size` people; the same arguments give the same data."""
    if size < 0:
        raise ValueError(f"dataset size must be at least 0, not {size}")
    b = Builder(seed, as_of)
    scenarios.seed_all(b)
    segments.populate(b, size)
    return Dataset.from_builder(b, seed)


@lru_cache(maxsize=4)
def shared(seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> Dataset:
    """A process-wide dataset: the embedded provider and the simulators read the same one."""
    return build(seed, size)
