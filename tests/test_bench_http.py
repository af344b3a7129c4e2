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
