"""A minimal HTTP/1.1 keep-alive client for the load benchmarks (``bench.casework``); not a benchmark itself.

One connection per client, kept open between requests, JSON bodies and a bearer token; a response is read by
its length or chunked; a connection the server closed while idle is reopened and the request sent again.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """Status, whether the server closes the connection, and the body (by length, or chunked)."""
    status_line = await reader.readuntil(b"\r\n")
    version, status, *_ = status_line.split(b" ", 2)
    close = version == b"HTTP/1.0"
    length, chunked = 0, False
    while True:
        line = await reader.readuntil(b"\r\n")
        if line == b"\r\n":
            break
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            close = value == b"close"
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value
    if not chunked:
        return int(status), close, await reader.readexactly(length) if length else b""
    body = bytearray()
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        body += await reader.readexactly(size)
        await reader.readexactly(2)
    while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
        pass
    return int(status), close, bytes(body)


class HttpClient:
    """One keep-alive connection, reopened when the server closes it.

    A request on a reused connection that the server had already closed (an idle keep-alive timing
    out) gets no byte of an answer, only the end of the stream or a reset; it is sent again once on a
    new connection and counted in ``resent`` (were the server to have acted on it, the second copy
    would show as a row stored without an acknowledgement, never as a lost one).
    """

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self._headers = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\n"
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.connects = 0
        self.resent = 0

    async def request(self, method: str, path: str, payload: Any = None) -> tuple[int, bytes]:
        body = b"" if payload is None else json.dumps(payload).encode()
        head = f"{method} {path} HTTP/1.1\r\n{self._headers}"
        if method != "GET":
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        message = (head + "\r\n").encode() + body
        for attempt in (1, 2):
            reused = self._writer is not None
            if self._writer is None:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
                self.connects += 1
            assert self._reader is not None and self._writer is not None
            try:
                self._writer.write(message)
                await self._writer.drain()
                status, close, data = await read_response(self._reader)
            except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as error:
                self.close()
                partial = getattr(error, "partial", b"")
                if reused and attempt == 1 and not partial:
                    self.resent += 1
                    continue
                raise
            if close:
                self.close()
            return status, data
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None
