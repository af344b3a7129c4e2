"""casegraph as an Apollo Federation v2 subgraph: `_service`, `_entities`, and its keys.

The subgraph schema is the client schema plus `Query._entities` and `Query._service`.
Entities and their keys: `Offender @key(fields: "crn")`, `Custody @key(fields:
"prisonNumber")` (the latest booking of that prisoner) and `Case @key(fields: "id")` (its
Relay global id, which names its person: nDelius reads a case only through its person).

`_entities` is one more entry point, so it goes where every other goes: each reference is
looked up through the row judge (`Reach`), as the caller's own token (forwarded by the
router) allows, and one outside their reach is `null`, exactly like one that does not exist.
The fields selected under it are judged by the executor's walk like any other (it expands
`_Entity` to its possible types). References are looked up in batches (one backend call per
kind per tick), and at most `MAX_REPRESENTATIONS` are taken in one field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    ConstDirectiveNode,
    ConstListValueNode,
    DocumentNode,
    GraphQLSchema,
    GraphQLUnionType,
    NameNode,
    ObjectTypeDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    parse,
    print_ast,
    print_schema,
)
from graphql.language import ConstArgumentNode

from providers.identifiers import is_crn, is_noms_number
from resolvers import remote
from resolvers.cases import Case
from resolvers.context import Context
from resolvers.custody import Custody
from resolvers.errors import BadUserInput
from resolvers.nodes import LOOKUPS, parse_global_id
from resolvers.offenders import Offender, offender_by_crn
from resolvers.reach import then

MAX_REPRESENTATIONS = 100
FEDERATION_VERSION = "v2.3"
KEYS = {"Offender": "crn", "Case": "id", "Custody": "prisonNumber"}
EXTENSION = parse('''
scalar _Any

"casegraph's entities, as `_entities` answers them."
union _Entity = Offender | Case | Custody

type _Service { sdl: String }

extend type Query {
  "Federation: the entities these references name, each null when unknown or outside your reach."
  _entities(representations: [_Any!]!): [_Entity]!
  "Federation: this subgraph's SDL."
  _service: _Service!
}
''')
FIELDS: dict[str, list[str]] = {"Query": ["_entities", "_service"], "_Service": ["sdl"]}
NON_NULL: dict[str, set[str]] = {"Query": {"_entities", "_service"}}


def with_federation(fields: dict[str, list[str]], non_null: dict[str, set[str]]
                    ) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """The client schema's fields and non-null fields plus the subgraph schema's own: what
    policies decide, whether or not `/subgraph` is served."""
    return ({**fields, **{t: [*fields.get(t, []), *f] for t, f in FIELDS.items()}},
            {**non_null, **{t: non_null.get(t, set()) | f for t, f in NON_NULL.items()}})
_TYPES = {Offender: "Offender", Case: "Case", Custody: "Custody"}


def federated(schema: GraphQLSchema) -> GraphQLSchema:
    """The subgraph schema: `schema` (the client schema) with `_entities` and `_service`."""
    sdl = subgraph_sdl(schema)
    extended = remote.extended(schema, EXTENSION)
    query = extended.query_type
    assert query is not None
    query.fields["_entities"].resolve = entities
    query.fields["_service"].resolve = lambda _root, _info: {"sdl": sdl}
    union = extended.type_map["_Entity"]
    assert isinstance(union, GraphQLUnionType)
    union.resolve_type = lambda value, _info, _type: _TYPES.get(type(value))
    return extended


def subgraph_sdl(schema: GraphQLSchema) -> str:
    """The client schema's SDL with the federation `@link` and each entity's `@key`."""
    document = parse(print_schema(schema))
    definitions: list[Any] = [_link()]
    for definition in document.definitions:
        if isinstance(definition, ObjectTypeDefinitionNode) and definition.name.value in KEYS:
            definition = ObjectTypeDefinitionNode(
                name=definition.name, description=definition.description,
                interfaces=definition.interfaces, fields=definition.fields,
                directives=(*(definition.directives or ()), _key(KEYS[definition.name.value])))
        definitions.append(definition)
    return print_ast(DocumentNode(definitions=tuple(definitions)))


def _key(fields: str) -> ConstDirectiveNode:
    return ConstDirectiveNode(name=NameNode(value="key"), arguments=(
        ConstArgumentNode(name=NameNode(value="fields"), value=StringValueNode(value=fields)),))


def _link() -> SchemaExtensionNode:
    url = f"https://specs.apollo.dev/federation/{FEDERATION_VERSION}"
    return SchemaExtensionNode(directives=(ConstDirectiveNode(
        name=NameNode(value="link"), arguments=(
            ConstArgumentNode(name=NameNode(value="url"), value=StringValueNode(value=url)),
            ConstArgumentNode(name=NameNode(value="import"), value=ConstListValueNode(
                values=(StringValueNode(value="@key"),))))),), operation_types=())


def entities(_root: Any, info: Any, representations: list[Any]) -> list[Any]:
    """Each reference through the row judge; a malformed one is an error at its index."""
    if len(representations) > MAX_REPRESENTATIONS:
        raise BadUserInput(f"at most {MAX_REPRESENTATIONS} representations in one _entities")
    return [_entity(info.context, r) for r in representations]


def _entity(ctx: Context, representation: Any) -> Any:
    if not isinstance(representation, dict):
        return BadUserInput("a representation must be an object")
    typename = representation.get("__typename")
    if typename == "Offender":
        crn = _valid(representation.get("crn"), is_crn)
        return BadUserInput("Offender.crn must look like X123456") if crn is None else \
            offender_by_crn(ctx, crn)
    if typename == "Custody":
        noms = _valid(representation.get("prisonNumber"), is_noms_number)
        if noms is None:
            return BadUserInput("Custody.prisonNumber must look like A1234BC")
        return then(ctx.reach.custody(noms, lookup=True), lambda c: None if c is None
                    else Custody.build(c))
    if typename == "Case":  # by its global id, which names its person: as node(id:) finds it
        case_id = representation.get("id")
        try:
            kind, key = parse_global_id(case_id) if isinstance(case_id, str) else ("", [])
        except BadUserInput as exc:
            return exc
        return LOOKUPS["Case"](ctx, *key) if kind == "Case" else \
            BadUserInput("Case.id must be a Case's id")
    return BadUserInput("__typename must be Offender, Case or Custody")


def _valid(value: Any, check: Callable[[str], bool]) -> str | None:
    return value if isinstance(value, str) and check(value) else None
