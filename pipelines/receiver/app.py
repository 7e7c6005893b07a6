"""The receiver's ASGI app: four routes, no framework, nothing slow on the hot path.

    GET  /webhooks/meta      Meta's subscription check: echo hub.challenge when
                             hub.mode=subscribe and hub.verify_token matches, else 403
    POST /webhooks/meta      X-Hub-Signature-256 must be the HMAC-SHA256 of the raw body
                             with the app secret (else 401, nothing written); the body
                             lands by its `object` in whatsapp/, messenger/, instagram/
                             or meta_unknown/ and is answered 200 once fsynced
    POST /webhooks/chatwoot  Chatwoot signs nothing: the webhook URL carries a shared
                             token, `?token=<THREADLINE_CHATWOOT_WEBHOOK_TOKEN>` (or the
                             header X-Threadline-Webhook-Token); else 401
    GET  /healthz            200 with the writer's counters (JSON)

Other paths 404, other methods 405, bodies over the limit 413, a full write queue 503,
a failed disk write 500; a signed body that cannot be read (not UTF-8, not JSON, nested
too deeply) is kept whole as raw bytes (bodies.py) and answered 200, never 500. Each
refusal logs one warning line: method, path (never the query, which may hold a token),
status, reason, client address; never a body.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from pipelines.receiver.bodies import CHATWOOT, META_UNKNOWN, SOURCES, landing_line, meta_source
from pipelines.receiver.bodies import parse as parse_body
from pipelines.receiver.config import ReceiverSettings
from pipelines.receiver.durable_log import (
    DurableLog,
    LogClosed,
    Overloaded,
    WriteFailed,
    recover_partials,
)
from pipelines.receiver.signature import meta_signature_valid, parse_meta_signature, token_valid

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

LOG = logging.getLogger("threadline.receiver")
META_PATH = "/webhooks/meta"
CHATWOOT_PATH = "/webhooks/chatwoot"
HEALTH_PATH = "/healthz"
ROUTES: dict[str, tuple[str, ...]] = {
    META_PATH: ("GET", "POST"),
    CHATWOOT_PATH: ("POST",),
    HEALTH_PATH: ("GET",),
}
TEXT = b"text/plain; charset=utf-8"
CLOSE = ((b"connection", b"close"),)


class TooLarge(Exception):
    pass


class Disconnected(Exception):
    pass


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of header `name` (lower case), or None."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def query(scope: Scope) -> dict[str, list[str]]:
    raw: bytes = scope.get("query_string", b"")
    return parse_qs(raw.decode("latin-1"), keep_blank_values=True) if raw else {}


async def respond(
    send: Send,
    status: int,
    body: bytes = b"",
    content_type: bytes = TEXT,
    extra: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", b"%d" % len(body)), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ReceiverApp:
    """ASGI 3 app; the lifespan recovers crashed `.part` files and runs the writer."""

    def __init__(self, settings: ReceiverSettings) -> None:
        self.settings = settings
        self.log = DurableLog(
            settings.landing,
            rotate_seconds=settings.rotate_seconds,
            rotate_bytes=settings.rotate_bytes,
            max_pending_bytes=settings.max_pending_bytes,
        )
        self._meta_secret = ReceiverSettings.secret_bytes(settings.meta_app_secret)
        self._verify_token = ReceiverSettings.secret_bytes(settings.verify_token)
        self._chatwoot_token = ReceiverSettings.secret_bytes(settings.chatwoot_token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    # -- lifespan --------------------------------------------------------------------

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.startup()
                except Exception as exc:
                    LOG.exception("receiver start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.log.close()
                LOG.info("receiver stopped: %s", self.log.stats.as_dict())
                await send({"type": "lifespan.shutdown.complete"})
                return

    def startup(self) -> None:
        self.settings.landing.mkdir(parents=True, exist_ok=True)
        recovered = recover_partials(self.settings.landing, SOURCES)
        if recovered.files or recovered.removed_empty or recovered.skipped_live:
            LOG.warning(
                "recovered %d .part files left by a stopped receiver (dropped %d bytes of "
                "unacknowledged partial lines, removed %d empty, skipped %d still in use)",
                recovered.files, recovered.dropped_bytes, recovered.removed_empty,
                recovered.skipped_live,
            )
        self.log.start()

    # -- http ------------------------------------------------------------------------

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        allowed = ROUTES.get(path)
        if allowed is None:
            return await self._refuse(scope, send, 404, "no such route")
        if method not in allowed:
            allow = ", ".join(allowed).encode()
            return await self._refuse(scope, send, 405, "method not allowed", ((b"allow", allow),))
        try:
            if path == HEALTH_PATH:
                stats = json.dumps({"status": "ok", **self.log.stats.as_dict()}).encode()
                await respond(send, 200, stats, b"application/json")
            elif path == CHATWOOT_PATH:
                await self._chatwoot(scope, receive, send)
            elif method == "GET":
                await self._verify(scope, send)
            else:
                await self._meta(scope, receive, send)
        except TooLarge:
            limit = self.settings.max_body_bytes
            await self._refuse(scope, send, 413, f"body over {limit} bytes", CLOSE)
        except Disconnected:
            LOG.warning("client %s went away during %s %r", _client(scope), method, path)

    async def _verify(self, scope: Scope, send: Send) -> None:
        params = query(scope)
        mode = params.get("hub.mode", [""])[0]
        token = params.get("hub.verify_token", [""])[0].encode("utf-8")
        if mode != "subscribe" or not token_valid(self._verify_token, token):
            return await self._refuse(scope, send, 403, "verification token or mode refused")
        await respond(send, 200, params.get("hub.challenge", [""])[0].encode("utf-8"))

    async def _meta(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._meta_secret:
            return await self._refuse(scope, send, 401, "THREADLINE_META_APP_SECRET is unset")
        digest = parse_meta_signature(header(scope, b"x-hub-signature-256"))
        if digest is None:
            return await self._refuse(scope, send, 401, "missing or malformed signature")
        body = await self._body(scope, receive)
        if not meta_signature_valid(self._meta_secret, body, digest):
            return await self._refuse(scope, send, 401, "signature does not match the body")
        document, problem = parse_body(body)
        source = meta_source(document) if problem is None else META_UNKNOWN
        await self._land(scope, send, source, landing_line(body, document, problem))

    async def _chatwoot(self, scope: Scope, receive: Receive, send: Send) -> None:
        given = header(scope, b"x-threadline-webhook-token")
        if given is None and scope.get("query_string"):
            tokens = query(scope).get("token")
            given = tokens[0].encode("utf-8") if tokens else None
        if not token_valid(self._chatwoot_token, given):
            return await self._refuse(scope, send, 401, "chatwoot token missing or wrong")
        body = await self._body(scope, receive)
        document, problem = parse_body(body)
        await self._land(scope, send, CHATWOOT, landing_line(body, document, problem))

    async def _land(self, scope: Scope, send: Send, source: str, line: bytes) -> None:
        try:
            await self.log.append(source, line)
        except Overloaded:
            await self._refuse(scope, send, 503, "write queue full", ((b"retry-after", b"5"),))
        except LogClosed:
            await self._refuse(scope, send, 503, "shutting down", ((b"retry-after", b"5"),))
        except WriteFailed as exc:
            await self._refuse(scope, send, 500, f"landing write failed ({exc})")
        else:
            await respond(send, 200, b"ok")

    async def _body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.settings.max_body_bytes
        declared = header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise TooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Disconnected
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise TooLarge
            if not message.get("more_body", False):
                return chunk if not chunks else b"".join((*chunks, chunk))
            chunks.append(chunk)

    async def _refuse(
        self,
        scope: Scope,
        send: Send,
        status: int,
        reason: str,
        extra: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        LOG.warning("refused %s %r -> %d: %s (client %s)",
                    scope["method"], scope["path"][:200], status, reason, _client(scope))
        await respond(send, status, reason.encode("utf-8") + b"\n", extra=extra)


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "unknown"


def create_app() -> ReceiverApp:
    """Factory for `uvicorn --factory pipelines.receiver.app:create_app`."""
    return ReceiverApp(ReceiverSettings.from_env())
