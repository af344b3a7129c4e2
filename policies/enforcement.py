"""The one enforcement hook: before execution, find every selected field the principal may
not read, so each gets one FORBIDDEN error at its path (lists as "@", like Apollo Router).

Resolvers then null those fields without raising: a denial costs a set lookup, not an
exception per cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

from policies.evaluator import Decisions

MAX_VISITS = 20_000  # a pathological document stops being walked; limits reject it elsewhere


@dataclass(frozen=True, slots=True)
class Denial:
    path: tuple[str, ...]
    type_name: str
    field: str


def denied_selections(schema: GraphQLSchema, document: DocumentNode,
                      operation_name: str | None, decisions: Decisions) -> list[Denial]:
    """Denied fields in the operation's selections, in document order, one per path."""
    operation = _operation(document, operation_name)
    if operation is None or schema.query_type is None:
        return []
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    found: dict[tuple[str, ...], Denial] = {}
    budget = [MAX_VISITS]

    def walk(selections: SelectionSetNode, parent: object, path: tuple[str, ...]) -> None:
        for node in selections.selections:
            budget[0] -= 1
            if budget[0] < 0:
                return
            if isinstance(node, FieldNode):
                visit_field(node, parent, path)
            elif isinstance(node, InlineFragmentNode):
                cond = node.type_condition
                walk(node.selection_set, schema.get_type(cond.name.value) if cond else parent,
                     path)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments:
                fragment = fragments[node.name.value]
                walk(fragment.selection_set,
                     schema.get_type(fragment.type_condition.name.value), path)

    def visit_field(node: FieldNode, parent: object, path: tuple[str, ...]) -> None:
        name = node.name.value
        definition = getattr(parent, "fields", {}).get(name)
        if definition is None or name.startswith("__"):
            return
        here = (*path, node.alias.value if node.alias else name)
        type_name = parent.name  # type: ignore[attr-defined]
        if not decisions.allows(type_name, name):
            found.setdefault(here, Denial(here, type_name, name))
        elif node.selection_set:
            inner = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) \
                else definition.type
            walk(node.selection_set, get_named_type(definition.type),
                 (*here, "@") if isinstance(inner, GraphQLList) else here)

    walk(operation.selection_set, schema.query_type, ())
    return list(found.values())


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)
