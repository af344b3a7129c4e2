"""A provider that speaks Apollo Federation v2 to a remote subgraph.

Its kinds are the entities it extends (`casenotes:Offender`, `policies.kinds.remote_kind`).
A key names the entity and what to ask of it: `[remote type, key field, key, selection]`
(JSON; `resolvers.remote` makes them). One `fetch` is one HTTP request however many keys:
keys are grouped by (type, selection), each group one aliased `_entities` field of a single
document, its representations deduplicated. The answer per key is the selection's value for
that entity; an entity the subgraph reports an error for is `BACKEND_BAD_DATA` in its place,
and a refused or unreadable answer fails every key, named by the subgraph (never quoting it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from providers.errors import BackendBadData, BackendUnavailable
from providers.subgraph.client import GraphQLClient

Group = tuple[str, str, str]  # (remote type, key field, selection)


class SubgraphProvider:
    """Answers the fields one subgraph adds to casegraph's entities."""

    def __init__(self, name: str, kinds: frozenset[str], client: GraphQLClient) -> None:
        self.name = name
        self.kinds = kinds
        self.client = client

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        if kind not in self.kinds:
            raise BackendUnavailable(self.name, f"does not serve {kind}")
        parsed = [_parsed(self.name, key) for key in keys]
        groups: dict[Group, dict[str, int]] = {}
        for group, value in parsed:
            found = groups.setdefault(group, {})
            found.setdefault(value, len(found))
        body = await self.client.query(*_document(groups))
        answers = _answers(self.name, groups, body)
        return [answers[group][groups[group][value]] for group, value in parsed]

    async def aclose(self) -> None:
        await self.client.aclose()


def _parsed(name: str, key: str) -> tuple[Group, str]:
    try:
        remote, field, value, selection = orjson.loads(key)
        return (str(remote), str(field), str(selection)), str(value)
    except (ValueError, TypeError) as exc:
        raise BackendUnavailable(name, "a key casegraph did not make") from exc


def _document(groups: dict[Group, dict[str, int]]) -> tuple[str, dict[str, Any]]:
    declared, fields, variables = [], [], {}
    for i, ((remote, field, selection), values) in enumerate(groups.items()):
        declared.append(f"$r{i}: [_Any!]!")
        fields.append(f"e{i}: _entities(representations: $r{i}) "
                      f"{{ ... on {remote} {{ v: {selection} }} }}")
        variables[f"r{i}"] = [{"__typename": remote, field: value} for value in values]
    return f"query CasegraphEntities({', '.join(declared)}) {{ {' '.join(fields)} }}", variables


def _answers(name: str, groups: dict[Group, dict[str, int]], body: Any
             ) -> dict[Group, list[Any]]:
    """Per group, per representation: the value, None, or the error in its place."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise BackendBadData(name, "refused the query" if isinstance(body, dict)
                             and body.get("errors") else "answered no data")
    failed = _failed(body.get("errors"))
    answers: dict[Group, list[Any]] = {}
    for i, (group, values) in enumerate(groups.items()):
        found = data.get(f"e{i}")
        if not isinstance(found, list) or len(found) != len(values) or (i, None) in failed:
            error = BackendBadData(name, "answered entities that do not match the request")
            answers[group] = [error] * len(values)
            continue
        answers[group] = [_value(name, entity, (i, j) in failed)
                          for j, entity in enumerate(found)]
    return answers


def _value(name: str, entity: Any, failed: bool) -> Any:
    if failed:
        return BackendBadData(name, "answered an error for this record")
    if entity is None:
        return None
    if not isinstance(entity, dict):
        return BackendBadData(name, "answered an entity of the wrong shape")
    return entity.get("v")


def _failed(errors: Any) -> set[tuple[int, int | None]]:
    """The (group, representation) each error's path points into; (group, None) when it
    names a whole group. An error with no usable path fails nothing by itself: the value
    it concerns is null, and a null where the subgraph's schema allows one is an answer."""
    found: set[tuple[int, int | None]] = set()
    for error in errors if isinstance(errors, list) else ():
        path = error.get("path") if isinstance(error, dict) else None
        if not isinstance(path, list) or not path or not isinstance(path[0], str):
            continue
        group = path[0][1:]
        if path[0].startswith("e") and group.isdigit():
            index = path[1] if len(path) > 1 and isinstance(path[1], int) else None
            found.add((int(group), index))
    return found

