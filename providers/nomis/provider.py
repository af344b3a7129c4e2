"""The NOMIS adapter: prisoner search and prison-api batch reads, split at their limits.

Real endpoints only: `POST /prisoner-search/prisoner-numbers` (1-1000), and for a number
that finds nobody, one `POST /attribute-search` for prisoners holding it as a MERGED
identifier (prisoner search matches numbers on `prisonerNumber` alone);
`POST /api/offender-sentences/bookings`; `POST /api/movements/offenders`; agencies.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from providers.base import Page
from providers.http.batch import Batch
from providers.http.client import chunks, configured, page_window
from providers.http.client import mapping as reading
from providers.nomis import mapping as to
from providers.nomis.simulator import PRISONER_LIMIT

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

    async def _custody(self, numbers: Sequence[str]) -> list[Any]:
        batch = Batch(self.name, "prisoner")
        for chunk in chunks(list(dict.fromkeys(numbers)), PRISONER_LIMIT):
            body = await self.api.json("POST", "/prisoner-search/prisoner-numbers",
                                       body={"prisonerNumbers": list(chunk)})
            batch.read(body, lambda j: [j["prisonerNumber"]], to.custody)
        if unfound := [n for n in dict.fromkeys(numbers) if n not in batch.found]:
            await self._merged(unfound, batch)
        return batch.aligned(numbers)

    async def _merged(self, numbers: list[str], batch: Batch) -> None:
        """Prisoners holding `numbers` as MERGED identifiers, keyed by the old numbers."""
        wanted = set(numbers)
        for chunk in chunks(numbers, PRISONER_LIMIT):
            query = {"queries": [{"matchers": [
                {"type": "String", "attribute": "identifiers.type", "condition": "IS",
                 "searchTerm": "MERGED"},
                {"type": "String", "attribute": "identifiers.value", "condition": "IN",
                 "searchTerm": ",".join(chunk)}]}],
                "pagination": {"page": 0, "size": len(chunk)}}
            page = await self.api.json("POST", "/attribute-search", body=query)
            with reading(self.name, "prisoner page"):
                content = page["content"]
            batch.read(content, lambda j: [n for n in to.merged_numbers(j) if n in wanted],
                       to.custody)

    async def _sentence_dates(self, booking_ids: Sequence[str]) -> list[Any]:
        ids = sorted({int(b) for b in booking_ids if b.isdigit()})
        batch = Batch(self.name, "sentence detail")
        for chunk in chunks(ids, PRISONER_LIMIT):
            body = await self.api.json("POST", "/api/offender-sentences/bookings",
                                       body=list(chunk))
            batch.read(body, lambda j: [str(to.booking_id(j["bookingId"]))], to.sentence_dates)
        return batch.aligned(booking_ids)

    async def _movements(self, numbers: Sequence[str]) -> list[Any]:
        """Each person's movements, newest first as prison-api lists them; one malformed
        movement is bad data for that person's list only."""
        groups: dict[str, list[Any]] = {}
        unreadable = False
        for chunk in chunks(list(dict.fromkeys(numbers)), PRISONER_LIMIT):
            body = await self.api.json("POST", "/api/movements/offenders", body=list(chunk),
                                       params={"latestOnly": "false", "allBookings": "false"})
            for j in _listed(self.name, body):
                number = _offender_no(j)
                unreadable |= number is None
                if number is not None:
                    groups.setdefault(number, []).append(j)
        batch = Batch(self.name, "movement", unreadable=unreadable)
        batch.read(list(groups.items()), lambda group: [group[0]],
                   lambda group: tuple(to.movement(j) for j in group[1]))
        return batch.aligned(numbers)

    async def _agency(self, code: str) -> Any:
        body = await self.api.json("GET", f"/api/agencies/{code}", missing_ok=True)
        with reading(self.name, "agency"):
            return None if body is None else to.establishment(body)

    async def page(self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
                   ) -> Page:
        if kind != "prisoners":
            raise KeyError(kind)
        size, numbers = page_window(offset, limit)
        found: list[Any] = []
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


def _listed(provider: str, body: Any) -> list[Any]:
    with reading(provider, "movement list"):
        if not isinstance(body, list):
            raise TypeError("expected a list")
        return body


def _offender_no(j: Any) -> str | None:
    number = j.get("offenderNo") if isinstance(j, dict) else None
    return number if isinstance(number, str) else None
