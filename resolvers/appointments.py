"""Appointments from providers' own stores, each visible only to the provider that keeps it."""

from __future__ import annotations

import datetime

import strawberry

from providers.records import Appointment as AppointmentRecord
from resolvers.context import Context, masked


@strawberry.type(description="An appointment a provider keeps in its own system.")
class Appointment:
    id: strawberry.ID = strawberry.field(description="The provider's appointment id.")
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
    def build(cls, a: AppointmentRecord, ctx: Context) -> Appointment:
        return masked(cls(id=strawberry.ID(a.id), type=a.type, starts_at=a.starts_at,
                          ends_at=a.ends_at, location=a.location, staff_code=a.staff_code,
                          outcome=a.outcome, provider_code=a.provider_code,
                          case_id=strawberry.ID(a.case_id)), "Appointment", ctx)


async def appointments_of(ctx: Context, crn: str, case_id: str | None = None
                          ) -> list[Appointment]:
    rows = ctx.decisions.row_filter("Appointment")
    found = await ctx.loaders.load("appointments", crn) or ()
    return [Appointment.build(a, ctx) for a in found
            if rows(a) and (case_id is None or a.case_id == case_id)]
