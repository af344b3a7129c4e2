"""CORS for browser clients on other origins: an allow-list of origins, nothing by default.

Browsers send a preflight before a cross-origin request with headers outside the CORS
safelist; the answer names the headers the gateway accepts. Those are the ones GraphQL
clients send (Apollo Client's own four included, so an Apollo app works as configured by
its docs) plus any an operator adds. Responses expose the rate-limit headers, so browser code
can read its budget and when to retry, as a server-side client can.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from providers.registry import ConfigError

PROTOCOL_HEADERS = ("authorization", "content-type", "accept", "graphql-require-preflight")
APOLLO_HEADERS = ("apollographql-client-name", "apollographql-client-version",
                  "x-apollo-operation-name", "apollo-require-preflight")
EXPOSED_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 field-name


def allowed_headers(extra: Iterable[str]) -> list[str]:
    """The protocol and Apollo headers, then the operator's extras, lower-cased, once each."""
    extra = list(extra)
    for name in extra:
        if not _TOKEN.match(name):
            raise ConfigError(f"http.cors_allow_headers: {name!r} is not a header name")
    return list(dict.fromkeys([*PROTOCOL_HEADERS, *APOLLO_HEADERS,
                               *(name.lower() for name in extra)]))


def cors(origins: Iterable[str], extra_headers: Iterable[str] = ()) -> list[Middleware]:
    """The CORS middleware for these origins; none when no origin is allowed."""
    origins = list(origins)
    if not origins:
        return []
    return [Middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                       allow_headers=allowed_headers(extra_headers),
                       expose_headers=list(EXPOSED_HEADERS), max_age=600)]
