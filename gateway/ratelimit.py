"""Rate limits per client (the token's subject), with the `limits` library, in memory or Redis.

A limit counts operations: a batch of ten costs ten, a single request one. Every answer carries
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds), so a client sees its
budget before it runs out; past it, 429 with `Retry-After`. The window moves (no burst at a
window's edge). If the shared store fails, requests are let through and the failure is logged:
a rate limit protects capacity, not confidentiality. A second, optional limit weighs each
operation by its estimated cost (`gateway/costlimit.py`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import orjson
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import ConfigurationError
from limits.storage import StorageTypes, storage_from_string
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.responses import error_response
from providers.registry import ConfigError

log = logging.getLogger("casegraph.ratelimit")


@dataclass(frozen=True)
class RateLimitSettings:
    default: str = "600/minute"
    clients: Mapping[str, str] = field(default_factory=dict)  # subject -> limit
    storage: str = "memory"  # or a redis:// URL shared by every gateway process
    enabled: bool = True
    cost: str | None = None  # e.g. "500000/minute": estimated cost per client; off when None
    cost_clients: Mapping[str, str] = field(default_factory=dict)  # subject -> cost limit


def item(text: str, key: str) -> RateLimitItem:
    try:
        return parse(text)
    except ValueError as exc:
        raise ConfigError(f"{key} = {text!r}: write a limit like '600/minute'") from exc


def storage(url: str) -> StorageTypes:
    if url == "memory":
        return storage_from_string("async+memory://")
    if not url.startswith(("redis://", "rediss://")):
        raise ConfigError(f"rate_limits.storage = {url!r}: choose 'memory' or a redis:// URL")
    try:
        return storage_from_string(f"async+{url}", implementation="redispy")
    except ConfigurationError as exc:
        raise ConfigError(f"rate_limits.storage = {url!r}: {exc}") from exc


class RateLimited:
    """ASGI wrapper after authentication: counts each request against its subject's limit."""

    def __init__(self, app: ASGIApp, settings: RateLimitSettings) -> None:
        self.app = app
        self.default = item(settings.default, "rate_limits.default")
        self.clients = {subject: item(text, f"rate_limits.clients.{subject}")
                        for subject, text in settings.clients.items()}
        self.limiter = MovingWindowRateLimiter(storage(settings.storage))
        self.store_down = False  # logged when it goes down and when it comes back, not per request

    async def allows(self, subject: str) -> bool:
        """Count one operation sent over an open connection (a WebSocket's subscribe); True
        when within the subject's limit, or when the store is down (as for a request)."""
        try:
            return bool(await self.limiter.hit(self.clients.get(subject, self.default), subject))
        except Exception:
            return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get("state", {}).get("principal")
        if principal is None:  # the IDE page: nothing to count
            await self.app(scope, receive, send)
            return
        limit = self.clients.get(principal.subject, self.default)
        operations, receive = await _operations(scope, receive)
        try:
            allowed = await self.limiter.hit(limit, principal.subject, cost=operations)
            stats = await self.limiter.get_window_stats(limit, principal.subject)
        except Exception as exc:  # the shared store is down: let the request through, loudly
            if not self.store_down:
                self.store_down = True
                log.warning("rate limit store unavailable (%s); requests not counted until it "
                            "is back", type(exc).__name__)
            await self.app(scope, receive, send)
            return
        if self.store_down:
            self.store_down = False
            log.warning("rate limit store available again; counting requests")
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        headers = {"RateLimit-Limit": str(limit.amount), "RateLimit-Remaining":
                   str(stats.remaining), "RateLimit-Reset": str(reset)}
        if not allowed:
            await error_response(429, f"rate limit of {limit} exceeded by {operations} "
                                      f"operation(s); retry in {reset} s",
                                 "RATE_LIMITED", {**headers, "Retry-After": str(reset)}
                                 )(scope, receive, send)
            return
        await self.app(scope, receive, _with_headers(send, headers))


async def _operations(scope: Scope, receive: Receive) -> tuple[int, Receive]:
    """How many operations the request holds (a JSON array is a batch), and a `receive` that
    replays the body. The body is already bounded by `max_body_bytes` (authentication)."""
    if scope.get("method") != "POST":
        return 1, receive
    body, more = b"", True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return 1, _replay(body, message)
        body += message.get("body", b"")
        more = message.get("more_body", False)
    operations = 1
    if body.lstrip()[:1] == b"[":
        try:
            parsed = orjson.loads(body)
            operations = max(1, len(parsed)) if isinstance(parsed, list) else 1
        except orjson.JSONDecodeError:
            pass  # the view refuses it
    return operations, _replay(body)


def _replay(body: bytes, last: Message | None = None) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return last or {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}
    return receive


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    encoded = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *encoded]}
        await send(message)
    return sending
