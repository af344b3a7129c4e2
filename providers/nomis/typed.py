"""Prisoner search and prison-api records as typed structs (`providers.http.typed`): the
fields `mapping` reads, typed by the contracts in `contracts/`, and their conversion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from providers.http.typed import contract, struct
from providers.nomis.mapping import booking_id
from providers.nomis.shapes import DATE_FIELDS, JSON_DATE_FIELDS
from providers.records import Custody, SentenceDates

CONTRACTS = Path(__file__).parent / "contracts"

Prisoner = struct(
    "Prisoner", contract(CONTRACTS / "prisoner.schema.json"),
    ("prisonerNumber", "bookingId", "bookNumber", "status", "inOutStatus", "prisonId",
     "cellLocation", "legalStatus", "imprisonmentStatusDescription", "category",
     "receptionDate", "firstName", "lastName", "dateOfBirth", "pncNumber", "lastMovementDate",
     "lastMovementTypeCode"),
    required=("prisonerNumber", "bookingId", "status", "prisonId"),
    # Prisoner search sends a string of digits, prison-api a number: both are accepted.
    overrides={"bookingId": str | int})
PrisonerKey = struct("PrisonerKey", contract(CONTRACTS / "prisoner.schema.json"),
                     ("prisonerNumber",), required=("prisonerNumber",))

_DETAILS = contract(CONTRACTS / "sentence-details.schema.json")
SentenceDetail = struct("SentenceDetail", _DETAILS["items"]["properties"]["sentenceDetail"],
                        (*JSON_DATE_FIELDS, "nonDtoReleaseDateType"))
SentenceDetails = struct("SentenceDetails", _DETAILS, ("bookingId", "sentenceDetail"),
                         required=("bookingId", "sentenceDetail"),
                         nested={"sentenceDetail": SentenceDetail},
                         overrides={"bookingId": str | int})
BookingKey = struct("BookingKey", _DETAILS, ("bookingId",), required=("bookingId",),
                    overrides={"bookingId": str | int})

PRISONER = msgspec.json.Decoder(Prisoner)
PRISONER_KEY = msgspec.json.Decoder(PrisonerKey)
SENTENCE_DETAILS = msgspec.json.Decoder(SentenceDetails)
BOOKING_KEY = msgspec.json.Decoder(BookingKey)


def custody(p: Any) -> Custody:
    status = p.status
    return Custody(p.prisonerNumber, booking_id(p.bookingId), p.bookNumber,
                   status.startswith("ACTIVE"), status, p.inOutStatus, p.prisonId,
                   p.cellLocation, p.legalStatus, p.imprisonmentStatusDescription, p.category,
                   p.receptionDate, p.firstName, p.lastName, p.dateOfBirth, p.pncNumber,
                   p.lastMovementDate, p.lastMovementTypeCode)


def sentence_dates(j: Any) -> SentenceDates:
    d = j.sentenceDetail
    dates = {name: getattr(d, key) for name, key in zip(DATE_FIELDS, JSON_DATE_FIELDS,
                                                        strict=True)}
    return SentenceDates(booking_id=booking_id(j.bookingId), **dates,
                         non_dto_release_date_type=d.nonDtoReleaseDateType)
