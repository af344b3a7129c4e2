"""CSRF protection: refuse a request a browser could send cross-site without a preflight.

A form or an `<img>` can make a "simple" request: GET or POST with no content type, or one of
the three form-like types, and only safelisted headers. Such a request must carry a header that
forces a CORS preflight (a bearer token does), or it is refused before anything else runs.
The GraphiQL page itself (a browser navigating to `GET /graphql`) is the one exception.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.responses import error_response

SIMPLE_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data",
                                  "text/plain", ""})
PREFLIGHT_HEADERS = ("authorization", "graphql-require-preflight", "apollo-require-preflight",
                     "x-apollo-operation-name")


def is_simple(method: str, headers: Headers) -> bool:
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return (method in ("GET", "POST") and content_type in SIMPLE_CONTENT_TYPES
            and not any(headers.get(h) for h in PREFLIGHT_HEADERS))


class CSRFGuard:
    """ASGI wrapper: a simple cross-site request never reaches authentication or execution."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        method = scope["method"]
        browsing = method == "GET" and "text/html" in headers.get("accept", "")
        if not browsing and is_simple(method, headers):
            await error_response(400, "This request could be a cross-site request forgery: "
                                      "send a bearer token, a JSON content type or a "
                                      "GraphQL-Require-Preflight header", "BAD_REQUEST"
                                 )(scope, receive, send)
            return
        await self.app(scope, receive, send)
