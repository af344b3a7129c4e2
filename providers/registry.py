"""Binds each kind to a provider, from configuration; third parties plug in by entry point.

A provider factory is registered under a *type* name ("embedded", or any name in the
`casegraph.providers` entry point group) and called with the provider's settings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from providers.base import ALL_KINDS, KINDS, Crn, NomsNumber, Page, Provider
from providers.clock import SYSTEM, Clock
from providers.errors import BackendUnavailable, ConfigError

ProviderFactory = Callable[..., Provider]
ENTRY_POINT_GROUP = "casegraph.providers"
UNSERVED = "none"
__all__ = ["ConfigError", "Registry", "build_registry", "factories"]
log = logging.getLogger("casegraph.registry")


class Unserved:
    """Stands for the kinds no provider is bound to: each read is BACKEND_UNAVAILABLE, so the
    fields they feed answer null with that code and the rest of the schema still works."""

    name = UNSERVED

    def __init__(self, kinds: frozenset[str]) -> None:
        self.kinds = kinds

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        raise BackendUnavailable(UNSERVED, f"no provider is bound to {kind}")

    async def page(self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
                   ) -> Page:
        raise BackendUnavailable(UNSERVED, f"no provider is bound to {kind}")

    async def aclose(self) -> None:
        return None


def _embedded(**settings: Any) -> Provider:
    from providers.embedded.provider import EmbeddedProvider

    return EmbeddedProvider(**settings)


def _delius(**settings: Any) -> Provider:
    from providers.delius.provider import DeliusProvider

    return DeliusProvider(**settings)


def _nomis(**settings: Any) -> Provider:
    from providers.nomis.provider import NomisProvider

    return NomisProvider(**settings)


def _crc(**settings: Any) -> Provider:
    from providers.crc.provider import CrcStoreProvider

    return CrcStoreProvider(**settings)


BUILTIN_FACTORIES: dict[str, ProviderFactory] = {
    "embedded": _embedded, "delius": _delius, "nomis": _nomis, "crc": _crc}


def factories() -> dict[str, ProviderFactory]:
    """Built-in provider types plus those installed through the entry point group."""
    found = dict(BUILTIN_FACTORIES)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.load())
    return found


@dataclass(frozen=True)
class Registry:
    """Which provider answers each kind; the only way resolvers reach a backend."""

    providers: Mapping[str, Provider]
    bindings: Mapping[str, str]

    def provider_for(self, kind: str) -> Provider:
        return self.providers[self.bindings[kind]]

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        return await self.provider_for(kind).fetch(kind, keys)

    async def page(self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
                   ) -> Page:
        provider = self.provider_for(kind)
        page = getattr(provider, "page", None)
        if page is None:  # a fetch-only provider bound to a paged kind
            raise BackendUnavailable(provider.name, f"does not page {kind}")
        return await page(kind, criteria, offset, limit)

    async def forget(self, crn: str | None = None, noms: str | None = None) -> int:
        """Drop every cached record of one person (by CRN, by NOMS number, or both) that a
        change event makes old; how many entries were dropped."""
        keys: dict[str, list[str]] = {}
        for kind in ALL_KINDS:
            key = KINDS[kind].key
            value = crn if key is Crn else noms if key is NomsNumber else None
            if value and not KINDS[kind].paged:
                keys.setdefault(kind, []).append(value)
        dropped = 0
        for name, provider in self.providers.items():
            forget = getattr(provider, "forget", None)
            if forget is not None:
                dropped += await forget({k: v for k, v in keys.items()
                                         if self.bindings.get(k) == name})
        return dropped

    async def aclose(self) -> None:
        for provider in self.providers.values():
            await provider.aclose()


RESILIENCE_KEYS = frozenset({"timeout_seconds", "attempts", "backoff_seconds", "concurrency",
                             "breaker_threshold", "breaker_cooldown_seconds"})


def build_registry(providers: Mapping[str, Mapping[str, Any]], bindings: Mapping[str, str],
                   cache: Any = None, *, ttls: Mapping[str, float] | None = None,
                   grace_seconds: float = 600.0, withhold_regressions: bool = False,
                   clock: Clock = SYSTEM) -> Registry:
    """Instantiate configured providers, each composed as adapter -> resilient -> regression
    guard -> cache (the embedded provider, already in memory, is used as it is), and check
    every kind is bound to one that serves it."""
    known = factories()
    built: dict[str, Provider] = {}
    for name, settings in providers.items():
        settings = dict(settings)
        kind = settings.pop("type", None)
        resilience = settings.pop("resilience", None)
        if kind not in known:
            raise ConfigError(f"providers.{name}.type = {kind!r}: choose one of {sorted(known)}")
        try:
            adapter = known[kind](name=name, **settings)
        except TypeError as exc:
            raise ConfigError(f"providers.{name}: {exc}") from exc
        built[name] = adapter if kind == "embedded" else _compose(
            name, adapter, resilience or {}, cache, ttls, grace_seconds, withhold_regressions,
            clock)
    for kind, name in bindings.items():
        if kind not in ALL_KINDS:
            raise ConfigError(f"bindings.{kind}: unknown kind; choose from {sorted(ALL_KINDS)}")
        if name not in built:
            raise ConfigError(f"bindings.{kind} = {name!r}: no such provider; "
                              f"configured: {sorted(built)}")
        if kind not in built[name].kinds:
            raise ConfigError(f"bindings.{kind} = {name!r}: that provider does not serve {kind}")
    bindings = dict(bindings)
    if unbound := sorted(ALL_KINDS - set(bindings)):
        log.warning("no provider bound for %s: those fields answer null with "
                    "BACKEND_UNAVAILABLE", unbound)
        built[UNSERVED] = Unserved(frozenset(unbound))
        bindings |= dict.fromkeys(unbound, UNSERVED)
    return Registry(built, bindings)


def _compose(name: str, adapter: Provider, resilience: Mapping[str, Any], cache: Any,
             ttls: Mapping[str, float] | None, grace: float, withhold: bool,
             clock: Clock) -> Provider:
    from providers.breaker import Breaker
    from providers.cache import memory_cache
    from providers.cached import CachedProvider
    from providers.guard import RegressionGuard
    from providers.resilient import ResilientProvider

    if unknown := set(resilience) - RESILIENCE_KEYS:
        raise ConfigError(f"providers.{name}.resilience: unknown keys {sorted(unknown)}; "
                          f"choose from {sorted(RESILIENCE_KEYS)}")
    options = dict(resilience)
    breaker = Breaker(threshold=int(options.pop("breaker_threshold", 5)),
                      cooldown_seconds=float(options.pop("breaker_cooldown_seconds", 10.0)),
                      clock=clock)
    wrapped: Provider = ResilientProvider(adapter, breaker=breaker, clock=clock, **options)
    wrapped = RegressionGuard(wrapped, cache or memory_cache(), withhold=withhold)
    if not cache:
        return wrapped
    return CachedProvider(wrapped, cache, ttls=ttls, grace_seconds=grace, clock=clock)


async def preflight(providers: Mapping[str, Mapping[str, Any]], timeout: float = 3.0) -> None:
    """Refuse to start when a configured backend cannot be reached, naming its key."""
    import httpx

    async with httpx.AsyncClient(timeout=timeout) as client:
        for name, settings in providers.items():
            url = settings.get("base_url")
            if not url:
                continue
            try:
                await client.get(str(url))
            except httpx.HTTPError as exc:
                raise ConfigError(f"providers.{name}.base_url = {url!r}: unreachable at start "
                                  f"({type(exc).__name__})") from exc
