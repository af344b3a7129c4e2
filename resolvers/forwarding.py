"""What a federated field asks its subgraph for: the client's own selection, made standalone.

A field a subgraph adds (`Offender.caseNotes`) is answered by sending the subgraph the part of
the client's document under it, so the subgraph does the work its own schema describes. The
part is made to stand alone: named fragments are inlined, variables replaced by their values
as literals, and fields the principal may not read are left out (the executor nulls them
anyway; the subgraph is not asked for data nobody will see). The client's aliases stay, so
the answer's keys are the response keys the executor reads (`resolvers.remote`).

The result is memoised per operation (a 100-row list forwards one text, worked out once), and
its size is bounded by the document's cost, which validation has already limited.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DirectiveNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    SelectionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    ast_from_value,
    get_named_type,
    is_input_type,
    print_ast,
    type_from_ast,
)

May = Callable[[str, str], bool]  # Context.may: to leave out what will be nulled
_TYPENAME = FieldNode(name=NameNode(value="__typename"))


def forwarded(info: GraphQLResolveInfo, may: May, memo: dict[object, str]) -> str:
    """The field at `info` as a standalone selection (`name(args) { ... }`, no alias)."""
    key = (id(info.field_nodes[0]), info.parent_type.name)
    found = memo.get(key)
    if found is None:
        found = memo[key] = print_ast(_Forwarder(info, may).field())
    return found


class _Forwarder:
    def __init__(self, info: GraphQLResolveInfo, may: May) -> None:
        self.info = info
        self.may = may
        self.literals = _variable_literals(info)

    def field(self) -> FieldNode:
        info = self.info
        node = info.field_nodes[0]
        definition = info.parent_type.fields[info.field_name]
        inner = get_named_type(definition.type)
        selections = [s for n in info.field_nodes if n.selection_set
                      for s in n.selection_set.selections]
        return FieldNode(name=node.name, arguments=self.arguments(node.arguments),
                         directives=(),
                         selection_set=self.selection_set(selections, inner)
                         if node.selection_set else None)

    def selection_set(self, selections: Any, parent: GraphQLNamedType) -> SelectionSetNode:
        kept = [s for node in selections if (s := self.selection(node, parent)) is not None]
        return SelectionSetNode(selections=tuple(kept or [_TYPENAME]))

    def selection(self, node: SelectionNode, parent: GraphQLNamedType) -> SelectionNode | None:
        if isinstance(node, FieldNode):
            return self.subfield(node, parent)
        if isinstance(node, InlineFragmentNode):
            inner = self.info.schema.get_type(node.type_condition.name.value) \
                if node.type_condition else parent
            return InlineFragmentNode(
                type_condition=node.type_condition, directives=self.directives(node.directives),
                selection_set=self.selection_set(node.selection_set.selections, inner or parent))
        if isinstance(node, FragmentSpreadNode):
            fragment = self.info.fragments[node.name.value]
            inner = self.info.schema.get_type(fragment.type_condition.name.value)
            return InlineFragmentNode(
                type_condition=fragment.type_condition,
                directives=self.directives(node.directives),
                selection_set=self.selection_set(fragment.selection_set.selections,
                                                 inner or parent))
        return None

    def subfield(self, node: FieldNode, parent: GraphQLNamedType) -> FieldNode | None:
        name = node.name.value
        if name.startswith("__"):
            return FieldNode(alias=node.alias, name=node.name,
                             directives=self.directives(node.directives))
        if not isinstance(parent, GraphQLObjectType) or not self.may(parent.name, name):
            return None
        definition = parent.fields.get(name)
        if definition is None:
            return None
        inner = get_named_type(definition.type)
        return FieldNode(alias=node.alias, name=node.name,
                         arguments=self.arguments(node.arguments),
                         directives=self.directives(node.directives),
                         selection_set=self.selection_set(node.selection_set.selections, inner)
                         if node.selection_set else None)

    def arguments(self, arguments: Any) -> tuple[ArgumentNode, ...]:
        """Arguments with their variables' values; one whose variable was not given is left
        out, as graphql-core treats it as not given."""
        kept = []
        for argument in arguments or ():
            value = self.value(argument.value)
            if value is not None:
                kept.append(ArgumentNode(name=argument.name, value=value))
        return tuple(kept)

    def directives(self, directives: Any) -> tuple[DirectiveNode, ...]:
        return tuple(DirectiveNode(name=d.name, arguments=self.arguments(d.arguments))
                     for d in directives or ())

    def value(self, node: ValueNode) -> ValueNode | None:
        if isinstance(node, VariableNode):
            return self.literals.get(node.name.value)
        if isinstance(node, ListValueNode):
            return ListValueNode(values=tuple(self.value(v) or NullValueNode()
                                              for v in node.values))
        if isinstance(node, ObjectValueNode):
            return ObjectValueNode(fields=tuple(
                ObjectFieldNode(name=f.name, value=self.value(f.value) or NullValueNode())
                for f in node.fields))
        return node


def _variable_literals(info: GraphQLResolveInfo) -> Mapping[str, ValueNode]:
    """Each variable's coerced value as a literal of its declared type."""
    found: dict[str, ValueNode] = {}
    # graphql-core 3.3 hands resolvers the coerced values (typed as VariableValues).
    given: Any = info.variable_values
    values: Mapping[str, Any] = getattr(given, "coerced", given)
    for definition in info.operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values:
            continue
        kind = type_from_ast(info.schema, definition.type)
        literal = ast_from_value(values[name], kind) if is_input_type(kind) else None
        if literal is not None:
            found[name] = literal
    return found
