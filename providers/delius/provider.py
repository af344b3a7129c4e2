"""The nDelius adapter: batch reads where the API has them, bounded fan-out where it has not."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from providers import related
from providers.base import Page
from providers.delius import mapping as to
from providers.delius.simulator import BATCH_LIMIT, CASE_BATCH_LIMIT
from providers.http.client import chunks, configured, page_window
from providers.http.client import mapping as reading
from providers.records import Organisation, Person, current_case

KINDS = frozenset({"offender", "offender_by_noms", "cases", "registrations", "organisation",
                   "caseload", "offender_search"})


class DeliusProvider:
    """Serves probation kinds from community-api and probation-offender-search shapes."""

    kinds = KINDS

    def __init__(self, name: str, base_url: str | None = None, token_url: str | None = None,
                 client_id: str = "casegraph", client_secret_env: str = "DELIUS_CLIENT_SECRET",
                 client_secret: str | None = None, timeout_seconds: float = 5.0,
                 pool_size: int = 20, concurrency: int = 10) -> None:
        self.name = name
        self.api = configured(name, "delius", base_url, token_url, client_id, client_secret,
                              client_secret_env, timeout_seconds=timeout_seconds,
                              pool_size=pool_size, concurrency=concurrency)
        self._areas: dict[str, Organisation] | None = None
        self._teams: dict[str, list[str]] = {}

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        if kind == "offender":
            found = {p.crn: p for p in await self._people("/crns", keys)}
            return [found.get(k) for k in keys]
        if kind == "offender_by_noms":
            people = await self._people("/nomsNumbers", keys)
            return [tuple(sorted(p.crn for p in people if p.noms_number == k)) or None
                    for k in keys]
        if kind == "cases":
            return await self._per_crn("/convictions", "convictions", keys, to.case)
        if kind == "registrations":
            return await self._per_crn("/registrations", "registrations", keys,
                                       lambda _, j: to.registration(j))
        if kind == "organisation":
            areas = await self._probation_areas()
            return [areas.get(k) for k in keys]
        raise KeyError(kind)

    async def _people(self, path: str, keys: Sequence[str]) -> list[Person]:
        found: list[dict[str, Any]] = []
        for chunk in chunks(list(keys), BATCH_LIMIT):
            found += await self.api.json("POST", path, body=list(chunk))
        return await self._with_access(found)

    async def _with_access(self, found: list[dict[str, Any]]) -> list[Person]:
        with reading(self.name, "offender"):
            limited = [j["otherIds"]["crn"] for j in found
                       if j.get("currentExclusion") or j.get("currentRestriction")]
        access: dict[str, Any] = {}
        for chunk in chunks(limited, BATCH_LIMIT):
            for entry in await self.api.json("POST", "/limited-access", body=list(chunk)):
                access[entry["crn"]] = entry
        with reading(self.name, "offender"):
            return [to.person(j, access.get(j["otherIds"]["crn"])) for j in found]

    async def _per_crn(self, path: str, field: str, crns: Sequence[str],
                       convert: Callable[[str, Any], Any]) -> list[Any]:
        """A batch read answering, per known CRN, a list of `field`; None for unknown CRNs."""
        found: dict[str, tuple[Any, ...]] = {}
        for chunk in chunks(list(crns), CASE_BATCH_LIMIT):
            body = await self.api.json("POST", path, body=list(chunk))
            with reading(self.name, field):
                for entry in body:
                    crn = str(entry["crn"])
                    found[crn] = tuple(convert(crn, j) for j in entry[field])
        return [found.get(c) for c in crns]

    async def _probation_areas(self) -> dict[str, Organisation]:
        """Reference data: read once per adapter, keyed by code, with each area's team codes."""
        if self._areas is None:
            body = await self.api.json("GET", "/secure/probationAreas")
            with reading(self.name, "probation area"):
                self._areas = {j["code"]: to.organisation(j) for j in body}
                self._teams = {j["code"]: [t["code"] for t in j.get("teams") or ()]
                               for j in body}
        return self._areas

    async def page(self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
                   ) -> Page:
        if kind == "offender_search":
            body = {"phrase": criteria["text"], "matchAllTerms": True}
            if criteria.get("provider"):
                body["probationAreasFilter"] = [criteria["provider"]]
            return await self._paged("/phrase", body, offset, limit, with_cases=False)
        if kind == "caseload":
            return await self._caseload(criteria, offset, limit)
        raise KeyError(kind)

    async def _caseload(self, criteria: Mapping[str, Any], offset: int, limit: int) -> Page:
        await self._probation_areas()
        providers = [criteria["provider"]] if criteria.get("provider") else sorted(self._teams)
        teams = [criteria["team"]] if criteria.get("team") else [
            t for p in providers for t in self._teams.get(p, ())]
        if criteria.get("team") and criteria.get("provider") and \
                criteria["team"] not in self._teams.get(criteria["provider"], ()):
            return Page((), 0)
        body: dict[str, Any] = {"teamCodes": teams}
        if criteria.get("staff"):
            body["staffCode"] = criteria["staff"]
        return await self._paged("/team-codes", body, offset, limit, with_cases=True)

    async def _paged(self, path: str, body: dict[str, Any], offset: int, limit: int, *,
                     with_cases: bool) -> Page:
        """Spring pages are page/size: read the pages that cover [offset, offset+limit)."""
        size, numbers = page_window(offset, limit)
        found: list[dict[str, Any]] = []
        total = 0
        for number in numbers:
            page = await self.api.json("POST", path, body=body,
                                       params={"page": number, "size": size})
            with reading(self.name, "page"):
                found += page["content"]
                total = int(page["totalElements"])
        found = found[offset - numbers.start * size:][:limit]
        people = await self._with_access(found)
        if not with_cases:
            return Page(people, total)
        related.announce("offender", {p.crn: p for p in people})  # before the convictions
        cases = await self._per_crn("/convictions", "convictions", [p.crn for p in people],
                                    to.case)
        current = [current_case(c or ()) for c in cases]
        return Page([c for c in current if c is not None], total,
                    {"offender": {p.crn: p for p in people}})

    async def aclose(self) -> None:
        await self.api.aclose()
