"""Shared fixtures: one app over the embedded dataset, and a client that speaks as a principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import httpx
import pytest
from hypothesis import settings

from gateway import tokens
from gateway.app import create_app
from providers.embedded.dataset import shared

# Every property test draws the same examples on every run: a failure found once is found
# again, and CI cannot pass by luck.
settings.register_profile("casegraph", derandomize=True, database=None)
settings.load_profile("casegraph")


@pytest.fixture(scope="session")
def dataset():
    return shared()


@pytest.fixture(scope="session")
def app():
    return create_app()


@pytest.fixture(scope="session")
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://casegraph.test") as c:
        yield c


def bearer(org: str, scopes: tuple[str, ...] = tokens.DEFAULT_SCOPES, **claims: Any
           ) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.mint(org, scopes, **claims)}"}


async def post_query(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None,
                     *, org: str = "C01", scopes: tuple[str, ...] = tokens.DEFAULT_SCOPES,
                     **claims: Any) -> dict[str, Any]:
    """POST a query as a principal of `org`; the HTTP status must be 200."""
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}},
                                 headers=bearer(org, scopes, **claims))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def gql(client):
    """`await gql(query, org="C16", scopes=(...))`: one line per case."""
    return partial(post_query, client)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.fixture(scope="session")
def simulators(dataset):
    """The nDelius and NOMIS simulators over the demo dataset, on loopback."""
    from providers.delius import simulator as delius
    from providers.nomis import simulator as nomis
    from tests.servers import serving

    delius_sim, delius_app = delius.build(dataset)
    nomis_sim, nomis_app = nomis.build(dataset)
    with serving(delius_app) as delius_url, serving(nomis_app) as nomis_url:
        yield {"delius": (delius_sim, delius_url), "nomis": (nomis_sim, nomis_url)}


def http_settings(simulators, cache: str = "none", *, batch_reads: bool = True,
                  **provider_options: Any):
    """The gateway over the simulators; no cache unless asked, so tests see the backends.
    nDelius convictions and registrations through the batch extension unless told not to."""
    from gateway.settings import Settings
    from providers.simulation import CLIENT_SECRET

    providers = {name: {"type": name, "base_url": url, "client_secret": CLIENT_SECRET,
                        **provider_options}
                 for name, (_, url) in simulators.items()}
    providers["delius"]["batch_reads"] = batch_reads
    bindings = {kind: "delius" for kind in ("offender", "offender_by_noms", "cases",
                                            "registrations", "organisation", "caseload",
                                            "offender_search")}
    bindings |= dict.fromkeys(("custody", "sentence_dates", "movements", "establishment",
                               "prisoners"), "nomis")
    providers["embedded"] = {"type": "embedded"}
    bindings["appointments"] = "embedded"
    return Settings(providers=providers, bindings=bindings, cache_backend=cache)


@pytest.fixture(scope="session")
async def http_client(simulators) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway over the simulators, through real HTTP to the backends."""
    app = create_app(http_settings(simulators))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://casegraph.test") as c:
        yield c
    await app.state.registry.aclose()


@pytest.fixture
def http_gql(http_client):
    return partial(post_query, http_client)


@pytest.fixture(autouse=True)
def _calm_simulators(request):
    """Faults set by a test never leak into the next one."""
    yield
    if "simulators" in request.fixturenames:
        from providers.simulation import Faults

        for sim, _ in request.getfixturevalue("simulators").values():
            sim.faults = Faults()
