"""How `casegraph serve` runs a gateway process (`gateway.supervisor` keeps several).

With `--workers N` every worker binds its own socket with SO_REUSEPORT, so the kernel spreads
connections across them. (uvicorn's own workers share one socket, and one worker's accept loop
could take every pending connection: measured, two workers then served no more than one.)
The socket is created as TCP explicitly so asyncio sets TCP_NODELAY on each connection; a
socket of protocol 0 kept Nagle's algorithm, 40 ms per kept-alive answer.
"""

from __future__ import annotations

import errno
import gc
import socket
from typing import Any

import uvicorn


def listening_socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def bind(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    """The listening socket, or a `ConfigError` in one line saying why not (no traceback)."""
    from providers.registry import ConfigError

    try:
        return listening_socket(host, port, reuse_port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"{host}:{port} is already in use (another casegraph?): stop "
                              f"it, or choose another port with --port (PORT= for make run)"
                              ) from None
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


# Collect young objects every 10,000 allocations, not 700: a 100-row answer allocates tens
# of thousands of short-lived objects (decoded JSON, records, result dicts). Measured with the
# benchmark: 3-4% less CPU (W4 in two processes 297 -> 310 requests/s) for a resident plateau
# about 25 MiB higher per process (W2 116 -> 141 MiB), flat over a 240 s soak.
GC_THRESHOLDS = (10_000, 10, 10)


def tune_gc() -> None:
    """Keep the garbage collector off what lives for the whole process: everything made at
    start-up (modules, schema, embedded data, policies) goes to the permanent generation, so
    collections stop walking it. Measured on the benchmark's W2 (cold 100-row caseload) when
    backend calls still went through httpx: CPU per request 25.6 -> 21.3 ms with the freeze,
    19.1 ms with the thresholds too; W4 (warm) 8.0 -> 6.6 ms."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def serve(app: Any, sock: socket.socket, grace_seconds: float = 20.0) -> None:
    """Serve on a socket already bound (by `bind`, so a taken port is one clear line) until
    SIGTERM or SIGINT, then drain: the socket closes (new connections are refused), requests
    in flight finish, for at most `grace_seconds`."""
    # No access log: a GET's query string can carry a person's identifier.
    config = uvicorn.Config(app, log_level="warning", access_log=False, log_config=None,
                            timeout_graceful_shutdown=max(1, round(grace_seconds)))
    tune_gc()
    _Draining(config, getattr(getattr(app, "state", None), "hub", None)).run(sockets=[sock])


class _Draining(uvicorn.Server):
    """Ends every subscription stream (SHUTTING_DOWN, so clients reconnect elsewhere) as the
    drain starts: a stream never finishes by itself, so it would hold the drain for its whole
    grace period and then be cut off without a word."""

    def __init__(self, config: uvicorn.Config, hub: Any) -> None:
        super().__init__(config)
        self.hub = hub

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.hub is not None:
            self.hub.close()
        await super().shutdown(sockets)
