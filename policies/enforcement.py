"""The one enforcement hook: before execution, find every selected field the principal may
not read, so each gets one FORBIDDEN error at its path (lists as "@", like Apollo Router).

Resolvers then null those fields without raising: a denial costs a set lookup, not an
exception per cell. `selected_fields` is also what `casegraph policy explain` walks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
class Selected:
    path: tuple[str, ...]
    type_name: str
    field: str


def selected_fields(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
                    descend: Callable[[str, str], bool] = lambda _t, _f: True
                    ) -> Iterator[Selected]:
    """Every field the operation selects, with its response path; `descend` prunes subtrees."""
    operation = _operation(document, operation_name)
    if operation is None or schema.query_type is None:
        return
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    budget = [MAX_VISITS]

    def walk(selections: SelectionSetNode, parent: object, path: tuple[str, ...]
             ) -> Iterator[Selected]:
        for node in selections.selections:
            budget[0] -= 1
            if budget[0] < 0:
                return
            if isinstance(node, FieldNode):
                yield from visit(node, parent, path)
            elif isinstance(node, InlineFragmentNode):
                cond = node.type_condition
                yield from walk(node.selection_set,
                                schema.get_type(cond.name.value) if cond else parent, path)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments:
                fragment = fragments[node.name.value]
                yield from walk(fragment.selection_set,
                                schema.get_type(fragment.type_condition.name.value), path)

    def visit(node: FieldNode, parent: object, path: tuple[str, ...]) -> Iterator[Selected]:
        name = node.name.value
        definition = getattr(parent, "fields", {}).get(name)
        if definition is None or name.startswith("__"):
            return
        here = (*path, node.alias.value if node.alias else name)
        type_name = parent.name  # type: ignore[attr-defined]
        yield Selected(here, type_name, name)
        if node.selection_set and descend(type_name, name):
            inner = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) \
                else definition.type
            yield from walk(node.selection_set, get_named_type(definition.type),
                            (*here, "@") if isinstance(inner, GraphQLList) else here)

    yield from walk(operation.selection_set, schema.query_type, ())


def judge_selections(schema: GraphQLSchema, document: DocumentNode,
                     operation_name: str | None, decisions: Decisions
                     ) -> tuple[list[Selected], set[str]]:
    """Denied fields in document order, one per path; and the types whose fields are read
    (the audit trail's field groups)."""
    found: dict[tuple[str, ...], Selected] = {}
    groups: set[str] = set()
    for s in selected_fields(schema, document, operation_name, decisions.allows):
        if decisions.allows(s.type_name, s.field):
            groups.add(s.type_name)
        else:
            found.setdefault(s.path, s)
    return list(found.values()), groups


def denied_selections(schema: GraphQLSchema, document: DocumentNode,
                      operation_name: str | None, decisions: Decisions) -> list[Selected]:
    return judge_selections(schema, document, operation_name, decisions)[0]


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)
