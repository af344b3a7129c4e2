"""Provider organisations, teams and offender managers."""

from __future__ import annotations

import datetime
from enum import Enum

import strawberry

from providers.records import Manager, Organisation
from resolvers.context import Info
from resolvers.reach import then


@strawberry.enum(description="The kind of organisation.")
class OrganisationType(Enum):
    NPS = strawberry.enum_value("NPS", description="A National Probation Service division.")
    CRC = strawberry.enum_value("CRC", description="A Community Rehabilitation Company.")
    PRISON = strawberry.enum_value("PRISON", description="A prison (NOMIS agency).")


@strawberry.type(description="An organisation that supervises offenders: an NPS division or a CRC.")
class Provider:
    code: strawberry.ID = strawberry.field(description="Provider code, e.g. `C01` or `N07`.")
    name: str | None = strawberry.field(description="The provider's name.")
    type: OrganisationType | None = strawberry.field(description="NPS, CRC or prison.")

    @classmethod
    def build(cls, org: Organisation) -> Provider:
        return cls(code=strawberry.ID(org.code), name=org.name, type=OrganisationType(org.type))

    @classmethod
    def built(cls, org: Organisation | None) -> Provider | None:
        return None if org is None else cls.build(org)


@strawberry.type(description="A probation team within a provider.")
class Team:
    code: strawberry.ID = strawberry.field(description="Team code: provider code plus three.")
    name: str | None = strawberry.field(description="The team's name.")


@strawberry.type(description="The officer who manages an offender or a case.")
class OffenderManager:
    staff_code: str | None = strawberry.field(description="Delius staff code; ends in U when "
                                                          "the case is unallocated.")
    forenames: str | None = strawberry.field(description="The officer's forenames.")
    surname: str | None = strawberry.field(description="The officer's surname.")
    unallocated: bool | None = strawberry.field(
        description="True when no real officer holds the case (a placeholder staff code).")
    team: Team | None = strawberry.field(description="The officer's team.")
    from_date: datetime.date | None = strawberry.field(description="Start of the allocation.")
    to_date: datetime.date | None = strawberry.field(description="End of the allocation, if ended.")
    active: bool | None = strawberry.field(description="Whether this allocation is current.")
    allocation_reason: str | None = strawberry.field(description="Why it was allocated.")
    provider_code: strawberry.Private[str]

    @strawberry.field(description="The provider the officer works for.")
    def provider(self, info: Info) -> Provider | None:
        return then(info.context.reach.reference("organisation", self.provider_code),
                    Provider.built)

    @classmethod
    def build(cls, m: Manager | None) -> OffenderManager | None:
        if m is None:
            return None
        team = Team(code=strawberry.ID(m.team_code), name=m.team_name)
        return cls(staff_code=m.staff_code, forenames=m.forenames, surname=m.surname,
                   unallocated=m.unallocated, team=team,
                   from_date=m.from_date, to_date=m.to_date, active=m.active,
                   allocation_reason=m.allocation_reason, provider_code=m.provider_code)
