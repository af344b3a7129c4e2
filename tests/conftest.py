"""Shared fixtures: one app over the embedded dataset, and a client that speaks as a principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import httpx
import pytest

from gateway import tokens
from gateway.app import create_app
from providers.embedded.dataset import shared


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
