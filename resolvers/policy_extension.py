"""Runs the policy walk once per operation, before execution (Apollo Router style)."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from policies.enforcement import judge_selections
from resolvers.context import Context


class FieldPolicy(SchemaExtension):
    """Records one FORBIDDEN error per denied selected field; resolvers null those fields."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        ctx = ec.context
        if isinstance(ctx, Context) and ec.graphql_document is not None:
            schema = ec.schema._schema  # type: ignore[attr-defined]
            denied, ctx.field_groups = judge_selections(schema, ec.graphql_document,
                                                        ec.operation_name, ctx.decisions)
            ctx.operation = (ec.operation_name, ec.query)
            for denial in denied:
                ctx.denied_fields.append(f"{denial.type_name}.{denial.field}")
                ctx.denials.append(GraphQLError(
                    f"Not authorised to read {denial.type_name}.{denial.field}",
                    path=list(denial.path), extensions={"code": "FORBIDDEN"}))
        yield
