"""community-api / probation search / probation integration JSON -> our records: the only
place their shapes are read.

Written from the real DTOs (providers/delius/contracts): only what they always send is
required, unknown fields are ignored. Convictions carry no timestamp and no requirements
(those come from their own endpoint); order managers are flat; offence dates are date-times;
Limited Access lists come from `GET /case/{crn}/access`.
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


def _text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _code(j: Any) -> str | None:
    return _text((j or {}).get("code"))


def manager(j: dict[str, Any]) -> Manager:
    """A person's offender manager (probation search `OffenderManager`)."""
    staff, team = j.get("staff") or {}, j["team"]
    return Manager(str(staff["code"]), _text(staff.get("forenames")) or "",
                   _text(staff.get("surname")) or "", str(team["code"]),
                   _text(team.get("description")) or "", str(j["probationArea"]["code"]),
                   day(j.get("fromDate")), day(j.get("toDate")), j.get("active") is True,
                   _text((j.get("allocationReason") or {}).get("description")) or "")


def order_manager(j: dict[str, Any], teams: Mapping[str, str]) -> Manager:
    """An event's order manager (community-api `OrderManager`: flat, one `name`)."""
    forenames, _, surname = (_text(j.get("name")) or "").rpartition(" ")
    team = str(j["teamCode"])
    return Manager(str(j["staffCode"]), forenames, surname, team, teams.get(team, ""),
                   str(j["probationAreaCode"]), day(j.get("dateStartOfAllocation")),
                   day(j.get("dateEndOfAllocation")), j.get("dateEndOfAllocation") is None, "")


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


def person(j: dict[str, Any], access: dict[str, Any] | None, now: datetime) -> Person:
    ids, status = j["otherIds"], (j.get("probationStatus") or {}).get("status")
    if status is not None and status not in PROBATION_STATUSES:
        raise ValueError(f"unknown probation status {status!r}")
    access = access or {}
    return Person(
        str(ids["crn"]), _text(ids.get("nomsNumber")), _text(ids.get("pncNumber")),
        _text(ids.get("croNumber")), _text(j.get("firstName")),
        tuple(str(n) for n in j.get("middleNames") or ()), _text(j.get("surname")),
        day(j.get("dateOfBirth")), _text(j.get("gender")),
        tuple(Alias(_text(a.get("firstName")), _text(a.get("surname")),
                    day(a.get("dateOfBirth"))) for a in j.get("offenderAliases") or ()),
        status, _text(j.get("currentTier")),
        tuple(manager(m) for m in j.get("offenderManagers") or ()),
        active_users(access.get("excludedFrom"), now),
        active_users(access.get("restrictedTo"), now),
        _text(access.get("exclusionMessage") or j.get("exclusionMessage")),
        _text(access.get("restrictionMessage") or j.get("restrictionMessage")))


def requirement(j: dict[str, Any]) -> Requirement:
    length = j.get("length")
    if length is not None and not isinstance(length, int):
        raise TypeError("requirement length is not a number")
    return Requirement(str((j.get("requirementTypeMainCategory") or {})["description"]),
                       str((j.get("requirementTypeSubCategory") or {}).get("description") or ""),
                       length, _text(j.get("lengthUnit")), j.get("active") is True)


def _sentence(s: dict[str, Any] | None) -> Sentence | None:
    if s is None:
        return None
    return Sentence(str(s.get("description") or ""), str((s.get("sentenceType") or {})["code"]),
                    int(s["originalLength"]), str(s.get("originalLengthUnits") or ""),
                    day(s["startDate"]), day(s.get("expectedSentenceEndDate")),  # type: ignore[arg-type]
                    day(s.get("terminationDate")))


def _key_dates(keys: dict[str, Any] | None) -> KeyDates | None:
    if keys is None:
        return None
    return KeyDates(day(keys.get("conditionalReleaseDate")), day(keys.get("licenceExpiryDate")),
                    day(keys.get("hdcEligibilityDate")), day(keys.get("paroleEligibilityDate")),
                    day(keys.get("sentenceExpiryDate")), day(keys.get("expectedReleaseDate")))


def case(crn: str, j: dict[str, Any], requirements: list[Any], teams: Mapping[str, str],
         updated_at: datetime | None = None, etag: str | None = None) -> Case:
    custody = j.get("custody") or {}
    managers = [order_manager(m, teams) for m in j.get("orderManagers") or ()]
    current = next((m for m in managers if m.active), managers[0] if managers else None)
    return Case(
        str(j["convictionId"]), crn, int(j["index"]), j.get("active") is True,
        day(j.get("convictionDate")),
        tuple(Offence(str(o["detail"]["code"]), str(o["detail"].get("description") or ""),
                      o.get("mainOffence") is True, day(o.get("offenceDate")))
              for o in j.get("offences") or ()),
        _sentence(j.get("sentence")), tuple(requirement(r) for r in requirements),
        current.provider_code if current else "", current,
        _code(custody.get("status")), _text(custody.get("bookingNumber")),
        _text((custody.get("institution") or {}).get("nomsPrisonInstitutionCode")),
        _key_dates(custody.get("keyDates")), updated_at, etag)


def registration(j: dict[str, Any]) -> Registration:
    return Registration(str(j["registrationId"]), str(j["type"]["code"]),
                        str(j["type"].get("description") or ""), str(j.get("riskColour") or ""),
                        day(j["startDate"]), day(j.get("nextReviewDate")),  # type: ignore[arg-type]
                        _code(j.get("registerLevel")), _code(j.get("registerCategory")),
                        j.get("active") is True)


def organisation(j: dict[str, Any]) -> Organisation:
    kind = "PRISON" if j.get("institution") else "NPS" if j.get("nps") else "CRC"
    return Organisation(str(j["code"]), str(j["description"]), kind)
