"""Persisted operations: automatic persisted queries (Apollo's APQ protocol) and trusted documents.

A client sends `extensions.persistedQuery = {version: 1, sha256Hash}`. With APQ the server
remembers documents it has been sent once (bounded, in process, and in the shared cache when
one is configured, so other gateway processes learn them too), for the organisation that sent
them: were the store shared, a hash that runs would tell another organisation that someone
had run that document, identifiers and names in it included. A client named under
`[persisted.clients]` is in trusted-documents mode: it may run only the operations of its
manifest, by hash or by their exact text, and cannot register new ones.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLSchema, parse, validate
from strawberry.http import GraphQLRequestData

from providers.registry import ConfigError

APQ_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class PersistedSettings:
    apq: bool = True
    clients: Mapping[str, Path] = field(default_factory=dict)  # client id -> manifest file


class PersistedError(Exception):
    """A persisted-operation request that cannot run; its code follows Apollo's."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def as_graphql(self) -> GraphQLError:
        return GraphQLError(str(self), extensions={"code": self.code})


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load_manifest(path: Path) -> dict[str, str]:
    """id -> document, from an Apollo persisted-query manifest or a plain {sha256: document}."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"persisted.clients: cannot read {path}: {exc}") from exc
    if isinstance(raw, dict) and raw.get("format") == "apollo-persisted-query-manifest":
        return {str(op["id"]): str(op["body"]) for op in raw.get("operations", [])}
    if isinstance(raw, dict) and all(isinstance(v, str) for v in raw.values()):
        for key, body in raw.items():
            if key != sha256(body):
                raise ConfigError(f"persisted.clients: {path}: key {key[:12]}… is not the "
                                  "sha256 of its document")
        return dict(raw)
    raise ConfigError(f"persisted.clients: {path}: expected an apollo-persisted-query-manifest "
                      "or an object of sha256 -> document")


def check_against(schema: GraphQLSchema, manifest: Mapping[str, str], source: str) -> None:
    """Every trusted operation must run against this schema, or the gateway does not start."""
    for op_id, body in manifest.items():
        try:
            errors = validate(schema, parse(body))
        except GraphQLError as exc:
            errors = [exc]
        if errors:
            raise ConfigError(f"persisted.clients: {source}: operation {op_id[:12]}… does not "
                              f"validate: {errors[0].message}")


class PersistedOperations:
    """Turns a request naming a persisted operation into one carrying its document."""

    def __init__(self, settings: PersistedSettings, schema: GraphQLSchema, shared: Any = None,
                 capacity: int = 5000) -> None:
        self.apq = settings.apq
        self.trusted: dict[str, dict[str, str]] = {}
        for client, path in settings.clients.items():
            manifest = load_manifest(Path(path))
            check_against(schema, manifest, f"{client} ({path})")
            self.trusted[client] = manifest
        self._bodies = {client: {sha256(b) for b in m.values()} for client, m in
                        self.trusted.items()}
        self._shared = shared
        self._known: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    async def resolve(self, data: GraphQLRequestData, client: str | None, org: str
                      ) -> GraphQLRequestData:
        requested = (data.extensions or {}).get("persistedQuery")
        if client in self.trusted:
            return self._trusted(data, requested, client)
        if requested is None:
            return data
        if not self.apq:
            raise PersistedError("PERSISTED_QUERY_NOT_SUPPORTED", "PersistedQueryNotSupported")
        digest = _hash_of(requested)
        if data.query is None:
            return replace(data, query=await self._recall(f"{org}:{digest}"))
        if sha256(data.query) != digest:
            raise PersistedError("PERSISTED_QUERY_HASH_MISMATCH",
                                 "provided sha256Hash does not match the query")
        return data

    async def ran(self, data: GraphQLRequestData, org: str) -> None:
        """Remember an APQ document once it has run: junk never fills the store."""
        requested = (data.extensions or {}).get("persistedQuery")
        if self.apq and requested is not None and data.query is not None:
            digest = _hash_of(requested)
            if digest == sha256(data.query):  # a trusted manifest's ids need not be hashes
                await self._remember(f"{org}:{digest}", data.query)

    def _trusted(self, data: GraphQLRequestData, requested: Any, client: str
                 ) -> GraphQLRequestData:
        manifest = self.trusted[client]
        if data.query is not None:
            if sha256(data.query) in self._bodies[client]:
                return data
        elif requested is not None and (body := manifest.get(_hash_of(requested))):
            return replace(data, query=body)
        raise PersistedError("PERSISTED_QUERY_NOT_IN_LIST",
                             "this client may run only the operations on its trusted list")

    async def _recall(self, digest: str) -> str:
        found = self._known.get(digest)
        if found is None and self._shared is not None:
            found = (await self._shared.get_many([f"apq:{digest}"]))[0]
        if found is None:
            raise PersistedError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        self._keep(digest, found)
        return str(found)

    async def _remember(self, digest: str, query: str) -> None:
        if digest not in self._known and self._shared is not None:
            await self._shared.set_many([(f"apq:{digest}", query)], APQ_TTL_SECONDS)
        self._keep(digest, query)

    def _keep(self, digest: str, query: str) -> None:
        self._known[digest] = query
        self._known.move_to_end(digest)
        while len(self._known) > self._capacity:
            self._known.popitem(last=False)


def _hash_of(requested: Any) -> str:
    if not isinstance(requested, dict) or requested.get("version") != 1 \
            or not isinstance(requested.get("sha256Hash"), str):
        raise PersistedError("PERSISTED_QUERY_NOT_SUPPORTED",
                             "persistedQuery needs version 1 and a sha256Hash")
    return str(requested["sha256Hash"]).lower()
