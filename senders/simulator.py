"""A local WhatsApp Cloud API: a real HTTP server that answers template sends like Meta.

`POST /{version}/{phone_number_id}/messages` checks, in Meta's order:

- no `Authorization: Bearer <token>` (or not the simulator's token, when it has one)
  -> HTTP 401, code 190 (OAuthException);
- a body that is not a template message -> HTTP 400, code 100 (senders.simulator_checks);
- a template (name, language) not in the registry, or REJECTED -> 404, code 132001;
  PAUSED -> 400, code 132015;
- each component's parameters against the template (senders.simulator_checks): a
  count other than the template's -> 400, code 132000; a parameter of another type
  or format than the template's -> 400, code 132012; a malformed value -> 400, code 100;
- throughput: more than `messages_per_second` messages of one phone number in a
  second -> HTTP 429, code 130429, with `Retry-After` (senders.simulator_limits);
- pair rate: a message to a `to` accepted less than `pair_seconds` ago -> 400, 131056;
- the digit table below, then the injected faults (senders.simulator_faults).

An accepted message answers Meta's success body, `{"messaging_product": "whatsapp",
"contacts": [{"input": to, "wa_id": digits}], "messages": [{"id": "wamid.…",
"message_status": "accepted"}]}`, and is appended to the send log.

The in-process constructor leaves throughput and pair rate off (None) unless given,
since tests send as fast as loopback allows; the CLI defaults to Meta's 80 messages/s
and 6 s.

`GET /{version}/{waba_id}/message_templates?fields=..&limit=..&after=..` lists the
registry as Meta's template objects, paginated (`paging.cursors.after`, `paging.next`);
`fail_template_lists(429, 500, ...)` makes the next list requests fail first;
`change_template_category()` and `set_template_status()` change a template as Meta
would and land its template webhook (always as a landing file).

Then the outcome of a send depends on the last two digits of the recipient (`to`, digits only):

| last two digits | synchronous answer                      | status webhooks later          |
| --------------- | --------------------------------------- | ------------------------------ |
| 13              | 200 accepted                            | failed 131026 (undeliverable)  |
| 49              | 200 accepted                            | failed 131049 (marketing cap)  |
| 50              | 200 accepted                            | failed 131050 (user stopped)   |
| 29              | 1st attempt 429 code 130429, then 200   | sent, delivered, read          |
| 56              | 1st attempt 400 code 131056, then 200   | sent, delivered, read          |
| 99              | 1st attempt 500 code 131000, then 200   | sent, delivered, read          |
| 51              | always 400 code 131050                  | none                           |
| 48              | always 400 code 131048 (spam limit)     | none                           |
| 98              | always 503 code 131000                  | none                           |
| 97              | 200, after `slow_response_seconds`      | sent, delivered, read          |
| 77              | 200 accepted                            | each webhook twice, newest first |
| 80 to 89        | 200 accepted                            | sent, delivered (never read)   |
| anything else   | 200 accepted                            | sent, delivered, read          |

"1st attempt" counts per recipient over the simulator's life (the newest million
recipients are remembered). Status times follow the simulated send time taken from
`clock()`: sent +1 s, delivered +5 s, read +2..120 min (fixed per message), failed
+2 s. `pricing` is on sent and delivered: `{billable, pricing_model: "PMP", category:
the template's (marketing, utility, authentication), type}` with type
`free_entry_point` inside a free entry point window (72 h from an inbound message
through a click-to-WhatsApp ad, `note_inbound(wa_id, at, entry_point=True)`),
`free_customer_service` for a utility template inside the customer service window (24 h
from the recipient's last inbound message, `note_inbound(wa_id, at)`), else `regular`;
billable is false for the free types. `conversation` is added for API versions before v24.0.

Status webhook bodies are kept pending for `status_delay_seconds`, then delivered (or
at once by `flush()`/`close()`) by senders.simulator_webhooks: by default as
`landing/whatsapp/<YYYY-MM-DD of the event>/sim-<uuid>.jsonl`, one body per line; with
`webhook_url=` (and `app_secret=`) POSTed one by one, signed with
`X-Hub-Signature-256`, retried until the receiver takes them.

The send log (`send_log=`, senders.simulator_send_log): one JSON line per accepted
message, including one accepted and then dropped without an answer, written with one
O_APPEND write as it is accepted, so a test in another process can count sends per
recipient while the simulator runs:

    {"wamid": "wamid.SIM…", "to": "+393331234567", "wa_id": "393331234567",
     "template_name": "riordino_integratori", "template_language": "it",
     "phone_number_id": "1122334455667", "accepted_at": "2026-12-02T17:40:01.123456+00:00",
     "answered": true}

(`accepted_at`: the simulator's wall clock, UTC; `answered`: false when the connection
was dropped after accepting.) `sends` (and `GET /_simulator/sends`) give the same entries.

Admin endpoints, for a simulator in another process (no token):

    GET  /_simulator/sends     {"sends": [<send log entries>]}
    GET  /_simulator/faults    {"faults": {...}}
    POST /_simulator/faults    a Faults JSON object (replaces all faults); answers the faults
    POST /_simulator/inbound   {"wa_id": "39…", "at": "<ISO 8601 with offset>" (default
                               now), "entry_point": false}: as note_inbound()

CLI (prints one ready line, `WhatsApp Cloud API simulator on http://HOST:PORT, webhooks
to WHERE`, once listening; SIGTERM/SIGINT flush and exit):

    python -m senders.simulator --port P --home DIR [--host H] [--token T]
        [--send-log FILE] [--messages-per-second N|off] [--pair-seconds S]
        [--faults JSON] [--seed N] [--status-delay S]
        [--webhook-url URL --app-secret-env VAR]

`--port 0` takes a free port (read it from the ready line); `--messages-per-second`
defaults to 80 (`off`: no limit), `--pair-seconds` to 6 (0: off); `--faults` is a
senders.simulator_faults.Faults JSON object, `--seed` overrides its seed;
`--webhook-url` POSTs the status webhooks signed with the secret in `$VAR` (default
THREADLINE_META_APP_SECRET) instead of writing landing files.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import logging
import os
import random
import re
import signal
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from pipelines.landing import write_jsonl
from pipelines.settings import paths
from senders.simulator_checks import check_parameters, parse_template_message
from senders.simulator_errors import _ERRORS, _ERRORS_HREF, SimulatedError, auth_error, meta_error
from senders.simulator_faults import Faults
from senders.simulator_http import HttpServer
from senders.simulator_limits import Limits
from senders.simulator_send_log import SendLog
from senders.simulator_webhooks import HttpSink, LandingSink, WebhookSink
from senders.templates import Template, TemplateCategory, TemplateRegistry, TemplateStatus, load_templates

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
_MESSAGES_PATH = re.compile(r"^/(v\d+\.\d+)/([^/]+)/messages/?$")
_TEMPLATES_PATH = re.compile(r"^/(v\d+\.\d+)/([^/]+)/message_templates/?$")
_ADMIN_PREFIX = "/_simulator/"
_IDS = random.Random()  # seeded from the OS once: wamids need uniqueness, not secrecy
_ATTEMPTS_KEPT = 1_000_000  # recipients whose attempt numbers are remembered (LRU)
_SERVICE_WINDOW = timedelta(hours=24)
_ENTRY_POINT_WINDOW = timedelta(hours=72)
_TEMPLATE_PAGE_DEFAULT = 25

_FAILED_STATUS = {"13": 131026, "49": 131049, "50": 131050}
_FIRST_ATTEMPT_ERROR = {"29": (429, 130429), "56": (400, 131056), "99": (500, 131000)}
_ALWAYS_ERROR = {"51": (400, 131050), "48": (400, 131048), "98": (503, 131000)}


@dataclass(frozen=True)
class Answer:
    """What the HTTP layer does with one request: answer `status` + `body` (after
    `delay` seconds), or, when `answer` is False, close the connection without a word
    (after `delay`: a timeout holds the request first)."""

    status: int
    body: dict[str, Any]
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    answer: bool = True


@dataclass(frozen=True)
class _Pending:
    due: float  # time.monotonic() after which the body is written
    occurred_at: datetime
    body: dict[str, Any]


class CloudApiSimulator:
    """The simulated Cloud API, serving on a background thread until `close()`."""

    def __init__(
        self,
        landing_dir: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        status_delay_seconds: float = 0.2,
        waba_id: str = "102290129340398",
        display_phone_number: str = "390212345678",
        *,
        token: str | None = None,
        templates: TemplateRegistry | None = None,
        clock: Clock | None = None,
        slow_response_seconds: float = 1.0,
        send_log: Path | None = None,
        messages_per_second: int | None = None,
        pair_seconds: float | None = None,
        faults: Faults | None = None,
        webhook_url: str | None = None,
        app_secret: str | bytes | None = None,
    ) -> None:
        self.landing_dir = Path(landing_dir)
        self.status_delay_seconds = status_delay_seconds
        self.waba_id = waba_id
        self.display_phone_number = display_phone_number
        self.slow_response_seconds = slow_response_seconds
        self._token = token
        self._templates = dict(load_templates() if templates is None else templates)
        self._clock: Clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._delivering = threading.Lock()
        self._requests: list[Any] = []
        self._attempts: OrderedDict[str, int] = OrderedDict()
        self._template_list_errors: list[int] = []
        self.template_list_requests: list[str] = []
        self._pending: deque[_Pending] = deque()  # in order of `due` (one delay for all)
        self._written: list[Path] = []
        self._inbound: dict[str, datetime] = {}
        self._entry_points: dict[str, datetime] = {}
        self.limits = Limits(messages_per_second, pair_seconds)
        self.faults = faults or Faults()
        self.send_log = SendLog(send_log)
        self._sink: WebhookSink = (
            HttpSink(webhook_url, app_secret or b"") if webhook_url else LandingSink(self.landing_dir)
        )
        self._closed = threading.Event()
        self._server = HttpServer(host, port, self.dispatch)
        self._threads = [
            threading.Thread(target=self._deliver_due, name="cloud-api-sim-webhooks", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[Any]:
        """Every body POSTed to a messages endpoint, in arrival order (parsed JSON when valid)."""
        with self._lock:
            return list(self._requests)

    @property
    def sends(self) -> list[dict[str, Any]]:
        """Every message accepted, as the send log has it (senders.simulator_send_log)."""
        return self.send_log.entries

    @property
    def written_files(self) -> list[Path]:
        with self._lock:
            return list(self._written)

    def set_faults(self, faults: Faults | None = None, **changes: Any) -> Faults:
        """Replace the faults (`faults`), or change some of their fields (`changes`)."""
        base = faults if faults is not None else self.faults
        self.faults = Faults.from_json(changes, base=base)
        return self.faults

    def note_inbound(self, wa_id: str, at: datetime, entry_point: bool = False) -> None:
        """The recipient wrote to the business at `at` (simulated time): the 24-hour
        customer service window opens (a utility template in it is
        free_customer_service); with `entry_point`, through a click-to-WhatsApp ad or
        Page button: a 72-hour free entry point window (every template free_entry_point)."""
        digits = re.sub(r"\D", "", wa_id)
        moment = at.astimezone(UTC)
        with self._lock:
            self._inbound[digits] = max(moment, self._inbound.get(digits, moment))
            if entry_point:
                self._entry_points[digits] = moment

    def _pricing_type(self, wa_id: str, category: str, sent_at: datetime) -> str:
        with self._lock:
            entry = self._entry_points.get(wa_id)
            inbound = self._inbound.get(wa_id)
        if entry is not None and entry <= sent_at < entry + _ENTRY_POINT_WINDOW:
            return "free_entry_point"
        if category == "utility" and inbound is not None and inbound <= sent_at < inbound + _SERVICE_WINDOW:
            return "free_customer_service"
        return "regular"

    # -- the send endpoint -------------------------------------------------------------

    def handle_send(self, path: str, authorization: str | None, raw: bytes) -> Answer:
        """Answer one POST to the messages endpoint."""
        match = _MESSAGES_PATH.match(urlsplit(path).path)
        if match is None:
            return Answer(404, meta_error(404, 100, f"Unknown path components: {path}").body)
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError):
            body = raw.decode("utf-8", "replace")
        with self._lock:
            self._requests.append(body)
        try:
            return self._accept(match.group(1), match.group(2), authorization, body)
        except SimulatedError as error:
            return Answer(error.http_status, error.body, error.headers)

    def _attempt(self, wa_id: str) -> int:
        with self._lock:
            count = self._attempts.pop(wa_id, 0) + 1
            self._attempts[wa_id] = count
            if len(self._attempts) > _ATTEMPTS_KEPT:
                self._attempts.popitem(last=False)
            return count

    def _accept(
        self, version: str, phone_number_id: str, authorization: str | None, body: Any
    ) -> Answer:
        self._check_token(authorization)
        message = parse_template_message(body)
        to, template_name, language = message.to, message.name, message.language
        template = self._templates.get((template_name, language))
        if template is None or template.status is TemplateStatus.REJECTED:
            raise meta_error(
                404,
                132001,
                f"template name ({template_name}) does not exist in {language}",
            )
        if template.status is TemplateStatus.PAUSED:
            raise meta_error(400, 132015)
        check_parameters(template, message.components)
        wa_id = re.sub(r"\D", "", to)
        suffix = wa_id[-2:]
        attempt = self._attempt(wa_id)
        retry_after = self.limits.throughput_retry_after(phone_number_id)
        if retry_after is not None:
            error = meta_error(429, 130429)
            error.headers = (("Retry-After", str(retry_after)),)
            raise error
        if self.limits.pair_blocked(wa_id):
            raise meta_error(400, 131056)
        if suffix in _ALWAYS_ERROR:
            raise meta_error(*_ALWAYS_ERROR[suffix])
        if suffix in _FIRST_ATTEMPT_ERROR and attempt == 1:
            raise meta_error(*_FIRST_ATTEMPT_ERROR[suffix])
        faults = self.faults
        fault = faults.request_fault(wa_id, attempt)
        if fault == "timeout":
            return Answer(0, {}, delay=faults.timeout_seconds, answer=False)
        if fault == "server_error":
            status = faults.server_error_status(wa_id, attempt)
            raise meta_error(status, 131000)
        wamid = f"wamid.SIM{_IDS.getrandbits(128):032X}"  # unique; no urandom syscall per send
        self.limits.note_accepted(wa_id)
        self.send_log.record(
            wamid=wamid,
            to=to,
            wa_id=wa_id,
            template_name=template_name,
            template_language=language,
            phone_number_id=phone_number_id,
            answered=fault != "drop",
        )
        self._schedule_statuses(
            wamid, wa_id, phone_number_id, version, template.category.value.lower(), attempt
        )
        if fault == "drop":
            return Answer(0, {}, answer=False)
        delay = self.slow_response_seconds if suffix == "97" else 0.0
        if fault == "slow":
            delay += faults.slow_seconds
        return Answer(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": wa_id}],
                "messages": [{"id": wamid, "message_status": "accepted"}],
            },
            delay=delay,
        )

    def _check_token(self, authorization: str | None) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise auth_error()
        if self._token is not None and not hmac.compare_digest(token.strip(), self._token):
            raise auth_error()

    def dispatch(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Answer:
        """One HTTP request (senders.simulator_http) to its handler."""
        if target.startswith(_ADMIN_PREFIX):
            return self.handle_admin(method, target, raw)
        authorization = headers.get("authorization")
        if method == "POST":
            return self.handle_send(target, authorization, raw)
        if method == "GET":
            return Answer(*self.handle_template_list(target, authorization))
        return Answer(405, meta_error(405, 100, f"Unsupported method {method}").body)

    # -- the admin endpoints (a simulator in another process) ----------------------------

    def handle_admin(self, method: str, path: str, raw: bytes) -> Answer:
        """`GET|POST /_simulator/faults`, `GET /_simulator/sends`, `POST /_simulator/inbound`."""
        route = (method, urlsplit(path).path.rstrip("/"))
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            return Answer(400, {"error": "the body must be JSON"})
        try:
            if route == ("POST", "/_simulator/faults"):
                self.set_faults(Faults.from_json(data))
            elif route == ("POST", "/_simulator/inbound"):
                if not isinstance(data, dict) or not isinstance(data.get("wa_id"), str):
                    raise ValueError("give {wa_id, at (ISO 8601, default now), entry_point}")
                at = datetime.fromisoformat(data["at"]) if data.get("at") else self._clock()
                if at.tzinfo is None:
                    raise ValueError("`at` needs a UTC offset")
                self.note_inbound(data["wa_id"], at, bool(data.get("entry_point", False)))
                return Answer(200, {"ok": True})
            elif route == ("GET", "/_simulator/sends"):
                return Answer(200, {"sends": self.sends})
            elif route != ("GET", "/_simulator/faults"):
                return Answer(404, {"error": f"no admin route {method} {route[1]}"})
        except (TypeError, ValueError) as exc:
            return Answer(400, {"error": str(exc)})
        return Answer(200, {"faults": self.faults.to_json()})

    # -- the template list -------------------------------------------------------------

    def fail_template_lists(self, *http_statuses: int) -> None:
        """Answer the next template list requests with these errors (429: code 80008
        rate limit; 5xx: code 131000), then serve them again."""
        with self._lock:
            self._template_list_errors.extend(http_statuses)

    def handle_template_list(self, path: str, authorization: str | None) -> tuple[int, dict[str, Any]]:
        """`GET /{version}/{waba_id}/message_templates?fields=..&limit=..&after=..`: the
        registry as Meta's template objects, a page at a time, with `paging.cursors` and
        `paging.next` (absent on the last page)."""
        url = urlsplit(path)
        match = _TEMPLATES_PATH.match(url.path)
        if match is None or match.group(2) != self.waba_id:
            return 400, meta_error(400, 100, f"Unsupported get request: {url.path}").body
        with self._lock:
            self.template_list_requests.append(path)
            injected = self._template_list_errors.pop(0) if self._template_list_errors else None
        try:
            self._check_token(authorization)
        except SimulatedError as error:
            return error.http_status, error.body
        if injected is not None:
            code = 130429 if injected == 429 else 131000
            return injected, meta_error(injected, code).body
        query = parse_qs(url.query)
        fields = [f for f in query.get("fields", [""])[0].split(",") if f]
        limit = max(1, min(int(query.get("limit", [_TEMPLATE_PAGE_DEFAULT])[0]), 1000))
        start = int(base64.urlsafe_b64decode(query["after"][0]).decode()) if "after" in query else 0
        templates = [self._templates[key] for key in sorted(self._templates)]
        page = templates[start : start + limit]
        body: dict[str, Any] = {"data": [_template_object(t, fields) for t in page]}
        if page:
            cursor = base64.urlsafe_b64encode
            body["paging"] = {
                "cursors": {
                    "before": cursor(str(start).encode()).decode(),
                    "after": cursor(str(start + len(page)).encode()).decode(),
                }
            }
            if start + len(page) < len(templates):
                after = body["paging"]["cursors"]["after"]
                rest = {k: v[0] for k, v in query.items() if k != "after"}
                body["paging"]["next"] = (
                    f"{self.base_url}{url.path}?{urlencode({**rest, 'after': after})}"
                )
        return 200, body

    def change_template_category(self, name: str, language: str, new_category: str) -> Path:
        """Meta re-categorizes a template: the registry lists it with `previous_category`
        from now on, and a template_category_update webhook lands at once."""
        template = self._templates[(name, language)]
        previous = template.category
        changed = template.model_copy(
            update={"category": TemplateCategory(new_category), "previous_category": previous}
        )
        return self._template_update(
            changed,
            "template_category_update",
            {"previous_category": previous.value, "new_category": changed.category.value},
        )

    def set_template_status(self, name: str, language: str, status: str, reason: str = "NONE") -> Path:
        """Meta changes a template's status (PAUSED, DISABLED, APPROVED, ...): sends use
        the new status, and a message_template_status_update webhook lands at once."""
        template = self._templates[(name, language)]
        changed = template.model_copy(update={"status": TemplateStatus(status)})
        value = {"event": status, "reason": reason, "message_template_category": template.category.value}
        return self._template_update(changed, "message_template_status_update", value)

    def _template_update(self, template: Template, field: str, value: dict[str, Any]) -> Path:
        moment = self._clock().astimezone(UTC)
        identity = _template_object(template, ["id"])["id"]
        body = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": self.waba_id,
                    "time": int(moment.timestamp()),
                    "changes": [
                        {
                            "value": {
                                "message_template_id": int(identity),
                                "message_template_name": template.name,
                                "message_template_language": template.language,
                                **value,
                            },
                            "field": field,
                        }
                    ],
                }
            ],
        }
        path = self.landing_dir / "whatsapp" / moment.strftime("%Y-%m-%d") / f"sim-{uuid.uuid4()}.jsonl"
        with self._lock:
            self._templates[template.key] = template
            write_jsonl(path, [body])
            self._written.append(path)
        return path

    # -- status webhooks ---------------------------------------------------------------

    def _schedule_statuses(
        self,
        wamid: str,
        wa_id: str,
        phone_number_id: str,
        version: str,
        category: str,
        attempt: int = 1,
    ) -> None:
        sent_at = self._clock().astimezone(UTC)
        pricing_type = self._pricing_type(wa_id, category, sent_at)
        events = _status_events(wamid, wa_id, version, category, sent_at, pricing_type)
        bodies = [
            (moment, self._webhook(phone_number_id, wamid, wa_id, moment, status))
            for moment, status in events
        ]
        if wa_id.endswith("77"):  # at-least-once, out of order: each body twice, newest first
            bodies = [body for body in reversed(bodies) for _ in range(2)]
        faults = self.faults
        if faults.any_webhook_faults:
            bodies = [bodies[i] for i in faults.webhook_plan(wa_id, attempt, len(bodies))]
        due = time.monotonic() + self.status_delay_seconds
        with self._lock:
            self._pending.extend(_Pending(due, moment, body) for moment, body in bodies)

    def _webhook(
        self,
        phone_number_id: str,
        wamid: str,
        wa_id: str,
        moment: datetime,
        extra: dict[str, Any],
    ) -> dict[str, Any]:
        status = {
            "id": wamid,
            "status": extra["status"],
            "timestamp": str(int(moment.timestamp())),
            "recipient_id": wa_id,
            **{key: value for key, value in extra.items() if key != "status"},
        }
        value = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": self.display_phone_number,
                "phone_number_id": phone_number_id,
            },
            "statuses": [status],
        }
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": self.waba_id, "changes": [{"value": value, "field": "messages"}]}],
        }

    def _deliver_due(self) -> None:
        tick = max(0.01, min(0.1, self.status_delay_seconds / 2))
        while not self._closed.wait(tick):
            self._write(due_before=time.monotonic())

    def flush(self) -> list[Path]:
        """Write every pending status webhook now; returns the files written."""
        return self._write(due_before=None)

    def _write(self, due_before: float | None) -> list[Path]:
        with self._lock:
            pending = self._pending
            if due_before is None:
                ready = list(pending)
                pending.clear()
            else:
                ready = []
                while pending and pending[0].due <= due_before:
                    ready.append(pending.popleft())
            if not ready:
                return []
        with self._delivering:  # one delivery at a time, outside the lock sends take
            files = self._sink.deliver([(p.occurred_at, p.body) for p in ready])
        with self._lock:
            self._written.extend(files)
        logger.debug("simulator delivered %d status webhooks (%d files)", len(ready), len(files))
        return files

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Stop serving and write whatever webhooks are still pending."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._server.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.flush()
        self._sink.close()
        self.send_log.close()

    def __enter__(self) -> CloudApiSimulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _status_events(
    wamid: str,
    wa_id: str,
    version: str,
    category: str,
    sent_at: datetime,
    pricing_type: str = "regular",
) -> list[tuple[datetime, dict[str, Any]]]:
    """(time, status fields) of each status webhook a message accepted at `sent_at` gets."""
    suffix = wa_id[-2:]
    if suffix in _FAILED_STATUS:
        code = _FAILED_STATUS[suffix]
        title, details = _ERRORS[code]
        error = {
            "code": code,
            "title": title,
            "message": title,
            "error_data": {"details": details},
            "href": _ERRORS_HREF,
        }
        return [(sent_at + timedelta(seconds=2), {"status": "failed", "errors": [error]})]
    pricing = {
        "billable": pricing_type == "regular",
        "pricing_model": "PMP",
        "category": category,
        "type": pricing_type,
    }
    sent: dict[str, Any] = {"status": "sent", "pricing": pricing}
    delivered: dict[str, Any] = {"status": "delivered", "pricing": pricing}
    if _major(version) < 24:  # `conversation` is gone from v24.0 on
        conversation = {
            "id": hashlib.sha1(wa_id.encode()).hexdigest()[:30],
            "origin": {"type": category},
        }
        expires = int((sent_at + timedelta(hours=24)).timestamp())
        sent["conversation"] = {**conversation, "expiration_timestamp": str(expires)}
        delivered["conversation"] = conversation
    events = [(sent_at + timedelta(seconds=1), sent), (sent_at + timedelta(seconds=5), delivered)]
    if not "80" <= suffix <= "89":
        read_after = 120 + int(hashlib.sha1(wamid.encode()).hexdigest(), 16) % 7080
        events.append((sent_at + timedelta(seconds=read_after), {"status": "read"}))
    return events


def _template_object(template: Template, fields: list[str]) -> dict[str, Any]:
    """A template as the Graph API returns it, with only the `fields` asked for (and id)."""
    full = template.model_dump(mode="json", exclude_none=True)
    full["id"] = template.id or str(int(hashlib.sha1("/".join(template.key).encode()).hexdigest()[:15], 16))
    if template.quality_score is not None:
        full["quality_score"] = {"score": template.quality_score.value}
    full["components"] = [
        {k: v for k, v in component.items() if v not in ([], None)} for component in full["components"]
    ]
    wanted = set(fields or full) | {"id"}
    return {key: value for key, value in full.items() if key in wanted}


def _major(version: str) -> int:
    return int(version.lstrip("v").split(".")[0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m senders.simulator", description="Local WhatsApp Cloud API simulator"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0: any free port (see the ready line)")
    parser.add_argument("--home", help="THREADLINE_HOME whose landing/ receives the webhooks")
    parser.add_argument("--status-delay", type=float, default=2.0, help="seconds before webhooks")
    parser.add_argument("--token", help="the only bearer token accepted (default: any)")
    parser.add_argument("--send-log", type=Path, help="append one JSON line per accepted message")
    parser.add_argument(
        "--messages-per-second",
        type=_optional_int,
        default=80,
        help="throughput per phone number, 1..1000, or 'off' (default 80)",
    )
    parser.add_argument(
        "--pair-seconds",
        type=float,
        default=6.0,
        help="a second message to the same `to` within S seconds answers 131056; 0: off (default 6)",
    )
    parser.add_argument("--faults", default="{}", help="JSON object of senders.simulator_faults.Faults")
    parser.add_argument("--seed", type=int, help="seed of the fault draws (overrides faults.seed)")
    parser.add_argument("--webhook-url", help="POST signed status webhooks here instead of landing files")
    parser.add_argument(
        "--app-secret-env",
        default="THREADLINE_META_APP_SECRET",
        help="environment variable holding the app secret that signs webhooks",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    try:
        faults = Faults.from_json(json.loads(args.faults))
        if args.seed is not None:
            faults = Faults.from_json({"seed": args.seed}, base=faults)
    except ValueError as exc:
        parser.error(f"--faults: {exc}")
    app_secret = None
    if args.webhook_url:
        app_secret = os.environ.get(args.app_secret_env, "")
        if not app_secret:
            parser.error(f"--webhook-url needs the app secret in ${args.app_secret_env}")

    landing = paths(args.home).landing
    simulator = CloudApiSimulator(
        landing,
        host=args.host,
        port=args.port,
        status_delay_seconds=args.status_delay,
        token=args.token,
        send_log=args.send_log,
        messages_per_second=args.messages_per_second,
        pair_seconds=args.pair_seconds,
        faults=faults,
        webhook_url=args.webhook_url,
        app_secret=app_secret,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    where = args.webhook_url or str(landing)
    print(f"WhatsApp Cloud API simulator on {simulator.base_url}, webhooks to {where}", flush=True)
    stop.wait()
    simulator.close()


def _optional_int(value: str) -> int | None:
    return None if value.lower() in ("off", "none", "0") else int(value)


if __name__ == "__main__":
    main()
