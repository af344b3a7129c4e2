"""The root schema, and the map of its fields that policies are checked against."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import (
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
)
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from providers.errors import ProviderError
from resolvers.changes import Subscription
from resolvers.errors import CasegraphError
from resolvers.execution import executor_for
from resolvers.policed import police_subscriptions
from resolvers.query import Query

log = logging.getLogger("casegraph.errors")


class CasegraphSchema(strawberry.Schema):
    """Logs only unexpected errors: a denial or bad input is an answer, not an incident."""

    def process_errors(self, errors: list[GraphQLError], execution_context: object = None
                       ) -> None:
        for error in errors:
            if not isinstance(error.original_error,
                              CasegraphError | ProviderError | GraphQLError | None):
                log.error("unexpected error", exc_info=error.original_error)


class NoIntrospection(AddValidationRules):
    """Production default: the schema is not discoverable by introspection."""

    def __init__(self) -> None:
        super().__init__([NoSchemaIntrospectionCustomRule])


def build_schema(introspection: bool = True, validation: Any = None, max_tokens: int = 0,
                 max_batch: int = 0, tracer: Any = None, extensions: Sequence[Any] = (),
                 extend: Callable[[GraphQLSchema], GraphQLSchema] | None = None
                 ) -> CasegraphSchema:
    """The schema. Extensions are classes or factories, so each request gets its own; parsing
    and validation are cached per document (the validation rules do not read variables).
    `validation` (a factory) replaces strawberry's validation step; `extensions` are added.
    `extend` adds to the built schema (federation: `gateway.federation`), before the
    executor plans it."""
    extensions = [lambda: ParserCache(maxsize=512),
                  validation or (lambda: ValidationCache(maxsize=512)), *extensions]
    if tracer is not None:
        from gateway.tracing import OperationSpans

        extensions.insert(0, lambda: OperationSpans(tracer=tracer))
    if max_tokens:
        extensions.append(lambda: MaxTokensLimiter(max_token_count=max_tokens))
    if not introspection:
        extensions.append(NoIntrospection)
    config = StrawberryConfig(batching_config={"max_operations": max_batch} if max_batch else None)
    schema = CasegraphSchema(query=Query, subscription=Subscription, extensions=extensions,
                             config=config)
    if extend is not None:  # a new GraphQLSchema, as strawberry's own sort_schema makes one
        schema._schema = extend(schema._schema)
        schema._schema.extensions = dict(schema._schema.extensions)
        schema._schema._strawberry_schema = schema  # type: ignore[attr-defined]
    police_subscriptions(schema._schema)
    executor = executor_for(schema)
    schema.execution_context_class = executor if introspection else _quiet(executor)
    return schema


def _quiet(executor: type[Any]) -> type[Any]:
    """The executor with graphql-core's `hide_suggestions`: a variable's bad value is not
    answered with "Did you mean ...?", which would describe the schema introspection hides."""

    class Quiet(executor):
        @classmethod
        def build(cls, *args: Any, **kwargs: Any) -> Any:
            return super().build(*args, **{**kwargs, "hide_suggestions": True})

    return Quiet


def object_fields(schema: strawberry.Schema) -> dict[str, list[str]]:
    """Every object type's GraphQL field names (introspection types excluded)."""
    return {name: list(t.fields) for name, t in schema._schema.type_map.items()
            if isinstance(t, GraphQLObjectType) and not name.startswith("__")}


def non_null_fields(schema: strawberry.Schema) -> dict[str, set[str]]:
    from graphql import GraphQLNonNull

    return {name: {f for f, d in t.fields.items() if isinstance(d.type, GraphQLNonNull)}
            for name, t in schema._schema.type_map.items()
            if isinstance(t, GraphQLObjectType) and not name.startswith("__")}
