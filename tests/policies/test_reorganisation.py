"""Probation's 2021 unification as a data change: the demo switched to the regions by
configuration alone (examples/unified-2021.toml), each principal's reach before and after."""

from pathlib import Path

import httpx
import pytest

from gateway import rejections, tokens
from gateway.app import create_app
from gateway.settings import load_settings
from policies import organisations
from providers.embedded.reorganise import reorganised

REPO = Path(__file__).parents[2]
SCENARIO_CRNS = ("X000001", "X000002", "X000003", "X000004", "X000005")  # C01 C16 N02 C01 C16
QUERY = "{ viewer { organisation organisationType } caseload(first: 1) { totalCount } " + \
    " ".join(f'{c}: offender(crn: "{c}") {{ crn }}' for c in SCENARIO_CRNS) + " }"
# (who, organisation before, after, staff code, username)
PRINCIPALS = (
    ("CRC Northumbria officer", "C01", "N54", "C01T101", "demo.officer"),
    ("CRC Thames Valley client", "C16", "N59", None, None),
    ("NPS North East officer", "N02", "N54", "N02T101", "nps.officer"),
    ("HMP Moorland", "MDI", "MDI", None, None),
    ("HQ", "HQ", "HQ", None, None),
)


@pytest.fixture(scope="module")
async def unified(tmp_path_factory):
    """The gateway on examples/unified-2021.toml as shipped (its paths made absolute)."""
    text = (REPO / "examples" / "unified-2021.toml").read_text()
    config = tmp_path_factory.mktemp("unified") / "unified-2021.toml"
    config.write_text(text.replace('"policies/', f'"{REPO}/policies/'))
    app = create_app(load_settings(config))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as client:
        yield client
    await app.state.registry.aclose()


async def _reach(client, org, staff, user):
    """What a principal of `org` sees: its type, its caseload's size, the scenario people."""
    response = await client.post("/graphql", json={"query": QUERY}, headers={
        "Authorization": f"Bearer {tokens.mint(org, staff=staff, username=user)}"})
    if response.status_code != 200:
        return response.status_code, response.json()["errors"][0]["message"]
    data = response.json()["data"]
    caseload = data["caseload"] and data["caseload"]["totalCount"]  # a prison has none
    return (data["viewer"]["organisationType"], caseload,
            sorted(c for c in SCENARIO_CRNS if data[c]))


def _caseload(dataset, *codes):
    return sum(len(dataset.caseloads.get(code, ())) for code in codes)


async def test_each_principals_reach_before_and_after_the_unification(client, unified,
                                                                        dataset):
    before = {who: await _reach(client, org, s, u) for who, org, _, s, u in PRINCIPALS}
    after = {who: await _reach(unified, org, s, u) for who, _, org, s, u in PRINCIPALS}
    for who, *_ in PRINCIPALS:
        print(f"{who}: before {before[who]}, after {after[who]}")
    assert before["CRC Northumbria officer"] == (
        "CRC", _caseload(dataset, "C01"), ["X000001", "X000004"])
    assert before["CRC Thames Valley client"] == (
        "CRC", _caseload(dataset, "C16"), ["X000002", "X000005"])
    assert before["NPS North East officer"] == ("NPS", _caseload(dataset, "N02"), ["X000003"])
    north_east = ("NPS", _caseload(dataset, "C01", "C03", "N02"),
                  ["X000001", "X000003", "X000004"])
    assert after["CRC Northumbria officer"] == after["NPS North East officer"] == north_east
    assert after["CRC Thames Valley client"] == (
        "NPS", _caseload(dataset, "C16", "C20"), ["X000002", "X000005"])
    assert before["HMP Moorland"] == after["HMP Moorland"] == ("PRISON", None, ["X000004"])
    assert before["HQ"] == after["HQ"] == ("HQ", _caseload(dataset, *dataset.caseloads),
                                           list(SCENARIO_CRNS))


async def test_codes_that_no_longer_exist_are_refused_and_new_ones_before_they_exist(client,
                                                                                      unified):
    assert await _reach(unified, "C01", None, None) == (401, rejections.UNKNOWN_ORGANISATION)
    assert await _reach(client, "N54", None, None) == (401, rejections.UNKNOWN_ORGANISATION)


def test_the_reorganised_data_keeps_every_person_and_case(dataset):
    unified = organisations.load(organisations.UNIFIED_FILE)
    after = reorganised(dataset, unified)
    assert after.people.keys() == dataset.people.keys()
    assert [len(c) for c in after.cases.values()] == [len(c) for c in dataset.cases.values()]
    assert set(after.caseloads) <= set(unified.by_code)
    assert sum(map(len, after.caseloads.values())) == sum(map(len, dataset.caseloads.values()))
    assert all(a.provider_code in unified for found in after.appointments.values()
               for a in found)
    assert {"C01", "N02"}.isdisjoint(after.organisations) and "N54" in after.organisations
