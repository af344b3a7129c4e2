"""The root schema, and the map of its fields that policies are checked against."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLObjectType, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from providers.errors import ProviderError
from resolvers.errors import CasegraphError
from resolvers.execution import executor_for
from resolvers.query import Query

log = logging.getLogger("casegraph.errors")


class CasegraphSchema(strawberry.Schema):
    """Logs only unexpected errors: a denial or bad input is an answer, not an incident."""

    def process_errors(self, errors: list[GraphQLError], execution_context: object = None
                       ) -> None:
        for error in errors:
            if not isinstance(error.original_error, CasegraphError | ProviderError | None):
                log.error("unexpected error", exc_info=error.original_error)


class NoIntrospection(AddValidationRules):
    """Production default: the schema is not discoverable by introspection."""

    def __init__(self) -> None:
        super().__init__([NoSchemaIntrospectionCustomRule])


def build_schema(introspection: bool = True, rules: Sequence[Any] = (), max_tokens: int = 0,
                 max_batch: int = 0, tracer: Any = None) -> CasegraphSchema:
    """The schema. Extensions are classes or factories, so each request gets its own; parsing
    and validation are cached per document (the validation rules do not read variables)."""
    extensions: list[Any] = [lambda: ParserCache(maxsize=512),
                             lambda: ValidationCache(maxsize=512)]
    if tracer is not None:
        from gateway.tracing import OperationSpans

        extensions.insert(0, lambda: OperationSpans(tracer=tracer))
    if max_tokens:
        extensions.append(lambda: MaxTokensLimiter(max_token_count=max_tokens))
    if rules:
        extensions.append(lambda: AddValidationRules(list(rules)))
    if not introspection:
        extensions.append(NoIntrospection)
    config = StrawberryConfig(batching_config={"max_operations": max_batch} if max_batch else None)
    schema = CasegraphSchema(query=Query, extensions=extensions, config=config)
    schema.execution_context_class = executor_for(schema)
    return schema


def object_fields(schema: strawberry.Schema) -> dict[str, list[str]]:
    """Every object type's GraphQL field names (introspection types excluded)."""
    return {name: list(t.fields) for name, t in schema._schema.type_map.items()
            if isinstance(t, GraphQLObjectType) and not name.startswith("__")}


def non_null_fields(schema: strawberry.Schema) -> dict[str, set[str]]:
    from graphql import GraphQLNonNull

    return {name: {f for f, d in t.fields.items() if isinstance(d.type, GraphQLNonNull)}
            for name, t in schema._schema.type_map.items()
            if isinstance(t, GraphQLObjectType) and not name.startswith("__")}
