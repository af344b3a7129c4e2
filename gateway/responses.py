"""GraphQL-shaped error bodies and the mapping of every error to a stable `extensions.code`.

Resolver errors we did not raise on purpose are masked: the client sees
"Internal server error" and a code, the log sees the stack trace.
"""

from __future__ import annotations

from typing import Any

import orjson
from graphql import GraphQLError
from starlette.responses import Response

from providers.errors import ProviderError
from resolvers.errors import CasegraphError

MEDIA_TYPE = "application/json"


def error_body(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def error_response(status: int, message: str, code: str, headers: dict[str, str] | None = None,
                   **extensions: Any) -> Response:
    return Response(orjson.dumps(error_body(message, code, **extensions)), status_code=status,
                    media_type=MEDIA_TYPE, headers=headers)


def format_error(error: GraphQLError) -> dict[str, Any]:
    """The error as the client sees it, always with `extensions.code`."""
    formatted: dict[str, Any] = dict(error.formatted)
    original = error.original_error
    extensions = dict(formatted.get("extensions") or {})
    if isinstance(original, CasegraphError):
        extensions["code"] = original.code
    elif isinstance(original, ProviderError):
        extensions |= {"code": original.code, "provider": original.provider}
    elif original is not None and error.path is not None:
        formatted["message"] = "Internal server error"
        extensions = {"code": "INTERNAL_SERVER_ERROR"}
    elif original is not None:
        extensions["code"] = "BAD_USER_INPUT"
    elif "tokens. Parsing aborted" in error.message:
        extensions |= {"code": "QUERY_TOO_COMPLEX", "limit": "max_tokens"}
    elif "code" not in extensions:
        parse = error.message.startswith("Syntax Error")
        extensions["code"] = "GRAPHQL_PARSE_FAILED" if parse else "GRAPHQL_VALIDATION_FAILED"
    formatted["extensions"] = extensions
    return formatted
