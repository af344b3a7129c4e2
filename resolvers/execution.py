"""graphql-core's executor with short cuts for the values most answers are made of.

A caseload page is ~1,300 fields, and most are plain attributes: a string on a record, or an
object that needs no type check. graphql-core spends as much on each of those (a resolve
info, strawberry's resolver wrapper, three layers of `complete_value`) as on a field with a
real resolver. This executor completes them directly and leaves everything else (arguments,
a null in a non-null position, a value that does not coerce, abstract types, errors) to
graphql-core, so answers, errors and error paths are the same; the tests compare both.
Resolvers that take only `self` and `info` are called directly, without strawberry's
argument conversion and extension chain, which they do not use.

Denied fields are `null` in the plan, as `PolicedExecutor` (its base) decides them. The
private APIs this leans on are all in `resolvers.internals`, checked at start-up: where they
are not the tested ones, `executor_for` hands out the policed executor instead, logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, NamedTuple, cast

import strawberry
from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    is_leaf_type,
)
from graphql.language import FieldNode
from graphql.pyutils import Path, Undefined
from strawberry.types import Info

from resolvers import internals
from resolvers.internals import FieldDetailsList, GroupedFieldSet, gather_with_cancel
from resolvers.policed import DENIED, PolicedExecutor

log = logging.getLogger("casegraph.execution")

# Scalars whose output coercion hands back a value of this exact Python type unchanged.
IDENTITY_SCALARS: dict[Any, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


class Plan(NamedTuple):
    """How to complete one field. A plain field: read `attribute`; a leaf value of type
    `identity` is its own output, another leaf value goes through `coerce`; an object value
    gets `object_type`'s selections executed on it. A field with a direct resolver and no
    arguments: call `resolve`, then complete its value as graphql-core does."""

    attribute: str
    field_type: GraphQLOutputType
    nullable: bool
    identity: type | None
    coerce: Callable[[Any], Any] | None
    object_type: GraphQLObjectType | None
    resolve: Callable[[Any, GraphQLResolveInfo], Any] | None = None
    field: GraphQLField | None = None


def field_plans(schema: GraphQLSchema) -> dict[str, dict[str, Plan]]:
    """Per object type, the fields read straight off the source object (strawberry marks the
    resolver of a field with no resolver, permission or extension as its default one) and the
    fields whose resolver `make_direct` made direct."""
    plans: dict[str, dict[str, Plan]] = {}
    for type_name, graphql_type in schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or type_name.startswith("__"):
            continue
        found: dict[str, Plan] = {}
        for field_name, field in graphql_type.fields.items():
            definition = internals.definition_of(field)
            if definition is None or field.args:
                continue
            if getattr(field.resolve, "_direct", False):
                found[field_name] = Plan(definition.python_name, field.type, True, None, None,
                                         None, field.resolve, field)
                continue
            if not internals.reads_attribute(field, definition):
                continue
            nullable = not isinstance(field.type, GraphQLNonNull)
            named = field.type if nullable else field.type.of_type
            if is_leaf_type(named):
                found[field_name] = Plan(definition.python_name, field.type, nullable,
                                         IDENTITY_SCALARS.get(named),
                                         named.coerce_output_value, None)
            elif isinstance(named, GraphQLObjectType) and named.is_type_of is None:
                found[field_name] = Plan(definition.python_name, field.type, nullable, None,
                                         None, named)
        if found:
            plans[type_name] = found
    return plans


def _coerced(coerce: Callable[[Any], Any], value: Any) -> Any:
    """The output value, or None where graphql-core would report an error (it then will)."""
    try:
        coerced = coerce(value)
    except Exception:  # execute_field raises it again, located
        return None
    return None if coerced is Undefined else coerced


def executor_for(schema: strawberry.Schema, policed: bool = True) -> type[PolicedExecutor]:
    """An executor class bound to this schema's plans (strawberry takes a class); resolvers
    that can be are made direct first. A policed executor authorises every field. Where the
    private APIs it leans on are not the tested ones: the policed executor, logged."""
    problem = internals.problem()
    if problem is not None:
        log.warning("fast executor off (%s): running the policed executor", problem)
        return type("SchemaPolicedExecutor", (PolicedExecutor,), {"policed": policed})
    core = internals.core_schema(schema)
    if not internals.has_exception_handlers(schema):
        make_direct(core, internals.info_class(schema))
    return type("SchemaFastExecutor", (FastExecutor,),
                {"plans": field_plans(core), "policed": policed})


def make_direct(schema: GraphQLSchema, info_class: type[Info]) -> None:
    """Replace strawberry's resolver wrapper with a direct call where the resolver takes
    nothing but `self` and `info`, and the field has no arguments or extensions."""
    for type_name, graphql_type in schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for field in graphql_type.fields.values():
            definition = internals.definition_of(field)
            resolver = internals.resolver_of(definition)
            if resolver is None or field.args or definition.extensions or definition.arguments:
                continue
            own = internals.takes_only_self_and_info(resolver)
            if own is None:
                continue
            field.resolve = _direct(internals.wrapped_function(resolver), definition,
                                    info_class, *own)


def _direct(func: Callable[..., Any], definition: Any, info_class: type[Info],
            self_parameter: Any, info_parameter: Any) -> Callable[..., Any]:
    resolve: Any
    if info_parameter is None:
        resolve = (lambda source, _info: func(source)) if self_parameter else \
            (lambda _source, _info: func())
    else:
        name = info_parameter.name

        def resolve(source: Any, info: GraphQLResolveInfo) -> Any:
            found = info_class(_raw_info=info, _field=definition)
            return func(source, **{name: found}) if self_parameter else func(**{name: found})

    resolve._direct = True
    return resolve


# (response name, plan or None, field group, its nodes for a resolve info)
Step = tuple[str, Any, FieldDetailsList, list[FieldNode]]


class FastExecutor(PolicedExecutor):
    plans: ClassVar[dict[str, dict[str, Plan]]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per operation, like graphql-core's own memo: a selection set's steps, worked out
        # once and reused for every row of a list. Keyed by id(); the value keeps the key's
        # object alive, so the id cannot be reused while the entry exists.
        self._steps: dict[int, tuple[GroupedFieldSet, list[Step]]] = {}
        self._subfields: dict[tuple[GraphQLObjectType, int],
                              tuple[FieldDetailsList, list[Step] | None]] = {}
        # A schema extension that wraps resolvers (strawberry hands graphql-core one manager
        # per request, often empty) must see every field: then no short cuts at all.
        manager = self.middleware_manager
        self._short_cuts = not (manager and manager.middlewares)

    def build_per_event_executor(self, payload: Any) -> Any:
        """A subscription's event runs on a copy of this executor: its memos are keyed by the
        identity of one execution's field lists, so each event starts its own (shared, they
        would grow with every event and never hit)."""
        executor = super().build_per_event_executor(payload)
        assert isinstance(executor, FastExecutor)
        executor._steps, executor._subfields = {}, {}
        return executor

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any,
                       path: Path | None, grouped_field_set: GroupedFieldSet,
                       position_context: Any) -> Any:
        if not self._short_cuts:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set,
                                          position_context)
        found = self._steps.get(id(grouped_field_set))
        if found is None:
            found = self._steps[id(grouped_field_set)] = (
                grouped_field_set, self._plan_steps(parent_type, grouped_field_set))
        return self._run(parent_type, source_value, path, found[1], position_context)

    def _plan_steps(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
                    ) -> list[Step]:
        plans = self.plans.get(parent_type.name, {})
        steps: list[Step] = []
        for name, details in grouped_field_set.items():
            field_name = details[0].node.name.value
            plan = DENIED if self.denied(parent_type.name, field_name) else plans.get(field_name)
            steps.append((name, plan, details, [d.node for d in details]))
        return steps

    def _object_steps(self, object_type: GraphQLObjectType, details: FieldDetailsList
                      ) -> list[Step] | None:
        """The steps of an object's selections, or None when something in them is deferred
        (graphql-core's incremental delivery then takes it)."""
        key = (object_type, id(details))
        found = self._subfields.get(key)
        if found is None:
            grouped_field_set, deferred = internals.subfields(self, object_type, details)
            steps = None if deferred else self._plan_steps(object_type, grouped_field_set)
            found = self._subfields[key] = (details, steps)
        return found[1]

    def _run(self, parent_type: GraphQLObjectType, source: Any, path: Path | None,
             steps: list[Step], position_context: Any) -> Any:
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        pending: list[str] = []
        try:
            for name, plan, details, nodes in steps:
                if plan is DENIED:
                    results[name] = None
                    continue
                if plan is not None and plan.resolve is not None:
                    result = results[name] = self._resolve(
                        plan, parent_type, source, details, nodes,
                        Path(path, name, parent_type.name), position_context)
                    if is_awaitable(result):
                        pending.append(name)
                    continue
                if plan is not None:
                    value = getattr(source, plan.attribute, Undefined)
                    if value is None:
                        if plan.nullable:
                            results[name] = None
                            continue
                    elif plan.coerce is not None:
                        if type(value) is plan.identity:
                            results[name] = value
                            continue
                        coerced = _coerced(plan.coerce, value)
                        if coerced is not None:
                            results[name] = coerced
                            continue
                    elif value is not Undefined and not is_awaitable(value):
                        result = results[name] = self._complete_object(
                            plan, details, Path(path, name, parent_type.name), value)
                        if result is not None and type(result) is not dict:
                            pending.append(name)
                        continue
                result = self.execute_field(parent_type, source, details,
                                            Path(path, name, parent_type.name),
                                            position_context)
                if result is not Undefined:
                    results[name] = result
                    if is_awaitable(result):
                        pending.append(name)
        except Exception:
            if pending:
                self.settle_in_background([results[name] for name in pending])
            raise
        return self._gather(results, pending) if pending else results

    def _resolve(self, plan: Plan, parent_type: GraphQLObjectType, source: Any,
                 details: FieldDetailsList, nodes: list[FieldNode], path: Path,
                 position_context: Any) -> Any:
        """`execute_field` for a field known to take no arguments, with a direct resolver."""
        field_type = plan.field_type
        info = self.build_resolve_info(plan.field, nodes, parent_type, path)  # type: ignore[arg-type]
        try:
            result = plan.resolve(source, info)  # type: ignore[misc]
            if self.is_awaitable(result):
                return self.complete_awaitable_value(field_type, details, info, path, result,
                                                     position_context)
            completed = self.complete_value(field_type, details, info, path, result,
                                            position_context)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, path)
            return None
        if self.is_awaitable(completed):
            return self._await_object(completed, field_type, details, path)
        return completed

    async def _gather(self, results: dict[str, Any], names: list[str]) -> dict[str, Any]:
        if len(names) == 1:
            results[names[0]] = await results[names[0]]
        else:
            awaited = await gather_with_cancel(*(results[name] for name in names))
            results.update(zip(names, awaited, strict=True))
        return results

    def _complete_object(self, plan: Plan, details: FieldDetailsList, path: Path,
                         value: Any) -> Any:
        """`execute_field` for an object in hand: an error below nulls this field, or rises
        past it when it is non-null, as `handle_field_error` decides."""
        object_type = plan.object_type
        assert object_type is not None  # a plan for an object value names its type
        try:
            steps = self._object_steps(object_type, details)
            completed = self.collect_and_execute_subfields(
                object_type, details, path, value, None) if steps is None else \
                self._run(object_type, value, path, steps, None)
        except Exception as raw_error:
            self.handle_field_error(raw_error, plan.field_type, details, path)
            return None
        if type(completed) is not dict:
            return self._await_object(cast(Awaitable[Any], completed), plan.field_type, details,
                                      path)
        return completed

    async def _await_object(self, completed: Awaitable[Any], field_type: GraphQLOutputType,
                            details: FieldDetailsList, path: Path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, path)
            return None

    def complete_value(self, return_type: Any, field_details_list: FieldDetailsList,
                       info: Any, path: Path, result: Any, position_context: Any) -> Any:
        """List items and resolver results: identity scalars and objects needing no type
        check directly (neither can complete to null), everything else as graphql-core does."""
        if result is not None and self._short_cuts:
            named = return_type.of_type if type(return_type) is GraphQLNonNull else return_type
            if type(named) is GraphQLObjectType:
                if named.is_type_of is None and not isinstance(result, Exception):
                    steps = self._object_steps(named, field_details_list)
                    if steps is not None:
                        return self._run(named, result, path, steps, position_context)
                    return self.collect_and_execute_subfields(named, field_details_list, path,
                                                              result, position_context)
            elif IDENTITY_SCALARS.get(named) is type(result):
                return result
        return super().complete_value(return_type, field_details_list, info, path, result,
                                      position_context)
