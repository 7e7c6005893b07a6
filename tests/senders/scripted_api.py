"""A tiny real HTTP server that answers Cloud API sends from a script, for the answers
the simulator's digit table does not give (Retry-After, codes 4, 80007, 131049, ...).

It records each request's arrival time (time.monotonic) and body, and how many were in
flight at once, so tests measure waits and concurrency on the server's side."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Answer = tuple[int, dict[str, Any], dict[str, str]]

ACCEPTED: Answer = (200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.SCRIPTED"}]}, {})


def meta_error(http_status: int, code: int, headers: dict[str, str] | None = None) -> Answer:
    body = {
        "error": {
            "message": f"(#{code}) scripted",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": f"scripted error {code}"},
            "fbtrace_id": "AbCdEf",
        }
    }
    return http_status, body, headers or {}


class _Server(ThreadingHTTPServer):
    # the default listen backlog (5) drops connections when many sends open at once
    request_queue_size = 128
    daemon_threads = True


class ScriptedApi:
    """Serves `script(n, body)` for the n-th request (0-based), after `delay` seconds."""

    def __init__(self, script: Callable[[int, Any], Answer], delay: float = 0.0) -> None:
        self.script = script
        self.delay = delay
        self.arrivals: list[float] = []
        self.bodies: list[Any] = []
        self.max_concurrent = 0
        self._concurrent = 0
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with api._lock:
                    index = len(api.arrivals)
                    api.arrivals.append(time.monotonic())
                    api.bodies.append(json.loads(raw))
                    api._concurrent += 1
                    api.max_concurrent = max(api.max_concurrent, api._concurrent)
                try:
                    if api.delay:
                        time.sleep(api.delay)
                    status, body, headers = api.script(index, api.bodies[-1])
                    payload = json.dumps(body).encode()
                    self.send_response(status)
                    for name, value in {"Content-Type": "application/json", **headers}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                finally:
                    with api._lock:
                        api._concurrent -= 1

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedApi:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def first_then_accept(*first: Answer) -> Callable[[int, Any], Answer]:
    """Answer the first requests with `first`, then accept."""
    return lambda index, body: first[index] if index < len(first) else ACCEPTED
