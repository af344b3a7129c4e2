"""The person on probation: identity, cases, custody, manager, registrations."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from providers.identifiers import canonical_pnc
from providers.records import Custody as CustodyRecord
from providers.records import Person
from providers.records import Registration as RegistrationRecord
from resolvers import visibility
from resolvers.appointments import Appointment, appointments_of
from resolvers.context import Context, Info, masked
from resolvers.custody import Custody
from resolvers.errors import Conflict
from resolvers.loaders import MISSING
from resolvers.organisations import OffenderManager
from resolvers.provenance import Provenance, provenance_of

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
    def build(cls, r: RegistrationRecord, ctx: Context) -> Registration:
        return masked(cls(type_code=r.type_code, type_description=r.type_description,
                          risk_colour=r.risk_colour, start_date=r.start_date,
                          next_review_date=r.next_review_date, level=r.level,
                          category=r.category, active=r.active), "Registration", ctx)


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
class Offender:
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
    person: strawberry.Private[Person]

    # Built when asked for: a caseload row rarely selects them.
    @strawberry.field(description="Other names recorded.")
    def aliases(self, info: Info) -> list[Name] | None:
        ctx = info.context
        if self.access_restricted or not ctx.may("Offender", "aliases"):
            return None
        return [masked(Name(forename=a.forename, middle_names=[], surname=a.surname), "Name",
                       ctx) for a in self.person.aliases]

    @strawberry.field(description="The active offender manager, whose provider owns the case.")
    def offender_manager(self, info: Info) -> OffenderManager | None:
        ctx = info.context
        if self.access_restricted or not ctx.may("Offender", "offenderManager"):
            return None
        return OffenderManager.build(self.person.active_manager, ctx)

    @strawberry.field(description="Events (convictions) you may see, newest first.")
    async def cases(self, info: Info) -> list[Annotated[
            Case, strawberry.lazy("resolvers.cases")]] | None:
        from resolvers.cases import Case

        ctx = info.context
        if self.access_restricted or not ctx.may("Offender", "cases"):
            return None
        found = await ctx.loaders.load("cases", self.person.crn) or ()
        visible = visibility.visible_cases(ctx, found)
        return [Case.build(c, ctx) for c in sorted(visible, key=lambda c: -c.number)]

    @strawberry.field(description="The latest prison booking, when the person has one you may see.")
    def custody(self, info: Info) -> Custody | None:
        ctx = info.context
        noms = self.person.noms_number
        if self.access_restricted or not noms or not ctx.may("Offender", "custody"):
            return None
        manager = self.person.managing_provider
        known = frozenset({manager}) if manager else frozenset()
        record = ctx.loaders.peek("custody", noms)
        if record is not MISSING and (
                judged := visibility.custody_now(ctx, record, known)) is not MISSING:
            return self._custody(ctx, judged, info)
        return self._custody_later(ctx, noms, known, info)  # type: ignore[return-value]

    async def _custody_later(self, ctx: Context, noms: str, known: frozenset[str],
                             info: Info) -> Custody | None:
        record = await ctx.loaders.load("custody", noms)
        [visible] = await visibility.visible_custody(ctx, [record], [known])
        return self._custody(ctx, visible, info)

    def _custody(self, ctx: Context, visible: CustodyRecord | None, info: Info
                 ) -> Custody | None:
        if visible and (mismatches := identity_mismatches(self.person, visible)):
            ctx.freshness.warn("IDENTITY_MISMATCH", "nDelius and NOMIS disagree on "
                               f"{' and '.join(mismatches)} for this person",
                               path=[str(p) for p in info.path.as_list()[:-1]])
        return Custody.build(visible, ctx) if visible else None

    @strawberry.field(description="Do nDelius and NOMIS agree on this person's date of birth "
                                  "and PNC number? Null without a custody record you may see.")
    async def identity_check(self, info: Info) -> IdentityCheck | None:
        ctx = info.context
        noms = self.person.noms_number
        if self.access_restricted or not noms or not ctx.may("Offender", "identityCheck"):
            return None
        record = await ctx.loaders.load("custody", noms)
        manager = self.person.managing_provider
        [visible] = await visibility.visible_custody(
            ctx, [record], [frozenset({manager}) if manager else frozenset()])
        if visible is None:
            return None
        mismatches = identity_mismatches(self.person, visible)
        return IdentityCheck(consistent=not mismatches, mismatches=mismatches)

    @strawberry.field(description="Where this record came from and how old it is.")
    def provenance(self, info: Info) -> Provenance | None:
        if self.access_restricted or not info.context.may("Offender", "provenance"):
            return None
        return provenance_of(info.context, "offender", self.person.crn, self.person.updated_at)

    @strawberry.field(description="Registrations (risk flags), active first.")
    async def registrations(self, info: Info) -> list[Registration] | None:
        ctx = info.context
        if self.access_restricted or not ctx.may("Offender", "registrations"):
            return None
        found = await ctx.loaders.load("registrations", self.person.crn) or ()
        ordered = sorted(found, key=lambda r: (not r.active, r.type_code))
        return [Registration.build(r, ctx) for r in ordered]

    @strawberry.field(description="Appointments kept by providers' own systems that you may "
                                  "see (your organisation's), by start time.")
    async def appointments(self, info: Info) -> list[Appointment] | None:
        if self.access_restricted or not info.context.may("Offender", "appointments"):
            return None
        return await appointments_of(info.context, self.person.crn)

    @classmethod
    def build(cls, p: Person, ctx: Context) -> Offender:
        ctx.offenders.add(p.crn)
        if ctx.limited(p):
            return cls(crn=strawberry.ID(p.crn), noms_number=None, pnc_number=None,
                       cro_number=None, name=None, date_of_birth=None, gender=None,
                       probation_status=None, tier=None, access_restricted=True,
                       access_message=p.restriction_message or p.exclusion_message, person=p)
        name = masked(Name(forename=p.forename, middle_names=list(p.middle_names),
                           surname=p.surname), "Name", ctx)
        return masked(cls(
            crn=strawberry.ID(p.crn), noms_number=p.noms_number, pnc_number=p.pnc_number,
            cro_number=p.cro_number, name=name, date_of_birth=p.date_of_birth, gender=p.gender,
            probation_status=p.probation_status, tier=p.tier, access_restricted=False,
            access_message=None, person=p), "Offender", ctx)


async def offender_by_crn(ctx: Context, crn: str) -> Offender | None:
    [person] = await visibility.visible_people(ctx, [await ctx.loaders.load("offender", crn)])
    return Offender.build(person, ctx) if person else None


async def offender_by_noms(ctx: Context, noms: str) -> Offender | None:
    """Resolve a NOMS number as nDelius does: the one person with an active sentence."""
    crns = await ctx.loaders.load("offender_by_noms", noms) or ()
    people = await visibility.visible_people(ctx, await ctx.loaders.load_many("offender", crns))
    found = [p for p in people if p is not None]
    if len(found) > 1:
        found = [p for p in found if p.probation_status == "CURRENT"]
        if len(found) != 1:
            raise Conflict("several probation records hold this NOMS number; "
                           "query each by CRN instead")
    return Offender.build(found[0], ctx) if found else None
