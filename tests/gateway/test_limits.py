"""Query limits: each refusal is QUERY_TOO_COMPLEX, names its limit, and calls no backend."""

from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from gateway.limits import Limits
from gateway.settings import Settings
from tests.conftest import post_query

W2 = (Path(__file__).parents[2] / "bench" / "workloads" / "W2-caseload.graphql").read_text()


def _nested(levels: int) -> str:
    inner = "crn"
    for _ in range(levels):
        inner = f"cases {{ offender {{ {inner} }} }}"
    return f'{{ offender(crn: "X000001") {{ {inner} }} }}'


def _refusal(body, limit):
    assert {e["extensions"]["code"] for e in body["errors"]} == {"QUERY_TOO_COMPLEX"}
    [error] = [e for e in body["errors"] if e["extensions"]["limit"] == limit]
    assert body.get("data") is None
    assert body.get("extensions", {}).get("sources", []) == []
    return error


async def test_too_deep_is_refused_naming_the_depth(gql):
    error = _refusal(await gql(_nested(5)), "max_depth")
    assert "levels deep; the limit is 10" in error["message"]
    assert "errors" not in await gql(_nested(4))


async def test_too_many_aliases_is_refused(gql):
    query = "{ " + " ".join(f'a{i}: offender(crn: "X000001") {{ crn }}' for i in range(16)) + " }"
    error = _refusal(await gql(query), "max_aliases")
    assert "16 aliases; the limit is 15" in error["message"]


async def test_too_many_tokens_is_refused(gql):
    query = "{ viewer { " + " ".join(["subject"] * 2100) + " } }"
    _refusal(await gql(query), "max_tokens")


async def test_too_costly_is_refused_and_the_estimate_is_given(gql):
    heavy = """query($n: Int) { caseload(first: $n) { edges { node { offender {
        registrations { typeCode riskColour startDate active level category }
        cases { offences { code description main offenceDate }
                requirements { category subcategory length lengthUnit active } }
        custody { movements { movementType direction fromAgency toAgency movementDate }
                  sentenceDates { conditionalReleaseDate licenceExpiryDate } } } } } } }"""
    error = _refusal(await gql(heavy, {"n": 5}), "max_cost")
    assert error["extensions"]["maximum"] == 25_000 and error["extensions"]["value"] > 25_000


async def test_the_benchmark_caseload_is_well_within_limits(gql):
    assert "errors" not in await gql(W2)


async def test_limits_are_configurable():
    app = create_app(Settings(limits=Limits(max_depth=3)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        body = await post_query(client, '{ offender(crn: "X000004") { custody { '
                                        'establishment { name } } } }')
    _refusal(body, "max_depth")


@pytest.mark.parametrize("query", [
    "{ viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }",
])
async def test_cyclic_fragments_are_refused_without_hanging(gql, query):
    body = await gql(query)
    assert body["errors"] and body.get("data") is None
