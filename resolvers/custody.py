"""Custody from the prison system: bookings, sentence dates, movements, establishments."""

from __future__ import annotations

import datetime
from enum import Enum
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from providers.records import Custody as CustodyRecord
from providers.records import Establishment as EstablishmentRecord
from providers.records import Movement as MovementRecord
from providers.records import SentenceDates as DatesRecord
from resolvers.context import Info
from resolvers.lists import judged_page
from resolvers.nodes import Node, global_id
from resolvers.pagination import Connection, connection, window
from resolvers.provenance import Provenance, provenance_of
from resolvers.reach import then

if TYPE_CHECKING:
    from resolvers.offenders import Offender


@strawberry.enum(description="NOMIS booking status.")
class CustodyStatus(Enum):
    ACTIVE_IN = "ACTIVE IN"
    ACTIVE_OUT = "ACTIVE OUT"
    INACTIVE_OUT = "INACTIVE OUT"
    INACTIVE_TRN = "INACTIVE TRN"


@strawberry.enum(description="Whether the prisoner is inside, outside or in transfer.")
class InOutStatus(Enum):
    IN = "IN"
    OUT = "OUT"
    TRN = "TRN"


@strawberry.enum(description="NOMIS legal status of the booking.")
class LegalStatus(Enum):
    RECALL = "RECALL"
    DEAD = "DEAD"
    INDETERMINATE_SENTENCE = "INDETERMINATE_SENTENCE"
    SENTENCED = "SENTENCED"
    CONVICTED_UNSENTENCED = "CONVICTED_UNSENTENCED"
    CIVIL_PRISONER = "CIVIL_PRISONER"
    IMMIGRATION_DETAINEE = "IMMIGRATION_DETAINEE"
    REMAND = "REMAND"
    UNKNOWN = "UNKNOWN"
    OTHER = "OTHER"


_DATE_FIELDS = (
    ("sentence_start_date", "Start of the sentence."),
    ("home_detention_curfew_eligibility_date", "HDCED: earliest release on home detention curfew."),
    ("home_detention_curfew_actual_date", "HDCAD: actual HDC release date."),
    ("conditional_release_date", "CRD: conditional release date."),
    ("automatic_release_date", "ARD: automatic (unconditional) release date."),
    ("parole_eligibility_date", "PED: parole eligibility date."),
    ("actual_parole_date", "APD: actual parole date."),
    ("non_parole_date", "NPD: 1991 Act non-parole date."),
    ("post_recall_release_date", "PRRD: post-recall release date."),
    ("licence_expiry_date", "LED: licence expiry date."),
    ("sentence_expiry_date", "SED: sentence expiry date."),
    ("topup_supervision_expiry_date", "TUSED: top-up supervision expiry date."),
    ("tariff_date", "Minimum term end for life and IPP sentences."),
    ("confirmed_release_date", "Release date confirmed by the prison."),
)


_DATE_NAMES = tuple(name for name, _ in _DATE_FIELDS)
_read_dates = attrgetter(*_DATE_NAMES)


@strawberry.type(description="Key sentence dates calculated by the prison (NOMIS field names).")
class SentenceDates:
    sentence_start_date: datetime.date | None = strawberry.field(description=_DATE_FIELDS[0][1])
    home_detention_curfew_eligibility_date: datetime.date | None = strawberry.field(
        description=_DATE_FIELDS[1][1])
    home_detention_curfew_actual_date: datetime.date | None = strawberry.field(
        description=_DATE_FIELDS[2][1])
    conditional_release_date: datetime.date | None = strawberry.field(
        description=_DATE_FIELDS[3][1])
    automatic_release_date: datetime.date | None = strawberry.field(description=_DATE_FIELDS[4][1])
    parole_eligibility_date: datetime.date | None = strawberry.field(description=_DATE_FIELDS[5][1])
    actual_parole_date: datetime.date | None = strawberry.field(description=_DATE_FIELDS[6][1])
    non_parole_date: datetime.date | None = strawberry.field(description=_DATE_FIELDS[7][1])
    post_recall_release_date: datetime.date | None = strawberry.field(
        description=_DATE_FIELDS[8][1])
    licence_expiry_date: datetime.date | None = strawberry.field(description=_DATE_FIELDS[9][1])
    sentence_expiry_date: datetime.date | None = strawberry.field(description=_DATE_FIELDS[10][1])
    topup_supervision_expiry_date: datetime.date | None = strawberry.field(
        description=_DATE_FIELDS[11][1])
    tariff_date: datetime.date | None = strawberry.field(description=_DATE_FIELDS[12][1])
    confirmed_release_date: datetime.date | None = strawberry.field(description=_DATE_FIELDS[13][1])
    record: strawberry.Private[DatesRecord]

    @strawberry.field(description="Derived: confirmed release date; else actual parole or HDC "
                                  "date; else the later of the non-DTO release date and the "
                                  "mid-term date.")
    def release_date(self) -> datetime.date | None:
        return self.record.release_date  # derived when asked for

    @strawberry.field(description="Where these dates came from and how old they are.")
    def provenance(self, info: Info) -> Provenance | None:
        return provenance_of(info.context, "sentence_dates", str(self.record.booking_id),
                             self.record.updated_at)

    @classmethod
    def build(cls, d: DatesRecord) -> SentenceDates:
        return cls(**dict(zip(_DATE_NAMES, _read_dates(d), strict=True)), record=d)

    @classmethod
    def built(cls, d: DatesRecord | None) -> SentenceDates | None:
        return None if d is None else cls.build(d)


