"""A simulator of NOMIS's read APIs: prisoner search and prison-api, in their real shapes
(providers/nomis/contracts): nulls omitted, `bookingId` a string in prisoner search, no
`active` and no `lastUpdated` on a prisoner, no booking id on a movement."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request

from events.envelope import DomainEvent
from providers.clock import SYSTEM, Clock
from providers.embedded.dataset import Dataset, shared
from providers.nomis import changes
from providers.nomis.shapes import DATE_FIELDS, JSON_DATE_FIELDS
from providers.records import Custody, Movement, SentenceDates
from providers.sim_events import EventSink, SimulatedChanges
from providers.simulation import NotFound, Simulator, paging, spring_page

PRISONER_LIMIT = 1000
MOVEMENT_TYPES = {"ADM": "Admission", "CRT": "Court", "REL": "Release",
                  "TAP": "Temporary Absence", "TRN": "Transfers"}
FLATTENED = ("sentence_start_date", "conditional_release_date",
             "home_detention_curfew_eligibility_date", "licence_expiry_date",
             "sentence_expiry_date", "topup_supervision_expiry_date", "tariff_date",
             "confirmed_release_date", "parole_eligibility_date")


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """Prisoner search and prison-api omit null fields."""
    return {k: v for k, v in values.items() if v is not None}


def prisoner_json(c: Custody, merged_from: list[str], dates: SentenceDates | None,
                  last: Movement | None) -> dict[str, Any]:
    legal = c.legal_status
    flat = {key: _date(getattr(dates, name)) for name, key in zip(DATE_FIELDS, JSON_DATE_FIELDS,
                                                                   strict=True)
            if name in FLATTENED} if dates else {}
    return compact({
        "prisonerNumber": c.noms_number, "bookingId": str(c.booking_id),
        "bookNumber": c.book_number, "firstName": c.forename, "lastName": c.surname,
        "dateOfBirth": _date(c.date_of_birth), "pncNumber": c.pnc_number,
        "status": c.status, "inOutStatus": c.in_out_status, "prisonId": c.agency_id,
        "cellLocation": c.cell_location, "legalStatus": legal,
        "imprisonmentStatusDescription": c.imprisonment_status, "category": c.category,
        "receptionDate": _date(c.reception_date), "recall": legal == "RECALL",
        "indeterminateSentence": legal == "INDETERMINATE_SENTENCE",
        "lastMovementTypeCode": last.movement_type if last else None,
        "lastMovementReasonCode": last.reason_code if last else None,
        "lastMovementDate": _date(last.movement_date) if last else None,
        "releaseDate": _date(dates.release_date) if dates else None, **flat,
        "identifiers": [{"type": "MERGED", "value": old,
                         "createdDateTime": f"{_date(c.reception_date)}T09:00:00"}
                        for old in merged_from] or None,
    })


def sentence_json(d: SentenceDates, c: Custody) -> dict[str, Any]:
    detail: dict[str, Any] = {key: _date(getattr(d, name))
              for name, key in zip(DATE_FIELDS, JSON_DATE_FIELDS, strict=True)}
    detail |= {"bookingId": d.booking_id, "nonDtoReleaseDateType": d.non_dto_release_date_type,
               "releaseDate": _date(d.release_date)}
    return compact({"bookingId": d.booking_id, "offenderNo": c.noms_number,
                    "firstName": c.forename or "", "lastName": c.surname or "",
                    "agencyLocationId": c.agency_id, "mostRecentActiveBooking": c.active,
                    "dateOfBirth": _date(c.date_of_birth), "sentenceDetail": compact(detail)})


def movement_json(m: Movement) -> dict[str, Any]:
    at = datetime.combine(m.movement_date, time(10, 30), UTC).replace(tzinfo=None)
    return compact({"offenderNo": m.noms_number, "createDateTime": at.isoformat(),
                    "movementType": m.movement_type,
                    "movementTypeDescription": MOVEMENT_TYPES[m.movement_type],
                    "directionCode": m.direction, "fromAgency": m.from_agency,
                    "toAgency": m.to_agency, "movementReasonCode": m.reason_code,
                    "movementReason": m.reason_code, "movementDate": _date(m.movement_date),
                    "movementTime": "10:30:00"})


def agency_json(e: Any) -> dict[str, Any]:
    return {"agencyId": e.code, "description": e.name, "agencyType": e.type, "active": e.active}


def merged_search(body: Any) -> list[str]:
    """The one attribute search the adapter sends: MERGED identifiers with these values."""
    [query] = body["queries"]
    wanted = {(m["attribute"], m["condition"]): m["searchTerm"] for m in query["matchers"]}
    if wanted.get(("identifiers.type", "IS")) != "MERGED" or len(wanted) != 2:
        raise ValueError("only a search for MERGED identifiers is simulated")
    return [v.strip() for v in wanted[("identifiers.value", "IN")].split(",") if v.strip()]


def build(dataset: Dataset | None = None, sink: EventSink | None = None,
          clock: Clock = SYSTEM, **options: Any) -> tuple[Simulator, Starlette]:
    """The simulator and its app, over `dataset` (default: the shared demo dataset). `POST
    /_sim/events` changes a copy of it (providers/nomis/changes.py) and publishes the event to
    `sink`, when given."""
    data: Dataset = dataset or shared()
    sim = Simulator("nomis", **options)
    merged: dict[str, list[str]] = {}
    for old, new in data.merged_noms.items():
        merged.setdefault(new, []).append(old)
    custody_of = {c.booking_id: c for c in data.custody.values()}
    prisoners: dict[str, dict[str, Any]] = {}

    def change(body: dict[str, Any], base_url: str, at: datetime) -> DomainEvent:
        nonlocal data
        data, event = changes.apply(data, body, base_url, at)
        prisoners.clear()
        custody_of.clear()
        custody_of.update({c.booking_id: c for c in data.custody.values()})
        return event
    sim.routes.append(SimulatedChanges("nomis", change, sink, clock).route())

    def prisoner(noms: str) -> dict[str, Any] | None:
        found = data.custody.get(noms)
        if found is None:
            return None
        if noms not in prisoners:
            moves = data.movements.get(noms, ())
            prisoners[noms] = prisoner_json(found, merged.get(noms, []),
                                            data.sentence_dates.get(found.booking_id),
                                            moves[0] if moves else None)
        return prisoners[noms]

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

    @sim.route("/prisoner/{noms}")
    async def one_prisoner(request: Request) -> Any:
        """The `detailUrl` of prisoner search's events."""
        found = prisoner(request.path_params["noms"])
        if found is None:
            raise NotFound(request.path_params["noms"])
        return found

    @sim.route("/attribute-search", "POST")
    async def attribute_search(request: Request) -> Any:
        body = await request.json()
        olds = merged_search(body)
        page, size = int(body["pagination"]["page"]), int(body["pagination"]["size"])
        kept = sorted({data.merged_noms[o] for o in olds if o in data.merged_noms})
        return spring_page([prisoner(n) for n in kept], page, size)

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
        return [sentence_json(data.sentence_dates[i], custody_of[i]) for i in ids
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
        return [agency_json(e) for e in data.establishments.values() if e.type == kind]

    @sim.route("/api/agencies/{agency_id}")
    async def agency(request: Request) -> Any:
        found = data.establishments.get(request.path_params["agency_id"])
        if found is None:
            raise NotFound(request.path_params["agency_id"])
        return agency_json(found)

    return sim, sim.app()
