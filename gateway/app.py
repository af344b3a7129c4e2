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

from events.envelope import DomainEvent
from events.feed import EventFeed
from events.numbers import person_numbers
from gateway.admission import Admission
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
from gateway.response_cache import ResponseCache, referenced, signing_key
from gateway.settings import Settings
from gateway.subscriptions.routes import subscription_routes
from gateway.subscriptions.service import Subscriptions
from gateway.telemetry import Telemetry
from gateway.tracing import RequestTelemetry
from gateway.ui import ui_routes
from gateway.view import GraphQLView
from policies.coverage import checked
from policies.evaluator import Evaluator
from providers.base import ALL_KINDS
from providers.clock import SYSTEM, Clock
from providers.errors import ProviderError
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
                       int((url.path or "/0").strip("/") or 0), settings.cache_namespace)


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


def _admission(graphql: Any, settings: Settings, telemetry: Telemetry) -> Admission:
    """Bounded work in flight and waiting; refusals and the queue in /metrics."""
    rejected = telemetry.meter.create_counter(
        "casegraph.admission.rejected", "{request}",
        "Requests refused with 503 OVERLOADED, by reason (queue_full, queue_timeout)")
    admission = Admission(graphql, settings.admission,
                          lambda reason: rejected.add(1, {"reason": reason}))
    telemetry.gauge("casegraph.admission.in_flight", "Operations running and waiting",
                    lambda: [(float(admission.in_flight), {"state": "running"}),
                             (float(len(admission.waiting)), {"state": "waiting"})])
    return admission


def _cost_limit(settings: Settings, validation: Validation) -> CostLimit | None:
    """The cost-weighted rate limit, when one is configured."""
    limits = settings.rate_limits
    return CostLimit(limits, validation) if limits.enabled and limits.cost else None


def _response_cache(settings: Settings, cache: Any, policies: Any, clock: Clock
                    ) -> ResponseCache | None:
    """Whole answers in the shared cache (signed when shared), or in memory of their own."""
    if not settings.response_cache.enabled:
        return None
    from providers.cache import memory_cache
    from providers.cached import DEFAULT_TTLS

    ttls = {**DEFAULT_TTLS, **settings.cache_ttls}
    shared = cache is not None and settings.cache_backend == "redis"
    return ResponseCache(cache if cache is not None else memory_cache(),
                         settings.response_cache, lambda kind: ttls.get(kind, 60.0),
                         referenced(policies), signing_key(settings.response_cache, shared),
                         clock.time)


