"""The simulator's HTTP/1.1 server: one asyncio event loop on a background thread.

Why not http.server: its listen backlog of 5 reset connections when 64 clients
connected at once, and a thread per connection gave 28-33 requests/s to 64 concurrent
keep-alive httpx clients on the shared 2-core machine. This loop costs about 0.6 ms of
simulator CPU per accepted send, webhooks included (bench/simulator.py: ~1,650
requests per simulator CPU-second; 860-890 requests/s from a bare asyncio client on
that machine). Why not uvicorn: an ASGI app cannot close a connection without
answering, which the `timeouts` and `drops` faults need.

It speaks just what the Cloud API clients use: a request line, headers, a
Content-Length body (chunked bodies are refused with 411), keep-alive unless the
client sends `Connection: close`. The handlers (CloudApiSimulator.handle_*) are
synchronous and quick; an answer's `delay` is an `asyncio.sleep`, so a slow or held
request never blocks the others, and `close()` cancels them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Protocol

logger = logging.getLogger(__name__)

_MAX_HEADER_LINES = 100
_MAX_BODY = 8 * 1024 * 1024


class Answered(Protocol):
    status: int
    body: dict[str, Any]
    headers: tuple[tuple[str, str], ...]
    delay: float
    answer: bool


# (method, target, headers with lower-case names, raw body) -> answer
Dispatch = Callable[[str, str, dict[str, str], bytes], Answered]


def _head(status: int, length: int, headers: tuple[tuple[str, str], ...], close: bool) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [
        f"HTTP/1.1 {status} {reason}",
        "Server: ThreadlineCloudApiSimulator/2.0",
        "Content-Type: application/json",
        f"Content-Length: {length}",
        *(f"{name}: {value}" for name, value in headers),
    ]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class HttpServer:
    def __init__(self, host: str, port: int, dispatch: Dispatch) -> None:
        self._dispatch = dispatch
        self._loop = asyncio.new_event_loop()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(host, port), name="cloud-api-sim-http", daemon=True
        )
        self._thread.start()
        self._started.wait()
        if self._error is not None:
            raise self._error
        assert self._server is not None
        self.server_address: tuple[str, int] = self._server.sockets[0].getsockname()[:2]

    def _run(self, host: str, port: int) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._connection, host, port, backlog=1024, reuse_address=True)
            )
        except BaseException as exc:  # noqa: BLE001 (reported to the constructor)
            self._error = exc
            self._started.set()
            return
        self._started.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; False when the connection is to be closed."""
        request_line = await reader.readline()
        if not request_line.strip():
            return False
        parts = request_line.decode("latin-1").split()
        if len(parts) != 3:
            return False
        method, target, version = parts
        headers: dict[str, str] = {}
        for _ in range(_MAX_HEADER_LINES):
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            writer.write(_head(411, 0, (), True))
            await writer.drain()
            return False
        length = int(headers.get("content-length") or 0)
        if not 0 <= length <= _MAX_BODY:
            writer.write(_head(413, 0, (), True))
            await writer.drain()
            return False
        raw = await reader.readexactly(length) if length else b""
        answer = self._dispatch(method, target, headers, raw)
        if answer.delay > 0:
            await asyncio.sleep(answer.delay)
        if not answer.answer:  # a timeout or a drop: close with no answer
            return False
        close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
        payload = json.dumps(answer.body).encode()
        writer.write(_head(answer.status, len(payload), answer.headers, close) + payload)
        await writer.drain()
        return not close

    def close(self) -> None:
        """Stop listening, cancel the requests in flight (held or slow), stop the loop."""
        if not self._thread.is_alive():
            return

        async def stop() -> None:
            if self._server is not None:
                self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.sleep(0)
            self._loop.stop()

        asyncio.run_coroutine_threadsafe(stop(), self._loop)
        self._thread.join(timeout=5)
