"""Both ways against the real APIs' JSON Schemas (providers/*/contracts, written from the real
DTOs): every answer the simulators give validates, recorded fixtures shaped like the real
APIs' documented examples validate too, and the adapters read those fixtures, needing only
what the real API always sends and ignoring what they do not know.

jsonschema (the reference validator for Python) with its format checker, so a date must be
a date and a date-time a date-time.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from providers.delius import mapping as delius
from providers.delius import typed as delius_typed
from providers.nomis import mapping as nomis
from providers.simulation import CLIENT_ID, CLIENT_SECRET

ROOT = Path(__file__).resolve().parents[2] / "providers"
FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _schemas():
    found = {}
    for path in sorted(ROOT.glob("*/contracts/*.schema.json")):
        found[f"{path.parent.parent.name}/{path.name.removesuffix('.schema.json')}"] = (
            path, json.loads(path.read_text()))
    return found


SCHEMAS = _schemas()


def validator(name: str) -> Draft202012Validator:
    path, schema = SCHEMAS[name]
    system = path.parent.parent.name
    registry = Registry().with_resources(
        (p.name, Resource.from_contents(s)) for key, (p, s) in SCHEMAS.items()
        if key.startswith(system + "/"))
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def assert_valid(name: str, body) -> None:
    errors = sorted(validator(name).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, f"{name}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:120]}" for e in errors[:5])


def test_every_property_names_the_source_it_came_from():
    def walk(node, where):
        if isinstance(node, dict):
            for key, prop in (node.get("properties") or {}).items():
                assert "x-source" in prop or "$ref" in prop, f"{where}.{key} has no source"
                walk(prop, f"{where}.{key}")
            walk(node.get("items"), f"{where}[]")
    assert len(SCHEMAS) >= 15
    for name, (_, schema) in SCHEMAS.items():
        assert schema.get("x-source") or schema.get("items"), name
        walk(schema, name)


@pytest.fixture(scope="module")
async def backends(simulators):
    """An authenticated client per simulator, as the adapters call them."""
    clients = {}
    for name, (_, url) in simulators.items():
        client = httpx.AsyncClient(base_url=url)
        token = (await client.post("/auth/oauth/token?grant_type=client_credentials",
                                   auth=(CLIENT_ID, CLIENT_SECRET))).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        clients[name] = client
    yield clients
    for client in clients.values():
        await client.aclose()


async def _answer(client, method, path, body=None):
    response = await client.request(method, path, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _sample(dataset):
    crns = sorted(dataset.people)
    return crns[:60] + crns[-300:] + [f"X0000{n:02d}" for n in (1, 4, 10, 20, 22, 30, 31,
                                                                  40, 41, 42, 50, 60, 71)]


async def test_ndelius_simulator_answers_validate(backends, dataset):
    api, crns = backends["delius"], _sample(dataset)
    nomses = sorted(n for n in dataset.noms_to_crns)[:200]
    assert_valid("delius/offenders", await _answer(api, "POST", "/crns", crns[:500]))
    assert_valid("delius/offenders", await _answer(api, "POST", "/nomsNumbers", nomses))
    assert_valid("delius/offender-page", await _answer(api, "POST", "/phrase?page=1&size=20",
                                                       {"phrase": "X0000", "matchAllTerms": True}))
    teams = ["C01T01", "C01T02", "N02T03"]
    assert_valid("delius/offender-page", await _answer(api, "POST", "/team-codes?size=50", teams))
    assert_valid("delius/probation-areas", await _answer(api, "GET", "/api/probationAreas"))
    assert_valid("delius/user-access", await _answer(api, "POST", "/user/jexcluded/access",
                                                     crns[:500]))
    for crn in crns[::8]:
        convictions = await _answer(api, "GET", f"/secure/offenders/crn/{crn}/convictions")
        assert_valid("delius/convictions", convictions)
        for conviction in convictions:
            assert_valid("delius/requirements", await _answer(
                api, "GET", f"/secure/offenders/crn/{crn}/convictions/"
                            f"{conviction['convictionId']}/requirements"))
        assert_valid("delius/registrations",
                     await _answer(api, "GET", f"/secure/offenders/crn/{crn}/registrations"))
    for crn in ("X000040", "X000041", "X000042", "X000001"):
        assert_valid("delius/case-access", await _answer(api, "GET", f"/case/{crn}/access"))


async def test_the_batch_extension_carries_records_in_the_real_shapes(backends, dataset):
    api, crns = backends["delius"], _sample(dataset)
    for entry in await _answer(api, "POST", "/convictions", crns[:300]):
        assert_valid("delius/convictions", entry["convictions"])
        for requirements in entry["requirements"]:
            assert_valid("delius/requirements", {"requirements": requirements["requirements"]})
    for entry in await _answer(api, "POST", "/registrations", crns[:300]):
        assert_valid("delius/registrations", {"registrations": entry["registrations"]})


async def test_nomis_simulator_answers_validate(backends, dataset):
    api = backends["nomis"]
    numbers = sorted(dataset.custody)
    for start in range(0, len(numbers), 1000):
        chunk = numbers[start:start + 1000]
        assert_valid("nomis/prisoners", await _answer(
            api, "POST", "/prisoner-search/prisoner-numbers", {"prisonerNumbers": chunk}))
        bookings = [dataset.custody[n].booking_id for n in chunk]
        assert_valid("nomis/sentence-details", await _answer(
            api, "POST", "/api/offender-sentences/bookings", bookings))
        assert_valid("nomis/movements", await _answer(
            api, "POST", "/api/movements/offenders?latestOnly=false", chunk))
    assert_valid("nomis/prisoner-page", await _answer(api, "GET", "/prison/MDI/prisoners?size=50"))
    merged = {"queries": [{"matchers": [
        {"type": "String", "attribute": "identifiers.type", "condition": "IS",
         "searchTerm": "MERGED"},
        {"type": "String", "attribute": "identifiers.value", "condition": "IN",
         "searchTerm": "A0034AB"}]}], "pagination": {"page": 0, "size": 10}}
    assert_valid("nomis/prisoner-page", await _answer(api, "POST", "/attribute-search", merged))
    assert_valid("nomis/agencies", await _answer(api, "GET", "/api/agencies/type/INST"))
    assert_valid("nomis/agency", await _answer(api, "GET", "/api/agencies/BROADM"))


FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))
READERS = {
    "nomis/prisoners": lambda body: [nomis.custody(j) for j in body],
    "nomis/sentence-details": lambda body: [nomis.sentence_dates(j) for j in body],
    "nomis/movements": lambda body: [nomis.movement(j) for j in body],
    "delius/offenders": lambda body: [delius.person(delius_typed.OFFENDER.decode(
        orjson.dumps(j)), None, NOW) for j in body],
    "delius/convictions": lambda body: [delius.case("X320741", j, [], {})
                                        for j in delius_typed.CONVICTIONS.decode(
                                            orjson.dumps(body))],
    "delius/case-access": lambda body: [delius.active_users(body["excludedFrom"], NOW)],
}


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[p.stem for p in FIXTURE_FILES])
def test_recorded_fixtures_validate_and_the_adapters_read_them(path):
    recorded = json.loads(path.read_text())
    assert_valid(recorded["schema"], recorded["body"])
    assert all(READERS[recorded["schema"]](recorded["body"]))


def test_the_adapters_read_the_real_formats():
    prisoners = json.loads((FIXTURES / "prisoner-search.prisoner-numbers.json").read_text())
    first, released = (nomis.custody(j) for j in prisoners["body"])
    assert first.booking_id == 2900924 and first.active and not released.active
    assert nomis.merged_numbers(prisoners["body"][0]) == ["A1234AB"]
    convictions = json.loads((FIXTURES / "community-api.convictions.json").read_text())
    [case] = READERS["delius/convictions"](convictions["body"])
    assert case.offences[0].offence_date.isoformat() == "2019-09-04"
    assert (case.manager.staff_code, case.manager.surname, case.managing_provider) == (
        "N02A123", "Hancock", "N02")
    access = json.loads((FIXTURES / "probation-integration.case-access.json").read_text())
    assert delius.active_users(access["body"]["excludedFrom"], NOW) == ("JEXCLUDED",)


OPTIONAL = {  # a fixture, the fields of its records our adapter must not require
    "prisoner-search.prisoner-numbers": ("bookNumber", "inOutStatus", "legalStatus",
                                         "receptionDate", "firstName", "lastName",
                                         "dateOfBirth", "cellLocation", "identifiers"),
    "probation-search.crns": ("firstName", "surname", "dateOfBirth", "gender", "middleNames",
                              "probationStatus", "offenderAliases", "offenderManagers"),
    "community-api.convictions": ("convictionDate", "offences", "sentence", "custody",
                                  "orderManagers", "active"),
    "prison-api.movements": ("fromAgency", "toAgency"),
}


@pytest.mark.parametrize("stem", sorted(OPTIONAL))
def test_a_field_the_real_api_may_leave_out_is_not_required(stem):
    recorded = json.loads((FIXTURES / f"{stem}.json").read_text())
    read = READERS[recorded["schema"]]
    for field in OPTIONAL[stem]:
        body = [{k: v for k, v in j.items() if k != field} for j in recorded["body"]]
        assert read(body), field