def create_app(settings: Settings | None = None, telemetry: Telemetry | None = None,
               clock: Clock = SYSTEM) -> Starlette:
    """Build the app, or raise `ConfigError`/`PolicyError` naming what is wrong. `clock` is
    what token lifetimes, cache ages, breakers and every wait go by (tests move it)."""
    settings = settings or Settings()
    telemetry = telemetry or Telemetry(settings.telemetry)
    federation = Federation(settings.federation)
    costs_of: dict[int, CostLimit | None] = {}

    def schema_for(extend: Any) -> Any:
        """A schema with its own validation cache (verdicts are per schema) and cost limit."""
        validation = Validation(settings.limits, settings.introspection)
        costs = _cost_limit(settings, validation)
        built = build_schema(introspection=settings.introspection,
                             validation=lambda: GuardedValidation(validation),
                             max_tokens=settings.limits.max_tokens, max_batch=settings.max_batch,
                             tracer=telemetry.tracer,
                             extensions=[lambda: CostCharged(costs)] if costs else [],
                             extend=extend)
        advertise_spec_locations(built._schema)
        costs_of[id(built)] = costs
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
    answers = _response_cache(settings, cache, policies, clock)

    async def changed(event: DomainEvent) -> None:
        """What an event names is old: its cached records are dropped, so the next read
        (a subscriber's or a query's) goes to the backend, and cached answers that showed
        the person in full, by either number, are misses. Without caches, nothing to do."""
        if cache is None and answers is None:
            return
        at = clock.time()
        try:
            crns, noms = await person_numbers(registry, event.crn, event.noms)
        except ProviderError:  # whom it names is not known: every answer so far is old
            crns, noms = [event.crn] if event.crn else [], event.noms
            if answers is not None:
                answers.everything_changed(at)
        each: list[str | None] = [*crns] or [None]
        for crn in each:
            await registry.forget(crn, noms)
        if answers is not None:
            answers.changed([*crns, *([noms] if noms else [])], at)
    events = EventFeed(settings.events, clock, on_change=changed)

    def view(schema: Any, persisted: PersistedOperations | None,
             answers: ResponseCache | None = None) -> GraphQLView:
        return GraphQLView(schema, evaluator, registry, GraphiQLPage(demo=settings.auth.demo),
                           settings.deadline_seconds, settings.batching, persisted, audit,
                           telemetry, answers, costs_of[id(schema)], events.freshness)
    persisted = PersistedOperations(settings.persisted, schema._schema, cache)
    views = {"/graphql": view(schema, persisted, answers)}
    if settings.federation.subgraph:  # the same protections, rate limits counted together
        views["/subgraph"] = view(schema_for(federation.federated), None)

    async def by_path(scope: Any, receive: Any, send: Any) -> None:
        await views.get(scope["path"], views["/graphql"])(scope, receive, send)
    limited = RateLimited(by_path, settings.rate_limits) if settings.rate_limits.enabled \
        else by_path
    verifier = TokenVerifier(settings.auth, clock)
    graphql = RequestTelemetry(CSRFGuard(Authenticated(limited, verifier,
                                                       settings.max_body_bytes)), telemetry)
    admitted = _admission(graphql, settings, telemetry)
    _gauges(telemetry, registry, audit)
    events.gauges(telemetry)
    # Subscriptions on /graphql (SSE and WebSocket) read the hub the broker consumer fills.
    subscriptions = Subscriptions(schema, evaluator, registry, events.hub,
                                  settings.subscriptions, clock, audit, settings.batching,
                                  telemetry, persisted)
    admitted_or_events, websocket = subscription_routes(admitted, subscriptions, verifier,
                                                        settings, limited)
    telemetry.gauge("casegraph.subscriptions.open", "Subscription streams open in this process",
                    lambda: [(float(subscriptions.total), {})])
    telemetry.gauge("casegraph.subscriptions.messages", "Messages sent to subscribers since "
                    "start", lambda: [(float(subscriptions.sent), {})])
    if answers is not None:
        telemetry.gauge("casegraph.response_cache.lookups", "Whole answers looked up in the "
                        "response cache since start, by result", lambda: [
                            (float(answers.hits), {"result": "hit"}),
                            (float(answers.misses), {"result": "miss"})])

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
                             "audit": {"sink": settings.audit.sink, "state": audit_state},
                             "events": events.readiness()})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        events.start()
        yield
        await events.aclose()  # the hub closes: every stream ends
        await subscriptions.feeds.aclose()
        if audit is not None:
            await audit.aclose()
        await registry.aclose()
        telemetry.shutdown()
        if cache is not None:
            await cache.close()

    app = Starlette(routes=[
        Route("/graphql", admitted_or_events, methods=["GET", "POST"]), websocket,
        Route("/healthz", healthz), Route("/readyz", readyz),
        Route("/metrics", MetricsEndpoint(telemetry.prometheus,
                                          networks(settings.telemetry.metrics_from)).serve),
        *[Route(path, admitted, methods=["GET", "POST"]) for path in views if path != "/graphql"],
        Mount(ASSET_PATH, StaticFiles(directory=STATIC)),
        *ui_routes(settings.ui_dir, settings.auth.demo),
    ], lifespan=lifespan, middleware=cors(settings.cors_origins, settings.cors_allow_headers))
    app.state.schema = schema
    app.state.evaluator = evaluator
    app.state.registry = registry
    app.state.audit = audit
    app.state.cache = cache
    app.state.answers = answers
    app.state.admission = admitted
    app.state.telemetry = telemetry
    app.state.hub = events.hub  # what subscriptions read (events.hub.Hub)
    app.state.feed_freshness = events.freshness  # read-only (events.freshness.FeedFreshness)
    app.state.events = events
    app.state.subscriptions = subscriptions
    return app
