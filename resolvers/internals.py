"""Every private API of graphql-core and strawberry the fast executor leans on, in one place.

The fast executor (`resolvers/execution.py`) overrides graphql-core 3.3's execution context
methods (their names and signatures are not a public API), reads 3.3's field-collection types,
and takes apart strawberry's resolvers (the `strawberry-definition` extension, the default
resolver's marker, a resolver's parameters). Those change without notice, so they are pinned
(`pyproject.toml`), named here, and checked at start-up: on a version the executor was not
tested with, or when one of them is missing, `problem()` says which, and the schema runs the
policed executor (`resolvers.policed.PolicedExecutor`), which authorises every field the same
way with graphql-core's own field machinery. `CASEGRAPH_FAST_EXECUTOR=off` forces that;
`=force` skips the version check (to try a new release: `make executor-newest`).
"""

from __future__ import annotations

import inspect
import os
from importlib.metadata import version
from typing import Any

from graphql import GraphQLField, GraphQLSchema
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext as ExecutionContext

try:  # graphql-core 3.3's module layout; a release that moved them turns the executor off
    from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
    from graphql.pyutils.gather_with_cancel import gather_with_cancel
    IMPORTED: str | None = None
except ImportError as exc:  # pragma: no cover - only on an untested graphql-core
    FieldDetailsList = GroupedFieldSet = Any  # type: ignore[assignment]
    gather_with_cancel = None  # type: ignore[assignment]
    IMPORTED = f"graphql-core moved what the executor imports ({exc})"

__all__ = ["FieldDetailsList", "GroupedFieldSet", "gather_with_cancel"]

# The releases the executor's tests passed with (tests/resolvers/test_execution.py).
TESTED = {"graphql-core": ("3.3.2",), "strawberry-graphql": ("0.341.2",)}

# graphql-core execution context methods the fast executor calls or overrides, with the
# parameters it passes them.
METHODS = {
    "execute_fields": ("parent_type", "source_value", "path", "grouped_field_set",
                       "position_context"),
    "execute_field": ("parent_type", "source", "field_details_list", "path",
                      "position_context"),
    "complete_value": ("return_type", "field_details_list", "info", "path", "result",
                       "position_context"),
    "complete_awaitable_value": ("return_type", "field_details_list", "info", "path",
                                 "result", "position_context"),
    "collect_subfields": ("return_type", "field_details_list"),
    "collect_and_execute_subfields": ("return_type", "field_details_list", "path", "result",
                                      "position_context"),
    "build_resolve_info": ("field_def", "field_nodes", "parent_type", "path"),
    "handle_field_error": ("raw_error", "return_type", "field_details_list", "path"),
    "settle_in_background": ("awaitables",),
    "execute_operation": ("serially",),
    "finish": ("result",),
    "build_response": ("data",),
}


def problem() -> str | None:
    """Why the fast executor must not run here, or None when it may."""
    mode = os.environ.get("CASEGRAPH_FAST_EXECUTOR", "")
    if mode == "off":
        return "turned off by CASEGRAPH_FAST_EXECUTOR=off"
    if IMPORTED is not None:
        return IMPORTED
    if mode != "force":
        for package, tested in TESTED.items():
            if (found := version(package)) not in tested:
                return f"{package} {found} is not a version it was tested with {tested}"
    return _missing()


def _missing() -> str | None:
    for name, wanted in METHODS.items():
        method = getattr(ExecutionContext, name, None)
        if method is None:
            return f"graphql-core's ExecutionContext has no {name}"
        parameters = list(inspect.signature(method).parameters)[1:]  # after self
        if parameters[:len(wanted)] != list(wanted):
            return f"graphql-core's ExecutionContext.{name} takes {parameters}, not {wanted}"
    return None


def definition_of(field: GraphQLField) -> Any:
    """strawberry's field definition behind a graphql-core field (None for introspection)."""
    return field.extensions.get("strawberry-definition")


def reads_attribute(field: GraphQLField, definition: Any) -> bool:
    """strawberry gave this field its default resolver: no resolver, permission or
    extension, so its value is the source object's attribute."""
    return definition.default_resolver is getattr and bool(
        getattr(field.resolve, "_is_default", False))


def resolver_of(definition: Any) -> Any:
    """The resolver strawberry wraps (None for a plain field)."""
    return getattr(definition, "base_resolver", None)


def takes_only_self_and_info(resolver: Any) -> tuple[Any, Any] | None:
    """(self parameter, info parameter) of a resolver that takes nothing else, or None."""
    own = resolver.self_parameter, resolver.info_parameter
    if set(resolver.signature.parameters.values()) - {p for p in own if p}:
        return None
    return own


def wrapped_function(resolver: Any) -> Any:
    return resolver.wrapped_func


def core_schema(schema: Any) -> GraphQLSchema:
    """The graphql-core schema strawberry built."""
    return schema._schema


def info_class(schema: Any) -> Any:
    return schema.config.info_class


def has_exception_handlers(schema: Any) -> bool:
    return bool(schema.exception_handlers)


def subfields(executor: Any, object_type: Any, details: FieldDetailsList
              ) -> tuple[GroupedFieldSet, bool]:
    """An object's grouped selections, and whether any of them is deferred."""
    grouped_field_set, defer_usages, _ = executor.collect_subfields(object_type, details)
    return grouped_field_set, bool(defer_usages)
