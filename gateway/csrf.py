"""CSRF protection: refuse a request a browser could send cross-site without a preflight.

A form or an `<img>` can make a "simple" request: GET or POST with no content type, or one of
the three form-like types, and only safelisted headers. Such a request must carry a header that
forces a CORS preflight (a bearer token does), or it is refused before anything else runs.
The GraphiQL page itself (a browser navigating to `GET /graphql`) is the one exception.

A GraphQL GET that carries no credentials at all (urql's default for queries, before a token
is added) is answered 401 UNAUTHENTICATED instead of the CSRF 400, so the client is told what
to fix. That weakens nothing: a forged request is dangerous only when it acts with credentials
the browser adds by itself, and this gateway reads only the `Authorization` header, which a
page on another site cannot set without a preflight. A request with no `Authorization` and no
cookie is refused either way, before authentication and execution; only the status and the
message differ, and neither depends on anything but the request itself.
"""

from __future__ import annotations

from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth import AuthError
from gateway.authentication import CHALLENGE
from gateway.responses import error_response

SIMPLE_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data",
                                  "text/plain", ""})
PREFLIGHT_HEADERS = ("authorization", "graphql-require-preflight", "apollo-require-preflight",
                     "x-apollo-operation-name")
CREDENTIALS = ("authorization", "cookie")


def is_simple(method: str, headers: Headers) -> bool:
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return (method in ("GET", "POST") and content_type in SIMPLE_CONTENT_TYPES
            and not any(headers.get(h) for h in PREFLIGHT_HEADERS))


def is_anonymous_graphql_get(scope: Scope, headers: Headers) -> bool:
    """A GET naming an operation (by text or persisted hash) with no credentials of any kind."""
    params = QueryParams(scope.get("query_string", b""))
    return (scope["method"] == "GET" and not any(h in headers for h in CREDENTIALS)
            and ("query" in params or "extensions" in params))


class CSRFGuard:
    """ASGI wrapper: a simple cross-site request never reaches authentication or execution."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        method = scope["method"]
        browsing = method == "GET" and "text/html" in headers.get("accept", "")
        if browsing or not is_simple(method, headers):
            await self.app(scope, receive, send)
        elif is_anonymous_graphql_get(scope, headers):
            await error_response(401, "send a bearer token: Authorization: Bearer <token>",
                                 AuthError.code, CHALLENGE)(scope, receive, send)
        else:
            await error_response(400, "This request could be a cross-site request forgery: "
                                      "send a bearer token, a JSON content type or a "
                                      "GraphQL-Require-Preflight header", "BAD_REQUEST"
                                 )(scope, receive, send)