@strawberry.type(description="An external movement: admission, release, transfer, court, absence.")
class Movement:
    movement_type: str | None = strawberry.field(description="ADM, CRT, REL, TAP or TRN.")
    direction: str | None = strawberry.field(description="IN or OUT.")
    from_agency: str | None = strawberry.field(description="Agency moved from.")
    to_agency: str | None = strawberry.field(description="Agency moved to.")
    reason_code: str | None = strawberry.field(description="NOMIS movement reason code.")
    movement_date: datetime.date | None = strawberry.field(description="Date of the movement.")

    @classmethod
    def build(cls, m: MovementRecord) -> Movement:
        return cls(movement_type=m.movement_type, direction=m.direction,
                   from_agency=m.from_agency, to_agency=m.to_agency, reason_code=m.reason_code,
                   movement_date=m.movement_date)


@strawberry.type(description="A prison or other NOMIS agency location.")
class Establishment(Node):
    code: strawberry.ID = strawberry.field(description="NOMIS agency id, e.g. `MDI`.")
    name: str | None = strawberry.field(description="The establishment's name.")
    type: str | None = strawberry.field(description="NOMIS agency type: INST, CRT, HOSPITAL...")

    @strawberry.field(description="People held here whose custody you may see, by NOMS number.")
    async def prisoners(self, info: Info, first: int | None = None, after: str | None = None,
                        last: int | None = None, before: str | None = None
                        ) -> Connection[Custody] | None:
        wanted = window(key := ("prisoners", self.code), first, after, last, before)
        page = await judged_page(info.context.reach, "prisoners",
                                 {"establishment": str(self.code)}, wanted)
        return connection(page.items, page.offset, page.total, Custody.build, key)

    @classmethod
    def build(cls, e: EstablishmentRecord) -> Establishment:
        return cls(id=global_id("Establishment", e.code), code=strawberry.ID(e.code),
                   name=e.name, type=e.type)

    @classmethod
    def built(cls, e: EstablishmentRecord | None) -> Establishment | None:
        return None if e is None else cls.build(e)


@strawberry.type(description="A prisoner's latest booking in the prison system (NOMIS).")
class Custody(Node):
    booking_id: strawberry.ID | None = strawberry.field(description="NOMIS booking id.")
    book_number: str | None = strawberry.field(description="Book number of this custody period.")
    prison_number: str | None = strawberry.field(description="NOMS number (prisoner number).")
    active: bool | None = strawberry.field(description="Whether this is the current booking.")
    status: CustodyStatus | None = strawberry.field(description="Booking status.")
    in_out_status: InOutStatus | None = strawberry.field(description="In, out or in transfer.")
    cell_location: str | None = strawberry.field(description="Cell, as WING-LANDING-CELL.")
    legal_status: LegalStatus | None = strawberry.field(description="NOMIS legal status.")
    imprisonment_status: str | None = strawberry.field(description="Imprisonment status text.")
    category: str | None = strawberry.field(description="Security category code.")
    reception_date: datetime.date | None = strawberry.field(description="Date received.")
    record: strawberry.Private[CustodyRecord]

    @strawberry.field(description="Where the prisoner is held (OUT when released).")
    def establishment(self, info: Info) -> Establishment | None:
        return then(info.context.reach.reference("establishment", self.record.agency_id),
                    Establishment.built)

    @strawberry.field(description="Key sentence dates for this booking.")
    def sentence_dates(self, info: Info) -> SentenceDates | None:
        return then(info.context.reach.sentence_dates_of(self.record), SentenceDates.built)

    @strawberry.field(description="External movements, newest first.")
    def movements(self, info: Info) -> list[Movement] | None:
        return then(info.context.reach.movements_of(self.record), lambda found: None
                    if found is None else [Movement.build(m) for m in found])

    @strawberry.field(description="The person on probation's records with this NOMS number.")
    async def offender(self, info: Info) -> Annotated[
            Offender, strawberry.lazy("resolvers.offenders")] | None:
        from resolvers.offenders import offender_by_noms

        return await offender_by_noms(info.context, self.record.noms_number)

    @strawberry.field(description="Where this record came from and how old it is.")
    def provenance(self, info: Info) -> Provenance | None:
        return provenance_of(info.context, "custody", self.record.noms_number,
                             self.record.updated_at)

    @classmethod
    def build(cls, c: CustodyRecord) -> Custody:
        return (cls(
            id=global_id("Custody", c.noms_number), booking_id=strawberry.ID(str(c.booking_id)),
            book_number=c.book_number,
            prison_number=c.noms_number, active=c.active, status=_enum(CustodyStatus, c.status),
            in_out_status=_enum(InOutStatus, c.in_out_status), cell_location=c.cell_location,
            legal_status=_enum(LegalStatus, c.legal_status),
            imprisonment_status=c.imprisonment_status,
            category=c.category, reception_date=c.reception_date, record=c))


_MEMBERS: dict[type[Enum], dict[Any, Enum]] = {
    kind: {member.value: member for member in kind}
    for kind in (CustodyStatus, InOutStatus, LegalStatus)}


def _enum(kind: type[Enum], value: Any) -> Any:
    """`kind(value)` by dict lookup (Enum's own constructor is slow, and runs per row)."""
    if value is None:  # optional in the real API (providers/records.py)
        return None
    found = _MEMBERS[kind].get(value)
    return found if found is not None else kind(value)
