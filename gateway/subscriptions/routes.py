"""Where subscriptions join the app: one hub, the service, and both transports on /graphql."""

from __future__ import annotations

from typing import Any

from starlette.routing import WebSocketRoute
from starlette.types import ASGIApp

from gateway.auth import TokenVerifier
from gateway.authentication import Authenticated
from gateway.csrf import CSRFGuard
from gateway.ratelimit import RateLimited
from gateway.subscriptions.service import Subscriptions
from gateway.subscriptions.sse import EventsFirst, TransportSSE
from gateway.subscriptions.ws import TransportWS


def subscription_routes(http: ASGIApp, service: Subscriptions, verifier: TokenVerifier,
                        settings: Any, limited: Any = None) -> tuple[ASGIApp, WebSocketRoute]:
    """`http` (the /graphql chain) with SSE subscriptions in front of it, and the WebSocket
    route. SSE passes CSRF, authentication and the rate limit as any POST does, counted with
    the queries' (`limited`, the HTTP chain's `RateLimited`), as is a WebSocket subscribe."""
    events = TransportSSE(service, verifier)
    rate = RateLimited(events, settings.rate_limits) if settings.rate_limits.enabled else None
    if rate is not None and isinstance(limited, RateLimited):
        rate.limiter = limited.limiter  # one count per subject, whatever the transport
    sse = CSRFGuard(Authenticated(rate or events, verifier, settings.max_body_bytes))
    ws = TransportWS(service, verifier, rate, service.clock)
    return EventsFirst(http, sse), WebSocketRoute("/graphql", ws)


