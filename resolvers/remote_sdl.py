"""Reads a federated subgraph's SDL: which of casegraph's entities it extends, with what.

A subgraph extends an entity by declaring it with casegraph's key: `Offender @key(fields:
"crn")`, `Case @key(fields: "id")`, and `Prisoner @key(fields: "nomsNumber")` (or `Custody
@key(fields: "prisonNumber")`), which is casegraph's `Custody`: the latest booking of the
person with that NOMS number. Its other fields become fields of casegraph's type, and the
types they return (objects, enums, scalars, inputs) are copied in. Everything else is left
out: the subgraph's own root fields (entry points to records the row judge never saw), and
its federation machinery. What casegraph cannot enforce or serve is refused at start, named:
a field returning one of casegraph's entities, interfaces and unions, `@requires`, a field or
type casegraph already has.

Every copied field is nullable (a subgraph that fails, or a field a policy denies, is null),
and every type and field needs a policy decision like any other (deny by default).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    ListTypeNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    StringValueNode,
    TypeNode,
    parse,
)
from graphql.error import GraphQLSyntaxError

from providers.errors import ConfigError

BUILT_IN = frozenset({"String", "Int", "Float", "Boolean", "ID"})
FEDERATION_TYPES = frozenset({"_Service", "_Any", "_Entity", "_FieldSet", "FieldSet",
                              "link__Import", "link__Purpose", "federation__FieldSet",
                              "federation__Scope", "federation__Policy", "Query", "Mutation",
                              "Subscription"})
KEPT_DIRECTIVES = frozenset({"deprecated"})


@dataclass(frozen=True, slots=True)
class Entity:
    """One of casegraph's entities as a subgraph names it."""

    remote: str  # the subgraph's type name
    key: str  # the subgraph's key field
    local: str  # casegraph's type


ENTITIES: Mapping[str, Entity] = {e.remote: e for e in (
    Entity("Offender", "crn", "Offender"), Entity("Case", "id", "Case"),
    Entity("Prisoner", "nomsNumber", "Custody"), Entity("Custody", "prisonNumber", "Custody"))}


@dataclass(frozen=True)
class Extension:
    """What one subgraph adds: fields per entity, and the definitions to merge."""

    subgraph: str
    fields: dict[str, tuple[Entity, list[str]]]  # casegraph type -> (entity, field names)
    document: DocumentNode
    types: frozenset[str] = field(default_factory=frozenset)
    ignored: tuple[str, ...] = ()  # root fields left out


def extension_of(subgraph: str, sdl: str, schema: GraphQLSchema) -> Extension:
    """Read `sdl` against casegraph's `schema`; ConfigError names anything refused."""
    where = f"federation.subgraphs.{subgraph}"
    try:
        document = parse(sdl)
    except GraphQLSyntaxError as exc:
        raise ConfigError(f"{where}: its SDL does not parse ({exc.message})") from exc
    objects = _objects(document)
    named = {d.name.value: d for d in document.definitions if hasattr(d, "name")}
    problems: list[str] = []
    extended: dict[str, tuple[Entity, list[FieldDefinitionNode]]] = {}
    for name, (keys, fields) in objects.items():
        entity = ENTITIES.get(name)
        if entity is None or not keys:
            continue
        if entity.key not in keys:
            problems.append(f"{name} must be keyed by {entity.key!r} (has {sorted(keys)})")
            continue
        added = [f for f in fields if f.name.value != entity.key and not _has(f, "external")
                 and not _has(f, "inaccessible")]
        existing = getattr(schema.type_map[entity.local], "fields", {})
        problems.extend(f"{name}.{f.name.value}: casegraph's {entity.local} already has it"
                        for f in added if f.name.value in existing)
        problems.extend(f"{name}.{f.name.value}: @requires is not supported" for f in added
                        if _has(f, "requires"))
        extended.setdefault(entity.local, (entity, []))[1].extend(added)
    copied = _reachable([f for _, fs in extended.values() for f in fs], named, schema, problems)
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(sorted(set(problems))))
    definitions: list[Any] = [
        ObjectTypeExtensionNode(name=NameNode(value=local),
                                fields=tuple(_nullable_field(f) for f in fs))
        for local, (_, fs) in extended.items() if fs]
    definitions.extend(_copied(named[n]) for n in sorted(copied))
    root = objects.get("Query", (set(), []))[1]
    return Extension(subgraph, {local: (e, [f.name.value for f in fs])
                                for local, (e, fs) in extended.items() if fs},
                     DocumentNode(definitions=tuple(definitions)), frozenset(copied),
                     tuple(f.name.value for f in root if not f.name.value.startswith("_")))


