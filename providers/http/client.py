"""A JSON API client whose failures are always our errors, never aiohttp's.

aiohttp rather than httpx: its C parser and plain asyncio transport cost a third of httpx's
anyio and h11 layers. Measured on the benchmark's W2 (five backend calls, about 280 KB of
JSON), httpx alone took about 30% of the gateway's CPU per request.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

import aiohttp
import msgspec
import orjson

from providers.errors import (
    BackendBadData,
    BackendTimeout,
    BackendUnavailable,
    ConfigError,
    ProviderError,
)
from providers.http.oauth import ClientCredentials
from providers.http.values import http_date

T = TypeVar("T")
R = TypeVar("R")
_INPUT_SUSPECT = frozenset(range(500, 600)) - {502, 503, 504}


@contextmanager
def translated(provider: str) -> Iterator[None]:
    """aiohttp's exceptions become ours at the boundary, named by provider, without bodies."""
    try:
        yield
    except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise BackendTimeout(provider, "no answer within the timeout") from exc
    except aiohttp.ClientError as exc:
        raise BackendUnavailable(provider, f"request failed ({type(exc).__name__})") from exc


_UNEXPECTED = (KeyError, TypeError, ValueError, AttributeError, IndexError)


class mapping:  # lower case: it reads as the function it replaced, `with mapping(...)`
    """A shape we did not expect is bad upstream data, not a crash. A class, not a
    `@contextmanager`: it is entered once per person of a batch, and a generator-based
    manager costs several times as much to enter and leave."""

    __slots__ = ("provider", "what")

    def __init__(self, provider: str, what: str) -> None:
        self.provider, self.what = provider, what

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 traceback: Any) -> None:
        if isinstance(exc, _UNEXPECTED) and not isinstance(exc, ProviderError):
            raise BackendBadData(self.provider,
                                 f"unexpected {self.what} ({type(exc).__name__})") from exc


class Answer(NamedTuple):
    status: int
    content_type: str
    body: bytes
    validators: tuple[str | None, str | None] = (None, None)  # Last-Modified, ETag


class Validated(NamedTuple):
    """A decoded body with the validators the service sent beside it, if any."""

    body: Any
    last_modified: datetime | None
    etag: str | None


class ApiClient:
    """Authenticated JSON requests to one backend, with pooled connections and bounded fan-out."""

    def __init__(self, provider: str, base_url: str, *, token_url: str, client_id: str,
                 client_secret: str, timeout_seconds: float = 5.0, pool_size: int = 20,
                 concurrency: int = 10) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self._pool_size = pool_size
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds, sock_connect=2.0)
        # A session belongs to an event loop, and the app is built before the loop runs:
        # made on first use, and again if a different loop ever uses this client.
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self.auth = ClientCredentials(provider, self, token_url, f"Basic {basic}")
        self._slots = asyncio.Semaphore(concurrency)

    async def json(self, method: str, path: str, *, body: Any = None,
                   params: dict[str, Any] | None = None, missing_ok: bool = False,
                   decoder: msgspec.json.Decoder[Any] | None = None) -> Any:
        """The decoded JSON body (typed by `decoder` when given); None for a 404 when
        `missing_ok`."""
        return (await self.validated(method, path, body=body, params=params,
                                     missing_ok=missing_ok, decoder=decoder)).body

    async def validated(self, method: str, path: str, *, body: Any = None,
                        params: dict[str, Any] | None = None, missing_ok: bool = False,
                        decoder: msgspec.json.Decoder[Any] | None = None) -> Validated:
        """The decoded body with its `Last-Modified` and `ETag`, where the service sends them;
        typed by `decoder` when given (`providers.http.typed`), else plain JSON."""
        answer = await self._checked(method, path, body, params, missing_ok)
        if answer is None:
            return Validated(None, None, None)
        try:
            decoded = (orjson.loads(answer.body) if decoder is None
                       else decoder.decode(answer.body))
        except msgspec.ValidationError as exc:
            raise BackendBadData(self.provider, "answered with a record that does not fit its "
                                 "contract") from exc
        except (ValueError, msgspec.DecodeError) as exc:
            raise BackendBadData(self.provider, "answered with malformed JSON") from exc
        return Validated(decoded, http_date(answer.validators[0]), answer.validators[1])

    async def raw(self, method: str, path: str, *, body: Any = None,
                  params: dict[str, Any] | None = None) -> bytes:
        """The JSON body undecoded, for a typed decoder (`providers.http.typed`)."""
        answer = await self._checked(method, path, body, params, False)
        assert answer is not None
        return answer.body

    async def _checked(self, method: str, path: str, body: Any,
                       params: dict[str, Any] | None, missing_ok: bool) -> Answer | None:
        """A JSON answer with a success status; None for a 404 when `missing_ok`."""
        with translated(self.provider):
            answer = await self._send(method, path, body, params)
            if answer.status == 401:
                self.auth.invalidate()
                answer = await self._send(method, path, body, params)
        status = answer.status
        if status == 404 and missing_ok:
            return None
        if status >= 500 or status in (401, 403, 429):
            # 502-504, 429 and refused credentials say the backend (or the way to it) is
            # unwell; another 5xx may be this request's input tripping it.
            raise BackendUnavailable(
                self.provider, f"{method} {path.split('?')[0]} answered HTTP {status}",
                input_suspect=status in _INPUT_SUSPECT)
        if status >= 400:
            raise BackendBadData(self.provider, f"rejected our request (HTTP {status})")
        if "json" not in answer.content_type:
            raise BackendBadData(self.provider, "answered with a body that is not JSON")
        return answer

    async def _send(self, method: str, path: str, body: Any,
                    params: dict[str, Any] | None) -> Answer:
        async with self._slots:
            headers = {"Authorization": f"Bearer {await self.auth.token()}"}
            return await self.request(method, self.base_url + path, body=body, params=params,
                                      headers=headers)

    async def request(self, method: str, url: str, *, body: Any = None,
                      params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
                      ) -> Answer:
        """One exchange, the body read whole; aiohttp's exceptions pass through."""
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
        async with self._http().request(method, url, data=data, params=params, headers=headers,
                                        allow_redirects=False) as response:  # as httpx did
            got = response.headers
            return Answer(response.status, got.get("Content-Type", ""), await response.read(),
                          (got.get("Last-Modified"), got.get("ETag")))

    def _http(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        session = self._session
        if session is None or session.closed or self._session_loop is not loop:
            session = self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size), timeout=self._timeout)
            self._session_loop = loop
        return session

    async def each(self, items: Sequence[T], call: Callable[[T], Awaitable[R]]) -> list[R]:
        """Call once per item, concurrently, no more than `concurrency` at a time."""
        return list(await asyncio.gather(*(call(item) for item in items)))

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def configured(name: str, system: str, base_url: str | None, token_url: str | None,
               client_id: str, client_secret: str | None, client_secret_env: str,
               **options: Any) -> ApiClient:
    """An ApiClient from a provider's settings; missing settings stop start-up, named."""
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
