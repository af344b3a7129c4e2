"""What the limit rules share: the error they report."""

from __future__ import annotations

from graphql import GraphQLError, Node

CODE = "QUERY_TOO_COMPLEX"


def too_complex(message: str, node: Node | None, limit: str, value: int, maximum: int
                ) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": CODE, "limit": limit,
                                                   "value": value, "maximum": maximum})
