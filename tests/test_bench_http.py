"""The benchmark's lean HTTP client against a real server: kept-alive connections, chunked and
sized bodies, a server that closes idle connections, non-JSON answers."""

import asyncio

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route

from bench.http import Client
from tests.servers import serving

SEEN: list[tuple[str, int]] = []


async def echo(request: Request) -> JSONResponse:
    SEEN.append((request.url.query, request.client.port if request.client else 0))
    return JSONResponse({"got": await request.json(), "auth": request.headers.get("x-token")})


async def chunked(_: Request) -> StreamingResponse:
    async def parts():
        for piece in (b'{"data": {"rows": [', b"1, 2, 3", b"]}}"):
            yield piece
    return StreamingResponse(parts(), media_type="application/json")


async def closing(_: Request) -> JSONResponse:
    return JSONResponse({"ok": True}, headers={"Connection": "close"})


async def text(_: Request) -> PlainTextResponse:
    return PlainTextResponse("not json", status_code=502)


APP = Starlette(routes=[Route("/echo", echo, methods=["POST"]),
                        Route("/chunked", chunked, methods=["POST"]),
                        Route("/closing", closing, methods=["POST"]),
                        Route("/text", text, methods=["POST"])])


@pytest.fixture(scope="module")
def base():
    with serving(APP) as url:
        yield url


async def test_answers_decoded_and_connections_kept_alive(base):
    SEEN.clear()
    client = Client(connections=1)
    for i in range(3):
        status, answer = await client.post_json(f"{base}/echo", {"n": i}, {"x-token": "t"},
                                                {"page": i})
        assert status == 200 and answer == {"got": {"n": i}, "auth": "t"}
    assert [q for q, _ in SEEN] == ["page=0", "page=1", "page=2"]
    assert len({port for _, port in SEEN}) == 1  # one connection for all three
    await client.aclose()


async def test_chunked_bodies_closed_connections_and_non_json(base):
    client = Client(connections=2)
    assert await client.post_json(f"{base}/chunked", {}) == (200, {"data": {"rows": [1, 2, 3]}})
    assert await client.post_json(f"{base}/closing", {}) == (200, {"ok": True})
    assert await client.post_json(f"{base}/closing", {}) == (200, {"ok": True})
    assert await client.post_json(f"{base}/text", {}) == (502, None)
    answers = await asyncio.gather(*(client.post_json(f"{base}/echo", i) for i in range(6)))
    assert [a["got"] for _, a in answers] == list(range(6))
    await client.aclose()


async def test_other_schemes_are_refused():
    with pytest.raises(ValueError, match="http"):
        await Client().post_json("ftp://127.0.0.1/x", {})


async def test_a_kept_alive_connection_the_server_dropped_is_replaced():
    """The server answers as if it would keep the connection, then drops it while it is idle
    (as servers do after their keep-alive timeout): the next request goes out on a new one."""
    connections = 0
    dropped = asyncio.Event()

    async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                     b"content-length: 11\r\n\r\n{\"ok\": 1}\r\n")
        await writer.drain()
        writer.close()  # dropped after the answer, with no "Connection: close"
        await writer.wait_closed()
        dropped.set()

    server = await asyncio.start_server(answer_once, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = Client(connections=1)
    try:
        for _ in range(3):
            dropped.clear()
            assert await client.post_json(f"http://127.0.0.1:{port}/", {}) == (200, {"ok": 1})
            await dropped.wait()  # the drop has happened before the next request
    finally:
        await client.aclose()
        server.close()
        await server.wait_closed()
    assert connections == 3
