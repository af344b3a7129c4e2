"""What a GraphQL request body may be, checked before anything runs.

Strawberry type-checks a single request's members but not a batch's, parses with the standard
library (a body that is not UTF-8 escaped as a 500), and accepts any JSON value as a body.
Each of those was found by the fuzz tests; each is now a 400 with a code.
"""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from strawberry.http import GraphQLRequestData


class OverLimit(HTTPException):
    """A request past a configured limit: BAD_USER_INPUT naming the limit."""

    def __init__(self, limit: str, maximum: int, what: str) -> None:
        super().__init__(400, f"at most {maximum} {what} ({limit})")
        self.limit, self.maximum = limit, maximum


_MEMBERS = (("query", "query", str), ("operationName", "operation_name", str),
            ("variables", "variables", dict), ("extensions", "extensions", dict))


class CheckedBody:
    """Mixed into the view ahead of strawberry's: its parsing hooks, stricter."""

    schema: Any

    async def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
        # [misc]: a mixin; the method it extends is strawberry's, next in the view's MRO.
        data = await super().parse_http_body(request)  # type: ignore[misc]
        for item in data if isinstance(data, list) else [data]:
            for member, attribute, kind in _MEMBERS:
                value = getattr(item, attribute)
                if value is not None and not isinstance(value, kind):
                    expected = "a string" if kind is str else "an object"
                    raise HTTPException(400, f"`{member}` must be {expected} or null")
        return data

    def parse_json(self, data: str | bytes) -> Any:
        """A body (or a GET's variables or extensions) is a JSON object; a batch, a list of
        them, no longer than the batch limit."""
        parsed = self.decode_json(data)
        items = parsed if isinstance(parsed, list) else [parsed]
        if not all(isinstance(item, dict) for item in items):
            raise HTTPException(400, "Expected a JSON object (or, for a batch, a list of them)")
        batching = self.schema.config.batching_config
        if isinstance(parsed, list) and batching and len(parsed) > batching["max_operations"]:
            raise OverLimit("max_batch", batching["max_operations"], "operations in a batch")
        return parsed

    def decode_json(self, data: str | bytes) -> object:
        """orjson: invalid UTF-8 and absurd nesting are a JSONDecodeError (400), not a 500."""
        return orjson.loads(data)