def _objects(document: DocumentNode) -> dict[str, tuple[set[str], list[FieldDefinitionNode]]]:
    """Object types (definitions and extensions merged): their keys and fields."""
    found: dict[str, tuple[set[str], list[FieldDefinitionNode]]] = {}
    for d in document.definitions:
        if isinstance(d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            keys, fields = found.setdefault(d.name.value, (set(), []))
            keys.update(_keys(d.directives))
            fields.extend(d.fields or ())
    return found


def _keys(directives: Any) -> Iterator[str]:
    for d in directives or ():
        if d.name.value in ("key", "federation__key"):
            for argument in d.arguments:
                if argument.name.value == "fields" and isinstance(argument.value,
                                                                  StringValueNode):
                    yield " ".join(argument.value.value.split())


def _has(node: Any, directive: str) -> bool:
    return any(d.name.value in (directive, f"federation__{directive}")
               for d in node.directives or ())


def _reachable(fields: list[FieldDefinitionNode], named: Mapping[str, Any],
               schema: GraphQLSchema, problems: list[str]) -> set[str]:
    """The subgraph's own types these fields reach (through results and arguments)."""
    copied: set[str] = set()
    todo = [t for f in fields for t in _field_types(f)]
    while todo:
        name = todo.pop()
        if name in copied or name in BUILT_IN:
            continue
        definition = named.get(name)
        if name in ENTITIES:
            problems.append(f"a field returns {name}: a subgraph may not return casegraph's "
                            "entities (they would bypass the row judge)")
        elif isinstance(definition, ScalarTypeDefinitionNode) and name in schema.type_map:
            continue  # casegraph's own scalar of that name (Date, DateTime) reads its values
        elif name in schema.type_map:
            problems.append(f"type {name} exists in casegraph; rename it in the subgraph")
        elif isinstance(definition, ObjectTypeDefinitionNode | InputObjectTypeDefinitionNode):
            copied.add(name)
            todo.extend(t for f in definition.fields or () for t in _field_types(f))
        elif isinstance(definition, EnumTypeDefinitionNode | ScalarTypeDefinitionNode):
            copied.add(name)
        else:
            problems.append(f"type {name}: only object, enum, scalar and input types are "
                            "supported")
    return copied


def _field_types(node: FieldDefinitionNode | InputValueDefinitionNode) -> Iterator[str]:
    yield _named(node.type)
    for argument in getattr(node, "arguments", None) or ():
        yield _named(argument.type)


def _named(node: TypeNode) -> str:
    while not isinstance(node, NamedTypeNode):
        node = node.type  # type: ignore[attr-defined]
    return node.name.value


def _nullable(node: TypeNode) -> TypeNode:
    if isinstance(node, NonNullTypeNode):
        return _nullable(node.type)
    if isinstance(node, ListTypeNode):
        return ListTypeNode(type=_nullable(node.type))
    return node


def _directives(node: Any) -> tuple[Any, ...]:
    return tuple(d for d in node.directives or () if d.name.value in KEPT_DIRECTIVES)


def _nullable_field(node: FieldDefinitionNode) -> FieldDefinitionNode:
    return FieldDefinitionNode(
        name=node.name, description=node.description, type=_nullable(node.type),
        arguments=tuple(InputValueDefinitionNode(
            name=a.name, description=a.description, type=a.type, default_value=a.default_value)
            for a in node.arguments or ()), directives=_directives(node))


def _bare(node: Any) -> Any:
    """An input field or enum value without the subgraph's directives."""
    return type(node)(**{k: getattr(node, k) for k in node.keys if k not in ("loc", "directives")},
                      directives=_directives(node))


def _copied(node: Any) -> Any:
    """The definition without federation directives; an object's fields nullable."""
    if isinstance(node, ObjectTypeDefinitionNode):
        return ObjectTypeDefinitionNode(name=node.name, description=node.description,
                                        fields=tuple(_nullable_field(f)
                                                     for f in node.fields or ()
                                                     if not _has(f, "inaccessible")))
    if isinstance(node, InputObjectTypeDefinitionNode):
        return InputObjectTypeDefinitionNode(name=node.name, description=node.description,
                                             fields=tuple(_bare(f) for f in node.fields or ()))
    if isinstance(node, EnumTypeDefinitionNode):
        return EnumTypeDefinitionNode(name=node.name, description=node.description,
                                      values=tuple(_bare(v) for v in node.values or ()))
    return ScalarTypeDefinitionNode(name=node.name, description=node.description)
