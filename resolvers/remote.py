"""Fields that federated subgraphs add to casegraph's entities, merged into its schema.

A field a subgraph adds to `Offender` is resolved through the row judge like a person's own
records: `Reach.remote_of` answers only for an offender handed out in full, so the row rule
and Limited Access hold for it, and the subgraph is asked (one batched `_entities` call per
subgraph per tick: `providers.subgraph`) with the client's own selection under the field
(`resolvers.forwarding`). The answer's objects are plain dicts keyed by response name; each
copied type's fields read them by that key, and a value of the wrong shape is
`BACKEND_BAD_DATA` naming the subgraph, never a crash or the value itself. Field policies
apply to every merged field and type as to any other: the executor decides them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    concat_ast,
    extend_schema,
)

from policies.kinds import remote_kind
from providers.errors import BackendBadData, ConfigError
from resolvers.forwarding import forwarded
from resolvers.nodes import global_id
from resolvers.reach import then
from resolvers.remote_sdl import Entity, Extension

# casegraph's side of each entity: the record behind a built object, and its key.
RECORDS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], str]]] = {
    "Offender": (lambda built: built.person, lambda person: person.crn),
    "Case": (lambda built: built.record, lambda case: global_id("Case", case.crn, case.id)),
    "Custody": (lambda built: built.record, lambda custody: custody.noms_number),
}


def merge(schema: GraphQLSchema, extensions: Sequence[Extension]) -> GraphQLSchema:
    """`schema` with every subgraph's fields and types, each resolved from its subgraph."""
    if not extensions:
        return schema
    try:
        merged = extended(schema, concat_ast([e.document for e in extensions]))
    except (GraphQLError, TypeError) as exc:
        raise ConfigError(f"federation.subgraphs: cannot merge ({exc})") from exc
    for extension in extensions:
        for local, (entity, names) in extension.fields.items():
            owner = merged.type_map[local]
            assert isinstance(owner, GraphQLObjectType)
            for name in names:
                owner.fields[name].resolve = _entity_field(extension.subgraph, entity,
                                                           owner.fields[name].type)
        for name in extension.types:
            found = merged.type_map[name]
            if isinstance(found, GraphQLObjectType):
                for definition in found.fields.values():
                    definition.resolve = _reader(extension.subgraph, definition.type)
    return merged


def extended(schema: GraphQLSchema, document: DocumentNode) -> GraphQLSchema:
    """graphql-core's `extend_schema`, keeping strawberry's own type classes: it rebuilds
    every type as its base class, and strawberry's enums serialize Python enum members
    through their subclass (`CustomGraphQLEnumType`)."""
    merged = extend_schema(schema, document)
    for name, before in schema.type_map.items():
        after = merged.type_map[name]
        if type(after) is not type(before) and isinstance(before, type(after)):
            extra = {k: v for k, v in vars(before).items() if k not in vars(after)}
            after.__class__ = type(before)
            vars(after).update(extra)
    return merged


def _entity_field(subgraph: str, entity: Entity, field_type: GraphQLOutputType
                  ) -> Callable[..., Any]:
    record_of, key_of = RECORDS[entity.local]
    kind = remote_kind(subgraph, entity.local)

    def resolve(source: Any, info: GraphQLResolveInfo, **_arguments: Any) -> Any:
        ctx = info.context
        record = record_of(source)
        if record is None:  # a Limited Access stub: nothing of theirs is handed out
            return None
        selection = forwarded(info, ctx.may, ctx.forwarded)
        key = orjson.dumps([entity.remote, entity.key, key_of(record), selection]).decode()
        return then(ctx.reach.remote_of(kind, record, key),
                    lambda value: shaped(subgraph, field_type, value))
    return resolve


def _reader(subgraph: str, field_type: GraphQLOutputType) -> Callable[..., Any]:
    def read(source: Any, info: GraphQLResolveInfo, **_arguments: Any) -> Any:
        if not isinstance(source, dict):
            raise BackendBadData(subgraph, "answered an object of the wrong shape")
        return shaped(subgraph, field_type, source.get(info.path.key))
    return read


def shaped(subgraph: str, field_type: Any, value: Any) -> Any:
    """The subgraph's JSON value as the executor completes it: lists as lists, objects as
    dicts (read field by field), leaves parsed by their type; else BACKEND_BAD_DATA."""
    if value is None:
        return None
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    if isinstance(field_type, GraphQLList):
        if not isinstance(value, list):
            raise BackendBadData(subgraph, "answered a value where a list belongs")
        return [shaped(subgraph, field_type.of_type, item) for item in value]
    if isinstance(field_type, GraphQLScalarType | GraphQLEnumType):
        try:
            return field_type.parse_value(value)
        except (GraphQLError, TypeError, ValueError) as exc:
            raise BackendBadData(subgraph, f"answered a value that is not a "
                                           f"{field_type.name}") from exc
    if not isinstance(value, dict):
        raise BackendBadData(subgraph, "answered a value where an object belongs")
    return value
