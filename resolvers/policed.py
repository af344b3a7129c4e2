"""The one place fields are authorised: graphql-core's executor, judging the operation first.

When an operation starts, the policy walk (`policies.enforcement.judge`) decides every
selected field for the principal and records one FORBIDDEN error per denied path; every
denied field is then `null` without its resolver being called (`execute_field`, or the fast
executor's plan, which asks `denied` the same question). Resolvers do not check permissions,
so a new field, a `node(id:)`, an entity resolver or a subscription cannot forget one. A
query too large to judge is refused, never answered with its denials dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from graphql import GraphQLError, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from policies.enforcement import MAX_VISITS, TooLargeToJudge, judge

if TYPE_CHECKING:
    from resolvers.internals import FieldDetailsList

DENIED: Any = object()  # the plan of a field the principal may not read: null, nothing runs
WALK_BUDGET = MAX_VISITS


class PolicedExecutor(StrawberryGraphQLCoreExecutionContext):
    """An executor that authorises every field of every operation it runs."""

    policed: ClassVar[bool] = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decisions = getattr(self.context_value, "decisions", None)
        # A subscription runs each event on a shallow copy of its executor (graphql-core's
        # `build_per_event_executor`): the copies share this list, so its document, variables
        # and principal, the same for every event, are walked once.
        self._walked: list[Any] = []

    def execute_operation(self, serially: bool | None = None) -> Any:
        """Judge every selected field first; refuse what cannot be judged (fail closed)."""
        if self.policed:
            error = self._judge()
            if error is not None:
                self.collected_errors.add(error, None)
                return self.finish(self.build_response(None))
        return super().execute_operation(serially)

    def _judge(self) -> GraphQLError | None:
        ctx = self.context_value
        if self._decisions is None:
            return GraphQLError("no principal to authorise this operation",
                                extensions={"code": "UNAUTHENTICATED"})
        if self._walked:
            verdict = self._walked[0]
        else:
            try:
                verdict = judge(self.schema, self.operation, self.fragment_definitions,
                                self.variable_values.coerced, self._decisions, WALK_BUDGET)
            except TooLargeToJudge as exc:
                return GraphQLError(str(exc), extensions={
                    "code": "QUERY_TOO_COMPLEX", "limit": "policy_walk",
                    "value": exc.visits + 1, "maximum": exc.visits})
            self._walked.append(verdict)
        ctx.field_groups = verdict.groups
        for denial in verdict.denied:
            ctx.denied_fields.append(f"{denial.type_name}.{denial.field}")
            ctx.denials.append(GraphQLError(
                f"Not authorised to read {denial.type_name}.{denial.field}",
                path=list(denial.path), extensions={"code": "FORBIDDEN"}))
        return None

    def denied(self, type_name: str, field_name: str) -> bool:
        """Introspection (`__typename`, `__schema` and its types) is not data: the schema
        decides whether it is on at all."""
        if not self.policed or field_name.startswith("__") or type_name.startswith("__"):
            return False
        return self._decisions is None or not self._decisions.allows(type_name, field_name)

    def execute_field(self, parent_type: GraphQLObjectType, source: Any,
                      field_details_list: FieldDetailsList, path: Path,
                      position_context: Any) -> Any:
        if self.denied(parent_type.name, field_details_list[0].node.name.value):
            return None
        return super().execute_field(parent_type, source, field_details_list, path,
                                     position_context)



def police_subscriptions(schema: GraphQLSchema) -> None:
    """graphql-core opens a subscription's event stream (`field.subscribe`) outside
    `execute_operation`, so the walk above would first run on its first event: a stream
    the principal may not open would be opened, and each event answered with a null and a
    FORBIDDEN error, whose timing tells of events. Every subscription field is wrapped here,
    once, so its stream opens only when the same walk allows the operation's root field."""
    root = schema.subscription_type
    for field in root.fields.values() if root is not None else ():
        if field.subscribe is not None and not getattr(field.subscribe, "_policed", False):
            field.subscribe = _policed_subscribe(field.subscribe)


def _policed_subscribe(subscribe: Any) -> Any:
    def opened(root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        refusal = subscription_refusal(info)
        if refusal is not None:
            raise refusal
        return subscribe(root, info, **args)

    opened._policed = True  # type: ignore[attr-defined]
    return opened


def subscription_refusal(info: GraphQLResolveInfo) -> GraphQLError | None:
    """FORBIDDEN when the principal may not open this stream (its root field is denied);
    UNAUTHENTICATED without a principal; QUERY_TOO_COMPLEX when it cannot be judged."""
    decisions = getattr(info.context, "decisions", None)
    if decisions is None:
        return GraphQLError("no principal to authorise this operation",
                            extensions={"code": "UNAUTHENTICATED"})
    try:
        values: Any = info.variable_values  # the coerced values (a dict), whatever typed
        verdict = judge(info.schema, info.operation, info.fragments,
                        getattr(values, "coerced", values), decisions, WALK_BUDGET)
    except TooLargeToJudge as exc:
        return GraphQLError(str(exc), extensions={
            "code": "QUERY_TOO_COMPLEX", "limit": "policy_walk", "value": exc.visits + 1,
            "maximum": exc.visits})
    root = info.parent_type.name
    for denial in verdict.denied:
        if denial.type_name == root:
            return GraphQLError(f"Not authorised to read {root}.{denial.field}",
                                path=list(denial.path), extensions={"code": "FORBIDDEN"})
    return None
