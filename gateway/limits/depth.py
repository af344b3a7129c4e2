"""Refuses operations nested deeper than the limit (fragments followed, cycles cut).

Each fragment's depth is worked out once per document and reused at every spread, so the
work is linear in the document: `fragment F3 on X { ...F2 ...F2 }` no longer doubles it per
level. Depths are capped just past the largest limit, as anything deeper is refused anyway.
An introspection-only operation (where introspection is allowed) has its own bound, since the
standard introspection queries of graphql-js, graphql-core and gql nest 13 to 15 levels.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

from gateway.limits.base import too_complex
from gateway.limits.introspection import introspection_only


class MaxDepth(ValidationRule):
    def __init__(self, context: ValidationContext, limit: int,
                 introspection_limit: int | None = None) -> None:
        super().__init__(context)
        self.limit = limit
        self.introspection_limit = introspection_limit
        self.cap = max(limit, introspection_limit or 0) + 1
        self._fragments: dict[str, int] = {}
        self.visits = 0  # selections walked: the work done, which tests bound

    def enter_document(self, node: DocumentNode, *_: Any) -> None:
        for definition in node.definitions:
            if isinstance(definition, OperationDefinitionNode):
                self.check(definition)

    def check(self, node: OperationDefinitionNode) -> None:
        limit, name = self.limit, "max_depth"
        if self.introspection_limit is not None and introspection_only(node, self.context):
            limit, name = self.introspection_limit, "max_introspection_depth"
        depth = self._depth(node.selection_set)
        if depth > limit:
            self.report_error(too_complex(
                f"the query is nested {depth} levels deep; the limit is {limit}",
                node, name, depth, limit))

    def _depth(self, selection_set: SelectionSetNode | None) -> int:
        """How many field levels lie under `selection_set` (0 for none), at most `cap`."""
        deepest = 0
        for node in selection_set.selections if selection_set else ():
            self.visits += 1
            if isinstance(node, FieldNode):
                inner = 1 + self._depth(node.selection_set) if node.selection_set else 1
            elif isinstance(node, InlineFragmentNode):
                inner = self._depth(node.selection_set)
            elif isinstance(node, FragmentSpreadNode):
                inner = self._fragment(node.name.value)
            else:  # pragma: no cover - the three kinds of selection
                continue
            deepest = max(deepest, inner)
            if deepest >= self.cap:
                return self.cap
        return deepest

    def _fragment(self, name: str) -> int:
        if name in self._fragments:
            return self._fragments[name]
        self._fragments[name] = 0  # a cycle reads as flat here; NoFragmentCycles refuses it
        fragment = self.context.get_fragment(name)
        depth = self._depth(fragment.selection_set) if fragment else 0
        self._fragments[name] = depth
        return depth
