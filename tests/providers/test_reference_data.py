"""Reference data: prisons as one list an hour, and every other agency code at most once an
hour, whether NOMIS knows it or not (a caseload's released people are all `OUT`)."""

from __future__ import annotations

from providers.nomis import provider as nomis
from providers.nomis.provider import NomisProvider
from providers.simulation import CLIENT_SECRET


def _reads(sim, path: str) -> int:
    return sim.stats.get(f"GET {path}", 0)


async def test_out_transfer_and_unknown_codes_are_asked_once_an_hour(simulators, monkeypatch):
    sim, url = simulators["nomis"]
    provider = NomisProvider("nomis", url, client_secret=CLIENT_SECRET)
    now = [1000.0]
    monkeypatch.setattr(nomis.time, "monotonic", lambda: now[0])
    before = _reads(sim, "/api/agencies/{agency_id}")
    try:
        first = await provider.fetch("establishment", ["OUT", "TRN", "ZZZ", "MDI", "OUT"])
        again = await provider.fetch("establishment", ["ZZZ", "TRN", "OUT", "MDI"])
        assert _reads(sim, "/api/agencies/{agency_id}") - before == 3
        assert first[3] is not None and first[3].code == "MDI" and first[2] is None
        assert again == [first[2], first[1], first[0], first[3]]
        now[0] += nomis.PRISON_LIST_SECONDS + 1  # an hour later: asked again, once each
        await provider.fetch("establishment", ["OUT", "TRN", "ZZZ"])
        assert _reads(sim, "/api/agencies/{agency_id}") - before == 6
    finally:
        await provider.aclose()


async def test_the_memo_of_codes_is_bounded(simulators, monkeypatch):
    _, url = simulators["nomis"]
    provider = NomisProvider("nomis", url, client_secret=CLIENT_SECRET)
    monkeypatch.setattr(nomis, "AGENCY_MEMO", 3)
    try:
        await provider.fetch("establishment", ["AA1", "AA2", "AA3", "AA4", "AA5"])
        assert len(provider._agencies) == 3
    finally:
        await provider.aclose()
