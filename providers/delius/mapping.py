"""community-api / probation search / probation integration records -> our records: the only
place their shapes are read.

People and convictions arrive as typed structs (`providers.delius.typed`, decoded from the
contracts' schemas: types, enums and dates already checked); case access, registrations and
probation areas as decoded JSON. Written from the real DTOs (providers/delius/contracts):
only what they always send is required, unknown fields are ignored. Convictions carry no
timestamp and no requirements (those come from their own endpoint); order managers are flat;
offence dates are date-times; Limited Access lists come from `GET /case/{crn}/access`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from providers.http.values import day
from providers.records import (
    Alias,
    Case,
    KeyDates,
    Manager,
    Offence,
    Organisation,
    Person,
    Registration,
    Requirement,
    Sentence,
)

PROBATION_STATUSES = frozenset({"CURRENT", "PREVIOUSLY_KNOWN", "NOT_SENTENCED"})


def manager(m: Any) -> Manager:
    """A person's offender manager (probation search `OffenderManager`)."""
    staff, team = m.staff, m.team
    return Manager(staff.code, staff.forenames or "", staff.surname or "", team.code,
                   team.description or "", m.probationArea.code, m.fromDate, m.toDate,
                   m.active is True, (m.allocationReason and m.allocationReason.description)
                   or "")


def order_manager(m: Any, teams: Mapping[str, str]) -> Manager:
    """An event's order manager (community-api `OrderManager`: flat, one `name`)."""
    forenames, _, surname = (m.name or "").rpartition(" ")
    return Manager(m.staffCode, forenames, surname, m.teamCode, teams.get(m.teamCode, ""),
                   m.probationAreaCode, day(m.dateStartOfAllocation),
                   day(m.dateEndOfAllocation), m.dateEndOfAllocation is None, "")


def active_users(entries: Any, now: datetime) -> tuple[str, ...]:
    """Usernames of Limited Access entries in force now (`since` passed, `until` not yet)."""
    found = []
    for entry in entries or ():
        since, until = entry.get("since"), entry.get("until")
        if (since is None or _moment(since) <= now) and (until is None or _moment(until) > now):
            found.append(str(entry["username"]))
    return tuple(found)


def _moment(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("expected a date-time")
    found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if found.tzinfo is None:
        raise ValueError("a Limited Access time without a zone")
    return found


def person(j: Any, access: dict[str, Any] | None, now: datetime) -> Person:
    """A person from a typed `Offender` (`providers.delius.typed`)."""
    ids, status = j.otherIds, j.probationStatus and j.probationStatus.status
    if status is not None and status not in PROBATION_STATUSES:
        raise ValueError(f"unknown probation status {status!r}")
    access = access or {}
    return Person(
        ids.crn, ids.nomsNumber, ids.pncNumber, ids.croNumber, j.firstName,
        tuple(j.middleNames or ()), j.surname, j.dateOfBirth, j.gender,
        tuple(Alias(a.firstName, a.surname, a.dateOfBirth) for a in j.offenderAliases or ()),
        status, j.currentTier, tuple(manager(m) for m in j.offenderManagers or ()),
        active_users(access.get("excludedFrom"), now),
        active_users(access.get("restrictedTo"), now),
        _text(access.get("exclusionMessage")) or j.exclusionMessage,
        _text(access.get("restrictionMessage")) or j.restrictionMessage)


def _text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("expected text")
    return value


def requirement(r: Any) -> Requirement:
    sub = r.requirementTypeSubCategory
    return Requirement(str(r.requirementTypeMainCategory.description),
                       (sub and sub.description) or "", r.length, r.lengthUnit,
                       r.active is True)


def _sentence(s: Any) -> Sentence | None:
    if s is None:
        return None
    return Sentence(s.description or "", str(s.sentenceType.code), s.originalLength,
                    s.originalLengthUnits or "", s.startDate, s.expectedSentenceEndDate,
                    s.terminationDate)


def _key_dates(k: Any) -> KeyDates | None:
    if k is None:
        return None
    return KeyDates(k.conditionalReleaseDate, k.licenceExpiryDate, k.hdcEligibilityDate,
                    k.paroleEligibilityDate, k.sentenceExpiryDate, k.expectedReleaseDate)


def case(crn: str, j: Any, requirements: Any, teams: Mapping[str, str],
         updated_at: datetime | None = None, etag: str | None = None) -> Case:
    """A case from a typed `Conviction` and its typed requirements."""
    custody = j.custody
    managers = [order_manager(m, teams) for m in j.orderManagers or ()]
    current = next((m for m in managers if m.active), managers[0] if managers else None)
    institution = custody and custody.institution
    return Case(
        str(j.convictionId), crn, int(j.index), j.active is True, j.convictionDate,
        tuple(Offence(o.detail.code, o.detail.description or "", o.mainOffence is True,
                      day(o.offenceDate)) for o in j.offences or ()),
        _sentence(j.sentence), tuple(requirement(r) for r in requirements or ()),
        current.provider_code if current else "", current,
        custody and custody.status and custody.status.code,
        custody and custody.bookingNumber,
        institution and institution.nomsPrisonInstitutionCode,
        _key_dates(custody and custody.keyDates), updated_at, etag)


def _code(j: Any) -> str | None:
    return _text((j or {}).get("code"))


def registration(j: dict[str, Any]) -> Registration:
    return Registration(str(j["registrationId"]), str(j["type"]["code"]),
                        str(j["type"].get("description") or ""), str(j.get("riskColour") or ""),
                        day(j["startDate"]), day(j.get("nextReviewDate")),  # type: ignore[arg-type]
                        _code(j.get("registerLevel")), _code(j.get("registerCategory")),
                        j.get("active") is True)


def organisation(j: dict[str, Any]) -> Organisation:
    kind = "PRISON" if j.get("institution") else "NPS" if j.get("nps") else "CRC"
    return Organisation(str(j["code"]), str(j["description"]), kind)
