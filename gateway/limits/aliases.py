"""Refuses documents with more aliases than the limit (aliases multiply work cheaply)."""

from __future__ import annotations

from typing import Any

from graphql import DocumentNode, FieldNode, ValidationContext, ValidationRule, visit
from graphql.language import Visitor

from gateway.limits.base import too_complex


class _Count(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.aliases = 0

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        self.aliases += node.alias is not None


class MaxAliases(ValidationRule):
    def __init__(self, context: ValidationContext, limit: int) -> None:
        super().__init__(context)
        self.limit = limit

    def enter_document(self, node: DocumentNode, *_: Any) -> None:
        counter = _Count()
        visit(node, counter)
        if counter.aliases > self.limit:
            self.report_error(too_complex(
                f"the query uses {counter.aliases} aliases; the limit is {self.limit}",
                node, "max_aliases", counter.aliases, self.limit))
