"""Refuses operations whose estimated cost is over the limit.

Each field costs 1; a list multiplies what is under it by its `first` argument (a literal; a
variable counts as the largest page, as validation runs before variables are known; 20 when
absent, the default page), and a list without one by 10. A connection's `edges` are already
counted by its `first`.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
)

from gateway.limits.base import too_complex

DEFAULT_PAGE = 20
LARGEST_PAGE = 100
UNPAGED_LIST = 10


class MaxCost(ValidationRule):
    def __init__(self, context: ValidationContext, limit: int) -> None:
        super().__init__(context)
        self.limit = limit

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        root = self.context.schema.query_type
        cost = self._cost(node.selection_set, root, frozenset())
        if cost > self.limit:
            self.report_error(too_complex(
                f"the query's estimated cost is {cost}; the limit is {self.limit}",
                node, "max_cost", cost, self.limit))

    def _cost(self, selection_set: Any, parent: Any, seen: frozenset[str]) -> int:
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self._field(node, parent, seen)
            elif isinstance(node, InlineFragmentNode):
                kind = self.context.schema.get_type(node.type_condition.name.value) \
                    if node.type_condition else parent
                total += self._cost(node.selection_set, kind, seen)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                fragment = self.context.get_fragment(node.name.value)
                if fragment:
                    kind = self.context.schema.get_type(fragment.type_condition.name.value)
                    total += self._cost(fragment.selection_set, kind, seen | {node.name.value})
            if total > self.limit:
                return total
        return total

    def _field(self, node: FieldNode, parent: Any, seen: frozenset[str]) -> int:
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None or node.selection_set is None:
            return 1
        inner = self._cost(node.selection_set, get_named_type(definition.type), seen)
        if node.name.value == "edges" and parent.name.endswith("Connection"):
            return 1 + inner
        return 1 + inner * self._multiplier(node, definition)

    def _multiplier(self, node: FieldNode, definition: Any) -> int:
        first = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
        if isinstance(first, IntValueNode):
            return max(1, int(first.value))
        if isinstance(first, VariableNode):
            return LARGEST_PAGE
        if "first" in definition.args:
            return DEFAULT_PAGE
        kind = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) \
            else definition.type
        return UNPAGED_LIST if isinstance(kind, GraphQLList) else 1
