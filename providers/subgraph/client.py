"""GraphQL over HTTP to one subgraph: at start its SDL, then `_entities` documents.

Calls go out with casegraph's own credentials (OAuth2 client credentials, when configured),
never a caller's token: what a subgraph answers for an entity must not depend on who asks,
as casegraph decides that itself. Failures are our errors, named by the subgraph.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import orjson

from providers.errors import BackendBadData, BackendUnavailable, ConfigError
from providers.http.client import ApiClient, translated

SERVICE_SDL = "query CasegraphService { _service { sdl } }"
ACCEPT = "application/graphql-response+json, application/json"


class GraphQLClient:
    """POSTs documents to a subgraph's URL; decodes the JSON answer."""

    def __init__(self, name: str, url: str, *, timeout_seconds: float = 5.0,
                 token_url: str | None = None, client_id: str = "casegraph",
                 client_secret: str | None = None, pool_size: int = 20) -> None:
        self.name = name
        self.url = url
        self.credentials = (token_url, client_id, client_secret) if token_url else None
        self.api = ApiClient(name, url, token_url=token_url or url, client_id=client_id,
                             client_secret=client_secret or "", timeout_seconds=timeout_seconds,
                             pool_size=pool_size)

    async def query(self, document: str, variables: dict[str, Any]) -> Any:
        headers = {"Accept": ACCEPT}
        if self.credentials is not None:
            headers["Authorization"] = f"Bearer {await self.api.auth.token()}"
        with translated(self.name):
            answer = await self.api.request("POST", self.url, headers=headers,
                                            body={"query": document, "variables": variables})
        if answer.status >= 500 or answer.status in (401, 403, 429):
            raise BackendUnavailable(self.name, f"answered HTTP {answer.status}",
                                     input_suspect=answer.status in (500, 501))
        if "json" not in answer.content_type:
            raise BackendBadData(self.name, f"answered HTTP {answer.status} without JSON")
        try:
            return orjson.loads(answer.body)
        except ValueError as exc:
            raise BackendBadData(self.name, "answered with malformed JSON") from exc

    async def aclose(self) -> None:
        await self.api.aclose()


def service_sdl(name: str, url: str, *, token_url: str | None = None,
                client_id: str = "casegraph", client_secret: str | None = None,
                timeout_seconds: float = 10.0) -> str:
    """The subgraph's SDL, read once at start (blocking: the schema is built before serving).
    A subgraph that cannot answer stops start-up, naming its key."""
    where = f"federation.subgraphs.{name}.url = {url!r}"
    headers = {"Accept": ACCEPT}
    try:
        with httpx.Client(timeout=timeout_seconds) as http:
            if token_url:
                token = http.post(token_url, params={"grant_type": "client_credentials"},
                                  auth=(client_id, client_secret or ""))
                headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            answer = http.post(url, json={"query": SERVICE_SDL}, headers=headers)
            sdl = answer.json()["data"]["_service"]["sdl"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{where}: no SDL from _service at start ({type(exc).__name__})") \
            from exc
    if not isinstance(sdl, str):
        raise ConfigError(f"{where}: _service.sdl is not a string")
    return sdl


def secret(name: str, settings: dict[str, Any]) -> str | None:
    """The client secret from the environment variable the settings name, if any."""
    env = settings.get("client_secret_env")
    if env is None:
        return None
    found = os.environ.get(str(env))
    if not found:
        raise ConfigError(f"federation.subgraphs.{name}: set the client secret in the "
                          f"environment variable {env}")
    return found
