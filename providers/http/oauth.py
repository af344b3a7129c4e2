"""OAuth2 client-credentials tokens for calling a backend, as HMPPS Auth issues them."""

from __future__ import annotations

import asyncio
import time

import httpx

from providers.errors import BackendBadData, BackendUnavailable

REFRESH_MARGIN_SECONDS = 30


class ClientCredentials:
    """Fetches a token, reuses it until shortly before expiry; one fetch at a time."""

    def __init__(self, provider: str, http: httpx.AsyncClient, token_url: str, client_id: str,
                 client_secret: str) -> None:
        self._provider = provider
        self._http = http
        self._url = token_url
        self._auth = httpx.BasicAuth(client_id, client_secret)
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
        response = await self._http.post(self._url, params={"grant_type": "client_credentials"},
                                         auth=self._auth)
        if response.status_code != 200:
            raise BackendUnavailable(self._provider,
                                     f"token endpoint answered HTTP {response.status_code}")
        try:
            body = response.json()
            token, lifetime = str(body["access_token"]), float(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError) as exc:
            raise BackendBadData(self._provider, "token endpoint answered an unusable body") \
                from exc
        self._token = token
        self._expires = time.monotonic() + max(0.0, lifetime - REFRESH_MARGIN_SECONDS)
