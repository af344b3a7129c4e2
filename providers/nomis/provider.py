"""The NOMIS adapter: prisoner search and prison-api batch reads, split at their limits."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from providers.base import Page
from providers.http.client import chunks, configured, page_window
from providers.http.client import mapping as reading
from providers.nomis import mapping as to
from providers.nomis.simulator import PRISONER_LIMIT
from providers.records import Custody

PRISON_LIST_SECONDS = 3600.0
KINDS = frozenset({"custody", "sentence_dates", "movements", "establishment", "prisoners"})


class NomisProvider:
    """Serves custody kinds from NOMIS; a merged prisoner number still finds its prisoner."""

    kinds = KINDS

    def __init__(self, name: str, base_url: str | None = None, token_url: str | None = None,
                 client_id: str = "casegraph", client_secret_env: str = "NOMIS_CLIENT_SECRET",
                 client_secret: str | None = None, timeout_seconds: float = 5.0,
                 pool_size: int = 20, concurrency: int = 10) -> None:
        self._prisons_by_code: dict[str, Any] = {}
        self._prisons_expire = 0.0
        self.name = name
        self.api = configured(name, "nomis", base_url, token_url, client_id, client_secret,
                              client_secret_env, timeout_seconds=timeout_seconds,
                              pool_size=pool_size, concurrency=concurrency)

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        if kind == "custody":
            return await self._custody(keys)
        if kind == "sentence_dates":
            return await self._sentence_dates(keys)
        if kind == "movements":
            return await self._movements(keys)
        if kind == "establishment":
            prisons = await self._prisons()
            missing = [k for k in keys if k not in prisons]
            others = dict(zip(missing, await self.api.each(missing, self._agency), strict=True))
            return [prisons.get(k) or others.get(k) for k in keys]
        raise KeyError(kind)

    async def _prisons(self) -> dict[str, Any]:
        """Every prison, as reference data: one list read an hour instead of one read each."""
        if time.monotonic() >= self._prisons_expire:
            body = await self.api.json("GET", "/api/agencies/type/INST")
            with reading(self.name, "agency list"):
                self._prisons_by_code = {j["agencyId"]: to.establishment(j) for j in body}
            self._prisons_expire = time.monotonic() + PRISON_LIST_SECONDS
        return self._prisons_by_code

    async def _custody(self, numbers: Sequence[str]) -> list[Custody | None]:
        found: dict[str, Custody] = {}
        for chunk in chunks(list(numbers), PRISONER_LIMIT):
            body = await self.api.json("POST", "/prisoner-search/prisoner-numbers",
                                       body={"prisonerNumbers": list(chunk)})
            with reading(self.name, "prisoner"):
                for j in body:
                    record = to.custody(j)
                    for number in [record.noms_number, *to.merged_numbers(j)]:
                        found[number] = record
        return [found.get(n) for n in numbers]

    async def _sentence_dates(self, booking_ids: Sequence[str]) -> list[Any]:
        ids = [int(b) for b in booking_ids if b.isdigit()]
        found: dict[str, Any] = {}
        for chunk in chunks(ids, PRISONER_LIMIT):
            body = await self.api.json("POST", "/api/offender-sentences/bookings",
                                       body=list(chunk))
            with reading(self.name, "sentence detail"):
                found |= {str(j["bookingId"]): to.sentence_dates(j) for j in body}
        return [found.get(b) for b in booking_ids]

    async def _movements(self, numbers: Sequence[str]) -> list[Any]:
        found: dict[str, list[Any]] = {}
        for chunk in chunks(list(numbers), PRISONER_LIMIT):
            body = await self.api.json("POST", "/api/movements/offenders", body=list(chunk),
                                       params={"latestOnly": "false", "allBookings": "false"})
            with reading(self.name, "movement"):
                for j in body:
                    found.setdefault(str(j["offenderNo"]), []).append(to.movement(j))
        return [tuple(found[n]) if n in found else None for n in numbers]

    async def _agency(self, code: str) -> Any:
        body = await self.api.json("GET", f"/api/agencies/{code}", missing_ok=True)
        with reading(self.name, "agency"):
            return None if body is None else to.establishment(body)

    async def page(self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
                   ) -> Page:
        if kind != "prisoners":
            raise KeyError(kind)
        size, numbers = page_window(offset, limit)
        found: list[Custody] = []
        total = 0
        for number in numbers:
            page = await self.api.json("GET", f"/prison/{criteria['establishment']}/prisoners",
                                       params={"page": number, "size": size})
            with reading(self.name, "prisoner page"):
                found += [to.custody(j) for j in page["content"]]
                total = int(page["totalElements"])
        return Page(found[offset - numbers.start * size:][:limit], total)

    async def aclose(self) -> None:
        await self.api.aclose()
