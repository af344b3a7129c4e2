"""Authenticates every GraphQL request before strawberry sees it; the IDE page needs no token."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth import AuthError, TokenVerifier
from gateway.responses import error_response

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="casegraph"'}
log = logging.getLogger("casegraph.auth")


async def _read_at_most(receive: Receive, limit: int) -> bytes | None:
    """A body sent without a length (chunked), or None once it passes `limit`."""
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > limit:
            return None
    return body


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}
    return receive


class Authenticated:
    """ASGI wrapper: a verified Principal in `scope["state"]`, or a 401 with UNAUTHENTICATED."""

    def __init__(self, app: ASGIApp, verifier: TokenVerifier, max_body_bytes: int) -> None:
        self.app = app
        self.verifier = verifier
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            await self.app(scope, receive, send)
            return
        declared = request.headers.get("content-length")
        too_big = error_response(413, f"request body over {self.max_body_bytes} bytes",
                                 "BAD_USER_INPUT", limit="max_body_bytes",
                                 maximum=self.max_body_bytes)
        if declared is not None and (not declared.isdigit()
                                     or int(declared) > self.max_body_bytes):
            await too_big(scope, receive, send)
            return
        if declared is None and request.method == "POST":
            body = await _read_at_most(receive, self.max_body_bytes)
            if body is None:
                await too_big(scope, receive, send)
                return
            receive = _replay(body)
        try:
            principal = await self.verifier.principal(request.headers.get("authorization"))
        except AuthError as exc:
            await error_response(401, str(exc), AuthError.code, CHALLENGE)(scope, receive, send)
            return
        except Exception:  # a defect of ours: still a coded JSON answer, never a bare 500
            log.exception("authentication failed unexpectedly")
            await error_response(500, "Internal server error", "INTERNAL_SERVER_ERROR")(
                scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
