"""Federation fixtures: the example CRC case-notes subgraph on loopback, and gateways that
compose it (its fields on Offender, Case and Custody) or serve casegraph as a subgraph."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from examples.federation import casenotes
from gateway.app import create_app
from gateway.audit.trail import AuditSettings
from gateway.federation import FederationSettings
from gateway.ratelimit import RateLimitSettings
from gateway.settings import Settings
from providers.simulation import CLIENT_SECRET
from tests.conftest import bearer
from tests.servers import serving

POLICIES = Path(__file__).parents[2] / "examples" / "federation" / "policies"
SECRET_ENV = "CASEGRAPH_TEST_CASENOTES_SECRET"
os.environ.setdefault(SECRET_ENV, CLIENT_SECRET)


@pytest.fixture(scope="session")
def notes_service(dataset):
    """The case-notes subgraph over the demo dataset, its URL, and its state (faults, stats,
    broken records): tests that change its state put it back."""
    service, app = casenotes.build(dataset)
    with serving(app) as url:
        yield service, url


def subgraph(url: str, **options: Any) -> dict[str, Any]:
    return {"url": f"{url}/graphql", "token_url": f"{url}/auth/oauth/token",
            "client_secret_env": SECRET_ENV, "policies": str(POLICIES),
            "attempts": 1, **options}


def federated(url: str | None, *, data: Any = None, serve_subgraph: bool = True,
              **changes: Any) -> Settings:
    """The embedded demo data (or `data`) with the case-notes subgraph at `url` composed in."""
    provider: dict[str, Any] = {"type": "embedded"}
    if data is not None:
        provider["dataset"] = data
    subgraphs = {"casenotes": subgraph(url)} if url else {}
    return Settings(audit=AuditSettings(sink="none"),
                    rate_limits=RateLimitSettings(enabled=False),
                    providers={"embedded": provider},
                    federation=FederationSettings(serve_subgraph, subgraphs), **changes)


@pytest.fixture(scope="session")
async def notes_app(notes_service):
    app = create_app(federated(notes_service[1]))
    yield app
    await app.state.registry.aclose()


async def ask(app: Any, query: str, variables: dict[str, Any] | None = None, *,
              path: str = "/graphql", org: str = "C01",
              scopes: tuple[str, ...] = ("read", "custody:read", "risk:read"),
              **claims: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as client:
        response = await client.post(path, json={"query": query, "variables": variables or {}},
                                     headers=bearer(org, scopes, **claims))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def stats(notes_service) -> AsyncIterator[Any]:
    """The subgraph's request counter, reset; faults and broken records reset after."""
    service, _ = notes_service
    service.stats.clear()
    yield service.stats
    service.faults = type(service.faults)()
    service.notes.broken.clear()
