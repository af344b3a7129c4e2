"""Appointments from providers' own stores, each visible only to the provider that keeps it."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import strawberry

from providers.records import Appointment as AppointmentRecord
from resolvers.nodes import Node, global_id


@strawberry.type(description="An appointment a provider keeps in its own system.")
class Appointment(Node):
    appointment_id: strawberry.ID = strawberry.field(description="The provider's appointment id.")
    type: str | None = strawberry.field(description="Office visit, home visit, unpaid work...")
    starts_at: datetime.datetime | None = strawberry.field(description="Start time (UTC).")
    ends_at: datetime.datetime | None = strawberry.field(description="End time (UTC).")
    location: str | None = strawberry.field(description="Where it takes place.")
    staff_code: str | None = strawberry.field(description="The officer seeing the person.")
    outcome: str | None = strawberry.field(
        description="ATTENDED, FAILED_TO_ATTEND or RESCHEDULED; null while in the future.")
    provider_code: str | None = strawberry.field(description="The provider that keeps it.")
    case_id: strawberry.ID | None = strawberry.field(description="The case it belongs to.")

    @classmethod
    def build(cls, a: AppointmentRecord) -> Appointment:
        return cls(id=global_id("Appointment", a.crn, a.id), appointment_id=strawberry.ID(a.id),
                   type=a.type, starts_at=a.starts_at, ends_at=a.ends_at,
                   location=a.location, staff_code=a.staff_code, outcome=a.outcome,
                   provider_code=a.provider_code, case_id=strawberry.ID(a.case_id))

    @classmethod
    def build_all(cls, found: Sequence[AppointmentRecord] | None) -> list[Appointment] | None:
        return None if found is None else [cls.build(a) for a in found]
