"""Recognises an introspection-only operation, which the limits judge by their own bound.

Such an operation reads only the schema (`__schema`, `__type`, `__typename` at its root, through
fragments too): it calls no backend and pages nothing, so the data limits (depth for records,
cost by page sizes) do not describe it. Introspection tools' standard queries nest 13 to 15
levels, deeper than any data query needs.
"""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)

SCHEMA_FIELDS = frozenset({"__schema", "__type"})
META_FIELDS = SCHEMA_FIELDS | {"__typename"}


def introspection_only(operation: OperationDefinitionNode, context: ValidationContext) -> bool:
    """True when every root field is a meta field and at least one reads the schema."""
    names = _root_fields(operation.selection_set, context, set())
    return bool(names & SCHEMA_FIELDS) and names <= META_FIELDS


def _root_fields(selection_set: SelectionSetNode, context: ValidationContext,
                 seen: set[str]) -> set[str]:
    """The names of the root fields, each fragment followed once (linear, cycles cut)."""
    names: set[str] = set()
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            names.add(node.name.value)
        elif isinstance(node, InlineFragmentNode):
            names |= _root_fields(node.selection_set, context, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            seen.add(node.name.value)
            fragment = context.get_fragment(node.name.value)
            if fragment:
                names |= _root_fields(fragment.selection_set, context, seen)
    return names
