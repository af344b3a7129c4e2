"""Teams and staff of every provider, and the names pool people are drawn from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from random import Random

from faker import Faker

from providers.embedded.reference import CRCS, NPS_DIVISIONS
from providers.records import Manager

TEAMS_PER_PROVIDER = 4
OFFICERS_PER_TEAM = 6


@dataclass(frozen=True, slots=True)
class StaffMember:
    code: str
    forenames: str
    surname: str
    team_code: str
    team_name: str
    provider_code: str

    def allocation(self, start: date, end: date | None = None,
                   reason: str = "Initial Allocation") -> Manager:
        return Manager(self.code, self.forenames, self.surname, self.team_code, self.team_name,
                       self.provider_code, start, end, end is None, reason)


class NamePool:
    """Names drawn once from Faker (en_GB), then sampled cheaply, so a large build stays fast."""

    def __init__(self, seed: int) -> None:
        fake = Faker("en_GB")
        fake.seed_instance(seed)
        self.male = sorted({fake.first_name_male() for _ in range(300)})
        self.female = sorted({fake.first_name_female() for _ in range(300)})
        self.surnames = sorted({fake.last_name() for _ in range(600)})

    def forename(self, rng: Random, gender: str) -> str:
        return rng.choice(self.male if gender == "Male" else self.female)

    def surname(self, rng: Random) -> str:
        return rng.choice(self.surnames)


class Staffing:
    """Every provider's teams and officers, plus one 'unallocated' placeholder per team."""

    def __init__(self, rng: Random, names: NamePool) -> None:
        self.officers: dict[str, list[StaffMember]] = {}
        self.unallocated: dict[str, list[StaffMember]] = {}
        for code, provider_name in (NPS_DIVISIONS | CRCS).items():
            self.officers[code], self.unallocated[code] = [], []
            for team in range(1, TEAMS_PER_PROVIDER + 1):
                team_code, team_name = f"{code}T0{team}", f"{provider_name} Team {team}"
                for n in range(1, OFFICERS_PER_TEAM + 1):
                    gender = "Female" if rng.random() < 0.6 else "Male"
                    self.officers[code].append(StaffMember(
                        f"{code}T{team}{n:02d}", names.forename(rng, gender), names.surname(rng),
                        team_code, team_name, code))
                self.unallocated[code].append(StaffMember(
                    f"{code}T{team}0U", "Unallocated", "Staff", team_code, team_name, code))

    def officer(self, rng: Random, provider: str) -> StaffMember:
        return rng.choice(self.officers[provider])

    def placeholder(self, rng: Random, provider: str) -> StaffMember:
        return rng.choice(self.unallocated[provider])
