"""A simulator of nDelius's read APIs in their real shapes (providers/delius/contracts):
probation search (`/crns`, `/nomsNumbers`, `/phrase`, `/team-codes`), community-api per
person (`/secure/offenders/crn/{crn}/convictions`, its requirements, registrations), the
probation areas list (`/api/probationAreas`) and Limited Access as the probation integration
services answer it (`POST /user/{username}/access`, `GET /case/{crn}/access`).

One documented extension: `POST /convictions` and `POST /registrations` read 1-500 people at
once (`[{crn, convictions, requirements}]`, `[{crn, registrations}]`). HMPPS has no such batch
reads; the adapter uses them only with `batch_reads = true`, for a deployment that puts a
batch service of its own in front of community-api.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request

from events.envelope import DomainEvent
from providers.clock import SYSTEM, Clock
from providers.delius import changes, shapes
from providers.embedded.dataset import Dataset, shared
from providers.records import Case, Person, current_case
from providers.sim_events import EventSink, SimulatedChanges
from providers.simulation import NotFound, Reply, Simulator, paging, spring_page

BATCH_LIMIT = 512
CASE_BATCH_LIMIT = 500
ACCESS_LIMIT = 500


def _staff_code(p: Person) -> str | None:
    manager = p.active_manager
    return manager.staff_code if manager else None


def build(dataset: Dataset | None = None, sink: EventSink | None = None,
          clock: Clock = SYSTEM, **options: Any) -> tuple[Simulator, Starlette]:
    """The simulator and its app, over `dataset` (default: the shared demo dataset). `POST
    /_sim/events` changes a copy of it (providers/delius/changes.py) and publishes the event
    to `sink`, when given."""
    data: Dataset = dataset or shared()
    sim = Simulator("delius", **options)
    names = {code: org.name for code, org in data.organisations.items()}
    offenders: dict[str, dict[str, Any]] = {}
    team_people: dict[str, list[Person]] = {}

    def index_teams() -> None:
        team_people.clear()
        for p in sorted(data.people.values(), key=lambda p: p.crn):
            if (m := p.active_manager) and current_case(data.cases.get(p.crn, ())) is not None:
                team_people.setdefault(m.team_code, []).append(p)
    index_teams()

    def change(body: dict[str, Any], base_url: str, at: datetime) -> DomainEvent:
        nonlocal data
        data, event = changes.apply(data, body, base_url, at)
        offenders.clear()
        index_teams()
        return event
    sim.routes.append(SimulatedChanges("delius", change, sink, clock).route())

    def offender(crn: str) -> dict[str, Any]:
        if crn not in offenders:
            offenders[crn] = shapes.offender_json(data.people[crn], names)
        return offenders[crn]

    def person(crn: str) -> Person:
        if crn not in data.people:
            raise NotFound(crn)
        return data.people[crn]

    async def _batch(request: Request, limit: int = BATCH_LIMIT) -> list[str]:
        keys = await request.json()
        if not isinstance(keys, list) or not 1 <= len(keys) <= limit:
            raise ValueError(f"send 1 to {limit} identifiers")
        return [str(k) for k in keys]

    @sim.route("/crns", "POST")
    async def by_crn(request: Request) -> Any:
        return [offender(c) for c in await _batch(request) if c in data.people]

    @sim.route("/secure/offenders/crn/{crn}")
    async def one_offender(request: Request) -> Any:
        """The `detailUrl` of the manager-allocated event."""
        return offender(person(request.path_params["crn"]).crn)

    @sim.route("/nomsNumbers", "POST")
    async def by_noms(request: Request) -> Any:
        return [offender(crn) for n in await _batch(request)
                for crn in data.noms_to_crns.get(n, ())]

    @sim.route("/user/{username}/access", "POST")
    async def user_access(request: Request) -> Any:
        user = request.path_params["username"]
        return {"access": [shapes.case_access(data.people.get(c), c, user)
                           for c in await _batch(request, ACCESS_LIMIT)]}

    @sim.route("/case/{crn}/access")
    async def case_access(request: Request) -> Any:
        crn = request.path_params["crn"]
        return shapes.all_case_access(person(crn), since=data.as_of - timedelta(days=400))

    @sim.route("/phrase", "POST")
    async def phrase(request: Request) -> Any:
        body, (page, size) = await request.json(), paging(request)
        terms, areas = str(body["phrase"]).lower().split(), body.get("probationAreasFilter")
        found = [data.people[crn] for row, crn in data.search_rows
                 if all(t in row for t in terms)]
        if areas:
            found = [p for p in found if p.managing_provider in areas]
        return shapes.paged([offender(p.crn) for p in found], page, size)

    @sim.route("/team-codes", "POST")
    async def by_team(request: Request) -> Any:
        teams, (page, size) = await _batch(request), paging(request)
        people = sorted({p.crn for t in set(teams) for p in team_people.get(t, ())})
        window = shapes.paged(people, page, size)
        window["content"] = [offender(crn) for crn in window["content"]]
        return window

    def events(crn: str) -> list[Case]:
        return list(data.cases.get(crn, ()))

    @sim.route("/secure/offenders/crn/{crn}/convictions")
    async def convictions(request: Request) -> Any:
        crn = person(request.path_params["crn"]).crn
        return Reply([shapes.conviction_json(c) for c in events(crn)],
                      last_modified=_changed(events(crn), data.as_of))

    @sim.route("/secure/offenders/crn/{crn}/convictions/{conviction_id}/requirements")
    async def requirements(request: Request) -> Any:
        crn, wanted = person(request.path_params["crn"]).crn, request.path_params["conviction_id"]
        found = next((c for c in events(crn) if c.id == wanted), None)
        if found is None:
            raise NotFound(wanted)
        return shapes.requirements_json(found)

    @sim.route("/secure/offenders/crn/{crn}/registrations")
    async def registrations(request: Request) -> Any:
        crn = person(request.path_params["crn"]).crn
        return {"registrations": [shapes.registration_json(r, crn)
                                  for r in data.registrations.get(crn, ())]}

    @sim.route("/convictions", "POST")
    async def convictions_batch(request: Request) -> Any:
        crns = await _batch(request, CASE_BATCH_LIMIT)
        return [{"crn": c, "convictions": [shapes.conviction_json(e) for e in events(c)],
                 "requirements": [{"convictionId": int(e.id), **shapes.requirements_json(e)}
                                  for e in events(c)]}
                for c in crns if c in data.people]

    @sim.route("/registrations", "POST")
    async def registrations_batch(request: Request) -> Any:
        crns = await _batch(request, CASE_BATCH_LIMIT)
        return [{"crn": c, "registrations": [shapes.registration_json(r, c)
                                             for r in data.registrations.get(c, ())]}
                for c in crns if c in data.people]

    @sim.route("/api/probationAreas")
    async def probation_areas(_: Request) -> Any:
        return shapes.probation_areas(data)

    return sim, sim.app()


def _changed(cases: list[Case], as_of: date) -> datetime | None:
    """When a person's events last changed: their latest dated fact, at midday."""
    days = [d for c in cases for d in (c.conviction_date, c.sentence and c.sentence.start_date,
                                       c.sentence and c.sentence.termination_date) if d]
    latest = min(max(days), as_of) if days else None
    return datetime.combine(latest, time(12), UTC) if latest else None


__all__ = ["ACCESS_LIMIT", "BATCH_LIMIT", "CASE_BATCH_LIMIT", "build", "spring_page"]
