"""Where spans begin: one per HTTP request to /graphql, one each for parse, validate, execute.

Schema extension hooks here are synchronous and per operation; nothing runs per field.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from opentelemetry.trace import SpanKind, StatusCode, Tracer
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from gateway.telemetry import Telemetry


class RequestTelemetry:
    """ASGI wrapper: a SERVER span, the request counter and the latency histogram."""

    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        self.app = app
        self.telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        method = scope["method"]
        started = time.perf_counter()
        with self.telemetry.span(f"{method} /graphql", SpanKind.SERVER, {
                "http.request.method": method, "url.path": "/graphql"}) as span:
            try:
                await self.app(scope, receive, sending)
            finally:
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(StatusCode.ERROR)
        attributes = {"http.request.method": method, "http.response.status_code": status}
        self.telemetry.requests.add(1, attributes)
        self.telemetry.latency.record(time.perf_counter() - started, attributes)


class OperationSpans(SchemaExtension):
    """Spans for parsing, validation and execution of each operation."""

    def __init__(self, *, tracer: Tracer) -> None:
        self.tracer = tracer

    # Parse and validation spans have no children, so they are never made current: their
    # hooks may be closed from another context when a later extension fails.
    def on_parse(self) -> Iterator[None]:
        yield from self._leaf_span("graphql.parse")

    def on_validate(self) -> Iterator[None]:
        yield from self._leaf_span("graphql.validate")

    def _leaf_span(self, name: str) -> Iterator[None]:
        span = self.tracer.start_span(name)
        try:
            yield
        finally:
            span.end()

    def on_execute(self) -> Iterator[None]:
        with self.tracer.start_as_current_span("graphql.execute") as span:
            yield
            ec = self.execution_context
            if ec.operation_name:
                span.set_attribute("graphql.operation.name", ec.operation_name)
            if ec.operation_type is not None:
                span.set_attribute("graphql.operation.type", ec.operation_type.value)
