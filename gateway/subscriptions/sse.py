"""GraphQL over Server-Sent Events, "distinct connections" mode, on POST /graphql.

A POST with `Accept: text/event-stream` opens one subscription: authenticated, CSRF-guarded
and rate limited as any request (it is the same chain), but not held in admission control,
whose slots bound work in flight: a stream mostly waits, and has limits of its own. Each
message is an `event: next` with the result as `data`; the stream ends with `event:
complete`, after a `next` holding the coded error when it ended for a reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.requests import Request as HTTPRequest
from starlette.responses import StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth import AuthError, TokenVerifier
from gateway.responses import error_response
from gateway.subscriptions.service import Request, Subscriptions

EVENT_STREAM = "text/event-stream"
RECEIVE = "casegraph.receive"  # the server's own `receive`, kept in the scope
STATUS = {"TOO_MANY_SUBSCRIPTIONS": 429, "OVERLOADED": 503, "BAD_REQUEST": 400}


def wants_events(scope: Scope) -> bool:
    if scope["type"] != "http" or scope.get("method") != "POST":
        return False
    accept = dict(scope.get("headers") or ()).get(b"accept", b"").decode("latin-1")
    return EVENT_STREAM in accept


class TransportSSE:
    """The ASGI endpoint behind authentication and the rate limit."""

    def __init__(self, service: Subscriptions, verifier: TokenVerifier) -> None:
        self.service = service
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        http = HTTPRequest(scope, receive)
        try:
            principal, expires_at = await self.verifier.verified(
                http.headers.get("authorization"))
        except AuthError as exc:  # it expired since `Authenticated` let it through
            await error_response(401, str(exc), AuthError.code)(scope, receive, send)
            return
        request = _request(await http.body())
        if isinstance(request, str):
            await error_response(400, request, "BAD_REQUEST")(scope, receive, send)
            return
        refused = self.service.refusal(principal)
        if refused is not None:
            code = refused["extensions"]["code"]
            await error_response(STATUS.get(code, 400), refused["message"], code)(
                scope, receive, send)
            return

        async def events() -> AsyncIterator[bytes]:
            async for kind, body in self.service.run(principal, expires_at, request):
                yield _event("next", body if kind == "next" else {"errors": body})
                if kind == "error":
                    break
            yield b"event: complete\ndata:\n\n"
        # The wrappers before this one read the body and replay it, then say "disconnect";
        # the stream listens for the client's real disconnect on the server's own receive.
        await StreamingResponse(events(), media_type=EVENT_STREAM, headers={
            "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})(
                scope, scope.get(RECEIVE, receive), send)


def _request(body: bytes) -> Request | str:
    """The GraphQL request in the body, or what is wrong with it."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "The body is not JSON"
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        return "The body needs a JSON object with a `query` string"
    variables, name = data.get("variables"), data.get("operationName")
    if not isinstance(variables, dict | None) or not isinstance(name, str | None):
        return "`variables` must be an object and `operationName` a string"
    extensions = data.get("extensions")
    return Request(data["query"], variables, name,
                   extensions if isinstance(extensions, dict) else None)


def _event(name: str, data: Any) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


class EventsFirst:
    """/graphql's HTTP entry: a subscription over SSE to its chain, the rest to `app`."""

    def __init__(self, app: ASGIApp, events: ASGIApp) -> None:
        self.app = app
        self.events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if wants_events(scope):
            await self.events({**scope, RECEIVE: receive}, receive, send)
        else:
            await self.app(scope, receive, send)
