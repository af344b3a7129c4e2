"""`POST /_sim/events`: each change alters the simulator's data, so the real endpoints answer
the new state, and answers the HMPPS envelope it publishes; the shared dataset never changes,
and a change that does not fit is refused with a reason."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from events.envelope import DomainEvent
from providers.delius import simulator as delius
from providers.embedded.dataset import shared
from providers.nomis import simulator as nomis
from providers.simulation import CLIENT_ID, CLIENT_SECRET
from tests.providers.test_real_shapes import assert_valid

IN_PRISON, RELEASED, CRN = "A0004AA", "A0022AA", "X000004"  # X000004 is A0004AA, in C01


async def _client(app, base: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)
    token = (await client.post("/auth/oauth/token?grant_type=client_credentials",
                               auth=(CLIENT_ID, CLIENT_SECRET))).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


@pytest.fixture
async def nomis_api() -> AsyncIterator[tuple[object, httpx.AsyncClient]]:
    sim, app = nomis.build()
    client = await _client(app, "http://nomis.test")
    yield sim, client
    await client.aclose()


@pytest.fixture
async def delius_api() -> AsyncIterator[tuple[object, httpx.AsyncClient]]:
    sim, app = delius.build()
    client = await _client(app, "http://delius.test")
    yield sim, client
    await client.aclose()


async def _change(client: httpx.AsyncClient, **change: object) -> DomainEvent:
    response = await client.post("/_sim/events", json=change)
    assert response.status_code == 200, response.text
    [envelope] = response.json()["published"]
    return DomainEvent.from_json(httpx.Response(200, json=envelope).content, "sim")


async def _prisoner(client: httpx.AsyncClient, noms: str) -> dict:
    [found] = (await client.post("/prisoner-search/prisoner-numbers",
                                 json={"prisonerNumbers": [noms]})).json()
    return found


async def test_a_transfer_moves_the_prisoner_and_publishes_received_transferred(nomis_api):
    _, api = nomis_api
    before = await _prisoner(api, IN_PRISON)
    event = await _change(api, change="transfer", noms=IN_PRISON, to="LEI")
    assert event.event_type == "prisoner-offender-search.prisoner.received"
    assert event.noms == IN_PRISON and event.additional["reason"] == "TRANSFERRED"
    assert event.detail_url == f"http://nomis.test/prisoner/{IN_PRISON}"
    after = await _prisoner(api, IN_PRISON)
    assert (before["prisonId"], after["prisonId"]) == ("MDI", "LEI")
    assert after["lastMovementTypeCode"] == "TRN"
    detail = (await api.get(f"/prisoner/{IN_PRISON}")).json()
    assert detail == after
    assert_valid("nomis/prisoner", detail)
    assert shared().custody[IN_PRISON].agency_id == "MDI"  # the shared data is untouched
    assert (await api.get("/prison/LEI/prisoners?size=2000")).json()["content"].count(after) == 1


async def test_release_recall_and_receive_follow_the_prisoners_state(nomis_api):
    _, api = nomis_api
    released = await _change(api, change="release", noms=IN_PRISON)
    assert released.event_type.endswith(".released")
    assert (await _prisoner(api, IN_PRISON))["status"] == "INACTIVE OUT"
    recalled = await _change(api, change="recall", noms=IN_PRISON, prison="LEI")
    assert recalled.additional["reason"] == "READMISSION"
    back = await _prisoner(api, IN_PRISON)
    assert (back["status"], back["legalStatus"], back["prisonId"]) == ("ACTIVE IN", "RECALL",
                                                                       "LEI")
    received = await _change(api, change="receive", noms=RELEASED, prison="MDI")
    assert received.additional["reason"] == "NEW_ADMISSION"
    admitted = await _prisoner(api, RELEASED)
    assert admitted["bookingId"] != str(shared().custody[RELEASED].booking_id)
    assert admitted["legalStatus"] == "REMAND"
    assert_valid("nomis/prisoners", [back, admitted])


async def test_a_sentence_date_change_is_read_back_and_published_as_updated_sentence(nomis_api):
    _, api = nomis_api
    event = await _change(api, change="sentence_dates", noms=IN_PRISON,
                          dates={"conditionalReleaseDate": "2027-06-30",
                                 "licenceExpiryDate": None})
    assert event.event_type == "prisoner-offender-search.prisoner.updated"
    assert event.additional["categoriesChanged"] == ["SENTENCE"]
    booking = shared().custody[IN_PRISON].booking_id
    [detail] = (await api.post("/api/offender-sentences/bookings", json=[booking])).json()
    assert detail["sentenceDetail"]["conditionalReleaseDate"] == "2027-06-30"
    assert "licenceExpiryDate" not in detail["sentenceDetail"]
    assert_valid("nomis/sentence-details", [detail])


async def test_identical_changes_are_two_events(nomis_api):
    _, api = nomis_api
    dates = {"conditionalReleaseDate": "2027-06-30"}
    first = await _change(api, change="sentence_dates", noms=IN_PRISON, dates=dates)
    second = await _change(api, change="sentence_dates", noms=IN_PRISON, dates=dates)
    assert first.event_id != second.event_id and first.occurred_at < second.occurred_at


@pytest.mark.parametrize(("change", "status"), [
    ({"change": "release", "noms": RELEASED}, 400),
    ({"change": "recall", "noms": IN_PRISON, "prison": "LEI"}, 400),
    ({"change": "transfer", "noms": IN_PRISON, "to": "MDI"}, 400),
    ({"change": "transfer", "noms": IN_PRISON, "to": "NOWHERE"}, 400),
    ({"change": "transfer", "noms": "Z9999ZZ", "to": "LEI"}, 404),
    ({"change": "sentence_dates", "noms": IN_PRISON, "dates": {"bogusDate": "2027-01-01"}}, 400),
    ({"change": "sentence_dates", "noms": IN_PRISON, "dates": {"tariffDate": "soon"}}, 400),
    ({"change": "explode", "noms": IN_PRISON}, 400),
    ([{"change": "release"}], 400),
], ids=["release-twice", "recall-in-prison", "transfer-same", "transfer-nowhere", "unknown",
        "unknown-date", "not-a-date", "unknown-change", "not-an-object"])
async def test_a_change_that_does_not_fit_is_refused_and_nothing_is_published(nomis_api, change,
                                                                               status):
    _sim, api = nomis_api
    before = await _prisoner(api, IN_PRISON)
    response = await api.post("/_sim/events", json=change)
    assert response.status_code == status and response.json()["error"]
    assert await _prisoner(api, IN_PRISON) == before


async def test_a_manager_change_moves_the_case_to_another_provider(delius_api):
    _, api = delius_api
    event = await _change(api, change="manager", crn=CRN, provider="C09")
    assert event.event_type == "person.community.manager.allocated"
    assert (event.crn, event.noms) == (CRN, IN_PRISON)
    assert (event.additional["providerCode"], event.additional["previousProviderCode"]) == (
        "C09", "C01")
    detail = (await api.get(f"/secure/offenders/crn/{CRN}")).json()
    assert_valid("delius/offender-detail", detail)
    active = [m for m in detail["offenderManagers"] if m["active"]]
    assert [m["probationArea"]["code"] for m in active] == ["C09"]
    new_team = active[0]["team"]["code"]
    page = (await api.post("/team-codes?size=2000", json=[new_team])).json()
    assert CRN in [p["otherIds"]["crn"] for p in page["content"]]
    convictions = (await api.get(f"/secure/offenders/crn/{CRN}/convictions")).json()
    assert_valid("delius/convictions", convictions)
    assert shared().people[CRN].managing_provider == "C01"
    again = await api.post("/_sim/events", json={"change": "manager", "crn": CRN,
                                                 "provider": "C09"})
    assert again.status_code == 400
    assert (await api.post("/_sim/events", json={"change": "manager", "crn": "X999999",
                                                 "provider": "C09"})).status_code == 404
