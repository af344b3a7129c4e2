"""Prisoner search / prison-api JSON -> our records: the only place their shapes are read."""

from __future__ import annotations

from typing import Any

from providers.http.values import day, required_day, stamp
from providers.nomis.shapes import DATE_FIELDS, JSON_DATE_FIELDS
from providers.records import Custody, Establishment, Movement, SentenceDates

STATUSES = frozenset({"ACTIVE IN", "ACTIVE OUT", "INACTIVE OUT", "INACTIVE TRN"})
IN_OUT = frozenset({"IN", "OUT", "TRN"})
LEGAL = frozenset({"RECALL", "DEAD", "INDETERMINATE_SENTENCE", "SENTENCED",
                   "CONVICTED_UNSENTENCED", "CIVIL_PRISONER", "IMMIGRATION_DETAINEE", "REMAND",
                   "UNKNOWN", "OTHER"})


def _one_of(value: Any, allowed: frozenset[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unexpected {what} {value!r}")
    return str(value)


def custody(j: dict[str, Any]) -> Custody:
    return Custody(
        str(j["prisonerNumber"]), int(j["bookingId"]), str(j["bookNumber"]), bool(j["active"]),
        _one_of(j["status"], STATUSES, "status"), _one_of(j["inOutStatus"], IN_OUT, "inOut"),
        str(j["prisonId"]), j.get("cellLocation"), _one_of(j["legalStatus"], LEGAL, "legal"),
        j.get("imprisonmentStatusDescription"), j.get("category"),
        required_day(j["receptionDate"]), str(j["firstName"]), str(j["lastName"]),
        required_day(j["dateOfBirth"]), j.get("pncNumber"), stamp(j["lastUpdated"]))


def merged_numbers(j: dict[str, Any]) -> list[str]:
    return [i["value"] for i in j.get("identifiers") or () if i.get("type") == "MERGED"]


def sentence_dates(j: dict[str, Any]) -> SentenceDates:
    d = j["sentenceDetail"]
    dates: dict[str, Any] = {name: day(d.get(key))
                             for name, key in zip(DATE_FIELDS, JSON_DATE_FIELDS, strict=True)}
    return SentenceDates(booking_id=int(j["bookingId"]),
                         non_dto_release_date_type=d.get("nonDtoReleaseDateType"),
                         updated_at=stamp(d["lastUpdated"]), **dates)


def movement(j: dict[str, Any]) -> Movement:
    return Movement(str(j["offenderNo"]), int(j["bookingId"]), str(j["movementType"]),
                    str(j["directionCode"]), j.get("fromAgency"), j.get("toAgency"),
                    str(j["movementReasonCode"]), required_day(j["movementDate"]))


def establishment(j: dict[str, Any]) -> Establishment:
    return Establishment(str(j["agencyId"]), str(j["description"]), str(j["agencyType"]),
                         bool(j.get("active", True)))
