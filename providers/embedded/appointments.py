"""Appointments each provider keeps in its own system, for people it supervises now or did.

Drawn from a random stream of their own, so adding them changes nothing else in the dataset.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from random import Random

from providers.records import Appointment, Case, Person

TYPES = (("Office visit", "Probation office"), ("Home visit", "Home address"),
         ("Unpaid work session", "Community project"), ("Programme session", "Group room"))


def generate(seed: int, as_of: datetime, people: dict[str, Person],
             cases: dict[str, tuple[Case, ...]]) -> dict[str, tuple[Appointment, ...]]:
    rng = Random(seed ^ 0xA990)
    found: dict[str, tuple[Appointment, ...]] = {}
    number = 3_000_000
    for crn in sorted(people):
        active = [c for c in cases.get(crn, ()) if c.active]
        if not active or (manager := active[-1].manager) is None:
            continue
        case, made = active[-1], []
        for _ in range(rng.randrange(0, 5)):
            number += 1
            kind, place = rng.choice(TYPES)
            day = as_of.date() + timedelta(days=rng.randrange(-90, 45))
            starts = datetime.combine(day, time(9 + rng.randrange(8)), UTC)
            outcome = None if day >= as_of.date() else rng.choice(
                ("ATTENDED", "ATTENDED", "ATTENDED", "FAILED_TO_ATTEND", "RESCHEDULED"))
            made.append(Appointment(str(number), crn, case.id, case.managing_provider, kind,
                                    starts, starts + timedelta(hours=1), place,
                                    manager.staff_code, outcome))
        if made:
            found[crn] = tuple(sorted(made, key=lambda a: (a.starts_at, a.id)))
    return found
