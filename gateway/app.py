"""The ASGI application factory: checks everything at start, then serves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from gateway.auth import TokenVerifier
from gateway.authentication import Authenticated
from gateway.graphiql import ASSET_PATH, STATIC, GraphiQLPage
from gateway.settings import Settings
from gateway.view import GraphQLView
from policies.coverage import checked
from policies.evaluator import Evaluator
from providers.registry import build_registry
from resolvers.schema import build_schema, non_null_fields, object_fields, python_names


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app, or raise `ConfigError`/`PolicyError` naming what is wrong."""
    settings = settings or Settings()
    schema = build_schema(introspection=settings.introspection)
    fields = object_fields(schema)
    policies = checked(settings.policy_dir, fields, non_null_fields(schema))
    registry = build_registry(settings.providers, settings.bindings)
    evaluator = Evaluator(policies, fields)
    view = GraphQLView(schema, evaluator, registry, python_names(schema),
                       GraphiQLPage(demo=settings.auth.demo))
    graphql = Authenticated(view, TokenVerifier(settings.auth), settings.max_body_bytes)

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        providers = {name: {"kinds": sorted(k for k, p in registry.bindings.items() if p == name),
                            "state": "up"} for name in registry.providers}
        return JSONResponse({"status": "ready", "providers": providers})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await registry.aclose()

    app = Starlette(routes=[
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz), Route("/readyz", readyz),
        Mount(ASSET_PATH, StaticFiles(directory=STATIC)),
    ], lifespan=lifespan)
    app.state.schema = schema
    app.state.evaluator = evaluator
    app.state.registry = registry
    return app
