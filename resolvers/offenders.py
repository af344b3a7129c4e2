"""The person on probation: identity, cases, custody, manager, registrations."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from providers.identifiers import canonical_pnc
from providers.records import Custody as CustodyRecord
from providers.records import Person
from providers.records import Registration as RegistrationRecord
from resolvers.appointments import Appointment
from resolvers.context import Context, Info
from resolvers.custody import Custody
from resolvers.errors import Conflict
from resolvers.nodes import Node, global_id
from resolvers.organisations import OffenderManager
from resolvers.provenance import Provenance, provenance_of
from resolvers.reach import Stub, then

if TYPE_CHECKING:
    from resolvers.cases import Case


@strawberry.type(description="A name a person is known by.")
class Name:
    forename: str | None = strawberry.field(description="First name.")
    middle_names: list[str] | None = strawberry.field(description="Middle names, in order.")
    surname: str | None = strawberry.field(description="Family name.")


@strawberry.type(description="A register entry on the person: RoSH level, MAPPA and others.")
class Registration:
    type_code: str | None = strawberry.field(description="Register type code, e.g. RHRH, MAPP.")
    type_description: str | None = strawberry.field(description="Register type description.")
    risk_colour: str | None = strawberry.field(description="Red, Amber, Green or White.")
    start_date: datetime.date | None = strawberry.field(description="When registered.")
    next_review_date: datetime.date | None = strawberry.field(description="Next review due.")
    level: str | None = strawberry.field(description="Register level (MAPPA M1-M3).")
    category: str | None = strawberry.field(description="Register category (MAPPA M1-M4).")
    active: bool | None = strawberry.field(description="Whether the registration is current.")

    @classmethod
    def build(cls, r: RegistrationRecord) -> Registration:
        return cls(type_code=r.type_code, type_description=r.type_description,
                   risk_colour=r.risk_colour, start_date=r.start_date,
                   next_review_date=r.next_review_date, level=r.level, category=r.category,
                   active=r.active)


@strawberry.type(description="Whether the case and custody systems agree on who this is.")
class IdentityCheck:
    consistent: bool | None = strawberry.field(
        description="True when nDelius and NOMIS agree on date of birth and PNC number.")
    mismatches: list[str] | None = strawberry.field(
        description="The fields they disagree on: dateOfBirth, pncNumber.")


def identity_mismatches(person: Person, custody: CustodyRecord) -> list[str]:
    found = []
    if person.date_of_birth != custody.date_of_birth:
        found.append("dateOfBirth")
    ours, theirs = canonical_pnc(person.pnc_number), canonical_pnc(custody.pnc_number)
    if ours and theirs and ours != theirs:
        found.append("pncNumber")
    return found


@strawberry.type(description="A person on probation, as the case system (nDelius) knows them.")
class Offender(Node):
    crn: strawberry.ID = strawberry.field(description="Case reference number, e.g. X123456.")
    noms_number: str | None = strawberry.field(description="Prisoner number, e.g. A1234BC.")
    pnc_number: str | None = strawberry.field(description="Police National Computer number.")
    cro_number: str | None = strawberry.field(description="Criminal Records Office number.")
    name: Name | None = strawberry.field(description="The person's name.")
    date_of_birth: datetime.date | None = strawberry.field(description="Date of birth.")
    gender: str | None = strawberry.field(description="Gender as recorded.")
    probation_status: str | None = strawberry.field(
        description="CURRENT, PREVIOUSLY_KNOWN or NOT_SENTENCED.")
    tier: str | None = strawberry.field(description="Management tier, e.g. B_2.")
    access_restricted: bool = strawberry.field(
        description="True when Limited Access rules hide this person's details from you.")
    access_message: str | None = strawberry.field(
        description="Why access is restricted, as the case system words it.")
    # The record, handed out in full by the row judge; None for a Limited Access stub.
    person: strawberry.Private[Person | None]

    # Built when asked for: a caseload row rarely selects them.
    @strawberry.field(description="Other names recorded.")
    def aliases(self) -> list[Name] | None:
        if self.person is None:
            return None
        return [Name(forename=a.forename, middle_names=[], surname=a.surname)
                for a in self.person.aliases]

    @strawberry.field(description="The active offender manager, whose provider owns the case.")
    def offender_manager(self) -> OffenderManager | None:
        return None if self.person is None else OffenderManager.build(self.person.active_manager)

    @strawberry.field(description="Events (convictions) you may see, newest first.")
    def cases(self, info: Info) -> list[Annotated[
            Case, strawberry.lazy("resolvers.cases")]] | None:
        from resolvers.cases import Case

        return then(info.context.reach.cases_of(self.person), lambda found: None
                    if found is None else [Case.build(c) for c in
                                           sorted(found, key=lambda c: -c.number)])

    @strawberry.field(description="The latest prison booking, when the person has one you may see.")
    def custody(self, info: Info) -> Custody | None:
        ctx = info.context
        return then(ctx.reach.custody_of(self.person),
                    lambda record: self._custody(ctx, record, info))

    def _custody(self, ctx: Context, visible: CustodyRecord | None, info: Info
                 ) -> Custody | None:
        if visible is None or self.person is None:
            return None
        if mismatches := identity_mismatches(self.person, visible):
            ctx.freshness.warn("IDENTITY_MISMATCH", "nDelius and NOMIS disagree on "
                               f"{' and '.join(mismatches)} for this person",
                               path=[str(p) for p in info.path.as_list()[:-1]])
        return Custody.build(visible)

    @strawberry.field(description="Do nDelius and NOMIS agree on this person's date of birth "
                                  "and PNC number? Null without a custody record you may see.")
    def identity_check(self, info: Info) -> IdentityCheck | None:
        person = self.person

        def check(visible: CustodyRecord | None) -> IdentityCheck | None:
            if visible is None or person is None:
                return None
            mismatches = identity_mismatches(person, visible)
            return IdentityCheck(consistent=not mismatches, mismatches=mismatches)
        return then(info.context.reach.custody_of(person), check)

    @strawberry.field(description="Where this record came from and how old it is.")
    def provenance(self, info: Info) -> Provenance | None:
        if self.person is None:
            return None
        return provenance_of(info.context, "offender", self.person.crn, self.person.updated_at)

    @strawberry.field(description="Registrations (risk flags), active first.")
    def registrations(self, info: Info) -> list[Registration] | None:
        return then(info.context.reach.registrations_of(self.person), lambda found: None
                    if found is None else [Registration.build(r) for r in sorted(
                        found, key=lambda r: (not r.active, r.type_code))])

    @strawberry.field(description="Appointments kept by providers' own systems that you may "
                                  "see (your organisation's), by start time.")
    def appointments(self, info: Info) -> list[Appointment] | None:
        return then(info.context.reach.appointments_of(self.person), Appointment.build_all)

    @classmethod
    def build(cls, judged: Person | Stub) -> Offender:
        if isinstance(judged, Stub):
            return cls(id=global_id("Offender", judged.crn), crn=strawberry.ID(judged.crn),
                       noms_number=None, pnc_number=None,
                       cro_number=None, name=None, date_of_birth=None, gender=None,
                       probation_status=None, tier=None, access_restricted=True,
                       access_message=judged.message, person=None)
        p = judged
        return cls(
            id=global_id("Offender", p.crn), crn=strawberry.ID(p.crn), noms_number=p.noms_number,
            pnc_number=p.pnc_number, cro_number=p.cro_number,
            name=Name(forename=p.forename, middle_names=list(p.middle_names), surname=p.surname),
            date_of_birth=p.date_of_birth, gender=p.gender,
            probation_status=p.probation_status, tier=p.tier, access_restricted=False,
            access_message=None, person=p)


def built(judged: Person | Stub | None) -> Offender | None:
    return None if judged is None else Offender.build(judged)


def offender_by_crn(ctx: Context, crn: str) -> Offender | None:
    return then(ctx.reach.person(crn, lookup=True), built)


async def offender_by_noms(ctx: Context, noms: str, *, lookup: bool = False) -> Offender | None:
    """Resolve a NOMS number as nDelius does: the one person with an active sentence. A stub
    among several records makes it a conflict: its status is not the caller's to weigh."""
    found = await ctx.reach.people_by_noms(noms, lookup=lookup)
    if len(found) > 1:
        current = [p for p in found if isinstance(p, Person) and p.probation_status == "CURRENT"]
        if len(current) != 1 or any(isinstance(p, Stub) for p in found):
            raise Conflict("several probation records hold this NOMS number; "
                           "query each by CRN instead")
        found = current
    return Offender.build(found[0]) if found else None
