"""The nDelius adapter over the real read APIs (see the simulator's docstring for the list).

Convictions and registrations have no batch read in HMPPS: by default they are read per
person (`GET /secure/offenders/crn/{crn}/convictions`, each conviction's requirements,
`.../registrations`), at most `concurrency` requests in flight. `batch_reads = true` reads
them through `POST /convictions` and `POST /registrations` instead, for a deployment that runs
a batch service of its own in front of community-api (the simulator models one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from providers import related
from providers.base import Page
from providers.delius import mapping as to
from providers.delius import typed
from providers.delius.simulator import ACCESS_LIMIT, BATCH_LIMIT, CASE_BATCH_LIMIT
from providers.errors import BackendBadData
from providers.http.batch import Batch
from providers.http.client import chunks, configured, page_window
from providers.http.client import mapping as reading
from providers.http.typed import filed, records, typed_list
from providers.records import Organisation, Person, current_case

KINDS = frozenset({"offender", "offender_by_noms", "cases", "registrations", "organisation",
                   "caseload", "offender_search"})
STAFF_SCAN_LIMIT = 5000  # people read to filter a team search by staff (the API cannot)
MAX_PAGE = 2000  # probation search's largest page size (it answers 400 past it)


class DeliusProvider:
    """Serves probation kinds from probation search, community-api and probation integration."""

    kinds = KINDS

    def __init__(self, name: str, base_url: str | None = None, token_url: str | None = None,
                 client_id: str = "casegraph", client_secret_env: str = "DELIUS_CLIENT_SECRET",
                 client_secret: str | None = None, timeout_seconds: float = 5.0,
                 pool_size: int = 20, concurrency: int = 10, batch_reads: bool = False,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.name = name
        self.batch_reads = bool(batch_reads)
        self.api = configured(name, "delius", base_url, token_url, client_id, client_secret,
                              client_secret_env, timeout_seconds=timeout_seconds,
                              pool_size=pool_size, concurrency=concurrency)
        self._now = clock or (lambda: datetime.now(UTC))
        self._areas: dict[str, Organisation] | None = None
        self._teams: dict[str, list[str]] = {}
        self._team_names: dict[str, str] = {}
        self._areas_lock = asyncio.Lock()

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        if kind == "offender":
            return (await self._people("/crns", keys)).aligned(keys)
        if kind == "offender_by_noms":
            return await self._by_noms(keys)
        if kind == "cases":
            return await self._read_cases(keys)
        if kind == "registrations":
            return await (self._registrations_batch(keys) if self.batch_reads
                          else self._registrations(keys))
        if kind == "organisation":
            areas = await self._probation_areas()
            return [areas.get(k) for k in keys]
        raise KeyError(kind)

    async def _people(self, path: str, keys: Sequence[str]) -> Batch:
        """People by CRN or NOMS number (the answer is filed by CRN either way)."""
        found: list[tuple[list[str] | None, Any]] = []
        for chunk in chunks(list(dict.fromkeys(keys)), BATCH_LIMIT):
            body = await self.api.raw("POST", path, body=list(chunk))
            found += typed_list(self.name, "offender list", body, typed.OFFENDER,
                                typed.OFFENDER_KEY, typed.crn_of)
        return (await self._read_people(found))[0]

    async def _by_noms(self, numbers: Sequence[str]) -> list[Any]:
        batch = await self._people("/nomsNumbers", numbers)
        held: dict[str, list[str]] = {}
        for crn, person in batch.found.items():
            if isinstance(person, Person) and person.noms_number:
                held.setdefault(person.noms_number, []).append(crn)
        # The people are in hand: whoever asks for them next need not ask nDelius again.
        related.announce("offender", {crn: p for crn, p in batch.found.items()
                                      if isinstance(p, Person)})
        broken = next((p for p in batch.found.values() if isinstance(p, Exception)), None)
        return [tuple(sorted(held[n])) if n in held else broken for n in numbers]

    async def _read_people(self, found: list[tuple[list[str] | None, Any]]
                           ) -> tuple[Batch, list[str]]:
        """People (decoded, with their keys), each with the Limited Access lists of the case
        when it has any, and the CRN of each record in order ("" where it cannot be read)."""
        limited = sorted({keys[0] for keys, j in found if keys and j is not None
                          and (j.currentExclusion or j.currentRestriction)})
        answers = dict(zip(limited, await self.api.each(limited, self._case_access),
                           strict=True))
        now = self._now()

        def convert(j: Any) -> Person:
            access = answers.get(j.otherIds.crn)
            if isinstance(access, Exception):
                raise access
            return to.person(j, access, now)
        return (filed(Batch(self.name, "offender"), found, convert),
                [keys[0] if keys else "" for keys, _ in found])

    async def _case_access(self, crn: str) -> Any:
        body = await self.api.json("GET", f"/case/{crn}/access")
        try:
            with reading(self.name, "case access"):
                if not isinstance(body, dict) or body.get("crn") != crn:
                    raise ValueError("access answer for another case")
            return body
        except BackendBadData as exc:  # bad data for this person only: fail closed on them
            return exc

    async def _read_cases(self, crns: Sequence[str], current_only: bool = False) -> list[Any]:
        """Each person's cases; with `current_only`, only the case a caseload shows (the
        others are neither mapped nor, read per person, asked for their requirements)."""
        teams = await self._team_names_by_code()
        if self.batch_reads:
            return await self._cases_batch(crns, teams, current_only)
        return list(await self.api.each(list(crns),
                                        lambda crn: self._cases_of(crn, teams, current_only)))

    async def _cases_of(self, crn: str, teams: Mapping[str, str], current_only: bool) -> Any:
        answer = await self.api.validated("GET", f"/secure/offenders/crn/{crn}/convictions",
                                          missing_ok=True, decoder=typed.CONVICTIONS)
        if answer.body is None:
            return None
        try:
            convictions = chosen_convictions(self.name, answer.body, current_only)
        except BackendBadData as exc:
            return exc
        ids = [str(j.convictionId) for j in convictions]
        wanted = await self.api.each(ids, lambda i: self.api.json(
            "GET", f"/secure/offenders/crn/{crn}/convictions/{i}/requirements",
            missing_ok=True, decoder=typed.REQUIREMENTS))
        return self._convert_cases(crn, convictions, {
            i: r.requirements for i, r in zip(ids, wanted, strict=True) if r is not None},
            teams, answer.last_modified, answer.etag)

    def _convert_cases(self, crn: str, convictions: Any, requirements: Mapping[str, Any],
                       teams: Mapping[str, str], changed: datetime | None = None,
                       etag: str | None = None) -> Any:
        try:
            with reading(self.name, "conviction"):
                return tuple(to.case(crn, j, requirements.get(str(j.convictionId)), teams,
                                     changed, etag) for j in convictions or ())
        except BackendBadData as exc:  # this person's events only
            return exc

    async def _cases_batch(self, crns: Sequence[str], teams: Mapping[str, str],
                           current_only: bool) -> list[Any]:
        batch = Batch(self.name, "conviction batch")
        for chunk in chunks(list(dict.fromkeys(crns)), CASE_BATCH_LIMIT):
            body = await self.api.raw("POST", "/convictions", body=list(chunk))
            records(self.name, "conviction batch", body, typed.CONVICTIONS_OF,
                    typed.PERSON_KEY, lambda e: [e.crn], lambda e: self._convert_cases(
                        e.crn, chosen_convictions(self.name, e.convictions, current_only),
                        {str(r.convictionId): r.requirements for r in e.requirements or ()},
                        teams), batch)
        return batch.aligned(list(crns))

    async def _registrations(self, crns: Sequence[str]) -> list[Any]:
        async def one(crn: str) -> Any:
            body = await self.api.json("GET", f"/secure/offenders/crn/{crn}/registrations",
                                       missing_ok=True)
            return None if body is None else _registrations(self.name, body)
        return list(await self.api.each(list(crns), one))

    async def _registrations_batch(self, crns: Sequence[str]) -> list[Any]:
        found: dict[str, Any] = {}
        for chunk in chunks(list(dict.fromkeys(crns)), CASE_BATCH_LIMIT):
            body = await self.api.json("POST", "/registrations", body=list(chunk))
            with reading(self.name, "registration batch"):
                found |= {str(e["crn"]): _registrations(self.name, e) for e in body}
        return [found.get(c) for c in crns]

    async def _probation_areas(self) -> dict[str, Organisation]:
        """Reference data, read once per adapter: areas by code, with their teams."""
        async with self._areas_lock:
            if self._areas is None:
                body = await self.api.json("GET", "/api/probationAreas")
                with reading(self.name, "probation area"):
                    areas = {j["code"]: to.organisation(j) for j in body}
                    self._teams = {j["code"]: [t["code"] for t in j.get("teams") or ()]
                                   for j in body}
                    self._team_names = {t["code"]: str(t.get("description") or "")
                                        for j in body for t in j.get("teams") or ()}
                self._areas = areas
        return self._areas

    async def _team_names_by_code(self) -> Mapping[str, str]:
        await self._probation_areas()
        return self._team_names

    async def page(self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
                   ) -> Page:
        if kind == "offender_search":
            body: dict[str, Any] = {"phrase": criteria["text"], "matchAllTerms": True}
            if criteria.get("provider"):
                body["probationAreasFilter"] = [criteria["provider"]]
            found, total = await self._paged("/phrase", body, offset, limit)
            return Page(found, total)
        if kind == "caseload":
            return await self._caseload(criteria, offset, limit)
        raise KeyError(kind)

    async def _caseload(self, criteria: Mapping[str, Any], offset: int, limit: int) -> Page:
        await self._probation_areas()
        provider, team, staff = (criteria.get(k) for k in ("provider", "team", "staff"))
        providers = [provider] if provider else sorted(self._teams)
        teams = [team] if team else [t for p in providers for t in self._teams.get(p, ())]
        if not teams or (team and provider and team not in self._teams.get(provider, ())):
            return Page((), 0)
        if staff:  # the search takes team codes only: read the teams and keep the officer's
            found = await self._scan("/team-codes", teams, STAFF_SCAN_LIMIT)
            mine = [p for p in found if (m := p.active_manager) and m.staff_code == staff]
            people, total = mine[offset:offset + limit], len(mine)
        else:
            people, total = await self._paged("/team-codes", teams, offset, limit)
        related.announce("offender", {p.crn: p for p in people})  # before the convictions
        cases = await self._read_cases([p.crn for p in people], current_only=True)
        current = [current_case(c) for c in cases if isinstance(c, tuple)]
        return Page([c for c in current if c is not None], total,
                    {"offender": {p.crn: p for p in people}})

    async def _scan(self, path: str, body: Any, limit: int) -> list[Person]:
        """Up to `limit` people, a page of at most MAX_PAGE at a time."""
        found: list[Person] = []
        for start in range(0, limit, MAX_PAGE):
            page, total = await self._paged(path, body, start, min(MAX_PAGE, limit - start))
            found += page
            if start + MAX_PAGE >= total:
                break
        return found

    async def _paged(self, path: str, body: Any, offset: int, limit: int
                     ) -> tuple[list[Person], int]:
        """Spring pages are page/size: read the pages that cover [offset, offset+limit)."""
        size, numbers = page_window(offset, limit)
        found: list[tuple[list[str] | None, Any]] = []
        total = 0
        for number in numbers:
            answer = await self.api.raw("POST", path, body=body,
                                        params={"page": number, "size": size})
            on_page, total = typed.offender_page(self.name, answer)
            found += on_page
        found = found[offset - numbers.start * size:][:limit]
        batch, crns = await self._read_people(found)
        people = batch.aligned(crns)
        if bad := next((p for p in people if isinstance(p, Exception)), None):
            raise bad  # a page is answered whole or not at all
        return people, total

    async def user_access(self, username: str, crns: Sequence[str]) -> list[dict[str, Any]]:
        """Each case's access for one Delius user (`POST /user/{username}/access`), as the
        probation integration services decide it."""
        found: list[dict[str, Any]] = []
        for chunk in chunks(list(crns), ACCESS_LIMIT):
            body = await self.api.json("POST", f"/user/{username}/access", body=list(chunk))
            with reading(self.name, "user access"):
                found += list(body["access"])
        return found

    async def aclose(self) -> None:
        await self.api.aclose()


def _registrations(provider: str, body: Any) -> Any:
    try:
        with reading(provider, "registration"):
            return tuple(to.registration(j) for j in body["registrations"] or ())
    except BackendBadData as exc:  # this person's registrations only
        return exc


def chosen_convictions(provider: str, convictions: Any, current_only: bool) -> Any:
    """All the typed convictions, or only the one `records.current_case` would choose of
    their cases (the latest active event), found before any is mapped."""
    if not current_only or not convictions:
        return convictions
    if len(convictions) == 1:  # most people: mapping it reads its index, as a choice would
        return convictions if convictions[0].active is True else []
    with reading(provider, "conviction"):
        active = [j for j in convictions if j.active is True]
        return [max(active, key=lambda j: int(j.index))] if active else []
