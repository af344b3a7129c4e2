"""GraphQL over HTTP: strawberry's ASGI view with our context, error codes and JSON encoder."""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from graphql import ExecutionResult
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse

from gateway.graphiql import GraphiQLPage
from gateway.responses import error_response, format_error
from policies.evaluator import Evaluator
from providers import deadline, freshness
from providers.freshness import Freshness
from providers.registry import Registry
from resolvers.context import Context
from resolvers.loaders import Loaders, SourceLog


class GraphQLView(GraphQL):
    """One request, one Context: the principal comes from `request.state`, set by auth."""

    def __init__(self, schema: Any, evaluator: Evaluator, registry: Registry,
                 python_names: dict[str, dict[str, str]], page: GraphiQLPage,
                 deadline_seconds: float = 10.0, batching: bool = True) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.evaluator = evaluator
        self.registry = registry
        self.python_names = python_names
        self.page = page
        self.deadline_seconds = deadline_seconds
        self.batching = batching

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if "principal" not in scope.get("state", {}):
            # `Authenticated` lets only a browser's GET for the IDE page through without one.
            await HTMLResponse(self.page.render())(scope, receive, send)
            return
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = error_response(exc.status_code, exc.reason, "BAD_REQUEST")
        await response(scope, receive, send)

    async def get_context(self, request: Any, response: Any) -> Context:  # type: ignore[override]
        principal = request.state.principal
        sources, fresh = SourceLog(), Freshness()
        deadline.start(self.deadline_seconds)
        freshness.bind(fresh)
        context = Context(principal=principal, decisions=self.evaluator.decisions(principal),
                          loaders=Loaders(self.registry, sources, self.batching),
                          sources=sources,
                          python_names=self.python_names, freshness=fresh)
        request.state.context = context
        return context

    async def process_result(self, request: Request,  # type: ignore[override]
                             result: ExecutionResult) -> GraphQLHTTPResponse:
        context: Context | None = getattr(request.state, "context", None)
        errors = [format_error(e) for e in result.errors or ()]
        extensions: dict[str, Any] = dict(result.extensions or {})
        if context is not None:
            errors = [format_error(e) for e in context.denials] + errors
            extensions["sources"] = context.sources.report(context.freshness)
            if context.freshness.warnings:
                extensions["warnings"] = context.freshness.warnings
        body: dict[str, Any] = {"data": result.data}
        if errors:
            body["errors"] = errors
        if extensions:
            body["extensions"] = extensions
        return body  # type: ignore[return-value]

    def encode_json(self, data: object) -> bytes:  # type: ignore[override]
        return orjson.dumps(data)
