"""OAuth2 client-credentials tokens for calling a backend, as HMPPS Auth issues them."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import orjson

from providers.errors import BackendBadData, BackendUnavailable

if TYPE_CHECKING:
    from providers.http.client import ApiClient

REFRESH_MARGIN_SECONDS = 30


class ClientCredentials:
    """Fetches a token, reuses it until shortly before expiry; one fetch at a time."""

    def __init__(self, provider: str, api: ApiClient, token_url: str, authorization: str
                 ) -> None:
        self._provider = provider
        self._api = api
        self._url = token_url
        self._authorization = authorization  # HTTP Basic, client id and secret
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if self._token and time.monotonic() < self._expires:
            return self._token
        async with self._lock:
            if not self._token or time.monotonic() >= self._expires:
                await self._fetch()
        assert self._token is not None
        return self._token

    def invalidate(self) -> None:
        self._token = None

    async def _fetch(self) -> None:
        answer = await self._api.request("POST", self._url,
                                         params={"grant_type": "client_credentials"},
                                         headers={"Authorization": self._authorization})
        if answer.status != 200:
            raise BackendUnavailable(self._provider,
                                     f"token endpoint answered HTTP {answer.status}")
        try:
            body = orjson.loads(answer.body)
            token, lifetime = str(body["access_token"]), float(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError) as exc:
            raise BackendBadData(self._provider, "token endpoint answered an unusable body") \
                from exc
        self._token = token
        self._expires = time.monotonic() + max(0.0, lifetime - REFRESH_MARGIN_SECONDS)
