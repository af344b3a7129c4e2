"""Refuses operations nested deeper than the limit (fragments followed, cycles cut)."""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)

from gateway.limits.base import too_complex


class MaxDepth(ValidationRule):
    def __init__(self, context: ValidationContext, limit: int) -> None:
        super().__init__(context)
        self.limit = limit

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        depth = self._depth(node.selection_set, 0, frozenset())
        if depth > self.limit:
            self.report_error(too_complex(
                f"the query is nested {depth} levels deep; the limit is {self.limit}",
                node, "max_depth", depth, self.limit))

    def _depth(self, selection_set: Any, level: int, seen: frozenset[str]) -> int:
        if selection_set is None or level > self.limit:
            return level
        deepest = level
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                inner = self._depth(node.selection_set, level + 1, seen) \
                    if node.selection_set else level + 1
            elif isinstance(node, InlineFragmentNode):
                inner = self._depth(node.selection_set, level, seen)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                fragment = self.context.get_fragment(node.name.value)
                inner = self._depth(fragment.selection_set, level, seen | {node.name.value}) \
                    if fragment else level
            else:
                continue
            deepest = max(deepest, inner)
        return deepest
