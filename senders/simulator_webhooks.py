"""Where the simulator's webhooks go: landing files (default) or a signed POST.

- `LandingSink(landing)`: each batch of due bodies is written as
  `landing/whatsapp/<YYYY-MM-DD of the event>/sim-<uuid>.jsonl`, one body per line,
  through `pipelines.landing.write_jsonl` (what the receiver would have written).
- `HttpSink(url, app_secret)`: each body is POSTed alone to `url` (our receiver:
  `http://127.0.0.1:8600/webhooks/meta`) as Meta does: `Content-Type:
  application/json`, `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body
  with the app secret>`. A body the receiver does not answer 2xx (down, 5xx, 4xx) is
  retried with backoff (0.1 s doubling to 5 s), in order, until it is taken or the
  simulator closes (close waits up to `close_grace_seconds` for the queue to drain).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
import uuid
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import httpx

from pipelines.landing import write_jsonl

logger = logging.getLogger(__name__)


def sign(secret: bytes, raw: bytes) -> str:
    return "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()


class WebhookSink(Protocol):
    def deliver(self, bodies: list[tuple[datetime, dict[str, Any]]]) -> list[Path]: ...

    def close(self) -> None: ...


class LandingSink:
    def __init__(self, landing_dir: Path) -> None:
        self.landing_dir = Path(landing_dir)

    def deliver(self, bodies: list[tuple[datetime, dict[str, Any]]]) -> list[Path]:
        by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for moment, body in bodies:
            by_day[moment.strftime("%Y-%m-%d")].append(body)
        return [
            write_jsonl(self.landing_dir / "whatsapp" / day / f"sim-{uuid.uuid4()}.jsonl", items)
            for day, items in sorted(by_day.items())
        ]

    def close(self) -> None:
        return None


class HttpSink:
    def __init__(
        self,
        url: str,
        app_secret: str | bytes,
        *,
        timeout: float = 5.0,
        backoff_base: float = 0.1,
        backoff_max: float = 5.0,
        close_grace_seconds: float = 10.0,
    ) -> None:
        secret = app_secret.encode() if isinstance(app_secret, str) else app_secret
        if not secret:
            raise ValueError("a webhook URL needs the app secret (it signs every body)")
        self.url = url
        self._secret = secret
        self._backoff = (backoff_base, backoff_max)
        self._grace = close_grace_seconds
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._stop = threading.Event()
        self._client = httpx.Client(timeout=timeout)
        self.delivered = 0
        self.attempts = 0
        self._thread = threading.Thread(target=self._run, name="cloud-api-sim-post", daemon=True)
        self._thread.start()

    def deliver(self, bodies: list[tuple[datetime, dict[str, Any]]]) -> list[Path]:
        for _, body in bodies:
            self._queue.put(json.dumps(body, separators=(",", ":")).encode())
        return []

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def _run(self) -> None:
        while True:
            raw = self._queue.get()
            if raw is None:
                return
            delay = self._backoff[0]
            while not self._post(raw):
                if self._stop.wait(delay):
                    logger.warning("simulator closed with an undelivered webhook")
                    return
                delay = min(delay * 2, self._backoff[1])

    def _post(self, raw: bytes) -> bool:
        self.attempts += 1
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(self._secret, raw)}
        try:
            response = self._client.post(self.url, content=raw, headers=headers)
        except httpx.HTTPError as exc:
            logger.debug("webhook POST to %s failed: %s", self.url, exc)
            return False
        if response.is_success:
            self.delivered += 1
            return True
        logger.debug("webhook POST to %s answered %s", self.url, response.status_code)
        return False

    def close(self) -> None:
        self._queue.put(None)
        deadline = time.monotonic() + self._grace
        while self._thread.is_alive() and time.monotonic() < deadline:
            self._thread.join(timeout=0.05)
        self._stop.set()
        self._thread.join(timeout=5)
        self._client.close()
