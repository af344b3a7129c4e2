"""A CRC's own service as an Apollo Federation v2 subgraph (strawberry): case notes.

It extends casegraph's entities with what the CRC keeps itself: `Offender.caseNotes` and
`Case.caseNotes` (the notes its officers wrote about the contacts they had, from the demo
data's appointments kept by the person's current provider) and `Prisoner.resettlementNeeds`
(its resettlement team's assessment of someone in custody, "through the gate"). Its own root
fields (`caseNote(id)`, `recentlyNoted`) are for its own clients and a router: casegraph does
not expose them.

    .venv/bin/python -m examples.federation.casenotes --port 8091 [--open]

It serves `POST /graphql`, an OAuth2 token endpoint (`POST /auth/oauth/token`, client
`casegraph` / `simulated-secret`; `--open` accepts calls with no token, as behind a router that
forwards its callers' tokens), and the simulators' `/_sim/stats` and `/_sim/faults`.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import orjson
import strawberry
from starlette.requests import Request

from providers.embedded.dataset import Dataset
from providers.records import Appointment, Custody
from providers.simulation import Simulator

PATHWAYS = ("Accommodation", "Education, training and employment", "Finance and benefits",
            "Health", "Drugs and alcohol", "Children and families",
            "Attitudes, thinking and behaviour")


@strawberry.enum(description="What a case note records.")
class NoteType(Enum):
    CONTACT = "CONTACT"
    MISSED_APPOINTMENT = "MISSED_APPOINTMENT"
    PLAN = "PLAN"


@strawberry.type(description="A note an officer wrote in the CRC's own case management system.")
class CaseNote:
    id: strawberry.ID
    type: NoteType
    text: str
    author_staff_code: str | None
    written_at: datetime.datetime
    case_id: strawberry.ID | None = strawberry.field(description="The nDelius event it is about.")


@strawberry.type(description="One resettlement pathway the CRC's team works on with a prisoner.")
class ResettlementNeed:
    pathway: str
    priority: int = strawberry.field(description="1 (most urgent) to 3.")


@dataclass
class Notes:
    """The service's data, made from the demo dataset; `broken` CRNs answer an error."""

    data: Dataset
    broken: set[str] = field(default_factory=set)
    noted: list[str] = field(default_factory=list)  # CRNs with notes, in order

    def __post_init__(self) -> None:
        self.noted = sorted(self.data.appointments)

    def of(self, crn: str, first: int | None, case_id: str | None = None) -> list[CaseNote]:
        if crn in self.broken:
            raise ValueError("this record cannot be read")
        person = self.data.people.get(crn)
        if person is None:
            return []
        own = [a for a in self.data.appointments.get(crn, ())
               if a.provider_code == person.managing_provider
               and (case_id is None or a.case_id == case_id)]
        return [_note(a) for a in own][:max(1, min(first or 20, 100))]

    def needs(self, noms: str) -> list[ResettlementNeed]:
        custody = self.data.custody.get(noms)
        return [] if custody is None else _needs(custody)


def _note(a: Appointment) -> CaseNote:
    kind = NoteType.PLAN if a.outcome is None else NoteType.MISSED_APPOINTMENT \
        if a.outcome == "FAILED_TO_ATTEND" else NoteType.CONTACT
    said = {None: "booked", "ATTENDED": "attended", "RESCHEDULED": "rescheduled",
            "FAILED_TO_ATTEND": "failed to attend; enforcement considered"}[a.outcome]
    return CaseNote(id=strawberry.ID(f"N{a.id}"), type=kind,
                    text=f"{a.type} at {a.location}: {said}.", author_staff_code=a.staff_code,
                    written_at=a.starts_at if a.outcome is None else a.ends_at,
                    case_id=strawberry.ID(a.case_id))


def _needs(c: Custody) -> list[ResettlementNeed]:
    seed = hashlib.sha256(f"{c.noms_number}{c.legal_status}{c.category}{c.reception_date}"
                          f"{c.agency_id}".encode()).digest()
    return [ResettlementNeed(pathway=p, priority=1 + seed[i] % 3)
            for i, p in enumerate(PATHWAYS) if seed[i] % 2]


