"""What both backend simulators share: an OAuth2 token endpoint, fault switches, counters.

Each simulator is a Starlette app serving a real API's paths from the synthetic dataset.
`POST /_sim/faults` sets latency, error rate, down, timeouts, malformed or corrupt bodies and
a restored old snapshot;
`GET /_sim/stats` counts requests by path template; `DELETE /_sim/stats` resets them.
"""

from __future__ import annotations

import asyncio
import base64
import random
import secrets
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

Handler = Callable[[Request], Awaitable[Any]]
CLIENT_ID, CLIENT_SECRET = "casegraph", "simulated-secret"


@dataclass
class Faults:
    latency_ms: float = 0.0
    error_rate: float = 0.0
    down: bool = False
    timeout: bool = False
    malformed: bool = False
    corrupt: str = ""  # "", "missing", "wrong_type" or "enum": a 200 whose JSON lies
    restored: bool = False  # serve an old backup: every record 30 days older


_REQUIRED = frozenset({"surname", "lastName", "otherIds", "bookingId", "convictionId",
                       "prisonerNumber", "sentenceDetail", "description", "offenderNo"})
_ENUMS = frozenset({"status", "inOutStatus", "legalStatus"})


_STAMPS = frozenset({"lastUpdated", "lastUpdatedDateTime"})


def restored(value: Any) -> Any:
    """The body as an old backup would give it: last-modified times 30 days earlier."""
    from datetime import datetime, timedelta

    if isinstance(value, list):
        return [restored(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: (datetime.fromisoformat(v) - timedelta(days=30)).isoformat()
            if k in _STAMPS and isinstance(v, str) else restored(v) for k, v in value.items()}


def corrupted(value: Any, mode: str) -> Any:
    """The same body with required fields dropped, dates as numbers, or enums unknown."""
    if isinstance(value, list):
        return [corrupted(v, mode) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if mode == "missing" and key in _REQUIRED:
            continue
        if mode == "wrong_type" and isinstance(item, str) and item[:4].isdigit() \
                and item[4:5] == "-":
            item = 20260101
        if mode == "enum" and key in _ENUMS:
            item = "ZOMBIE" if isinstance(item, str) else {"status": "ZOMBIE", "code": "ZZ"}
        out[key] = corrupted(item, mode)
    return out


class NotFound(Exception):
    """A handler's way of answering 404."""


class ServerError(Exception):
    """A handler's way of answering 500, where the real service fails on an input."""


JAVA_INT_MAX = 2**31 - 1


class Simulator:
    """Routes, tokens, faults and counters for one simulated backend."""

    def __init__(self, name: str, token_ttl_seconds: float = 300.0, seed: int = 0) -> None:
        self.name = name
        self.faults = Faults()
        self.stats: Counter[str] = Counter()
        # (request, when it arrived, when its latency was served), monotonic seconds: shows
        # which calls a gateway had in flight together. In process only; the last 1,000.
        self.timeline: deque[tuple[str, float, float]] = deque(maxlen=1000)
        self.token_ttl = token_ttl_seconds
        self._tokens: dict[str, float] = {}
        self._rng = random.Random(seed)
        self.routes: list[Route] = [
            Route("/auth/oauth/token", self._token, methods=["POST"]),
            Route("/_sim/stats", self._stats, methods=["GET", "DELETE"]),
            Route("/_sim/faults", self._set_faults, methods=["GET", "POST"]),
        ]

    def route(self, template: str, method: str = "GET") -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            async def endpoint(request: Request) -> Response:
                return await self._serve(template, handler, request)
            self.routes.append(Route(template, endpoint, methods=[method]))
            return handler
        return register

    def app(self) -> Starlette:
        return Starlette(routes=self.routes)

    async def _serve(self, template: str, handler: Handler, request: Request) -> Response:
        if not self._authorised(request.headers.get("authorization", "")):
            return JSONResponse({"status": 401, "userMessage": "invalid token"}, 401)
        self.stats[f"{request.method} {template}"] += 1
        faults, arrived = self.faults, time.monotonic()
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        self.timeline.append((f"{request.method} {template}", arrived, time.monotonic()))
        if faults.timeout:
            await asyncio.sleep(3600)
        if faults.down:
            return JSONResponse({"status": 503, "userMessage": "unavailable"}, 503)
        if faults.error_rate and self._rng.random() < faults.error_rate:
            return JSONResponse({"status": 500, "userMessage": "simulated error"}, 500)
        if faults.malformed:
            return HTMLResponse("<html><body>Service temporarily moved</body></html>")
        try:
            body = await handler(request)
        except NotFound:
            return JSONResponse({"status": 404, "userMessage": "not found"}, 404)
        except ServerError:
            return JSONResponse({"status": 500, "userMessage": "internal error"}, 500)
        except (ValueError, KeyError) as exc:
            return JSONResponse({"status": 400, "userMessage": f"bad request: {exc}"}, 400)
        if faults.corrupt:
            body = corrupted(body, faults.corrupt)
        if faults.restored:
            body = restored(body)
        return Response(orjson.dumps(body), media_type="application/json")

    def _authorised(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        expires = self._tokens.get(token)
        return scheme.lower() == "bearer" and expires is not None and expires > time.monotonic()

    async def _token(self, request: Request) -> Response:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except (ValueError, UnicodeError):
            user, password = "", ""
        if scheme.lower() != "basic" or (user, password) != (CLIENT_ID, CLIENT_SECRET):
            return JSONResponse({"error": "invalid_client"}, 401)
        if request.query_params.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, 400)
        token = secrets.token_urlsafe(24)
        self._tokens[token] = time.monotonic() + self.token_ttl
        return JSONResponse({"access_token": token, "token_type": "bearer",
                             "expires_in": int(self.token_ttl), "scope": "read"})

    def expire_tokens(self) -> None:
        """Make every issued token invalid, as after an expiry, to exercise refresh on 401."""
        self._tokens.clear()

    async def _stats(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.stats.clear()
        return JSONResponse({"requests": dict(self.stats), "total": sum(self.stats.values())})

    async def _set_faults(self, request: Request) -> Response:
        if request.method == "POST":
            changes = await request.json()
            unknown = set(changes) - set(asdict(self.faults))
            if unknown:
                return JSONResponse({"error": f"unknown faults {sorted(unknown)}"}, 400)
            self.faults = Faults(**{**asdict(self.faults), **changes})
        return JSONResponse(asdict(self.faults))


def spring_page(items: list[Any], page: int, size: int) -> dict[str, Any]:
    """The Spring `Page` shape the newer HMPPS APIs answer with (domain.md 3.7)."""
    start = page * size
    return {"content": items[start:start + size], "totalElements": len(items),
            "totalPages": (len(items) + size - 1) // size if size else 0, "number": page,
            "size": size}


def paging(request: Request, default_size: int = 10) -> tuple[int, int]:
    page = int(request.query_params.get("page", 0))
    size = int(request.query_params.get("size", default_size))
    if max(page, size) > JAVA_INT_MAX:
        raise ServerError("a page number past Java's int, as the real service fails on")
    if page < 0 or not 1 <= size <= 2000:
        raise ValueError("page must be >= 0 and size between 1 and 2000")
    return page, size
