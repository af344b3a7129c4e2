"""GraphQL over HTTP: strawberry's ASGI view with our context, error codes and JSON encoder.

Each operation gets its own Context, a batched one too, so one operation's denials, sources
and audit record never mix with another's.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType

from gateway.audit.event import audit_event
from gateway.audit.trail import AuditTrail
from gateway.costlimit import CostLimit
from gateway.graphiql import GraphiQLPage
from gateway.negotiation import GRAPHQL_RESPONSE, response_media_type
from gateway.persisted import PersistedError, PersistedOperations
from gateway.request_body import CheckedBody, OverLimit
from gateway.response_cache import Answer, ResponseCache
from gateway.responses import error_response, format_error
from gateway.telemetry import Telemetry
from policies.evaluator import Evaluator
from providers import deadline, freshness
from providers.freshness import Freshness
from providers.registry import Registry
from resolvers import sources
from resolvers.context import Context
from resolvers.loaders import Loaders, SourceLog
from resolvers.reach import Reach, Received

SUBSCRIBE_ELSEWHERE = ("A subscription is streamed: POST it with `Accept: text/event-stream` "
                       "(GraphQL over SSE) or send it over a graphql-transport-ws WebSocket")
WITHHELD = {"message": "The audit trail cannot record this answer, so its personal data is "
                       "withheld; try again shortly", "extensions": {"code": "AUDIT_UNAVAILABLE"}}


class GraphQLView(CheckedBody, GraphQL):
    """One request, one principal (from `request.state`, set by auth); one Context per operation."""

    def __init__(self, schema: Any, evaluator: Evaluator, registry: Registry, page: GraphiQLPage,
                 deadline_seconds: float = 10.0, batching: bool = True,
                 persisted: PersistedOperations | None = None,
                 audit: AuditTrail | None = None, telemetry: Telemetry | None = None,
                 answers: ResponseCache | None = None, costs: CostLimit | None = None,
                 feeds: Any = None) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.evaluator = evaluator
        self.registry = registry
        self.page = page
        self.deadline_seconds = deadline_seconds
        self.batching = batching
        self.persisted = persisted
        self.audit = audit
        self.telemetry = telemetry
        self.answers = answers
        self.costs = costs
        self.feeds = feeds  # events.freshness.FeedFreshness: which event feeds are stale

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if "principal" not in scope.get("state", {}):
            # `Authenticated` lets only a browser's GET for the IDE page through without one.
            await HTMLResponse(self.page.render())(scope, receive, send)
            return
        media_type = response_media_type(request.headers.get("accept"))
        if media_type is None:
            response = error_response(406, "Accept application/graphql-response+json or "
                                           "application/json", "BAD_REQUEST")
        else:
            request.state.media_type = media_type
            request.state.contexts = {}
            try:
                response = await self.run(request)
            except HTTPException as exc:
                response = self._refusal(exc)
        await response(scope, receive, send)

    def _refusal(self, exc: HTTPException) -> Response:
        if isinstance(exc, OverLimit):
            return error_response(400, exc.reason, "BAD_USER_INPUT", limit=exc.limit,
                                  maximum=exc.maximum)
        allow = {"Allow": "POST"} if exc.status_code == 405 else None
        return error_response(exc.status_code, exc.reason, "BAD_REQUEST", allow)

    def should_render_graphql_ide(self, request: Any) -> bool:
        return False  # our own page is served in `__call__`; strawberry's loads from a CDN

    async def get_context(self, request: Any, response: Any) -> None:
        return None  # each operation makes its own in `execute_single`

    def new_context(self, request: Request, data: GraphQLRequestData) -> Context:
        principal = request.state.principal
        log, fresh = SourceLog(), Freshness()
        deadline.start(self.deadline_seconds)
        freshness.bind(fresh)
        decisions = self.evaluator.decisions(principal)
        loaders = Loaders(self.registry, log, self.batching, self.telemetry)
        return Context(principal=principal, decisions=decisions,
                       reach=Reach(loaders, decisions), sources=log, freshness=fresh,
                       operation=(data.operation_name, data.query))

    async def execute_single(self, request: Request, request_adapter: Any,
                             sub_response: Any, context: Any, root_value: Any,
                             request_data: GraphQLRequestData) -> ExecutionResult:
        if self.persisted is not None:
            principal = request.state.principal
            try:
                request_data = await self.persisted.resolve(
                    request_data, principal.client_id or principal.subject, principal.org)
            except PersistedError as exc:
                return ExecutionResult(data=None, errors=[exc.as_graphql()])
        if self.answers is not None:
            hit = await self._cached(request, request_data)
            if hit is not None:
                return hit
        context = self.new_context(request, request_data)
        try:
            result = await self._execute(request_adapter, context, root_value, request_data)
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError):
                raise HTTPException(405, exc.reason) from exc  # a mutation over GET
            raise
        request.state.contexts[id(result)] = (context, request_data)
        if self.persisted is not None and result.data is not None:
            await self.persisted.ran(request_data, request.state.principal.org)
        return result

    async def _execute(self, request_adapter: Any, context: Context, root_value: Any,
                       request_data: GraphQLRequestData) -> ExecutionResult:
        """strawberry's `execute_single`, without subscriptions: those are streamed (SSE or
        graphql-transport-ws, `gateway.subscriptions`), never answered once with a null."""
        allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
        try:
            return await self.schema.execute(
                request_data.query, root_value=root_value,
                variable_values=request_data.variables, context_value=context,
                operation_name=request_data.operation_name, allowed_operation_types=allowed,
                operation_extensions=request_data.extensions)
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                raise HTTPException(400, SUBSCRIBE_ELSEWHERE) from None
            raise HTTPException(400, exc.as_http_error_reason(request_adapter.method)) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc

    async def process_result(self, request: Request,
                             result: ExecutionResult) -> GraphQLHTTPResponse:
        context, request_data = request.state.contexts.pop(id(result), (None, None))
        if isinstance(context, Answer):
            return self._replayed(request, context, request_data)
        try:
            return await self._answered(request, result, context, request_data)
        finally:
            if context is not None:
                context.reach.loaders.release()

    async def _answered(self, request: Request, result: ExecutionResult, context: Any,
                        request_data: Any) -> GraphQLHTTPResponse:
        errors = [format_error(e) for e in result.errors or ()]
        extensions: dict[str, Any] = dict(result.extensions or {})
        if context is not None:
            errors = [format_error(e) for e in context.denials] + errors
            # Nothing reached the caller when the whole answer is null; else what was handed out.
            received = context.reach.received if result.data is not None else Received()
            failed = {e["extensions"]["provider"] for e in errors
                      if "provider" in e["extensions"]}
            extensions["sources"] = sources.report(
                received, context.freshness, context.sources,
                context.reach.loaders.provider_name, failed)
            if warnings := sources.warnings(received, context.freshness):
                extensions["warnings"] = warnings
        # A request error (the document never ran) has no `data` entry at all.
        body: dict[str, Any] = {} if result.data is None and errors else {"data": result.data}
        if errors:
            body["errors"] = errors
        if extensions:
            body["extensions"] = extensions
        self._count(errors, context)
        if context is not None and not self._audited(context):
            return {"errors": [WITHHELD]}
        if context is not None and self.answers is not None:
            await self.answers.keep(request.state.principal, request_data.query,
                                    request_data.operation_name, request_data.variables, body,
                                    context, self._cost(request_data))
        self._warn_of_stale_feeds(body)
        # [return-value]: `body` is built as a plain dict (keys vary per answer); it has the
        # shape of strawberry's GraphQLHTTPResponse TypedDict, which mypy cannot see in a dict.
        return body  # type: ignore[return-value]

    async def _cached(self, request: Request, data: GraphQLRequestData
                      ) -> ExecutionResult | None:
        """A cached answer's stand-in result (the view replays it), charged its cost; None on
        a miss."""
        assert self.answers is not None
        principal = request.state.principal
        answer = await self.answers.lookup(principal, data.query, data.operation_name,
                                           data.variables)
        if answer is None:
            return None
        if self.costs is not None:
            refusal = await self.costs.charge(principal.subject, max(1, answer.meta["cost"]))
            if refusal is not None:
                return ExecutionResult(data=None, errors=[refusal])
        result = ExecutionResult(data=None, errors=None)
        request.state.contexts[id(result)] = (answer, data)
        return result

    def _cost(self, data: GraphQLRequestData) -> int:
        if self.costs is None:
            return 0
        return self.costs.validation.cost_of(data.query, data.operation_name)

    def _replayed(self, request: Request, answer: Answer, data: GraphQLRequestData
                  ) -> GraphQLHTTPResponse:
        """A cached answer, counted and audited as the original was, under this caller."""
        meta = answer.meta
        body: dict[str, Any] = {"data": answer.data}
        if meta["errors"]:
            body["errors"] = meta["errors"]
        body["extensions"] = answer.extensions(time.time())
        self._warn_of_stale_feeds(body)
        if self.telemetry is not None:
            for error in meta["errors"]:
                self.telemetry.errors.add(1, {"code": error["extensions"]["code"]})
            for denied in meta["denied"]:
                self.telemetry.denials.add(1, {"field": denied})
        if self.audit is not None:
            event = audit_event(request.state.principal, data.operation_name, data.query,
                                set(meta["people"]), set(meta["prisoners"]), set(meta["groups"]),
                                meta["denied"], meta["attempts"])
            if event is not None and not self.audit.record(event):
                return {"errors": [WITHHELD]}
        return body  # type: ignore[return-value]

    def _warn_of_stale_feeds(self, body: dict[str, Any]) -> None:
        """A source's events silent longer than expected: a change there may not have reached
        the caches behind this answer. Added as the answer leaves, never kept with it (the
        feed may speak again before a cached copy is served); the same for every caller, it
        says nothing of any record."""
        stale = sorted(self.feeds.stale()) if self.feeds is not None else ()
        if not stale or "data" not in body:
            return
        warnings = body.setdefault("extensions", {}).setdefault("warnings", [])
        for source in stale:
            allowed = self.feeds.expectations[source]
            warnings.append({"code": "FEED_STALE", "source": source,
                             "staleAfterSeconds": allowed,
                             "message": f"no {source} events for over {allowed:g} s: a change "
                                        "there may not be reflected in this answer yet"})

    def _count(self, errors: list[dict[str, Any]], context: Context | None) -> None:
        if self.telemetry is None:
            return
        for error in errors:
            self.telemetry.errors.add(1, {"code": error["extensions"]["code"]})
        for denied in context.denied_fields if context is not None else ():
            self.telemetry.denials.add(1, {"field": denied})

    def _audited(self, context: Context) -> bool:
        """Queue the audit event; False when it cannot be recorded (the data is withheld)."""
        if self.audit is None:
            return True
        name, document = context.operation
        received = context.reach.received
        event = audit_event(context.principal, name, document, received.people,
                            received.prisoners, context.field_groups, context.denied_fields,
                            received.attempts)
        return event is None or self.audit.record(event)

    def create_response(self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
                        sub_response: Response) -> Response:
        media_type = getattr(sub_response, "media_type_chosen", None) or "application/json"
        retry = _retry_after(response_data)
        status = 503 if _withheld(response_data) else 429 if retry else \
            400 if media_type == GRAPHQL_RESPONSE and _request_error(response_data) else 200
        return Response(self.encode_json(response_data), status_code=status,
                        media_type=media_type, headers={"Retry-After": retry} if retry else None)

    # [override]: strawberry's GraphQL view also serves WebSockets; this one is mounted on an
    # HTTP route only, so it is only ever given a Request.
    async def get_sub_response(self, request: Request) -> Response:  # type: ignore[override]
        sub_response = await super().get_sub_response(request)
        # [attr-defined]: strawberry hands the same Response to `create_response`, our only way
        # to pass the negotiated media type there; it is read back with getattr.
        sub_response.media_type_chosen = request.state.media_type  # type: ignore[attr-defined]
        return sub_response

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def _withheld(body: GraphQLHTTPResponse | list[GraphQLHTTPResponse]) -> bool:
    bodies = body if isinstance(body, list) else [body]
    return any(WITHHELD in (b.get("errors") or ()) for b in bodies)


def _retry_after(body: GraphQLHTTPResponse | list[GraphQLHTTPResponse]) -> str | None:
    """When a single operation was refused by the cost limit: the seconds to wait."""
    if not isinstance(body, dict) or "data" in body:
        return None
    errors: list[Any] = list(body.get("errors") or ())
    limited = [e for e in errors if e.get("extensions", {}).get("code") == "RATE_LIMITED"]
    return str(limited[0]["extensions"]["retryAfter"]) if limited and limited == errors else None


def _request_error(body: GraphQLHTTPResponse | list[GraphQLHTTPResponse]) -> bool:
    """A single document that never ran; a missing APQ document is not one (clients retry)."""
    if not isinstance(body, dict) or "data" in body:
        return False
    # strawberry types errors as `object`; ours are formatted by `format_error` (dicts).
    return any(not isinstance(e, dict)
               or (e.get("extensions") or {}).get("code") != "PERSISTED_QUERY_NOT_FOUND"
               for e in body.get("errors") or ())
