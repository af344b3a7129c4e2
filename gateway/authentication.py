"""Authenticates every GraphQL request before strawberry sees it; the IDE page needs no token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth import AuthError, TokenVerifier
from gateway.responses import error_response

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="casegraph"'}


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
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > self.max_body_bytes:
            response = error_response(413, f"request body over {self.max_body_bytes} bytes",
                                      "BAD_REQUEST")
            await response(scope, receive, send)
            return
        try:
            principal = await self.verifier.principal(request.headers.get("authorization"))
        except AuthError as exc:
            await error_response(401, str(exc), AuthError.code, CHALLENGE)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
