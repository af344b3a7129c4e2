"""`GET /metrics` for operators' networks only.

The metrics count provider calls by kind, errors by code and denials by field: read by a
tenant, they would tell one organisation what another's queries found (a lookup of a number
that exists loads one kind more than one that does not). So the endpoint answers only clients
in the configured networks (`[telemetry] metrics_from`, loopback by default; a Prometheus in
the cluster is added there); anyone else gets 404, as if there were no such endpoint.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

from gateway.responses import error_response

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK = ("127.0.0.0/8", "::1/128")


def networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """Parsed networks; ValueError names the one that is not a network."""
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


class MetricsEndpoint:
    """The Prometheus exposition, for clients in `allowed` only."""

    def __init__(self, render: Callable[[], bytes], allowed: tuple[Network, ...]) -> None:
        self.render = render
        self.allowed = allowed

    def admits(self, host: str | None) -> bool:
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False
        return any(address in network for network in self.allowed)

    async def serve(self, request: Request) -> Response:
        if not self.admits(request.client.host if request.client else None):
            return error_response(404, "Not Found", "NOT_FOUND")
        return Response(self.render(), media_type=CONTENT_TYPE_LATEST)
