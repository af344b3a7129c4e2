"""Changes to NOMIS custody the simulator can be told to make, each with the domain event
prisoner search publishes for it (hmpps-domain-events `spec/schemas/prisoner-offender-search`).

| change           | body                                   | event                              |
|------------------|----------------------------------------|------------------------------------|
| `transfer`       | `noms`, `to` (a prison)                | `prisoner.received`, TRANSFERRED   |
| `release`        | `noms`                                 | `prisoner.released`, RELEASED      |
| `recall`         | `noms`, `prison`                       | `prisoner.received`, READMISSION   |
| `receive`        | `noms`, `prison`                       | `prisoner.received`, NEW_ADMISSION |
| `sentence_dates` | `noms`, `dates` {prison-api name: day} | `prisoner.updated`, SENTENCE       |

Each returns the changed dataset (a copy: the shared one is never altered) and the event.
A change that does not fit the prisoner's state (releasing someone already out) is refused.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from events.envelope import DomainEvent
from providers.embedded.dataset import Dataset
from providers.nomis.shapes import DATE_FIELDS, JSON_DATE_FIELDS
from providers.records import Custody, Movement

PREFIX = "prisoner-offender-search.prisoner"
DATE_NAMES = dict(zip(JSON_DATE_FIELDS, DATE_FIELDS, strict=True))


class UnknownPrisoner(LookupError):
    """No prisoner with that number: answered 404."""


def apply(data: Dataset, change: dict[str, Any], base_url: str, at: datetime
          ) -> tuple[Dataset, DomainEvent]:
    """`change` applied to `data` at `at`; ValueError names what is wrong with it."""
    kind = change.get("change")
    handler = CHANGES.get(kind) if isinstance(kind, str) else None
    if handler is None:
        raise ValueError(f"change must be one of {sorted(CHANGES)}")
    noms = change.get("noms")
    if not isinstance(noms, str) or noms not in data.custody:
        raise UnknownPrisoner("no prisoner with that number")
    return handler(data, data.custody[noms], change, base_url, at)


def _prison(data: Dataset, change: dict[str, Any], key: str) -> str:
    code = change.get(key)
    found = data.establishments.get(code) if isinstance(code, str) else None
    if found is None or found.type != "INST":
        raise ValueError(f"{key} must be a prison's agency id")
    return found.code


def _moved(data: Dataset, custody: Custody, move: Movement, **changes: Any) -> Dataset:
    moved = replace(custody, **changes, last_movement_date=move.movement_date,
                    last_movement_type=move.movement_type)
    return data.derived(custody={**data.custody, custody.noms_number: moved},
                        movements={**data.movements, custody.noms_number:
                                   (move, *data.movements.get(custody.noms_number, ()))})


def _event(kind: str, custody: Custody, base_url: str, at: datetime,
           **additional: Any) -> DomainEvent:
    return DomainEvent(event_type=f"{PREFIX}.{kind}", version=1, occurred_at=at, source="nomis",
                       noms=custody.noms_number,
                       detail_url=f"{base_url}prisoner/{custody.noms_number}",
                       additional={"nomsNumber": custody.noms_number, **additional})


def transfer(data: Dataset, custody: Custody, change: dict[str, Any], base_url: str,
             at: datetime) -> tuple[Dataset, DomainEvent]:
    to = _prison(data, change, "to")
    if custody.status != "ACTIVE IN" or to == custody.agency_id:
        raise ValueError("only a prisoner in a prison can be transferred, to another prison")
    move = Movement(custody.noms_number, "TRN", "IN", custody.agency_id, to, "INT", at.date())
    return (_moved(data, custody, move, agency_id=to, cell_location=None),
            _event("received", custody, base_url, at, reason="TRANSFERRED", prisonId=to))


def release(data: Dataset, custody: Custody, change: dict[str, Any], base_url: str,
            at: datetime) -> tuple[Dataset, DomainEvent]:
    if not custody.active:
        raise ValueError("the prisoner has already been released")
    move = Movement(custody.noms_number, "REL", "OUT", custody.agency_id, "OUT", "CR", at.date())
    return (_moved(data, custody, move, active=False, status="INACTIVE OUT",
                   in_out_status="OUT", agency_id="OUT", cell_location=None),
            _event("released", custody, base_url, at, reason="RELEASED",
                   prisonId=custody.agency_id))


def recall(data: Dataset, custody: Custody, change: dict[str, Any], base_url: str,
           at: datetime) -> tuple[Dataset, DomainEvent]:
    """Back to prison on the same booking, recalled from licence."""
    prison = _prison(data, change, "prison")
    if custody.active:
        raise ValueError("only a released prisoner can be recalled")
    move = Movement(custody.noms_number, "ADM", "IN", "OUT", prison, "24", at.date())
    return (_moved(data, custody, move, active=True, status="ACTIVE IN", in_out_status="IN",
                   agency_id=prison, legal_status="RECALL", imprisonment_status="Recall"),
            _event("received", custody, base_url, at, reason="READMISSION", prisonId=prison))


def receive(data: Dataset, custody: Custody, change: dict[str, Any], base_url: str,
            at: datetime) -> tuple[Dataset, DomainEvent]:
    """A new booking for someone NOMIS knows: remanded, with no sentence dates yet."""
    prison = _prison(data, change, "prison")
    if custody.active:
        raise ValueError("the prisoner is already in custody")
    booking = max(data.sentence_dates, default=0) + 1
    blank: dict[str, Any] = dict.fromkeys(DATE_FIELDS)
    dates = replace(data.sentence_dates[custody.booking_id], booking_id=booking, **blank,
                    non_dto_release_date_type=None) \
        if custody.booking_id in data.sentence_dates else None
    move = Movement(custody.noms_number, "ADM", "IN", "LEEDMC", prison, "N", at.date())
    moved = _moved(data, custody, move, booking_id=booking, active=True, status="ACTIVE IN",
                   in_out_status="IN", agency_id=prison, legal_status="REMAND",
                   imprisonment_status="Remand", reception_date=at.date())
    if dates is not None:
        moved = moved.derived(sentence_dates={**moved.sentence_dates, booking: dates})
    return moved, _event("received", custody, base_url, at, reason="NEW_ADMISSION",
                         prisonId=prison)


def sentence_dates(data: Dataset, custody: Custody, change: dict[str, Any], base_url: str,
                   at: datetime) -> tuple[Dataset, DomainEvent]:
    dates = change.get("dates")
    current = data.sentence_dates.get(custody.booking_id)
    if not isinstance(dates, dict) or not dates or current is None:
        raise ValueError("dates must name prison-api sentence dates, for a sentenced booking")
    if unknown := set(dates) - set(DATE_NAMES):
        raise ValueError(f"unknown sentence dates {sorted(unknown)}")
    days: dict[str, Any] = {DATE_NAMES[k]: _day(k, v) for k, v in dates.items()}
    new = replace(current, **days)
    changed = data.derived(sentence_dates={**data.sentence_dates, custody.booking_id: new})
    return changed, _event("updated", custody, base_url, at, categoriesChanged=["SENTENCE"])


def _day(name: str, value: Any) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 \
            else _bad(name)
    except ValueError:
        return _bad(name)


def _bad(name: str) -> date:
    raise ValueError(f"{name} must be a date (YYYY-MM-DD) or null")


CHANGES = {"transfer": transfer, "release": release, "recall": recall, "receive": receive,
           "sentence_dates": sentence_dates}
