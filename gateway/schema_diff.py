"""`casegraph schema diff OLD NEW`: what a schema change does to the clients built on OLD.

Breaking (a client's operation may stop validating) and dangerous (it still validates but may
behave differently: a new enum value, a new optional argument, a changed default) come from
graphql-core's own comparison. Safe changes are the additions no client can notice until it
asks for them: new types, fields and directives, and changed descriptions.

A breaking change is accepted only by listing it, with a reason, in a TOML file such as
`tests/snapshots/schema-breaking.toml`: `[[accepted]] change = "<its description>"`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from graphql import (
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    print_schema,
)

from providers.registry import ConfigError

KINDS = ("breaking", "dangerous", "safe")


@dataclass(frozen=True)
class Change:
    kind: str  # breaking | dangerous | safe
    type: str  # graphql-core's change type, or ours for safe changes
    description: str

    def __str__(self) -> str:
        return f"{self.kind.upper():<9} {self.type:<28} {self.description}"


def diff(old_sdl: str, new_sdl: str) -> list[Change]:
    """Every change from OLD to NEW, breaking first."""
    old, new = _schema(old_sdl), _schema(new_sdl)
    changes = [Change("breaking", c.type.name, c.description)
               for c in find_breaking_changes(old, new)]
    changes += [Change("dangerous", c.type.name, c.description)
                for c in find_dangerous_changes(old, new)]
    changes += _safe(old, new)
    if not changes and print_schema(old) != print_schema(new):
        changes.append(Change("safe", "ORDER_OR_TEXT_CHANGED", "Order or descriptions changed "
                                                               "(arguments, values, fields)."))
    return changes


@lru_cache(maxsize=32)
def _schema(sdl: str) -> GraphQLSchema:
    """Built once per text: walking a history compares each version with two others."""
    return build_schema(sdl)


def _safe(old: GraphQLSchema, new: GraphQLSchema) -> Iterator[Change]:
    for name in sorted(set(new.type_map) - set(old.type_map)):
        yield Change("safe", "TYPE_ADDED", f"{name} was added.")
    for name in sorted(set(new.type_map) & set(old.type_map)):
        before, after = old.type_map[name], new.type_map[name]
        if getattr(before, "description", None) != getattr(after, "description", None):
            yield Change("safe", "DESCRIPTION_CHANGED", f"{name}'s description changed.")
        if isinstance(before, _WITH_FIELDS) and isinstance(after, _WITH_FIELDS):
            yield from _fields(name, before, after)
    for directive in sorted({d.name for d in new.directives} - {d.name for d in old.directives}):
        yield Change("safe", "DIRECTIVE_ADDED", f"@{directive} was added.")


_WITH_FIELDS = (GraphQLObjectType, GraphQLInterfaceType)


def _fields(name: str, before: GraphQLObjectType | GraphQLInterfaceType,
            after: GraphQLObjectType | GraphQLInterfaceType) -> Iterator[Change]:
    for field in after.fields:
        old_field, new_field = before.fields.get(field), after.fields[field]
        if old_field is None:
            yield Change("safe", "FIELD_ADDED", f"{name}.{field} was added.")
        elif old_field.description != new_field.description:
            yield Change("safe", "DESCRIPTION_CHANGED", f"{name}.{field}'s description changed.")
        elif old_field.deprecation_reason != new_field.deprecation_reason:
            yield Change("safe", "DEPRECATION_CHANGED", f"{name}.{field}'s deprecation changed.")


def accepted(path: Path) -> set[str]:
    """The descriptions of the breaking changes accepted in `path`; each must give a reason."""
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    entries = raw.get("accepted", [])
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("change") or not entry.get("reason"):
            raise ConfigError(f"{path}: accepted[{i}] needs `change` and `reason`")
    return {str(entry["change"]) for entry in entries}


def unaccepted(changes: Iterable[Change], marked: set[str]) -> list[Change]:
    """The breaking changes nobody accepted."""
    return [c for c in changes if c.kind == "breaking" and c.description not in marked]


def report(old_sdl: str, new_sdl: str, accepted_file: Path | None) -> tuple[list[str], bool]:
    """The command's lines, and whether a breaking change was refused (only with a list)."""
    try:
        changes = diff(old_sdl, new_sdl)
    except (GraphQLError, TypeError) as exc:
        message = exc.message if isinstance(exc, GraphQLError) else str(exc)
        raise ConfigError(f"schema diff: not a schema: {message}") from exc
    refused = unaccepted(changes, accepted(accepted_file)) if accepted_file else []
    lines = [f"{c}{'  (not accepted)' if c in refused else ''}" for c in changes]
    counts = ", ".join(f"{sum(c.kind == k for c in changes)} {k}" for k in KINDS)
    lines.append(f"{counts}; {len(refused)} breaking not accepted" if accepted_file else counts)
    return lines, bool(refused)
