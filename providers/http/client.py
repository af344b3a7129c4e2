"""A JSON API client whose failures are always our errors, never httpx's."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
import orjson

from providers.errors import BackendBadData, BackendTimeout, BackendUnavailable, ProviderError
from providers.http.oauth import ClientCredentials

T = TypeVar("T")
R = TypeVar("R")


@contextmanager
def translated(provider: str) -> Iterator[None]:
    """httpx's exceptions become ours at the boundary, named by provider, without bodies."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise BackendTimeout(provider, "no answer within the timeout") from exc
    except httpx.HTTPError as exc:
        raise BackendUnavailable(provider, f"request failed ({type(exc).__name__})") from exc


@contextmanager
def mapping(provider: str, what: str) -> Iterator[None]:
    """A shape we did not expect is bad upstream data, not a crash."""
    try:
        yield
    except ProviderError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise BackendBadData(provider, f"unexpected {what} ({type(exc).__name__})") from exc


class ApiClient:
    """Authenticated JSON requests to one backend, with pooled connections and bounded fan-out."""

    def __init__(self, provider: str, base_url: str, *, token_url: str, client_id: str,
                 client_secret: str, timeout_seconds: float = 5.0, pool_size: int = 20,
                 concurrency: int = 10) -> None:
        self.provider = provider
        limits = httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size)
        self.http = httpx.AsyncClient(base_url=base_url, limits=limits,
                                      timeout=httpx.Timeout(timeout_seconds, connect=2.0))
        self.auth = ClientCredentials(provider, self.http, token_url, client_id, client_secret)
        self._slots = asyncio.Semaphore(concurrency)

    async def json(self, method: str, path: str, *, body: Any = None,
                   params: dict[str, Any] | None = None, missing_ok: bool = False) -> Any:
        """The decoded JSON body; None for a 404 when `missing_ok`."""
        with translated(self.provider):
            response = await self._send(method, path, body, params)
            if response.status_code == 401:
                self.auth.invalidate()
                response = await self._send(method, path, body, params)
        status = response.status_code
        if status == 404 and missing_ok:
            return None
        if status >= 500 or status in (401, 403, 429):
            raise BackendUnavailable(self.provider, f"{method} {path.split('?')[0]} answered "
                                                    f"HTTP {status}")
        if status >= 400:
            raise BackendBadData(self.provider, f"rejected our request (HTTP {status})")
        if "json" not in response.headers.get("content-type", ""):
            raise BackendBadData(self.provider, "answered with a body that is not JSON")
        try:
            return orjson.loads(response.content)
        except ValueError as exc:
            raise BackendBadData(self.provider, "answered with malformed JSON") from exc

    async def _send(self, method: str, path: str, body: Any,
                    params: dict[str, Any] | None) -> httpx.Response:
        async with self._slots:
            headers = {"Authorization": f"Bearer {await self.auth.token()}"}
            return await self.http.request(method, path, json=body, params=params,
                                           headers=headers)

    async def each(self, items: Sequence[T], call: Callable[[T], Awaitable[R]]) -> list[R]:
        """Call once per item, concurrently, no more than `concurrency` at a time."""
        return list(await asyncio.gather(*(call(item) for item in items)))

    async def aclose(self) -> None:
        await self.http.aclose()


def configured(name: str, system: str, base_url: str | None, token_url: str | None,
               client_id: str, client_secret: str | None, client_secret_env: str,
               **options: Any) -> ApiClient:
    """An ApiClient from a provider's settings; missing settings stop start-up, named."""
    from providers.registry import ConfigError

    if not base_url:
        raise ConfigError(f"providers.{name}.base_url: required for a {system} provider")
    secret = client_secret or os.environ.get(client_secret_env)
    if not secret:
        raise ConfigError(f"providers.{name}: set the client secret in the environment "
                          f"variable {client_secret_env}")
    return ApiClient(name, base_url, token_url=token_url or f"{base_url}/auth/oauth/token",
                     client_id=client_id, client_secret=secret, **options)


def page_window(offset: int, limit: int) -> tuple[int, range]:
    """Spring pages are page/size: the size and page numbers that cover [offset, offset+limit)."""
    size = max(limit, 1)
    return size, range(offset // size, (offset + limit - 1) // size + 1)


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """Split a batch that exceeds an API's limit."""
    return [items[i:i + size] for i in range(0, len(items), size)]
