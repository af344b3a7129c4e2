"""Prisoner search / prison-api JSON -> our records: the only place their shapes are read.

Written from the real DTOs (providers/nomis/contracts): only what they always send is
required; unknown fields are ignored; prisoner search's `bookingId` is a string, and a
prisoner's `active` is not sent (prisoner search computes it from `status` and hides it).
"""

from __future__ import annotations

from typing import Any

from providers.http.values import day
from providers.nomis.shapes import DATE_FIELDS, JSON_DATE_FIELDS
from providers.records import Custody, Establishment, Movement, SentenceDates

STATUSES = frozenset({"ACTIVE IN", "ACTIVE OUT", "INACTIVE OUT", "INACTIVE TRN"})
IN_OUT = frozenset({"IN", "OUT", "TRN"})
LEGAL = frozenset({"RECALL", "DEAD", "INDETERMINATE_SENTENCE", "SENTENCED",
                   "CONVICTED_UNSENTENCED", "CIVIL_PRISONER", "IMMIGRATION_DETAINEE", "REMAND",
                   "UNKNOWN", "OTHER"})
MOVEMENT_TYPES = frozenset({"ADM", "CRT", "REL", "TAP", "TRN"})


def _one_of(value: Any, allowed: frozenset[str], what: str, *, optional: bool = False
            ) -> str | None:
    if value is None and optional:
        return None
    if value not in allowed:
        raise ValueError(f"unexpected {what} {value!r}")
    return str(value)


def _text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("expected text")
    return value


def booking_id(value: Any) -> int:
    """Prisoner search sends a string of digits, prison-api a number: both mean the same."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValueError("booking id is not a number")
    return int(value)


def custody(j: dict[str, Any]) -> Custody:
    status = _one_of(j["status"], STATUSES, "status")
    assert status is not None
    return Custody(
        str(j["prisonerNumber"]), booking_id(j["bookingId"]), _text(j.get("bookNumber")),
        status.startswith("ACTIVE"), status,
        _one_of(j.get("inOutStatus"), IN_OUT, "inOut", optional=True),  # type: ignore[arg-type]
        str(j["prisonId"]), _text(j.get("cellLocation")),
        _one_of(j.get("legalStatus"), LEGAL, "legal", optional=True),
        _text(j.get("imprisonmentStatusDescription")), _text(j.get("category")),
        day(j.get("receptionDate")), _text(j.get("firstName")), _text(j.get("lastName")),
        day(j.get("dateOfBirth")), _text(j.get("pncNumber")), day(j.get("lastMovementDate")),
        _text(j.get("lastMovementTypeCode")))


def merged_numbers(j: dict[str, Any]) -> list[str]:
    """Numbers merged into this prisoner (the indexer keeps NOMIS's MERGED identifiers)."""
    return [str(i["value"]) for i in j.get("identifiers") or ()
            if i.get("type") == "MERGED" and i.get("value")]


def sentence_dates(j: dict[str, Any]) -> SentenceDates:
    d = j["sentenceDetail"]
    dates: dict[str, Any] = {name: day(d.get(key))
                             for name, key in zip(DATE_FIELDS, JSON_DATE_FIELDS, strict=True)}
    kind = d.get("nonDtoReleaseDateType")
    return SentenceDates(booking_id=booking_id(j["bookingId"]), **dates,
                         non_dto_release_date_type=_one_of(
                             kind, frozenset({"ARD", "CRD", "NPD", "PRRD"}),
                             "release date type", optional=True))


def movement(j: dict[str, Any]) -> Movement:
    return Movement(str(j["offenderNo"]), _one_of(j["movementType"], MOVEMENT_TYPES,  # type: ignore[arg-type]
                                                  "movement type"),
                    _one_of(j["directionCode"], frozenset({"IN", "OUT"}), "direction"),  # type: ignore[arg-type]
                    _text(j.get("fromAgency")), _text(j.get("toAgency")),
                    str(j["movementReasonCode"]), day(j["movementDate"]))  # type: ignore[arg-type]


def establishment(j: dict[str, Any]) -> Establishment:
    return Establishment(str(j["agencyId"]), str(j["description"]), str(j["agencyType"]),
                         bool(j.get("active", True)))
