"""Federation, both ways, wired at start from `[federation]`.

- `subgraph = true` serves `/subgraph`: the same schema, policies and row judge as `/graphql`,
  plus `_entities` and `_service` (`resolvers.entities`), for a router in front of casegraph.
- `[federation.subgraphs.NAME]` composes a remote subgraph into casegraph: its SDL is read at
  start (`url`, or `sdl_file`), the fields it adds to casegraph's entities are merged into the
  schema (`resolvers.remote`), their policy decisions come from the `policies` directory
  named beside it (`policies.overlay`: deny by default, start-up fails on a field with none),
  and a provider calls it (`providers.subgraph`) under the same resilience as any backend:
  timeouts within the query's deadline, retries, a circuit breaker.

```toml
[federation]
subgraph = true
[federation.subgraphs.casenotes]
url = "http://127.0.0.1:8091/graphql"
policies = "examples/federation/policies"
```
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema

from policies.kinds import remote_kind
from providers.breaker import Breaker
from providers.clock import SYSTEM, Clock
from providers.errors import ConfigError
from providers.registry import RESILIENCE_KEYS, Registry
from providers.resilient import ResilientProvider
from providers.subgraph.client import GraphQLClient, secret, service_sdl
from providers.subgraph.provider import SubgraphProvider
from resolvers import entities
from resolvers.remote import merge
from resolvers.remote_sdl import Extension, extension_of

log = logging.getLogger("casegraph.federation")
_SUBGRAPH_KEYS = frozenset({"url", "policies", "sdl_file", "token_url", "client_id",
                            "client_secret_env", "pool_size", *RESILIENCE_KEYS})


@dataclass(frozen=True)
class FederationSettings:
    subgraph: bool = True  # the demo serves /subgraph; a configuration file must ask for it
    subgraphs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def parse_federation(raw: Mapping[str, Any]) -> FederationSettings:
    if unknown := set(raw) - {"subgraph", "subgraphs"}:
        raise ConfigError(f"federation: unknown keys {sorted(unknown)}; choose from "
                          "['subgraph', 'subgraphs']")
    subgraphs = dict(raw.get("subgraphs", {}))
    for name, settings in subgraphs.items():
        where = f"federation.subgraphs.{name}"
        if unknown := set(settings) - _SUBGRAPH_KEYS:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}; choose from "
                              f"{sorted(_SUBGRAPH_KEYS)}")
        for key in ("url", "policies"):
            if not settings.get(key):
                raise ConfigError(f"{where}.{key}: required")
    return FederationSettings(bool(raw.get("subgraph", False)), subgraphs)


class Federation:
    """The subgraphs' SDLs, read once; what they add to the schema, policies and registry."""

    def __init__(self, settings: FederationSettings) -> None:
        self.settings = settings
        self.sdls = {name: _sdl(name, s) for name, s in settings.subgraphs.items()}
        self.extensions: list[Extension] | None = None

    def merged(self, schema: GraphQLSchema) -> GraphQLSchema:
        """casegraph's schema with every subgraph's fields (the client schema)."""
        if self.extensions is None:
            self.extensions = [extension_of(n, sdl, schema) for n, sdl in self.sdls.items()]
            for extension in self.extensions:
                if extension.ignored:
                    log.warning("subgraph %s: its root fields %s are not exposed",
                                extension.subgraph, list(extension.ignored))
        return merge(schema, self.extensions)

    def federated(self, schema: GraphQLSchema) -> GraphQLSchema:
        """The client schema served as a subgraph (`/subgraph`)."""
        return entities.federated(self.merged(schema))

    @property
    def policy_dirs(self) -> list[Path]:
        return [Path(s["policies"]) for s in self.settings.subgraphs.values()]

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(remote_kind(e.subgraph, local) for e in self.extensions or ()
                         for local in e.fields)

    def bound(self, registry: Registry, clock: Clock = SYSTEM) -> Registry:
        """The registry with each subgraph's provider bound to the kinds it serves."""
        providers, bindings = dict(registry.providers), dict(registry.bindings)
        for extension in self.extensions or ():
            name, settings = extension.subgraph, self.settings.subgraphs[extension.subgraph]
            if name in providers:
                raise ConfigError(f"federation.subgraphs.{name}: a provider has that name")
            kinds = frozenset(remote_kind(name, local) for local in extension.fields)
            providers[name] = _provider(name, kinds, settings, clock)
            bindings |= dict.fromkeys(kinds, name)
        return Registry(providers, bindings)


def _sdl(name: str, settings: Mapping[str, Any]) -> str:
    if settings.get("sdl_file"):
        try:
            return Path(settings["sdl_file"]).read_text()
        except OSError as exc:
            raise ConfigError(f"federation.subgraphs.{name}.sdl_file: {exc}") from exc
    return service_sdl(name, str(settings["url"]), token_url=settings.get("token_url"),
                       client_id=str(settings.get("client_id", "casegraph")),
                       client_secret=secret(name, dict(settings)))


def _provider(name: str, kinds: frozenset[str], settings: Mapping[str, Any],
              clock: Clock) -> ResilientProvider:
    options = {k: v for k, v in settings.items() if k in RESILIENCE_KEYS}
    breaker = Breaker(threshold=int(options.pop("breaker_threshold", 5)),
                      cooldown_seconds=float(options.pop("breaker_cooldown_seconds", 10.0)),
                      clock=clock)
    client = GraphQLClient(name, str(settings["url"]),
                           timeout_seconds=float(options.get("timeout_seconds", 5.0)),
                           token_url=settings.get("token_url"),
                           client_id=str(settings.get("client_id", "casegraph")),
                           client_secret=secret(name, dict(settings)),
                           pool_size=int(settings.get("pool_size", 20)))
    return ResilientProvider(SubgraphProvider(name, kinds, client), breaker=breaker,
                             clock=clock, **options)
