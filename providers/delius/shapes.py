"""nDelius records written as the real APIs write them, for the simulator (and fixtures).

Probation search omits nulls; community-api writes them (contracts.md). Field names and
nesting follow the DTOs named in providers/delius/contracts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from providers.embedded.dataset import Dataset
from providers.records import Case, Manager, Person, Registration, Requirement


def _date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _midnight(value: date | None) -> str | None:
    """community-api's LocalDateTime form, for a fact known to the day."""
    return None if value is None else datetime.combine(value, time()).isoformat()


def compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def manager_json(m: Manager, names: dict[str, str]) -> dict[str, Any]:
    return compact({
        "staff": {"code": m.staff_code, "forenames": m.forenames, "surname": m.surname,
                  "unallocated": m.unallocated},
        "team": {"code": m.team_code, "description": m.team_name},
        "probationArea": compact({"code": m.provider_code,
                                  "description": names.get(m.provider_code),
                                  "nps": m.provider_code.startswith("N")}),
        "fromDate": _date(m.from_date), "toDate": _date(m.to_date), "active": m.active,
        "allocationReason": {"description": m.allocation_reason} if m.allocation_reason
        else None})


def offender_json(p: Person, names: dict[str, str]) -> dict[str, Any]:
    """probation-offender-search `OffenderDetail` (nulls omitted)."""
    return compact({
        "offenderId": int(p.crn[1:]) + 2_500_000_000, "firstName": p.forename,
        "middleNames": list(p.middle_names) or None, "surname": p.surname,
        "dateOfBirth": _date(p.date_of_birth), "gender": p.gender,
        "otherIds": compact({"crn": p.crn, "pncNumber": p.pnc_number,
                             "croNumber": p.cro_number, "nomsNumber": p.noms_number}),
        "offenderAliases": [compact({"id": f"{p.crn}-{i}", "firstName": a.forename,
                                     "surname": a.surname,
                                     "dateOfBirth": _date(a.date_of_birth)})
                            for i, a in enumerate(p.aliases)] or None,
        "offenderManagers": [manager_json(m, names) for m in p.managers],
        "probationStatus": compact({"status": p.probation_status, "preSentenceActivity": False,
                                    "awaitingPsr": False}) if p.probation_status else None,
        "currentTier": p.tier, "softDeleted": False,
        "currentExclusion": bool(p.exclusion_users), "exclusionMessage": p.exclusion_message,
        "currentRestriction": bool(p.restriction_users),
        "restrictionMessage": p.restriction_message,
    })


def paged(items: list[Any], page: int, size: int) -> dict[str, Any]:
    """probation search's `Paged` results (SearchPagedResults.kt)."""
    start, total = page * size, len(items)
    pages = (total + size - 1) // size
    content = items[start:start + size]
    return {"content": content, "total": total, "totalPages": pages, "totalElements": total,
            "last": page >= pages - 1, "size": size, "number": page,
            "numberOfElements": len(content), "first": page == 0, "empty": not content,
            "pageable": {"pageNumber": page, "pageSize": size},
            "sort": {"sorted": False, "unsorted": True, "empty": True},
            "page": {"size": size, "number": page, "totalElements": total, "totalPages": pages}}


def _kv(code: str | None, description: str | None = None) -> dict[str, Any] | None:
    return None if code is None else {"code": code, "description": description or code}


