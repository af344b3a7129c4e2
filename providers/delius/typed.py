"""Probation search and community-api records as typed structs (`providers.http.typed`): the
fields `mapping` reads, typed by the contracts in `contracts/`.

Only what the mapping reads is declared, so msgspec skips the rest of each record (most of a
conviction's JSON: offence metadata, court appearances, unpaid work) without building it.
Date-times the API writes as `LocalDateTime` stay text: the mapping keeps their day.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from providers.errors import BackendBadData
from providers.http.typed import DECODE_ERRORS, contract, decoded, struct

CONTRACTS = Path(__file__).parent / "contracts"

# probation search `OffenderDetail`
_DETAIL = contract(CONTRACTS / "offender-detail.schema.json")
_PERSON = _DETAIL["properties"]
_MANAGER = _PERSON["offenderManagers"]["items"]["properties"]


def _named(name: str, schema: Any, *fields: str, required: tuple[str, ...] = ()) -> Any:
    return struct(name, schema, fields, required=required)


OtherIds = _named("OtherIds", _PERSON["otherIds"], "crn", "nomsNumber", "pncNumber",
                  "croNumber", required=("crn",))
Alias = _named("Alias", _PERSON["offenderAliases"], "firstName", "surname", "dateOfBirth")
Staff = _named("Staff", _MANAGER["staff"], "code", "forenames", "surname", required=("code",))
Team = _named("Team", _MANAGER["team"], "code", "description", required=("code",))
Area = _named("Area", _MANAGER["probationArea"], "code", required=("code",))
Described = _named("Described", _MANAGER["allocationReason"], "description")
OffenderManager = struct(
    "OffenderManager", _PERSON["offenderManagers"],
    ("staff", "team", "probationArea", "fromDate", "toDate", "active", "allocationReason"),
    required=("team", "probationArea"),
    nested={"staff": Staff, "team": Team, "probationArea": Area,
            "allocationReason": Described})
ProbationStatus = _named("ProbationStatus", _PERSON["probationStatus"], "status")
Offender = struct(
    "Offender", _DETAIL,
    ("otherIds", "firstName", "middleNames", "surname", "dateOfBirth", "gender",
     "offenderAliases", "probationStatus", "currentTier", "offenderManagers",
     "currentExclusion", "currentRestriction", "exclusionMessage", "restrictionMessage"),
    required=("otherIds",),
    nested={"otherIds": OtherIds, "offenderAliases": Alias,
            "offenderManagers": OffenderManager, "probationStatus": ProbationStatus})
OffenderKey = struct("OffenderKey", _DETAIL, ("otherIds",), required=("otherIds",),
                     nested={"otherIds": OtherIds})

# community-api `Conviction`
_CONVICTION = contract(CONTRACTS / "conviction.schema.json")
_C = _CONVICTION["properties"]
_CUSTODY = _C["custody"]["properties"]
Code = _named("Code", _CUSTODY["status"], "code", "description")
OffenceDetail = _named("OffenceDetail", _C["offences"]["items"]["properties"]["detail"],
                       "code", "description", required=("code",))
Offence = struct("Offence", _C["offences"], ("detail", "mainOffence", "offenceDate"),
                 required=("detail",), nested={"detail": OffenceDetail})
Sentence = struct(
    "Sentence", _C["sentence"],
    ("description", "sentenceType", "originalLength", "originalLengthUnits", "startDate",
     "expectedSentenceEndDate", "terminationDate"),
    required=("sentenceType", "originalLength", "startDate"), nested={"sentenceType": Code})
Institution = _named("Institution", _CUSTODY["institution"], "nomsPrisonInstitutionCode")
KeyDates = _named("KeyDates", _CUSTODY["keyDates"], "conditionalReleaseDate",
                  "licenceExpiryDate", "hdcEligibilityDate", "paroleEligibilityDate",
                  "sentenceExpiryDate", "expectedReleaseDate")
Custody = struct("Custody", _C["custody"], ("status", "bookingNumber", "institution",
                                            "keyDates"),
                 nested={"status": Code, "institution": Institution, "keyDates": KeyDates})
OrderManager = struct(
    "OrderManager", _C["orderManagers"],
    ("name", "staffCode", "teamCode", "probationAreaCode", "dateStartOfAllocation",
     "dateEndOfAllocation"), required=("staffCode", "teamCode", "probationAreaCode"))
Conviction = struct(
    "Conviction", _CONVICTION,
    ("convictionId", "index", "active", "convictionDate", "offences", "sentence", "custody",
     "orderManagers"), required=("convictionId", "index"),
    nested={"offences": Offence, "sentence": Sentence, "custody": Custody,
            "orderManagers": OrderManager})

# community-api `/convictions/{id}/requirements`
_REQUIREMENTS = contract(CONTRACTS / "requirements.schema.json")
_R = _REQUIREMENTS["properties"]["requirements"]
Requirement = struct(
    "Requirement", _R, ("requirementTypeMainCategory", "requirementTypeSubCategory", "length",
                        "lengthUnit", "active"),
    nested={"requirementTypeMainCategory": Code, "requirementTypeSubCategory": Code})
Requirements = struct("Requirements", _REQUIREMENTS, ("requirements",),
                      nested={"requirements": Requirement})


class RequirementsOf(msgspec.Struct, kw_only=True):
    """The batch extension's requirements of one conviction."""

    convictionId: int | None = None
    requirements: list[Requirement] | None = None  # type: ignore[valid-type]


class ConvictionsOf(msgspec.Struct, kw_only=True):
    """The batch extension's answer for one person: convictions and their requirements."""

    crn: str
    convictions: list[Conviction] | None = None  # type: ignore[valid-type]
    requirements: list[RequirementsOf] | None = None


class PersonKey(msgspec.Struct, kw_only=True):
    crn: str


OFFENDER = msgspec.json.Decoder(Offender)
OFFENDER_KEY = msgspec.json.Decoder(OffenderKey)
CONVICTIONS = msgspec.json.Decoder(list[Conviction])  # type: ignore[valid-type]
REQUIREMENTS = msgspec.json.Decoder(Requirements)
CONVICTIONS_OF = msgspec.json.Decoder(ConvictionsOf)
PERSON_KEY = msgspec.json.Decoder(PersonKey)


def crn_of(offender: Any) -> list[str]:
    return [offender.otherIds.crn]


class OffenderPage(msgspec.Struct, kw_only=True):
    """A Spring page of offenders, decoded whole."""

    content: list[Offender]  # type: ignore[valid-type]
    totalElements: int


class RawOffenderPage(msgspec.Struct, kw_only=True):
    """A Spring page whose records are decoded one by one (when some record does not fit)."""

    content: list[msgspec.Raw]
    totalElements: int


OFFENDER_PAGE = msgspec.json.Decoder(OffenderPage)
RAW_OFFENDER_PAGE = msgspec.json.Decoder(RawOffenderPage)


def offender_page(provider: str, body: bytes) -> tuple[list[tuple[list[str] | None, Any]], int]:
    """A page's people with their keys (as `providers.http.typed.decoded` gives them) and
    the total; bad data when the page itself cannot be read."""
    try:
        page = OFFENDER_PAGE.decode(body)
        return [(crn_of(p), p) for p in page.content], page.totalElements
    except DECODE_ERRORS:
        pass
    try:
        raw = RAW_OFFENDER_PAGE.decode(body)
    except DECODE_ERRORS as exc:
        raise BackendBadData(provider, f"unexpected page ({type(exc).__name__})") from exc
    return decoded(raw.content, OFFENDER, OFFENDER_KEY, crn_of), raw.totalElements
