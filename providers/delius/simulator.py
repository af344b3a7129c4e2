"""A simulator of nDelius's read APIs (community-api and probation-offender-search shapes).

Paths, field names and paging follow domain.md 3.1, 3.4 and 3.7. Three batch paths are
modelled on the probation integration services' 1-500 CRN batch reads (domain.md 3.5), whose
exact paths are not public: `POST /convictions`, `POST /registrations` (community-api has only
per-CRN reads, kept here too) and `POST /limited-access` (the real Limited Access batch reads
are per user; the gateway caches case data for every tenant, so it reads each case's lists and
decides per user itself).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request

from providers.embedded.dataset import Dataset, shared
from providers.records import Case, Manager, Person, Registration, current_case
from providers.simulation import NotFound, Simulator, paging, spring_page

BATCH_LIMIT = 512
CASE_BATCH_LIMIT = 500


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def manager_json(m: Manager, nps: bool) -> dict[str, Any]:
    return {"staff": {"code": m.staff_code, "forenames": m.forenames, "surname": m.surname,
                      "unallocated": m.unallocated},
            "team": {"code": m.team_code, "description": m.team_name},
            "probationArea": {"code": m.provider_code, "nps": nps},
            "fromDate": _date(m.from_date), "toDate": _date(m.to_date), "active": m.active,
            "allocationReason": {"description": m.allocation_reason}}


def offender_json(p: Person) -> dict[str, Any]:
    return {
        "offenderId": int(p.crn[1:]) + 2_500_000_000, "firstName": p.forename,
        "middleNames": list(p.middle_names), "surname": p.surname,
        "dateOfBirth": _date(p.date_of_birth), "gender": p.gender,
        "otherIds": {"crn": p.crn, "pncNumber": p.pnc_number, "croNumber": p.cro_number,
                     "nomsNumber": p.noms_number},
        "offenderAliases": [{"firstName": a.forename, "surname": a.surname,
                             "dateOfBirth": _date(a.date_of_birth)} for a in p.aliases],
        "offenderManagers": [manager_json(m, m.provider_code.startswith("N")) for m in p.managers],
        "probationStatus": {"status": p.probation_status}, "currentTier": p.tier,
        "currentExclusion": bool(p.exclusion_users), "exclusionMessage": p.exclusion_message,
        "currentRestriction": bool(p.restriction_users),
        "restrictionMessage": p.restriction_message,
        "lastUpdatedDateTime": p.updated_at.isoformat(),
    }


def conviction_json(c: Case) -> dict[str, Any]:
    s, m, k = c.sentence, c.manager, c.key_dates
    return {
        "convictionId": int(c.id), "index": str(c.number), "active": c.active,
        "convictionDate": _date(c.conviction_date),
        "offences": [{"mainOffence": o.main, "offenceDate": _date(o.offence_date),
                      "detail": {"code": o.code, "description": o.description}}
                     for o in c.offences],
        "sentence": None if s is None else {
            "description": s.description, "originalLength": s.length,
            "originalLengthUnits": s.length_units, "startDate": _date(s.start_date),
            "expectedSentenceEndDate": _date(s.expected_end_date),
            "terminationDate": _date(s.termination_date),
            "sentenceType": {"code": s.type_code, "description": s.description}},
        "requirements": [{"requirementTypeMainCategory": {"description": r.category},
                          "requirementTypeSubCategory": {"description": r.subcategory},
                          "length": r.length, "lengthUnit": r.length_unit, "active": r.active}
                         for r in c.requirements],
        "custody": None if c.booking_number is None else {
            "bookingNumber": c.booking_number,
            "institution": {"code": f"{c.institution_code}HMP",
                            "nomsPrisonInstitutionCode": c.institution_code},
            "status": {"code": c.custodial_status},
            "keyDates": None if k is None else {
                "conditionalReleaseDate": _date(k.conditional_release_date),
                "licenceExpiryDate": _date(k.licence_expiry_date),
                "hdcEligibilityDate": _date(k.hdc_eligibility_date),
                "paroleEligibilityDate": _date(k.parole_eligibility_date),
                "sentenceExpiryDate": _date(k.sentence_expiry_date),
                "expectedReleaseDate": _date(k.expected_release_date)}},
        "orderManagers": [] if m is None else [{"probationAreaCode": c.managing_provider,
                                                **manager_json(m, False)}],
        "lastUpdatedDateTime": c.updated_at.isoformat(),
    }


def registration_json(r: Registration) -> dict[str, Any]:
    return {"registrationId": int(r.id), "type": {"code": r.type_code,
                                                  "description": r.type_description},
            "riskColour": r.risk_colour, "startDate": _date(r.start_date),
            "nextReviewDate": _date(r.next_review_date),
            "registerLevel": {"code": r.level} if r.level else None,
            "registerCategory": {"code": r.category} if r.category else None,
            "active": r.active}


def _staff_code(p: Person) -> str | None:
    manager = p.active_manager
    return manager.staff_code if manager else None


def build(data: Dataset | None = None, **options: Any) -> tuple[Simulator, Starlette]:
    """The simulator and its app, over `data` (default: the shared demo dataset)."""
    data = data or shared()
    sim = Simulator("delius", **options)
    offenders: dict[str, dict[str, Any]] = {}
    conviction_cache: dict[str, list[dict[str, Any]]] = {}
    team_people: dict[str, list[Person]] = {}
    for p in sorted(data.people.values(), key=lambda p: p.crn):
        if (m := p.active_manager) and current_case(data.cases.get(p.crn, ())) is not None:
            team_people.setdefault(m.team_code, []).append(p)

    def offender(crn: str) -> dict[str, Any]:
        if crn not in offenders:
            offenders[crn] = offender_json(data.people[crn])
        return offenders[crn]

    def events(crn: str) -> list[dict[str, Any]]:
        if crn not in conviction_cache:
            conviction_cache[crn] = [conviction_json(c) for c in data.cases.get(crn, ())]
        return conviction_cache[crn]

    async def _batch(request: Request) -> list[str]:
        keys = await request.json()
        if not isinstance(keys, list) or not 1 <= len(keys) <= BATCH_LIMIT:
            raise ValueError(f"send 1 to {BATCH_LIMIT} identifiers")
        return [str(k) for k in keys]

    @sim.route("/crns", "POST")
    async def by_crn(request: Request) -> Any:
        return [offender(c) for c in await _batch(request) if c in data.people]

    @sim.route("/nomsNumbers", "POST")
    async def by_noms(request: Request) -> Any:
        return [offender(crn) for n in await _batch(request)
                for crn in data.noms_to_crns.get(n, ())]

    @sim.route("/limited-access", "POST")
    async def limited_access(request: Request) -> Any:
        people = [data.people[c] for c in await _batch(request) if c in data.people]
        return [{"crn": p.crn, "excludedFrom": list(p.exclusion_users),
                 "restrictedTo": list(p.restriction_users)} for p in people if p.limited_access]

    @sim.route("/phrase", "POST")
    async def phrase(request: Request) -> Any:
        body, (page, size) = await request.json(), paging(request)
        terms, areas = str(body["phrase"]).lower().split(), body.get("probationAreasFilter")
        found = [data.people[crn] for row, crn in data.search_rows
                 if all(t in row for t in terms)]
        if areas:
            found = [p for p in found if p.managing_provider in areas]
        return spring_page([offender(p.crn) for p in found], page, size)

    @sim.route("/team-codes", "POST")
    async def by_team(request: Request) -> Any:
        body, (page, size) = await request.json(), paging(request)
        teams, staff = body["teamCodes"], body.get("staffCode")
        people = sorted((p for t in set(teams) for p in team_people.get(t, ())
                         if staff is None or _staff_code(p) == staff), key=lambda p: p.crn)
        window = spring_page(people, page, size)
        window["content"] = [offender(p.crn) for p in window["content"]]
        return window

    @sim.route("/convictions", "POST")
    async def convictions_batch(request: Request) -> Any:
        crns = await _batch(request)
        if len(crns) > CASE_BATCH_LIMIT:
            raise ValueError(f"send 1 to {CASE_BATCH_LIMIT} CRNs")
        return [{"crn": c, "convictions": events(c)} for c in crns if c in data.people]

    @sim.route("/registrations", "POST")
    async def registrations_batch(request: Request) -> Any:
        crns = await _batch(request)
        if len(crns) > CASE_BATCH_LIMIT:
            raise ValueError(f"send 1 to {CASE_BATCH_LIMIT} CRNs")
        return [{"crn": c, "registrations": [registration_json(r)
                                             for r in data.registrations.get(c, ())]}
                for c in crns if c in data.people]

    @sim.route("/secure/offenders/crn/{crn}/convictions")
    async def convictions(request: Request) -> Any:
        crn = request.path_params["crn"]
        if crn not in data.people:
            raise NotFound(crn)
        return events(crn)

    @sim.route("/secure/offenders/crn/{crn}/registrations")
    async def registrations(request: Request) -> Any:
        crn = request.path_params["crn"]
        if crn not in data.people:
            raise NotFound(crn)
        return {"registrations": [registration_json(r) for r in data.registrations.get(crn, ())]}

    @sim.route("/secure/probationAreas")
    async def probation_areas(_: Request) -> Any:
        teams: dict[str, dict[str, str]] = {}
        for p in data.people.values():
            for m in p.managers:
                teams.setdefault(m.provider_code, {})[m.team_code] = m.team_name
        return [{"code": o.code, "description": o.name, "nps": o.type == "NPS",
                 "institution": {"code": f"{o.code}HMP", "nomsPrisonInstitutionCode": o.code}
                 if o.type == "PRISON" else None,
                 "teams": [{"code": t, "description": n}
                           for t, n in sorted(teams.get(o.code, {}).items())]}
                for o in data.organisations.values()]

    return sim, sim.app()