def conviction_json(c: Case) -> dict[str, Any]:
    """community-api `Conviction` (nulls written; no requirements, no timestamp)."""
    s, m, k = c.sentence, c.manager, c.key_dates
    return {
        "convictionId": int(c.id), "index": str(c.number), "active": c.active,
        "inBreach": False, "failureToComplyCount": 0, "breachEnd": None, "awaitingPsr": False,
        "convictionDate": _date(c.conviction_date), "referralDate": _date(c.conviction_date),
        "offences": [{"offenceId": f"M{c.id}{i}", "mainOffence": o.main,
                      "detail": {"code": o.code, "description": o.description},
                      "offenceDate": _midnight(o.offence_date), "offenceCount": 1,
                      "tics": None, "verdict": None, "offenderId": None,
                      "createdDatetime": _midnight(c.conviction_date),
                      "lastUpdatedDatetime": _midnight(c.conviction_date)}
                     for i, o in enumerate(c.offences)],
        "sentence": None if s is None else {
            "sentenceId": int(c.id) + 1, "description": s.description,
            "originalLength": s.length, "originalLengthUnits": s.length_units,
            "startDate": _date(s.start_date),
            "expectedSentenceEndDate": _date(s.expected_end_date),
            "terminationDate": _date(s.termination_date),
            "terminationReason": "Completed" if s.termination_date else None,
            "sentenceType": _kv(s.type_code, s.description)},
        "latestCourtAppearanceOutcome": None,
        "custody": None if c.booking_number is None else {
            "bookingNumber": c.booking_number,
            "institution": {"code": f"{c.institution_code}HMP", "isEstablishment": True,
                            "nomsPrisonInstitutionCode": c.institution_code},
            "status": _kv(c.custodial_status),
            "sentenceStartDate": _date(s.start_date) if s else None,
            "keyDates": None if k is None else {
                "conditionalReleaseDate": _date(k.conditional_release_date),
                "licenceExpiryDate": _date(k.licence_expiry_date),
                "hdcEligibilityDate": _date(k.hdc_eligibility_date),
                "paroleEligibilityDate": _date(k.parole_eligibility_date),
                "sentenceExpiryDate": _date(k.sentence_expiry_date),
                "expectedReleaseDate": _date(k.expected_release_date)}},
        "responsibleCourt": None, "courtAppearance": None,
        "orderManagers": [] if m is None else [{
            "name": f"{m.forenames} {m.surname}", "staffCode": m.staff_code,
            "teamCode": m.team_code, "probationAreaCode": m.provider_code,
            "dateStartOfAllocation": _midnight(m.from_date),
            "dateEndOfAllocation": _midnight(m.to_date), "gradeCode": None}],
    }


def requirement_json(r: Requirement, number: int) -> dict[str, Any]:
    return {"requirementId": number, "active": r.active,
            "requirementTypeMainCategory": {"code": None, "description": r.category},
            "requirementTypeSubCategory": {"code": None, "description": r.subcategory},
            "length": r.length, "lengthUnit": r.length_unit, "softDeleted": False}


def requirements_json(c: Case) -> dict[str, Any]:
    """community-api `ConvictionRequirements` (the wrapper omits nulls)."""
    return {"requirements": [requirement_json(r, int(c.id) * 10 + i)
                             for i, r in enumerate(c.requirements)]}


def registration_json(r: Registration, crn: str) -> dict[str, Any]:
    """community-api `Registration` (nulls written)."""
    return {"registrationId": int(r.id), "offenderId": int(crn[1:]) + 2_500_000_000,
            "register": _kv("1" if r.type_code.startswith("R") else "5"),
            "type": _kv(r.type_code, r.type_description), "riskColour": r.risk_colour,
            "startDate": _date(r.start_date), "nextReviewDate": _date(r.next_review_date),
            "reviewPeriodMonths": 6, "notes": None, "registerLevel": _kv(r.level),
            "registerCategory": _kv(r.category), "warnUser": False, "active": r.active,
            "endDate": None, "numberOfPreviousDeregistrations": 0}


def all_case_access(p: Person, since: date) -> dict[str, Any]:
    """probation integration `AllCaseAccess`: empty lists are null."""
    at = datetime.combine(since, time(), UTC).isoformat().replace("+00:00", "Z")
    entries = lambda users: [{"username": u, "since": at, "until": None}  # noqa: E731
                             for u in users] or None
    return {"crn": p.crn, "excludedFrom": entries(p.exclusion_users),
            "restrictedTo": entries(p.restriction_users),
            "exclusionMessage": p.exclusion_message, "restrictionMessage": p.restriction_message}


def case_access(p: Person | None, crn: str, user: str) -> dict[str, Any]:
    """probation integration `CaseAccess` for one user (UserAccessService semantics)."""
    excluded = p is not None and user in p.exclusion_users
    restricted = p is not None and bool(p.restriction_users) and user not in p.restriction_users
    return compact({"crn": crn, "userExcluded": excluded, "userRestricted": restricted,
                    "exclusionMessage": p.exclusion_message if excluded and p else None,
                    "restrictionMessage": p.restriction_message if restricted and p else None})


def probation_areas(data: Dataset) -> list[dict[str, Any]]:
    """community-api `ProbationArea` list with teams (`GET /api/probationAreas`)."""
    teams: dict[str, dict[str, str]] = {}
    for p in data.people.values():
        for m in p.managers:
            teams.setdefault(m.provider_code, {})[m.team_code] = m.team_name
    return [{"probationAreaId": n, "code": o.code, "description": o.name,
             "nps": o.type == "NPS" if o.type != "PRISON" else None,
             "organisation": None,
             "institution": {"code": f"{o.code}HMP", "isEstablishment": True,
                             "nomsPrisonInstitutionCode": o.code} if o.type == "PRISON" else None,
             "teams": [{"code": t, "description": name}
                       for t, name in sorted(teams.get(o.code, {}).items())]}
            for n, o in enumerate(data.organisations.values(), start=1)]
