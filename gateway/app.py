"""The ASGI application factory: checks everything at start, then serves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from gateway.audit.trail import AuditTrail, open_trail
from gateway.auth import TokenVerifier
from gateway.authentication import Authenticated
from gateway.cors import cors
from gateway.costlimit import CostCharged, CostLimit
from gateway.csrf import CSRFGuard
from gateway.directives import advertise_spec_locations
from gateway.federation import Federation
from gateway.graphiql import ASSET_PATH, STATIC, GraphiQLPage
from gateway.limits.validation import GuardedValidation, Validation
from gateway.metrics_access import MetricsEndpoint, networks
from gateway.persisted import PersistedOperations
from gateway.ratelimit import RateLimited
from gateway.settings import Settings
from gateway.telemetry import Telemetry
from gateway.tracing import RequestTelemetry
from gateway.ui import ui_routes
from gateway.view import GraphQLView
from policies.coverage import checked
from policies.evaluator import Evaluator
from providers.base import ALL_KINDS
from providers.clock import SYSTEM, Clock
from providers.guard import REGRESSIONS
from providers.registry import build_registry
from resolvers import entities
from resolvers.schema import build_schema, non_null_fields, object_fields


def build_cache(settings: Settings) -> Any:
    """The shared cache, or None when configured off (or nothing would use it)."""
    from urllib.parse import urlparse

    from providers.cache import memory_cache, redis_cache

    http_providers = any(p.get("type") != "embedded" for p in settings.providers.values())
    if settings.cache_backend == "none" or not http_providers:
        return None
    if settings.cache_backend == "memory":
        return memory_cache()
    url = urlparse(settings.cache_url)
    return redis_cache(url.hostname or "127.0.0.1", url.port or 6379,
                       int((url.path or "/0").strip("/") or 0))


def _gauges(telemetry: Telemetry, registry: Any, audit: AuditTrail | None) -> None:
    """Values kept elsewhere, read at each scrape."""
    telemetry.gauge("casegraph.provider.up", "1 when a provider's circuit is closed",
                    lambda: [(float(getattr(p, "state", "up") != "circuit open"),
                              {"provider": name}) for name, p in registry.providers.items()])
    telemetry.gauge("casegraph.regressions", "Records older than already served, by provider",
                    lambda: [(float(n), {"provider": p}) for p, n in REGRESSIONS.items()])
    if audit is not None:
        telemetry.gauge("casegraph.audit.events", "Audit events, by outcome", lambda: [
            (float(audit.written), {"outcome": "written"}),
            (float(audit.failures), {"outcome": "sink_failure"}),
            (float(audit.refused), {"outcome": "refused"})])


def _cost_limit(settings: Settings, validation: Validation) -> list[Any]:
    """The cost-weighted rate limit's extension, when one is configured."""
    limits = settings.rate_limits
    if not (limits.enabled and limits.cost):
        return []
    costs = CostLimit(limits, validation)
    return [lambda: CostCharged(costs)]


def create_app(settings: Settings | None = None, telemetry: Telemetry | None = None,
               clock: Clock = SYSTEM) -> Starlette:
    """Build the app, or raise `ConfigError`/`PolicyError` naming what is wrong. `clock` is
    what token lifetimes, cache ages, breakers and every wait go by (tests move it)."""
    settings = settings or Settings()
    telemetry = telemetry or Telemetry(settings.telemetry)
    federation = Federation(settings.federation)

    def schema_for(extend: Any) -> Any:
        """A schema with its own validation cache (verdicts are per schema)."""
        validation = Validation(settings.limits, settings.introspection)
        built = build_schema(introspection=settings.introspection,
                             validation=lambda: GuardedValidation(validation),
                             max_tokens=settings.limits.max_tokens, max_batch=settings.max_batch,
                             tracer=telemetry.tracer, extensions=_cost_limit(settings, validation),
                             extend=extend)
        advertise_spec_locations(built._schema)
        return built
    schema = schema_for(federation.merged)
    fields, non_null = entities.with_federation(object_fields(schema), non_null_fields(schema))
    policies = checked(settings.policy_dir, fields, non_null, ALL_KINDS | federation.kinds,
                       federation.policy_dirs)
    cache = build_cache(settings)
    registry = federation.bound(build_registry(
        settings.providers, settings.bindings, cache, ttls=settings.cache_ttls,
        grace_seconds=settings.cache_grace_seconds,
        withhold_regressions=settings.withhold_regressions, clock=clock), clock)
    evaluator = Evaluator(policies, fields)
    audit = open_trail(settings.audit, clock)

    def view(schema: Any, persisted: PersistedOperations | None) -> GraphQLView:
        return GraphQLView(schema, evaluator, registry, GraphiQLPage(demo=settings.auth.demo),
                           settings.deadline_seconds, settings.batching, persisted, audit,
                           telemetry)
    views = {"/graphql": view(schema, PersistedOperations(settings.persisted, schema._schema,
                                                          cache))}
    if settings.federation.subgraph:  # the same protections, rate limits counted together
        views["/subgraph"] = view(schema_for(federation.federated), None)

    async def by_path(scope: Any, receive: Any, send: Any) -> None:
        await views.get(scope["path"], views["/graphql"])(scope, receive, send)
    limited = RateLimited(by_path, settings.rate_limits) if settings.rate_limits.enabled \
        else by_path
    verifier = TokenVerifier(settings.auth, clock)
    graphql = RequestTelemetry(CSRFGuard(Authenticated(limited, verifier,
                                                       settings.max_body_bytes)), telemetry)
    _gauges(telemetry, registry, audit)

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        providers = {name: {"kinds": sorted(k for k, p in registry.bindings.items() if p == name),
                            "state": getattr(provider, "state", "up")}
                     for name, provider in registry.providers.items()}
        cache_state = "none" if cache is None else "up" if await cache.ping() else "down"
        audit_state = "none" if audit is None else audit.state
        ready = all(p["state"] != "circuit open" for p in providers.values()) \
            and audit_state in ("ok", "none")
        return JSONResponse({"status": "ready" if ready else "degraded", "providers": providers,
                             "cache": {"backend": settings.cache_backend, "state": cache_state},
                             "audit": {"sink": settings.audit.sink, "state": audit_state}})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        if audit is not None:
            await audit.aclose()
        await registry.aclose()
        telemetry.shutdown()
        if cache is not None:
            await cache.close()

    app = Starlette(routes=[
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz), Route("/readyz", readyz),
        Route("/metrics", MetricsEndpoint(telemetry.prometheus,
                                          networks(settings.telemetry.metrics_from)).serve),
        *[Route(path, graphql, methods=["GET", "POST"]) for path in views if path != "/graphql"],
        Mount(ASSET_PATH, StaticFiles(directory=STATIC)),
        *ui_routes(settings.ui_dir, settings.auth.demo),
    ], lifespan=lifespan, middleware=cors(settings.cors_origins, settings.cors_allow_headers))
    app.state.schema = schema
    app.state.evaluator = evaluator
    app.state.registry = registry
    app.state.audit = audit
    app.state.cache = cache
    app.state.telemetry = telemetry
    return app
