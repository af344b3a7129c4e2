"""Changes to nDelius the simulator can be told to make, each with its domain event.

`{"change": "manager", "crn": ..., "provider": "C09"}` (optionally `team` and `staff`, codes
of that provider's) moves the person's offender manager to another provider, as a transfer
between providers does (allocation reason "Offender Moved"): the old allocation ends today,
the new one starts, and the current case's order manager follows. The event is
`person.community.manager.allocated` (hmpps-domain-events, from workforce allocation), with
the CRN and NOMS number and the new and previous provider codes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from events.envelope import DomainEvent
from providers.embedded.dataset import Dataset
from providers.records import Case, Manager, Person, current_case

MANAGER_ALLOCATED = "person.community.manager.allocated"
REASON = "Offender Moved"


class UnknownPerson(LookupError):
    """No person with that CRN: answered 404."""


def apply(data: Dataset, change: dict[str, Any], base_url: str, at: datetime
          ) -> tuple[Dataset, DomainEvent]:
    """`change` applied to `data` at `at`; ValueError names what is wrong with it."""
    if change.get("change") != "manager":
        raise ValueError("change must be one of ['manager']")
    crn = change.get("crn")
    if not isinstance(crn, str) or crn not in data.people:
        raise UnknownPerson("no person with that CRN")
    person = data.people[crn]
    manager = _new_manager(data, person, change, at)
    previous = person.managing_provider
    ended = tuple(replace(m, active=False, to_date=at.date()) if m.active else m
                  for m in person.managers)
    moved = replace(person, managers=(manager, *ended))
    changed = data.derived(people={**data.people, crn: moved},
                           cases={**data.cases, crn: _follow(data.cases.get(crn, ()), manager)})
    event = DomainEvent(event_type=MANAGER_ALLOCATED, version=1, occurred_at=at, source="delius",
                        crn=crn, noms=person.noms_number,
                        detail_url=f"{base_url}secure/offenders/crn/{crn}",
                        additional={"providerCode": manager.provider_code,
                                    "previousProviderCode": previous,
                                    "teamCode": manager.team_code,
                                    "allocationReason": REASON})
    return changed, event


def _new_manager(data: Dataset, person: Person, change: dict[str, Any], at: datetime
                 ) -> Manager:
    provider = change.get("provider")
    org = data.organisations.get(provider) if isinstance(provider, str) else None
    if org is None or org.type not in ("NPS", "CRC"):
        raise ValueError("provider must be an NPS division or CRC code")
    if provider == person.managing_provider:
        raise ValueError("the person is already managed by that provider")
    staff = _staff_of(data, org.code, change.get("team"), change.get("staff"))
    return replace(staff, from_date=at.date(), to_date=None, active=True,
                   allocation_reason=REASON)


def _staff_of(data: Dataset, provider: str, team: Any, staff: Any) -> Manager:
    """An allocation the dataset already holds in that provider (and team, staff if named)."""
    for person in sorted(data.people.values(), key=lambda p: p.crn):
        for m in person.managers:
            if m.provider_code == provider and team in (None, m.team_code) \
                    and staff in (None, m.staff_code):
                return m
    raise ValueError("no such team or staff member in that provider")


def _follow(cases: tuple[Case, ...], manager: Manager) -> tuple[Case, ...]:
    current = current_case(cases)
    order_manager = replace(manager, allocation_reason="")  # as nDelius records it
    return tuple(replace(c, managing_provider=manager.provider_code, manager=order_manager)
                 if c is current else c for c in cases)
