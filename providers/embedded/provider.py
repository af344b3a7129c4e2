"""The embedded provider: serves every kind from an in-memory synthetic dataset."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from providers.base import ALL_KINDS, Page
from providers.embedded.dataset import DEFAULT_SEED, DEFAULT_SIZE, Dataset, shared
from providers.records import Case


class EmbeddedProvider:
    """Answers from a `Dataset`; needs no server, so `make run` and the tests work anywhere."""

    kinds = ALL_KINDS

    def __init__(self, name: str = "embedded", dataset: Dataset | None = None, *,
                 seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> None:
        self.name = name
        self.data = dataset or shared(seed, size)
        d = self.data
        self._fetchers: dict[str, Callable[[str], Any]] = {
            "offender": d.people.get,
            "offender_by_noms": lambda noms: d.noms_to_crns.get(noms),
            "cases": d.cases.get,
            "registrations": lambda crn: d.registrations.get(crn, ()) if crn in d.people else None,
            "custody": lambda noms: d.custody.get(d.merged_noms.get(noms, noms)),
            "sentence_dates": self._sentence_dates,
            "movements": d.movements.get,
            "establishment": d.establishments.get,
            "organisation": d.organisations.get,
            "appointments": lambda crn: d.appointments.get(crn, ()),
        }

    def _sentence_dates(self, booking_id: str) -> Any:
        return self.data.sentence_dates.get(int(booking_id)) if booking_id.isdigit() else None

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        get = self._fetchers[kind]
        return [get(key) for key in keys]

    async def page(self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
                   ) -> Page:
        matches = self._matches(kind, criteria)
        items = matches[offset:offset + limit]
        if kind == "caseload":
            people = self.data.people
            return Page(items, len(matches), {"offender": {c.crn: people[c.crn] for c in items}})
        return Page(items, len(matches))

    def _matches(self, kind: str, criteria: Mapping[str, Any]) -> Sequence[Any]:
        if kind == "caseload":
            return self._caseload(criteria)
        if kind == "prisoners":
            return [self.data.custody[n] for n in self.data.prisoners.get(criteria["establishment"],
                                                                             ())]
        if kind == "offender_search":
            return self._search(criteria)
        raise KeyError(kind)

    def _caseload(self, criteria: Mapping[str, Any]) -> Sequence[Case]:
        provider = criteria.get("provider")
        if provider is None:
            pool: Sequence[Case] = sorted(
                (c for cases in self.data.caseloads.values() for c in cases), key=lambda c: c.crn)
        else:
            pool = self.data.caseloads.get(provider, ())
        team, staff = criteria.get("team"), criteria.get("staff")
        if team is None and staff is None:
            return pool
        people = self.data.people
        return [c for c in pool if (m := people[c.crn].active_manager) is not None
                and (team is None or m.team_code == team)
                and (staff is None or m.staff_code == staff)]

    def _search(self, criteria: Mapping[str, Any]) -> Sequence[Any]:
        terms = str(criteria.get("text", "")).lower().split()
        provider = criteria.get("provider")
        people = self.data.people
        found = [people[crn] for row, crn in self.data.search_rows
                 if all(term in row for term in terms)]
        if provider is not None:
            found = [p for p in found if p.managing_provider == provider]
        return found

    async def aclose(self) -> None:
        return None
