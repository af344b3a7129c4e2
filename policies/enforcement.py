"""The field walk: every field an operation selects, with its response path, judged once per
operation and principal before anything runs.

The executor (`resolvers.execution`) is the one enforcement point: it calls `judge` when the
operation starts, reports one FORBIDDEN error per denied path (lists as "@", like Apollo
Router), and nulls every denied field in its plan, so no resolver of a denied field runs.
The walk is linear in the document: a selection set is walked once per response path
(spreading a fragment twice at one place walks it once), and it has a budget. A query too
large to judge is refused with QUERY_TOO_COMPLEX; it is never answered with its denials
dropped. The same walk is what `casegraph policy explain` shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_abstract_type,
)

from policies.evaluator import Decisions

MAX_VISITS = 50_000  # above the largest query the cost limit admits; beyond it, refuse


class TooLargeToJudge(Exception):
    """The walk ran out of budget: the operation is refused, not half judged."""

    def __init__(self, visits: int) -> None:
        super().__init__(f"the query selects more than {visits} fields to authorise")
        self.visits = visits


@dataclass(frozen=True, slots=True)
class Selected:
    path: tuple[str, ...]
    type_name: str
    field: str


def selected_fields(schema: GraphQLSchema, operation: OperationDefinitionNode,
                    fragments: Mapping[str, FragmentDefinitionNode],
                    variables: Mapping[str, Any] | None = None,
                    descend: Callable[[str, str], bool] = lambda _t, _f: True,
                    budget: int = MAX_VISITS,
                    possible: Callable[[str], bool] = lambda _t: True) -> Iterator[Selected]:
    """Every field the operation selects (on each possible type of an abstract parent that
    `possible` admits), with its response path; `descend` prunes subtrees. Raises
    `TooLargeToJudge` past `budget`."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return
    seen: set[tuple[int, str, tuple[str, ...]]] = set()
    left = [budget]
    values = variables or {}

    def walk(selections: SelectionSetNode, parent: GraphQLNamedType, path: tuple[str, ...]
             ) -> Iterator[Selected]:
        mark = (id(selections), parent.name, path)
        if mark in seen:
            return
        seen.add(mark)
        for node in selections.selections:
            left[0] -= 1
            if left[0] < 0:
                raise TooLargeToJudge(budget)
            if not _included(node, values):
                continue
            if isinstance(node, FieldNode):
                yield from visit(node, parent, path)
            elif isinstance(node, InlineFragmentNode):
                cond = node.type_condition
                inner = schema.get_type(cond.name.value) if cond else parent
                if inner is not None:
                    yield from walk(node.selection_set, inner, path)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments:
                fragment = fragments[node.name.value]
                inner = schema.get_type(fragment.type_condition.name.value)
                if inner is not None:
                    yield from walk(fragment.selection_set, inner, path)

    def visit(node: FieldNode, parent: GraphQLNamedType, path: tuple[str, ...]
              ) -> Iterator[Selected]:
        name = node.name.value
        if name.startswith("__"):
            return
        here = (*path, node.alias.value if node.alias else name)
        for owner in _object_types(schema, parent, possible):
            definition = owner.fields.get(name)
            if definition is None:
                continue
            yield Selected(here, owner.name, name)
            if node.selection_set and descend(owner.name, name):
                inner = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) \
                    else definition.type
                yield from walk(node.selection_set, get_named_type(definition.type),
                                (*here, "@") if isinstance(inner, GraphQLList) else here)

    yield from walk(operation.selection_set, root, ())


def _object_types(schema: GraphQLSchema, parent: GraphQLNamedType,
                  possible: Callable[[str], bool]) -> list[GraphQLObjectType]:
    """The parent, or the types an abstract parent may be at run time for this principal:
    a type whose row rule admits no row at all never reaches them, so is not judged."""
    if isinstance(parent, GraphQLObjectType):
        return [parent]
    if is_abstract_type(parent):
        return [t for t in schema.get_possible_types(parent) if possible(t.name)]
    return []


def _included(node: Any, variables: Mapping[str, Any]) -> bool:
    """@skip / @include, as execution will read them (unknown values count as included)."""
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        value: Any = None
        for argument in directive.arguments:
            if argument.name.value == "if":
                literal = argument.value
                value = literal.value if isinstance(literal, BooleanValueNode) else \
                    variables.get(literal.name.value) if isinstance(literal, VariableNode) \
                    else None
        if value is (name == "skip"):
            return False
    return True


@dataclass(frozen=True, slots=True)
class Judgement:
    """Denied fields in document order, one per path; and the types whose fields are read
    (the audit trail's field groups)."""

    denied: list[Selected]
    groups: set[str]


def judge(schema: GraphQLSchema, operation: OperationDefinitionNode,
          fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any],
          decisions: Decisions, budget: int = MAX_VISITS) -> Judgement:
    found: dict[tuple[str, ...], Selected] = {}
    groups: set[str] = set()
    for s in selected_fields(schema, operation, fragments, variables, decisions.allows, budget,
                             decisions.may_see_some):
        if decisions.allows(s.type_name, s.field):
            groups.add(s.type_name)
        else:
            found.setdefault(s.path, s)
    return Judgement(list(found.values()), groups)


def operation_of(definitions: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def fragments_of(definitions: Any) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
