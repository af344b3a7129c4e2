"""Both transports over real sockets: graphql-transport-ws (the `websockets` client) and
GraphQL over SSE (httpx streaming), against uvicorn on loopback. Time is the FakeClock's,
moved on the server's own event loop; events go into the server's hub there too."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import httpx
import orjson
import pytest
import websockets
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from gateway import tokens
from tests.servers import serving
from tests.subscriptions.world import HEARTBEAT, World, subscription_settings

NOMS = "K8456PF"  # R970903, managed by C05, held at SFI
QUERY = "subscription { custodyChanges { kind nomsNumber custody { establishment { code } } } }"
PROTOCOL = Subprotocol("graphql-transport-ws")


class Served:
    """A World under uvicorn; `run` calls into the server's loop from the test's."""

    def __init__(self, world: World, url: str, loop: Callable[[], asyncio.AbstractEventLoop]
                 ) -> None:
        self.world, self.url, self._loop = world, url, loop
        self.ws_url = url.replace("http://", "ws://") + "/graphql"

    async def run(self, call: Callable[[], Any]) -> Any:
        async def inside() -> Any:
            found = call()
            return await found if asyncio.iscoroutine(found) else found
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(inside(),
                                                                          self._loop()))

    async def publish_received(self) -> None:
        event = self.world.event("prisoner-offender-search.prisoner.received", noms=NOMS,
                                 reason="ADMISSION", prisonId="SFI")
        await self.run(lambda: self.world.publish(event))

    async def listeners(self, count: int) -> None:
        """Until `count` subscriptions listen (the feed monitor listens too)."""
        await self.until(lambda: self.world.hub.listeners - 1 == count)

    @staticmethod
    async def until(condition: Callable[[], bool]) -> None:
        """Poll a condition the server's thread makes true (bounded: a bug fails, it does
        not hang)."""
        for _ in range(1000):
            if condition():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the server never got there")

    def token(self, org: str = "C05", **claims: Any) -> str:
        return tokens.mint(org, now=self.world.clock.time(), **claims)


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    async with _served(subscription_settings(max_per_principal=2)) as found:
        yield found


@contextlib.asynccontextmanager
async def _served(settings: Any) -> AsyncIterator[Served]:
    world = World(settings)
    loops: list[asyncio.AbstractEventLoop] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if not loops:
            loops.append(asyncio.get_running_loop())
        await world.app(scope, receive, send)
    with serving(app) as url:
        found = Served(world, url, lambda: loops[0])
        async with httpx.AsyncClient() as client:
            await client.get(url + "/healthz")  # the server's loop, captured
        await found.run(world.service.feeds.start)
        yield found


async def _connect(served: Served, token: str | None = None) -> Any:
    socket = await websockets.connect(served.ws_url, subprotocols=[PROTOCOL])
    await socket.send(orjson.dumps({"type": "connection_init", "payload": {
        "Authorization": f"Bearer {token or served.token()}"}}).decode())
    assert orjson.loads(await socket.recv()) == {"type": "connection_ack"}
    return socket


async def _closed(socket: Any) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(10):
            while True:
                await socket.recv()
    frame = closed.value.rcvd
    assert frame is not None, "closed without a close frame"
    return frame.code, frame.reason


async def _next(socket: Any) -> dict[str, Any]:
    async with asyncio.timeout(10):
        return orjson.loads(await socket.recv())


async def test_a_subscription_streams_changes_and_stops_when_completed(served):
    socket = await _connect(served)
    await socket.send('{"type": "ping"}')
    assert await _next(socket) == {"type": "pong"}
    await socket.send(orjson.dumps({"type": "subscribe", "id": "a",
                                    "payload": {"query": QUERY}}).decode())
    await served.listeners(1)
    await served.publish_received()
    assert await _next(socket) == {"type": "next", "id": "a", "payload": {"data": {
        "custodyChanges": {"kind": "RECEIVED", "nomsNumber": NOMS,
                           "custody": {"establishment": {"code": "SFI"}}}}}}
    await socket.send('{"type": "subscribe", "id": "a", "payload": {"query": "{ viewer '
                      '{ organisation } }"}}')
    assert await _closed(socket) == (4409, "Subscriber for a already exists")
    await served.until(lambda: served.world.service.total == 0)
    assert served.world.hub.listeners == 1


async def test_the_protocols_refusals_close_with_its_codes(served):
    async with websockets.connect(served.ws_url) as bare:
        assert (await _closed(bare))[0] == 4406
    async with websockets.connect(served.ws_url, subprotocols=[PROTOCOL]) as early:
        await early.send('{"type": "subscribe", "id": "x", "payload": {"query": "{a}"}}')
        assert await _closed(early) == (4401, "Unauthorized")
    async with websockets.connect(served.ws_url, subprotocols=[PROTOCOL]) as anonymous:
        await anonymous.send('{"type": "connection_init", "payload": {}}')
        code, reason = await _closed(anonymous)
        assert code == 4403 and reason.startswith("UNAUTHENTICATED:")
    async with websockets.connect(served.ws_url, subprotocols=[PROTOCOL]) as silent:
        await served.run(lambda: served.world.clock.sleeping(1))
        await served.run(lambda: served.world.clock.advance(10))
        assert await _closed(silent) == (4408, "Connection initialisation timeout")
    socket = await _connect(served)
    await socket.send("not json")
    assert (await _closed(socket))[0] == 4400
    socket = await _connect(served)
    await socket.send('{"type": "connection_init"}')
    assert await _closed(socket) == (4429, "Too many initialisation requests")


async def test_subscriptions_count_against_the_rate_limit_with_queries():
    settings = subscription_settings()
    settings = replace(settings, rate_limits=replace(settings.rate_limits, default="2/minute"))
    async with _served(settings) as served, \
            httpx.AsyncClient(base_url=served.url, timeout=10) as client:
        headers = {"Authorization": f"Bearer {served.token()}"}
        query = await client.post("/graphql", json={"query": "{ viewer { organisation } }"},
                                  headers=headers)
        assert query.status_code == 200
        socket = await _connect(served)
        for ident in ("a", "b"):
            await socket.send(orjson.dumps({"type": "subscribe", "id": ident,
                                            "payload": {"query": QUERY}}).decode())
        refused = await _next(socket)
        assert (refused["type"], refused["id"], refused["payload"][0]["extensions"]["code"]) \
            == ("error", "b", "RATE_LIMITED")
        await socket.close()
        response = await client.post("/graphql", json={"query": QUERY}, headers={
            **headers, "Accept": "text/event-stream"})
        assert (response.status_code, response.json()["errors"][0]["extensions"]["code"]) \
            == (429, "RATE_LIMITED")


async def test_an_open_sse_stream_holds_no_admission_slot():
    settings = subscription_settings()
    settings = replace(settings, admission=replace(settings.admission, max_in_flight=1,
                                                   queue=0))
    async with _served(settings) as served, \
            httpx.AsyncClient(base_url=served.url, timeout=10) as client:
        headers = {"Authorization": f"Bearer {served.token()}"}
        async with client.stream("POST", "/graphql", json={"query": QUERY}, headers={
                **headers, "Accept": "text/event-stream"}) as stream:
            assert stream.status_code == 200
            await served.listeners(1)
            answer = await client.post("/graphql", headers=headers,
                                       json={"query": "{ viewer { organisation } }"})
            assert answer.json()["data"] == {"viewer": {"organisation": "C05"}}


async def test_a_stream_ends_with_token_expired_and_the_limit_is_per_principal(served):
    socket = await _connect(served, served.token(ttl_seconds=60))
    for ident in ("a", "b", "c"):
        await socket.send(orjson.dumps({"type": "subscribe", "id": ident,
                                        "payload": {"query": QUERY}}).decode())
    assert await _next(socket) == {"type": "error", "id": "c", "payload": [{
        "message": "At most 2 open subscriptions per caller; complete one first",
        "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": "max_per_principal",
                       "maximum": 2}}]}
    await served.listeners(2)
    await served.run(lambda: served.world.clock.advance(60 + 30))  # exp plus the leeway
    ended = sorted([await _next(socket), await _next(socket)], key=lambda m: m["id"])
    assert [(m["type"], m["id"], m["payload"][0]["extensions"]["code"]) for m in ended] == \
        [("error", "a", "TOKEN_EXPIRED"), ("error", "b", "TOKEN_EXPIRED")]
    await socket.close()


async def _events(response: httpx.Response) -> AsyncIterator[tuple[str, Any]]:
    name = None
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data:") and name is not None:
            data = line[5:].strip()
            yield name, orjson.loads(data) if data else None


async def test_sse_streams_changes_heartbeats_and_the_end(served):
    headers = {"Authorization": f"Bearer {served.token(ttl_seconds=600)}",
               "Accept": "text/event-stream"}
    async with httpx.AsyncClient(base_url=served.url, timeout=10) as client, \
            client.stream("POST", "/graphql", json={"query": QUERY}, headers=headers) \
            as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response)
        await served.listeners(1)
        await served.publish_received()
        assert await anext(events) == ("next", {"data": {"custodyChanges": {
            "kind": "RECEIVED", "nomsNumber": NOMS,
            "custody": {"establishment": {"code": "SFI"}}}}})
        await served.run(lambda: served.world.clock.advance(HEARTBEAT))
        name, body = await anext(events)
        assert (name, body["data"]["custodyChanges"]["kind"]) == ("next", "HEARTBEAT")
        await served.run(lambda: served.world.clock.advance(600 + 30))
        assert [e async for e in events] == [
            ("next", {"errors": [{"message": "The token expired: reconnect with a new one",
                                  "extensions": {"code": "TOKEN_EXPIRED"}}]}),
            ("complete", None)]


async def test_sse_refuses_what_cannot_be_streamed(served):
    async with httpx.AsyncClient(base_url=served.url, timeout=10) as client:
        anonymous = await client.post("/graphql", json={"query": QUERY},
                                      headers={"Accept": "text/event-stream"})
        assert anonymous.status_code == 401
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        headers = {"Authorization": f"Bearer {served.token()}",
                   "Accept": "text/event-stream", "Content-Type": "application/json"}
        bad = await client.post("/graphql", content=b"[1]", headers=headers)
        assert (bad.status_code, bad.json()["errors"][0]["extensions"]["code"]) == \
            (400, "BAD_REQUEST")
        invalid = await client.post("/graphql", json={"query": "subscription { nope }"},
                                    headers=headers)
        assert invalid.status_code == 200
        body = invalid.text.split("\n\n")
        assert body[0].startswith("event: next\ndata: ")
        assert orjson.loads(body[0].split("data: ", 1)[1])["errors"][0]["extensions"][
            "code"] == "GRAPHQL_VALIDATION_FAILED"
        assert body[1] == "event: complete\ndata:"
        prison = {**headers, "Authorization": f"Bearer {served.token('SFI')}"}
        forbidden = await client.post("/graphql", headers=prison, json={
            "query": "subscription { caseloadChanges { kind } }"})
        assert '"code":"FORBIDDEN"' in forbidden.text
    await served.until(lambda: served.world.service.total == 0)


async def test_a_subscription_sent_as_a_plain_request_is_told_where_to_go(served):
    headers = {"Authorization": f"Bearer {served.token()}"}
    async with httpx.AsyncClient(base_url=served.url, timeout=10) as client:
        for response in (await client.post("/graphql", json={"query": QUERY}, headers=headers),
                         await client.get("/graphql", params={"query": QUERY},
                                          headers=headers)):
            assert response.status_code == 400
            [error] = response.json()["errors"]
            assert error["extensions"]["code"] == "BAD_REQUEST"
            assert "text/event-stream" in error["message"]
