"""Refuses operations whose estimated cost is over the limit.

Each field costs 1; a list multiplies what is under it by its page size, `first` or `last` (a
literal; a variable counts as the largest page, as validation runs before variables are known;
20 when absent, the default page), or by the number of `ids` it is asked for (`nodes`), and a
list without either by 10. A connection's `edges` are already counted by its page size.

Each fragment's cost is worked out once per document (from its own type condition) and reused
at every spread, so the work is linear in the document. A walk stops adding once it is past
the limit, which keeps the numbers small. Introspection-only operations, where introspection
is allowed, read no records and are judged by the depth rule's own bound instead.
`costs` keeps each operation's estimate, which the cost-weighted rate limit charges.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
)

from gateway.limits.base import too_complex
from gateway.limits.introspection import introspection_only

DEFAULT_PAGE = 20
LARGEST_PAGE = 100
UNPAGED_LIST = 10
_LARGEST_INT = 2**31  # a GraphQL Int; a longer literal is refused by validation anyway


class MaxCost(ValidationRule):
    def __init__(self, context: ValidationContext, limit: int,
                 introspection: bool = False) -> None:
        super().__init__(context)
        self.limit = limit
        self.introspection = introspection
        self.costs: dict[str | None, int] = {}
        self._fragments: dict[str, int] = {}
        self.visits = 0  # selections walked: the work done, which tests bound

    def enter_document(self, node: DocumentNode, *_: Any) -> None:
        for definition in node.definitions:
            if isinstance(definition, OperationDefinitionNode):
                self.check(definition)

    def check(self, node: OperationDefinitionNode) -> None:
        name = node.name.value if node.name else None
        if self.introspection and introspection_only(node, self.context):
            self.costs[name] = 0
            return
        cost = self.costs[name] = self._cost(node.selection_set, self.context.schema.query_type)
        if cost > self.limit:
            self.report_error(too_complex(
                f"the query's estimated cost is {cost}; the limit is {self.limit}",
                node, "max_cost", cost, self.limit))

    def _cost(self, selection_set: Any, parent: Any) -> int:
        total = 0
        for node in selection_set.selections:
            self.visits += 1
            if isinstance(node, FieldNode):
                total += self._field(node, parent)
            elif isinstance(node, InlineFragmentNode):
                kind = self.context.schema.get_type(node.type_condition.name.value) \
                    if node.type_condition else parent
                total += self._cost(node.selection_set, kind)
            elif isinstance(node, FragmentSpreadNode):
                total += self._fragment(node.name.value)
            if total > self.limit:
                return total
        return total

    def _fragment(self, name: str) -> int:
        if name in self._fragments:
            return self._fragments[name]
        self._fragments[name] = 0  # a cycle costs nothing more here; NoFragmentCycles refuses it
        fragment = self.context.get_fragment(name)
        cost = 0
        if fragment:
            kind = self.context.schema.get_type(fragment.type_condition.name.value)
            cost = self._cost(fragment.selection_set, kind)
        self._fragments[name] = cost
        return cost

    def _field(self, node: FieldNode, parent: Any) -> int:
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None or node.selection_set is None:
            return 1
        inner = self._cost(node.selection_set, get_named_type(definition.type))
        if node.name.value == "edges" and parent.name.endswith("Connection"):
            return 1 + inner
        return 1 + inner * self._multiplier(node, definition)

    def _multiplier(self, node: FieldNode, definition: Any) -> int:
        # federation's `_entities` answers one entity per representation, as `nodes` per id
        sizes = [self._size(a.value) for a in node.arguments or ()
                 if a.name.value in ("first", "last", "ids", "representations")]
        if sizes:
            return max(sizes)
        if "first" in definition.args:
            return DEFAULT_PAGE
        kind = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) \
            else definition.type
        return UNPAGED_LIST if isinstance(kind, GraphQLList) else 1

    @staticmethod
    def _size(value: Any) -> int:
        """A page size or a list of ids, as written (a variable: the largest allowed)."""
        if isinstance(value, IntValueNode):
            digits = value.value.lstrip("-")
            return _LARGEST_INT if len(digits) > 10 else max(1, min(int(value.value),
                                                                     _LARGEST_INT))
        if isinstance(value, ListValueNode):
            return max(1, len(value.values))
        return LARGEST_PAGE
