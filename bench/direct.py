"""The limit: each workload's data fetched straight from the simulators with the fewest calls,
independent calls in parallel. Its latency is the backends' critical path."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bench.http import Client
from providers.simulation import CLIENT_ID, CLIENT_SECRET


class Direct:
    def __init__(self, delius: str, nomis: str) -> None:
        self.delius, self.nomis = delius, nomis
        self.client = httpx.AsyncClient(timeout=30)  # set-up only
        self.calls = Client(connections=64)  # the measured calls: the driver's own client
        self.headers: dict[str, dict[str, str]] = {}
        self.teams: list[str] = []

    async def setup(self, provider: str) -> None:
        for name, url in (("delius", self.delius), ("nomis", self.nomis)):
            token = (await self.client.post(f"{url}/auth/oauth/token",
                                            params={"grant_type": "client_credentials"},
                                            auth=(CLIENT_ID, CLIENT_SECRET))).json()
            self.headers[name] = {"Authorization": f"Bearer {token['access_token']}"}
        areas = (await self.client.get(f"{self.delius}/api/probationAreas",
                                       headers=self.headers["delius"])).json()
        self.teams = [t["code"] for a in areas if a["code"] == provider for t in a["teams"]]

    async def _post(self, system: str, path: str, body: Any, **params: Any) -> Any:
        base = self.delius if system == "delius" else self.nomis
        _, answer = await self.calls.post_json(f"{base}{path}", body, self.headers[system],
                                               params)
        return answer

    async def _prisons(self) -> Any:
        """The limit may read the prison list once, as the gateway does: count it as done."""
        return None

    async def _custody_and_dates(self, nomses: list[str]) -> None:
        if not nomses:
            return
        prisoners = await self._post("nomis", "/prisoner-search/prisoner-numbers",
                                     {"prisonerNumbers": nomses})
        bookings = [int(p["bookingId"]) for p in prisoners]
        await asyncio.gather(
            self._post("nomis", "/api/offender-sentences/bookings", bookings),
            self._prisons())

    async def w1(self) -> bool:
        [person] = await self._post("delius", "/crns", ["X000004"])
        await asyncio.gather(self._post("delius", "/convictions", ["X000004"]),
                             self._post("delius", "/registrations", ["X000004"]),
                             self._custody_and_dates([person["otherIds"]["nomsNumber"]]))
        return True

    async def w2(self) -> bool:
        page = await self._post("delius", "/team-codes", self.teams,
                                page=0, size=100)
        people = page["content"]
        crns = [p["otherIds"]["crn"] for p in people]
        nomses = [n for p in people if (n := p["otherIds"].get("nomsNumber"))]
        await asyncio.gather(self._post("delius", "/convictions", crns),
                             self._custody_and_dates(nomses))
        return len(people) == 100

    async def w3(self, name: str) -> bool:
        await self._post("delius", "/phrase", {"phrase": name, "matchAllTerms": True},
                         page=0, size=20)
        return True

    def call(self, workload: str, variables: dict[str, Any]) -> Callable[[], Awaitable[bool]]:
        if workload == "W3":
            return lambda: self.w3(variables["name"])
        return {"W1": self.w1, "W2": self.w2, "W4": self.w2}[workload]

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.calls.aclose()
