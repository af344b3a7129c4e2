"""What both backend simulators share: an OAuth2 token endpoint, fault switches, counters.

Each simulator is a Starlette app serving a real API's paths from the synthetic dataset.
`POST /_sim/faults` sets latency, error rate, down, timeouts, malformed or corrupt bodies and
a restored old snapshot;
`GET /_sim/stats` counts requests by path template; `DELETE /_sim/stats` resets them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import random
import secrets
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
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
    # "", "missing", "wrong_type" or "enum": a 200 whose JSON lies; "record": only the first
    # record of a list (or page) lies, the rest are sound
    corrupt: str = ""
    # serve an old backup (see `restored`): True for all of it, or one aspect by name
    restored: bool | str = False


_REQUIRED = frozenset({"surname", "lastName", "otherIds", "bookingId", "convictionId",
                       "prisonerNumber", "sentenceDetail", "description", "offenderNo",
                       "movementType", "agencyId"})
_ENUMS = frozenset({"status", "inOutStatus", "legalStatus", "movementType"})
# What an older backup holds earlier values of: movement and sentence calculation dates.
_BACKDATED = frozenset({"movementDate", "createDateTime", "lastMovementDate", "releaseDate",
                        "sentenceExpiryDate", "conditionalReleaseDate", "licenceExpiryDate",
                        "homeDetentionCurfewEligibilityDate", "confirmedReleaseDate",
                        "automaticReleaseDate", "paroleEligibilityDate", "nonDtoReleaseDate",
                        "topupSupervisionExpiryDate", "homeDetentionCurfewEndDate"})
RESTORED_DAYS = 30


def backdated(value: str, days: int = RESTORED_DAYS) -> str:
    """An ISO date or date-time `days` earlier, in the same form."""
    from datetime import date

    if len(value) == 10:
        return (date.fromisoformat(value) - timedelta(days=days)).isoformat()
    return (datetime.fromisoformat(value) - timedelta(days=days)).isoformat()


RESTORED_ASPECTS = frozenset({"booking", "release", "dates", "validators"})


def restored(value: Any, aspects: frozenset[str] = RESTORED_ASPECTS, key: str = "") -> Any:
    """The body as a backup taken before the latest changes would give it, in the real shapes
    (which carry no last-modified times): the booking before the current one ("booking"), the
    release not yet recorded ("release"), movement and sentence dates of an earlier calculation
    ("dates"); "validators" (an earlier `Last-Modified`) is applied to the headers."""
    if isinstance(value, list):
        return [restored(v, aspects) for v in value]
    if isinstance(value, str) and key in _BACKDATED and "dates" in aspects:
        return backdated(value)
    if not isinstance(value, dict):
        return value
    out = {k: restored(v, aspects, k) for k, v in value.items()}
    if out.get("status") == "INACTIVE OUT" and "release" in aspects:
        out |= {"status": "ACTIVE IN", "inOutStatus": "IN"}
    booking = out.get("bookingId")
    if isinstance(booking, str) and booking.isdigit() and "booking" in aspects:
        out["bookingId"] = str(int(booking) - 1)
    return out


def restored_aspects(setting: bool | str) -> frozenset[str]:
    if setting is True:
        return RESTORED_ASPECTS
    return frozenset({setting}) & RESTORED_ASPECTS if isinstance(setting, str) else frozenset()


def corrupted(value: Any, mode: str) -> Any:
    """The same body with required fields dropped, dates as numbers, or enums unknown."""
    if mode == "record":
        return _first_record_corrupted(value)
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


def _first_record_corrupted(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("content"), list):
        return {**value, "content": _first_record_corrupted(value["content"])}
    if isinstance(value, list) and value:
        return [corrupted(corrupted(value[0], "missing"), "wrong_type"), *value[1:]]
    return value


class NotFound(Exception):
    """A handler's way of answering 404."""


class ServerError(Exception):
    """A handler's way of answering 500, where the real service fails on an input."""


JAVA_INT_MAX = 2**31 - 1


@dataclass(frozen=True)
class Reply:
    """A handler's answer with the validators a service sends beside it: `Last-Modified`
    from `last_modified`, and a shallow `ETag` (a hash of the body, as Spring's filter makes)."""

    body: Any
    last_modified: datetime | None = None


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
        reply = body if isinstance(body, Reply) else Reply(body)
        body = reply.body
        if faults.corrupt:
            body = corrupted(body, faults.corrupt)
        if faults.restored:
            body = restored(body, restored_aspects(faults.restored))
        encoded = orjson.dumps(body)
        return Response(encoded, media_type="application/json",
                        headers=self._validators(reply, encoded))

    def _validators(self, reply: Reply, encoded: bytes) -> dict[str, str]:
        if reply.last_modified is None:
            return {}
        changed = reply.last_modified
        if "validators" in restored_aspects(self.faults.restored):
            changed -= timedelta(days=RESTORED_DAYS)
        return {"Last-Modified": format_datetime(changed.astimezone(UTC), usegmt=True),
                "ETag": f'"{hashlib.sha1(encoded).hexdigest()}"'}

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
