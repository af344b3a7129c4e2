"""graphql-transport-ws (the `graphql-ws` library's protocol) on /graphql.

The token is the `Authorization` entry of `connection_init`'s payload (or the upgrade
request's header), verified as HTTP verifies it; without a valid one the socket is closed
with 4403 and the reason's first word is the code (`UNAUTHENTICATED`). Every other close
code is the protocol's: 4400 a malformed message, 4401 subscribe before the ack, 4406 no
subprotocol, 4408 no `connection_init` in time (by the injected clock), 4409 an id in use,
4429 a second `connection_init`. Each `subscribe` counts against the rate limit; a stream
ends with `error` (TOO_MANY_SUBSCRIPTIONS, TOKEN_EXPIRED, SLOW_CONSUMER, ...) or `complete`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from gateway.auth import AuthError, TokenVerifier
from gateway.ratelimit import RateLimited
from gateway.subscriptions.service import Request, Subscriptions, coded
from policies.principal import Principal
from providers.clock import Clock

PROTOCOL = "graphql-transport-ws"
MAX_MESSAGE_BYTES = 256 * 1024
log = logging.getLogger("casegraph.subscriptions")


class Closed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason[:120]


class TransportWS:
    """The ASGI endpoint for WebSocket connections to /graphql."""

    def __init__(self, service: Subscriptions, verifier: TokenVerifier,
                 rate: RateLimited | None, clock: Clock) -> None:
        self.service = service
        self.verifier = verifier
        self.rate = rate
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ws = WebSocket(scope, receive, send)
        offered = scope.get("subprotocols") or []
        await ws.accept(subprotocol=PROTOCOL if PROTOCOL in offered else None)
        connection = Connection(self, ws)
        try:
            if PROTOCOL not in offered:
                raise Closed(4406, "Subprotocol not acceptable")
            await connection.serve()
        except Closed as closed:
            with contextlib.suppress(Exception):
                await ws.close(closed.code, closed.reason)
        except WebSocketDisconnect:
            pass
        finally:
            await connection.stop()


class Connection:
    """One socket: its principal, once acknowledged, and its running subscriptions."""

    def __init__(self, endpoint: TransportWS, ws: WebSocket) -> None:
        self.endpoint = endpoint
        self.ws = ws
        self.principal: Principal | None = None
        self.expires_at = 0.0
        self.running: dict[str, asyncio.Task[None]] = {}
        self._sending = asyncio.Lock()

    async def serve(self) -> None:
        await self._initialised()
        await self.send({"type": "connection_ack"})
        while True:
            message = await self._message()
            kind = message.get("type")
            if kind == "ping":
                await self.send({"type": "pong"})
            elif kind == "pong":
                continue
            elif kind == "subscribe":
                await self._subscribe(message)
            elif kind == "complete":
                task = self.running.pop(_id(message), None)
                if task is not None:
                    task.cancel()
            elif kind == "connection_init":
                raise Closed(4429, "Too many initialisation requests")
            else:
                raise Closed(4400, f"Unexpected message type {kind!r}")

    async def _initialised(self) -> None:
        """Wait for `connection_init` (at most the configured time) and verify its token."""
        settings = self.endpoint.service.settings
        waiting = asyncio.ensure_future(self._message())
        timer = asyncio.ensure_future(self.endpoint.clock.sleep(
            settings.connection_init_seconds))
        try:
            await asyncio.wait({waiting, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
        if not waiting.done():
            waiting.cancel()
            raise Closed(4408, "Connection initialisation timeout")
        message = waiting.result()
        if message.get("type") != "connection_init":
            raise Closed(4401, "Unauthorized")
        payload = message.get("payload") or {}
        if not isinstance(payload, dict):
            raise Closed(4400, "connection_init payload is not an object")
        authorization = payload.get("Authorization") or payload.get("authorization") \
            or self.ws.headers.get("authorization")
        try:
            self.principal, self.expires_at = await self.endpoint.verifier.verified(
                authorization if isinstance(authorization, str) else None)
        except AuthError as exc:
            raise Closed(4403, f"{AuthError.code}: {exc}") from exc

    async def _message(self) -> dict[str, Any]:
        raw = await self.ws.receive()
        if raw["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(raw.get("code", 1000))
        text = raw.get("text")
        data = text.encode() if text is not None else raw.get("bytes") or b""
        if len(data) > MAX_MESSAGE_BYTES:
            raise Closed(4400, f"Message over {MAX_MESSAGE_BYTES} bytes")
        try:
            message = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise Closed(4400, "Message is not JSON") from exc
        if not isinstance(message, dict):
            raise Closed(4400, "Message is not a JSON object")
        return message

    async def _subscribe(self, message: dict[str, Any]) -> None:
        ident = _id(message)
        payload = message.get("payload")
        if not ident or not isinstance(payload, dict) or not isinstance(payload.get("query"),
                                                                          str):
            raise Closed(4400, "subscribe needs an id and a payload with a query")
        if ident in self.running:
            raise Closed(4409, f"Subscriber for {ident} already exists")
        variables, name = payload.get("variables"), payload.get("operationName")
        if not isinstance(variables, dict | None) or not isinstance(name, str | None):
            raise Closed(4400, "variables must be an object, operationName a string")
        assert self.principal is not None
        rate = self.endpoint.rate
        if rate is not None and not await rate.allows(self.principal.subject):
            await self.send({"type": "error", "id": ident, "payload": [coded(
                "RATE_LIMITED", "Rate limit exceeded; subscribe again later")]})
            return
        extensions = payload.get("extensions")
        request = Request(payload["query"], variables, name,
                          extensions if isinstance(extensions, dict) else None)
        self.running[ident] = asyncio.ensure_future(self._run(ident, request))

    async def _run(self, ident: str, request: Request) -> None:
        assert self.principal is not None
        try:
            async with contextlib.aclosing(self.endpoint.service.run(
                    self.principal, self.expires_at, request)) as messages:
                async for kind, body in messages:
                    if kind == "error":
                        await self.send({"type": "error", "id": ident, "payload": body})
                        return
                    await self.send({"type": "next", "id": ident, "payload": body})
            await self.send({"type": "complete", "id": ident})
        except (WebSocketDisconnect, RuntimeError, OSError):
            return  # the socket went away: nothing left to tell
        except Exception:
            log.exception("a subscription failed unexpectedly")
            with contextlib.suppress(Exception):
                await self.send({"type": "error", "id": ident, "payload": [coded(
                    "INTERNAL_SERVER_ERROR", "Internal server error")]})
        finally:
            if self.running.get(ident) is asyncio.current_task():
                del self.running[ident]

    async def send(self, message: dict[str, Any]) -> None:
        async with self._sending:
            await self.ws.send_text(orjson.dumps(message).decode())

    async def stop(self) -> None:
        tasks = list(self.running.values())
        self.running.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task


def _id(message: dict[str, Any]) -> str:
    ident = message.get("id")
    return ident if isinstance(ident, str) else ""
