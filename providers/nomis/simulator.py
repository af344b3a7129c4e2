"""A simulator of NOMIS's read APIs: prisoner search and prison-api (domain.md 3.2, 3.3)."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request

from providers.embedded.dataset import Dataset, shared
from providers.nomis.shapes import DATE_FIELDS, JSON_DATE_FIELDS
from providers.records import Custody, Movement, SentenceDates
from providers.simulation import NotFound, Simulator, paging, spring_page

PRISONER_LIMIT = 1000


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def prisoner_json(c: Custody, merged_from: list[str]) -> dict[str, Any]:
    return {
        "prisonerNumber": c.noms_number, "bookingId": str(c.booking_id),
        "bookNumber": c.book_number, "active": c.active, "status": c.status,
        "inOutStatus": c.in_out_status, "prisonId": c.agency_id, "cellLocation": c.cell_location,
        "legalStatus": c.legal_status, "imprisonmentStatusDescription": c.imprisonment_status,
        "category": c.category, "receptionDate": _date(c.reception_date),
        "firstName": c.forename, "lastName": c.surname, "dateOfBirth": _date(c.date_of_birth),
        "pncNumber": c.pnc_number, "lastUpdated": c.updated_at.isoformat(),
        "identifiers": [{"type": "MERGED", "value": old} for old in merged_from],
    }


def sentence_json(d: SentenceDates, offender_no: str) -> dict[str, Any]:
    detail: dict[str, Any] = {key: _date(getattr(d, name))
              for name, key in zip(DATE_FIELDS, JSON_DATE_FIELDS, strict=True)}
    detail |= {"bookingId": d.booking_id, "nonDtoReleaseDateType": d.non_dto_release_date_type,
               "releaseDate": _date(d.release_date), "lastUpdated": d.updated_at.isoformat()}
    return {"bookingId": d.booking_id, "offenderNo": offender_no, "sentenceDetail": detail}


def movement_json(m: Movement) -> dict[str, Any]:
    return {"offenderNo": m.noms_number, "bookingId": m.booking_id,
            "movementType": m.movement_type, "directionCode": m.direction,
            "fromAgency": m.from_agency, "toAgency": m.to_agency,
            "movementReasonCode": m.reason_code, "movementDate": _date(m.movement_date)}


def build(data: Dataset | None = None, **options: Any) -> tuple[Simulator, Starlette]:
    data = data or shared()
    sim = Simulator("nomis", **options)
    merged: dict[str, list[str]] = {}
    for old, new in data.merged_noms.items():
        merged.setdefault(new, []).append(old)
    offender_of = {c.booking_id: c.noms_number for c in data.custody.values()}

    prisoners: dict[str, dict[str, Any]] = {}

    def prisoner(noms: str) -> dict[str, Any] | None:
        found = data.custody.get(data.merged_noms.get(noms, noms))
        if found is None:
            return None
        if found.noms_number not in prisoners:
            prisoners[found.noms_number] = prisoner_json(found, merged.get(found.noms_number, []))
        return prisoners[found.noms_number]

    async def _keys(request: Request, limit: int, wrapper: str | None = None) -> list[Any]:
        body = await request.json()
        keys = body[wrapper] if wrapper else body
        if not isinstance(keys, list) or not 1 <= len(keys) <= limit:
            raise ValueError(f"send 1 to {limit} identifiers")
        return keys

    @sim.route("/prisoner-search/prisoner-numbers", "POST")
    async def prisoners_by_number(request: Request) -> Any:
        found = [prisoner(str(n)) for n in await _keys(request, PRISONER_LIMIT,
                                                       "prisonerNumbers")]
        return [p for p in found if p is not None]

    @sim.route("/prison/{prison_id}/prisoners")
    async def prisoners_in(request: Request) -> Any:
        page, size = paging(request)
        held = list(data.prisoners.get(request.path_params["prison_id"], ()))
        window = spring_page(held, page, size)
        window["content"] = [prisoner(n) for n in window["content"]]
        return window

    @sim.route("/api/offender-sentences/bookings", "POST")
    async def sentences(request: Request) -> Any:
        ids = [int(i) for i in await _keys(request, PRISONER_LIMIT)]
        return [sentence_json(data.sentence_dates[i], offender_of[i]) for i in ids
                if i in data.sentence_dates]

    @sim.route("/api/movements/offenders", "POST")
    async def movements(request: Request) -> Any:
        numbers = await _keys(request, PRISONER_LIMIT)
        latest = request.query_params.get("latestOnly", "true") == "true"
        found = []
        for n in numbers:
            moves = data.movements.get(str(n), ())
            found += [movement_json(m) for m in (moves[:1] if latest else moves)]
        return found

    @sim.route("/api/agencies/type/{agency_type}")
    async def agencies_of_type(request: Request) -> Any:
        kind = request.path_params["agency_type"]
        return [{"agencyId": e.code, "description": e.name, "agencyType": e.type,
                 "active": e.active} for e in data.establishments.values() if e.type == kind]

    @sim.route("/api/agencies/{agency_id}")
    async def agency(request: Request) -> Any:
        found = data.establishments.get(request.path_params["agency_id"])
        if found is None:
            raise NotFound(request.path_params["agency_id"])
        return {"agencyId": found.code, "description": found.name,
                "agencyType": found.type, "active": found.active}

    return sim, sim.app()
