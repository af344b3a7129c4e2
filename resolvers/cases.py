"""Probation cases (nDelius events): offences, sentence, requirements, manager, key dates."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from providers.records import Case as CaseRecord
from providers.records import KeyDates
from resolvers.appointments import Appointment
from resolvers.context import Info
from resolvers.nodes import Node, global_id
from resolvers.organisations import OffenderManager, Provider
from resolvers.provenance import Provenance, provenance_of
from resolvers.reach import CaseStub, then

if TYPE_CHECKING:
    from resolvers.offenders import Offender


@strawberry.type(description="An offence on a case.")
class Offence:
    code: str | None = strawberry.field(description="Home Office offence code.")
    description: str | None = strawberry.field(description="What the offence was.")
    main: bool | None = strawberry.field(description="Whether this is the main offence.")
    offence_date: datetime.date | None = strawberry.field(description="When it was committed.")


@strawberry.type(description="The sentence (disposal) passed on a case.")
class Sentence:
    description: str | None = strawberry.field(description="Sentence type, as nDelius words it.")
    type_code: str | None = strawberry.field(description="Sentence type code.")
    length: int | None = strawberry.field(description="Original length.")
    length_units: str | None = strawberry.field(description="Units of the length.")
    start_date: datetime.date | None = strawberry.field(description="When it started.")
    expected_end_date: datetime.date | None = strawberry.field(description="When it should end.")
    termination_date: datetime.date | None = strawberry.field(description="When it ended, if so.")


@strawberry.type(description="A requirement of a community sentence.")
class Requirement:
    category: str | None = strawberry.field(description="Main category, e.g. Unpaid Work.")
    subcategory: str | None = strawberry.field(description="Sub-category.")
    length: int | None = strawberry.field(description="Length, in `lengthUnit`.")
    length_unit: str | None = strawberry.field(description="Hours, Days, Months, Sessions.")
    active: bool | None = strawberry.field(description="Whether it is in force.")


@strawberry.type(description="The case system's own copy of the key release dates; compare it "
                             "with custody.sentenceDates to find a broken data share.")
class DeliusKeyDates:
    conditional_release_date: datetime.date | None = strawberry.field(description="ACR.")
    licence_expiry_date: datetime.date | None = strawberry.field(description="LED.")
    hdc_eligibility_date: datetime.date | None = strawberry.field(description="HDE.")
    parole_eligibility_date: datetime.date | None = strawberry.field(description="PED.")
    sentence_expiry_date: datetime.date | None = strawberry.field(description="SED.")
    expected_release_date: datetime.date | None = strawberry.field(description="EXP.")

    @classmethod
    def build(cls, k: KeyDates | None) -> DeliusKeyDates | None:
        if k is None:
            return None
        return cls(
            conditional_release_date=k.conditional_release_date,
            licence_expiry_date=k.licence_expiry_date, hdc_eligibility_date=k.hdc_eligibility_date,
            parole_eligibility_date=k.parole_eligibility_date,
            sentence_expiry_date=k.sentence_expiry_date,
            expected_release_date=k.expected_release_date)


@strawberry.type(description="A probation case: one nDelius event (conviction) and its sentence.")
class Case(Node):
    event_id: strawberry.ID = strawberry.field(description="nDelius event (conviction) id.")
    number: int | None = strawberry.field(description="Event number for this person (1, 2...).")
    active: bool | None = strawberry.field(description="Whether the case is open.")
    conviction_date: datetime.date | None = strawberry.field(description="Date of conviction.")

    # The parts below are built when asked for: a caseload row rarely selects them.
    @strawberry.field(description="Offences, main first.")
    def offences(self) -> list[Offence] | None:
        if self.record is None:
            return None
        return [Offence(code=o.code, description=o.description, main=o.main,
                        offence_date=o.offence_date) for o in self.record.offences]

    @strawberry.field(description="The sentence passed.")
    def sentence(self) -> Sentence | None:
        s = self.record.sentence if self.record is not None else None
        if s is None:
            return None
        return Sentence(description=s.description, type_code=s.type_code, length=s.length,
                        length_units=s.length_units, start_date=s.start_date,
                        expected_end_date=s.expected_end_date,
                        termination_date=s.termination_date)

    @strawberry.field(description="Sentence requirements.")
    def requirements(self) -> list[Requirement] | None:
        if self.record is None:
            return None
        return [Requirement(category=r.category, subcategory=r.subcategory, length=r.length,
                            length_unit=r.length_unit, active=r.active)
                for r in self.record.requirements]

    @strawberry.field(description="Who manages it.")
    def offender_manager(self) -> OffenderManager | None:
        return None if self.record is None else OffenderManager.build(self.record.manager)

    custodial_status: str | None = strawberry.field(
        description="nDelius throughcare status code: A, B, C, D, I, P, R or T.")
    institution_code: str | None = strawberry.field(
        description="The prison nDelius records for a custodial case (may lag NOMIS).")

    @strawberry.field(description="nDelius copy of key dates.")
    def key_dates(self) -> DeliusKeyDates | None:
        return None if self.record is None else DeliusKeyDates.build(self.record.key_dates)

    # The record, handed out in full by the row judge; None for a Limited Access stub.
    record: strawberry.Private[CaseRecord | None]
    crn: strawberry.Private[str]

    @strawberry.field(description="The provider that manages this case.")
    def managing_provider(self, info: Info) -> Provider | None:
        if self.record is None:
            return None
        return then(info.context.reach.reference("organisation", self.record.managing_provider),
                    Provider.built)

    @strawberry.field(description="The person this case is about.")
    def offender(self, info: Info) -> Annotated[
            Offender, strawberry.lazy("resolvers.offenders")] | None:
        from resolvers.offenders import built

        return then(info.context.reach.person(self.crn), built)

    @strawberry.field(description="Appointments for this case kept by providers' own systems "
                                  "that you may see, by start time.")
    def appointments(self, info: Info) -> list[Appointment] | None:
        return then(info.context.reach.appointments_of(self.record), Appointment.build_all)

    @strawberry.field(description="Where this record came from and how old it is.")
    def provenance(self, info: Info) -> Provenance | None:
        if self.record is None:
            return None
        return provenance_of(info.context, "cases", self.record.crn, self.record.updated_at)

    @classmethod
    def build(cls, c: CaseRecord | CaseStub) -> Case:
        if isinstance(c, CaseStub):  # a Limited Access person's case: its id and state only
            return cls(id=global_id("Case", c.crn, c.id), event_id=strawberry.ID(c.id),
                       number=None, active=c.active,
                       conviction_date=None, custodial_status=None, institution_code=None,
                       record=None, crn=c.crn)
        return cls(id=global_id("Case", c.crn, c.id), event_id=strawberry.ID(c.id),
                   number=c.number, active=c.active,
                   conviction_date=c.conviction_date, custodial_status=c.custodial_status,
                   institution_code=c.institution_code, record=c, crn=c.crn)
