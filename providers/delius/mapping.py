"""community-api / probation-search JSON -> our records: the only place their shapes are read."""

from __future__ import annotations

from typing import Any

from providers.http.values import day, required_day, stamp
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


def manager(j: dict[str, Any], teams: dict[str, str] | None = None) -> Manager:
    staff, team = j["staff"], j["team"]
    return Manager(str(staff["code"]), str(staff["forenames"]), str(staff["surname"]),
                   str(team["code"]), str(team.get("description") or (teams or {})[team["code"]]),
                   str(j["probationArea"]["code"]), required_day(j["fromDate"]),
                   day(j.get("toDate")), bool(j["active"]),
                   str((j.get("allocationReason") or {}).get("description", "")))


def person(j: dict[str, Any], access: dict[str, Any] | None) -> Person:
    ids, status = j["otherIds"], j["probationStatus"]["status"]
    if status not in PROBATION_STATUSES:
        raise ValueError(f"unknown probation status {status!r}")
    access = access or {}
    return Person(
        str(ids["crn"]), ids.get("nomsNumber"), ids.get("pncNumber"), ids.get("croNumber"),
        str(j["firstName"]), tuple(j.get("middleNames") or ()), str(j["surname"]),
        required_day(j["dateOfBirth"]), str(j["gender"]),
        tuple(Alias(a["firstName"], a["surname"], day(a.get("dateOfBirth")))
              for a in j.get("offenderAliases") or ()),
        status, j.get("currentTier"), tuple(manager(m) for m in j.get("offenderManagers") or ()),
        tuple(access.get("excludedFrom", ())), tuple(access.get("restrictedTo", ())),
        j.get("exclusionMessage"), j.get("restrictionMessage"), stamp(j["lastUpdatedDateTime"]))


def case(crn: str, j: dict[str, Any]) -> Case:
    s, custody = j.get("sentence"), j.get("custody")
    managers = [manager(m) for m in j.get("orderManagers") or ()]
    keys = (custody or {}).get("keyDates")
    return Case(
        str(j["convictionId"]), crn, int(j["index"]), bool(j["active"]),
        day(j.get("convictionDate")),
        tuple(Offence(o["detail"]["code"], o["detail"]["description"], bool(o["mainOffence"]),
                      required_day(o["offenceDate"])) for o in j.get("offences") or ()),
        None if s is None else Sentence(
            s["description"], s["sentenceType"]["code"], int(s["originalLength"]),
            s["originalLengthUnits"], required_day(s["startDate"]),
            day(s.get("expectedSentenceEndDate")), day(s.get("terminationDate"))),
        tuple(Requirement(r["requirementTypeMainCategory"]["description"],
                          r["requirementTypeSubCategory"]["description"], r.get("length"),
                          r.get("lengthUnit"), bool(r["active"]))
              for r in j.get("requirements") or ()),
        managers[0].provider_code if managers else "", managers[0] if managers else None,
        (custody or {}).get("status", {}).get("code"), (custody or {}).get("bookingNumber"),
        ((custody or {}).get("institution") or {}).get("nomsPrisonInstitutionCode"),
        None if keys is None else KeyDates(
            day(keys.get("conditionalReleaseDate")), day(keys.get("licenceExpiryDate")),
            day(keys.get("hdcEligibilityDate")), day(keys.get("paroleEligibilityDate")),
            day(keys.get("sentenceExpiryDate")), day(keys.get("expectedReleaseDate"))),
        stamp(j["lastUpdatedDateTime"]))


def registration(j: dict[str, Any]) -> Registration:
    return Registration(str(j["registrationId"]), j["type"]["code"], j["type"]["description"],
                        j["riskColour"], required_day(j["startDate"]),
                        day(j.get("nextReviewDate")), (j.get("registerLevel") or {}).get("code"),
                        (j.get("registerCategory") or {}).get("code"), bool(j["active"]))


def organisation(j: dict[str, Any]) -> Organisation:
    kind = "PRISON" if j.get("institution") else "NPS" if j["nps"] else "CRC"
    return Organisation(str(j["code"]), str(j["description"]), kind)
