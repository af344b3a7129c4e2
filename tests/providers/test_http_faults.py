"""Backends that fail or lie: partial answers with codes, never a crash or a wrong value."""

import httpx
import pytest

from gateway.app import create_app
from providers.registry import ConfigError, build_registry, preflight
from tests.conftest import http_settings, post_query

PROFILE = '''{ offender(crn: "X000004") { crn name { surname } cases { id }
  custody { prisonNumber sentenceDates { conditionalReleaseDate } } } }'''


def _codes(body):
    return sorted({(e["extensions"]["code"], e["extensions"].get("provider")) for e in
                   body.get("errors", [])})


@pytest.mark.parametrize("fault", [{"malformed": True}, {"corrupt": "missing"},
                                   {"corrupt": "wrong_type"}, {"corrupt": "enum"}],
                         ids=["html-200", "missing-fields", "wrong-types", "unknown-enums"])
async def test_bad_custody_data_nulls_custody_only_with_bad_data(simulators, http_gql, fault):
    sim, _ = simulators["nomis"]
    sim.faults.__dict__.update(fault)
    body = await http_gql(PROFILE)
    offender = body["data"]["offender"]
    assert offender["crn"] == "X000004" and offender["name"]["surname"]
    assert offender["cases"] and offender["custody"] is None
    assert _codes(body) == [("BACKEND_BAD_DATA", "nomis")]
    assert "Traceback" not in str(body) and "<html>" not in str(body)


async def test_a_malformed_record_looked_up_by_key_is_absent_not_an_error(simulators,
                                                                       http_gql):
    """An error would tell the caller that a record exists, whoever's it is: a malformed
    record reached by a key the caller chose is answered as an unknown one."""
    simulators["delius"][0].faults.corrupt = "missing"
    mine, theirs = await http_gql(PROFILE), await http_gql(PROFILE.replace("X000004", "X000005"))
    assert mine == theirs == await http_gql(PROFILE.replace("X000004", "X999999"))
    assert mine["data"]["offender"] is None and "errors" not in mine


async def test_bad_data_under_a_record_you_may_see_is_bad_data_from_nomis(simulators,
                                                                         http_gql):
    simulators["nomis"][0].faults.corrupt = "missing"
    body = await http_gql(PROFILE)
    assert body["data"]["offender"]["crn"] == "X000004"
    assert body["data"]["offender"]["custody"] is None
    assert ("BACKEND_BAD_DATA", "nomis") in _codes(body)


async def test_a_backend_that_is_down_is_named_and_the_rest_stands(simulators, http_gql):
    simulators["nomis"][0].faults.down = True
    body = await http_gql(PROFILE)
    assert body["data"]["offender"]["cases"] and body["data"]["offender"]["custody"] is None
    assert _codes(body) == [("BACKEND_UNAVAILABLE", "nomis")]


async def test_an_expired_token_is_refreshed_once_transparently(simulators, http_gql):
    simulators["nomis"][0].expire_tokens()
    simulators["delius"][0].expire_tokens()
    body = await http_gql(PROFILE)
    assert "errors" not in body and body["data"]["offender"]["custody"]["prisonNumber"]


async def test_simulators_reject_requests_without_a_valid_token(simulators):
    async with httpx.AsyncClient() as client:
        for name, path, body in (("delius", "/crns", ["X000001"]), (
                "nomis", "/prisoner-search/prisoner-numbers", {"prisonerNumbers": ["A0004AA"]})):
            url = simulators[name][1] + path
            bare = await client.post(url, json=body)
            forged = await client.post(url, json=body, headers={"Authorization": "Bearer x"})
            assert bare.status_code == forged.status_code == 401


@pytest.mark.parametrize("rows", [5, 100])
async def test_backend_calls_stay_constant_in_rows(simulators, http_client, rows):
    query = f"""{{ caseload(first: {rows}) {{ edges {{ node {{ id offender {{ crn
      custody {{ status establishment {{ name }} sentenceDates {{ conditionalReleaseDate
      homeDetentionCurfewEligibilityDate }} }} }} }} }} }} }}"""
    await post_query(http_client, query, org="C02")  # warm reference data (probation areas)
    async with httpx.AsyncClient() as client:
        for _, url in simulators.values():
            await client.delete(f"{url}/_sim/stats")
        body = await post_query(http_client, query, org="C02")
        assert len(body["data"]["caseload"]["edges"]) == rows
        delius = (await client.get(f"{simulators['delius'][1]}/_sim/stats")).json()["requests"]
        nomis = (await client.get(f"{simulators['nomis'][1]}/_sim/stats")).json()["requests"]
    # the team search already returns each person: primed, not fetched again by CRN
    assert delius == {"POST /team-codes": 1, "POST /convictions": 1}
    assert nomis["POST /prisoner-search/prisoner-numbers"] == 1
    assert nomis["POST /api/offender-sentences/bookings"] == 1
    # prisons are reference data, read as one list an hour; only non-prison agencies such as
    # OUT (released) are read one by one, and there are few of them whatever the rows
    assert nomis.get("GET /api/agencies/{agency_id}", 0) <= 2


def test_a_missing_base_url_is_named():
    with pytest.raises(ConfigError, match=r"providers\.nomis\.base_url: required"):
        build_registry({"nomis": {"type": "nomis"}}, {"custody": "nomis"})


def test_a_misspelt_setting_is_named(simulators):
    settings = http_settings(simulators)
    providers = {**settings.providers, "nomis": {**settings.providers["nomis"], "timeuot": 1}}
    with pytest.raises(ConfigError, match=r"providers\.nomis: .*timeuot"):
        build_registry(providers, settings.bindings)


async def test_an_unreachable_backend_at_start_is_named():
    with pytest.raises(ConfigError, match=r"providers\.delius\.base_url = 'http://127\.0\.0\.1:9"):
        await preflight({"delius": {"type": "delius", "base_url": "http://127.0.0.1:9"}})


def test_a_missing_client_secret_is_named(simulators, monkeypatch):
    monkeypatch.delenv("DELIUS_CLIENT_SECRET", raising=False)
    settings = http_settings(simulators)
    providers = {**settings.providers, "delius": {
        k: v for k, v in settings.providers["delius"].items() if k != "client_secret"}}
    with pytest.raises(ConfigError, match="DELIUS_CLIENT_SECRET"):
        create_app(type(settings)(providers=providers, bindings=settings.bindings))