def _case_key(case_id: str) -> tuple[str, str] | None:
    """casegraph's case id (a Relay global id: base64url of `Case:<CRN>:<event id>`) as the
    CRN and nDelius event id this service keeps its notes by."""
    try:
        kind, crn, event = base64.urlsafe_b64decode(case_id).decode().split(":")
    except (ValueError, UnicodeError):
        return None
    return (crn, event) if kind == "Case" else None


def _notes(info: strawberry.Info) -> Notes:
    found: Notes = info.context["notes"]
    return found


@strawberry.federation.type(keys=["crn"], description="A person on probation (casegraph's).")
class Offender:
    crn: strawberry.ID

    @strawberry.field(description="Case notes the CRC's officers wrote, oldest first.")
    def case_notes(self, info: strawberry.Info, first: int | None = 20) -> list[CaseNote]:
        return _notes(info).of(self.crn, first)

    @classmethod
    def resolve_reference(cls, crn: strawberry.ID) -> Offender:
        return cls(crn=crn)


@strawberry.federation.type(keys=["id"], description="A probation case (casegraph's).")
class Case:
    id: strawberry.ID

    @strawberry.field(description="Case notes about this case.")
    def case_notes(self, info: strawberry.Info, first: int | None = 20) -> list[CaseNote]:
        found = _case_key(self.id)
        return [] if found is None else _notes(info).of(found[0], first, case_id=found[1])

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Case:
        return cls(id=id)


@strawberry.federation.type(keys=["nomsNumber"], description="A prisoner (casegraph's Custody).")
class Prisoner:
    noms_number: strawberry.ID

    @strawberry.field(description="Pathways the resettlement team is working on.")
    def resettlement_needs(self, info: strawberry.Info) -> list[ResettlementNeed]:
        return _notes(info).needs(self.noms_number)

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Prisoner:  # keys as sent: nomsNumber
        return cls(noms_number=strawberry.ID(representation["nomsNumber"]))


@strawberry.type
class Query:
    @strawberry.field(description="One note by id, for the CRC's own clients.")
    def case_note(self, info: strawberry.Info, id: strawberry.ID) -> CaseNote | None:
        return None

    @strawberry.field(description="People with notes, by CRN: references a router resolves "
                                  "from casegraph, as each caller may see them.")
    def recently_noted(self, info: strawberry.Info, first: int = 5) -> list[Offender]:
        return [Offender(crn=strawberry.ID(c)) for c in _notes(info).noted[:max(0, first)]]


SCHEMA = strawberry.federation.Schema(query=Query, types=[Offender, Case, Prisoner],
                                      federation_version="2.3")


class CaseNotesService(Simulator):
    """The simulators' token endpoint, faults and counters around one GraphQL endpoint."""

    def __init__(self, notes: Notes, open_: bool = False) -> None:
        super().__init__("casenotes")
        self.notes, self.open = notes, open_
        self.requests: deque[str] = deque(maxlen=100)  # the latest bodies it was sent
        self.route("/graphql", "POST")(self.graphql)

    def _authorised(self, header: str) -> bool:
        return self.open or super()._authorised(header)

    async def graphql(self, request: Request) -> dict[str, Any]:
        raw = await request.body()
        self.requests.append(raw.decode())
        body = orjson.loads(raw)
        result = await SCHEMA.execute(body.get("query", ""), body.get("variables"),
                                      context_value={"notes": self.notes},
                                      operation_name=body.get("operationName"))
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [e.formatted for e in result.errors]
        return answer


def build(data: Dataset, open_: bool = False) -> tuple[CaseNotesService, Any]:
    service = CaseNotesService(Notes(data), open_)
    return service, service.app()


def main() -> None:
    import uvicorn

    from providers.embedded.dataset import shared

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--open", action="store_true", help="accept calls with no token")
    args = parser.parse_args()
    uvicorn.run(build(shared(), args.open)[1], host="127.0.0.1", port=args.port,
                log_level="warning")


if __name__ == "__main__":
    main()
