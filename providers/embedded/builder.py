"""Accumulates one synthetic dataset; the segment and scenario generators write through it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from random import Random

from providers.embedded.staffing import NamePool, Staffing
from providers.identifiers import UniqueIds
from providers.records import Case, Custody, Movement, Person, Registration, SentenceDates


class Builder:
    """The mutable workspace of a dataset build; `dataset.Dataset` freezes and indexes it."""

    def __init__(self, seed: int, as_of: date) -> None:
        self.rng = Random(seed)
        self.as_of = as_of
        self.ids = UniqueIds(self.rng)
        self.names = NamePool(seed)
        self.staffing = Staffing(self.rng, self.names)
        self.people: dict[str, Person] = {}
        self.cases: dict[str, list[Case]] = defaultdict(list)
        self.registrations: dict[str, list[Registration]] = defaultdict(list)
        self.custody: dict[str, Custody] = {}
        self.sentence_dates: dict[int, SentenceDates] = {}
        self.movements: dict[str, list[Movement]] = defaultdict(list)
        self.merged_noms: dict[str, str] = {}
        self.scenarios: dict[str, list[str]] = defaultdict(list)
        self._case_id = 2_500_000_000
        self._registration_id = 2_600_000_000

    def days_ago(self, days: int) -> date:
        return self.as_of - timedelta(days=days)

    def next_case_id(self) -> str:
        self._case_id += 1
        return str(self._case_id)

    def next_registration_id(self) -> str:
        self._registration_id += 1
        return str(self._registration_id)

    def add_person(self, person: Person) -> Person:
        self.people[person.crn] = person
        return person

    def add_case(self, case: Case) -> Case:
        self.cases[case.crn].append(case)
        return case

    def add_custody(self, custody: Custody, dates: SentenceDates, moves: list[Movement]) -> None:
        self.movements[custody.noms_number] = sorted(
            moves, key=lambda m: m.movement_date, reverse=True)
        if moves:
            last = self.movements[custody.noms_number][0]
            custody = replace(custody, last_movement_date=last.movement_date,
                              last_movement_type=last.movement_type)
        self.custody[custody.noms_number] = custody
        self.sentence_dates[dates.booking_id] = dates

    def tag(self, scenario: str, *identifiers: str) -> None:
        self.scenarios[scenario].extend(identifiers)
