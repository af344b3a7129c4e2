"""A lean HTTP/1.1 client for load: kept-alive connections on asyncio streams, httptools'
C parser, orjson. The driver shares two cores with what it measures, and httpx spends about
1.4 ms of CPU per 24 KB answer; every millisecond the driver keeps is one the gateway (or
the direct-call limit, which uses this client too) does not get."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any
from urllib.parse import urlencode, urlsplit

import httptools
import orjson


class _Response:
    """Collects one response from httptools' callbacks."""

    def __init__(self) -> None:
        self.body: list[bytes] = []
        self.done = False
        self.keep_alive = False
        self.retry_after: bytes | None = None
        self.parser: httptools.HttpResponseParser | None = None

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"retry-after":
            self.retry_after = value

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.done = True
        # Asked here: once the message is complete the parser has reset and answers False.
        self.keep_alive = bool(self.parser and self.parser.should_keep_alive())


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def exchange(self, request: bytes) -> tuple[int, bytes, bool, bytes | None]:
        self.writer.write(request)
        response = _Response()
        parser = response.parser = httptools.HttpResponseParser(response)
        while not response.done:
            chunk = await self.reader.read(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection mid-response")
            parser.feed_data(chunk)
        return (parser.get_status_code(), b"".join(response.body), response.keep_alive,
                response.retry_after)

    def close(self) -> None:
        self.writer.close()


Key = tuple[str, int, bool]  # host, port, TLS


async def _connect(key: Key) -> Connection:
    host, port, tls = key
    context = ssl.create_default_context() if tls else None
    return Connection(*await asyncio.open_connection(host, port, ssl=context))


class Client:
    """POSTs JSON over at most `connections` kept-alive connections (http or https)."""

    def __init__(self, connections: int = 8, timeout: float = 30.0) -> None:
        self._idle: dict[Key, list[Connection]] = {}
        self._slots = asyncio.Semaphore(connections)
        self._timeout = timeout

    async def post_json(self, url: str, body: Any, headers: dict[str, str] | None = None,
                        params: dict[str, Any] | None = None) -> tuple[int, Any]:
        """(status, decoded JSON body or None when it is not JSON)."""
        status, answer, _ = await self.post(url, body, headers, params)
        return status, answer

    async def post(self, url: str, body: Any, headers: dict[str, str] | None = None,
                   params: dict[str, Any] | None = None) -> tuple[int, Any, float | None]:
        """(status, decoded JSON body or None, the Retry-After seconds if sent)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname is None:
            raise ValueError(f"an http:// or https:// URL, not {url}")
        target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        if params:
            target += ("&" if "?" in target else "?") + urlencode(params)
        payload = orjson.dumps(body)
        head = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc}",
                "Content-Type: application/json", "Accept: application/json",
                f"Content-Length: {len(payload)}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
        key = (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
               parts.scheme == "https")
        async with self._slots:
            status, raw, retry = await asyncio.wait_for(self._exchange(key, request),
                                                        self._timeout)
        wait = float(retry) if retry is not None and retry.isdigit() else None
        try:
            return status, orjson.loads(raw), wait
        except orjson.JSONDecodeError:
            return status, None, wait

    async def _exchange(self, key: Key, request: bytes) -> tuple[int, bytes, bytes | None]:
        idle = self._idle.setdefault(key, [])
        reused = bool(idle)
        connection = idle.pop() if idle else await _connect(key)
        try:
            status, raw, keep, retry = await connection.exchange(request)
        except (ConnectionError, OSError):
            connection.close()
            if not reused:
                raise
            # The server may close an idle kept-alive connection: once more on a new one.
            connection = await _connect(key)
            try:
                status, raw, keep, retry = await connection.exchange(request)
            except BaseException:
                connection.close()
                raise
        except BaseException:
            connection.close()
            raise
        if keep:
            idle.append(connection)
        else:
            connection.close()
        return status, raw, retry

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
