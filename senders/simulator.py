"""A local WhatsApp Cloud API: a real HTTP server that answers template sends like Meta.

`POST /{version}/{phone_number_id}/messages` checks, in Meta's order:

- no `Authorization: Bearer <token>` (or not the simulator's token, when it has one)
  -> HTTP 401, code 190 (OAuthException);
- a body that is not a template message (`messaging_product`, `to`, `type`,
  `template.name`, `template.language.code`, text parameters) -> HTTP 400, code 100;
- a template (name, language) not in the registry, or REJECTED -> 400, code 132001;
  PAUSED -> 400, code 132015;
- a body parameter count other than the template's -> 400, code 132000.

`GET /{version}/{waba_id}/message_templates?fields=..&limit=..&after=..` lists the
registry as Meta's template objects, paginated (`paging.cursors.after`, `paging.next`);
`fail_template_lists(429, 500, ...)` makes the next list requests fail first;
`change_template_category()` and `set_template_status()` change a template as Meta
would and land its template webhook.

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

"1st attempt" counts per recipient over the simulator's life. Status times follow the
simulated send time taken from `clock()`: sent +1 s, delivered +5 s, read +2..120 min
(fixed per message), failed +2 s. `pricing` (PMP, regular, the template's category)
is on sent and delivered; `conversation` is added for API versions before v24.0.

Webhook bodies are kept pending for `status_delay_seconds`, then written (or at once
by `flush()`/`close()`) as `landing/whatsapp/<YYYY-MM-DD of the event>/sim-<uuid>.jsonl`,
one body per line, through `pipelines.landing.write_jsonl`.

CLI: `python -m senders.simulator --port 8765 --home DIR`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import logging
import re
import signal
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, urlencode, urlsplit

from pipelines.landing import write_jsonl
from pipelines.settings import paths
from senders.templates import Template, TemplateCategory, TemplateRegistry, TemplateStatus, load_templates

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
_MESSAGES_PATH = re.compile(r"^/(v\d+\.\d+)/([^/]+)/messages/?$")
_TEMPLATES_PATH = re.compile(r"^/(v\d+\.\d+)/([^/]+)/message_templates/?$")
_TEMPLATE_PAGE_DEFAULT = 25
_ERRORS_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

# code -> (title, details) as Meta words them
_ERRORS: dict[int, tuple[str, str]] = {
    100: ("Invalid parameter", "Invalid parameter"),
    130429: ("Rate limit hit", "Cloud API message throughput has been reached."),
    131000: ("Something went wrong", "Message failed to send due to an unknown error."),
    131026: ("Message undeliverable", "Message Undeliverable."),
    131048: (
        "Spam rate limit hit",
        "Message failed to send because there are restrictions on how many messages can be "
        "sent from this phone number. This may be because too many previous messages were "
        "blocked or flagged as spam.",
    ),
    131049: (
        "This message was not delivered to maintain healthy ecosystem engagement.",
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    ),
    131050: (
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business.",
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business.",
    ),
    131056: (
        "(Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone "
        "number to the same phone number in a short period of time.",
    ),
    132000: (
        "Number of parameters does not match the expected number of params",
        "body: number of localizable_params does not match the expected number of params",
    ),
    132001: ("Template name does not exist in the translation", "template name does not exist"),
    132015: ("Template is Paused", "Cannot send message using a paused template."),
}

_FAILED_STATUS = {"13": 131026, "49": 131049, "50": 131050}
_FIRST_ATTEMPT_ERROR = {"29": (429, 130429), "56": (400, 131056), "99": (500, 131000)}
_ALWAYS_ERROR = {"51": (400, 131050), "48": (400, 131048), "98": (503, 131000)}


class SimulatedError(Exception):
    """An error answer, carrying Meta's HTTP status and error body."""

    def __init__(self, http_status: int, body: dict[str, Any]):
        super().__init__(body["error"]["message"])
        self.http_status = http_status
        self.body = body


def meta_error(http_status: int, code: int, details: str | None = None) -> SimulatedError:
    title, default_details = _ERRORS[code]
    error: dict[str, Any] = {
        "message": f"(#{code}) {title}",
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details or default_details},
        "fbtrace_id": uuid.uuid4().hex[:23],
    }
    return SimulatedError(http_status, {"error": error})


def _auth_error() -> SimulatedError:
    error = {
        "message": "Invalid OAuth access token - Cannot parse access token",
        "type": "OAuthException",
        "code": 190,
        "fbtrace_id": uuid.uuid4().hex[:23],
    }
    return SimulatedError(401, {"error": error})


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
        self._requests: list[Any] = []
        self._attempts: Counter[str] = Counter()
        self._template_list_errors: list[int] = []
        self.template_list_requests: list[str] = []
        self._pending: list[_Pending] = []
        self._written: list[Path] = []
        self._closed = threading.Event()
        self._server = _Server((host, port), self)
        self._threads = [
            threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="cloud-api-sim",
                daemon=True,
            ),
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
    def written_files(self) -> list[Path]:
        with self._lock:
            return list(self._written)

    # -- the send endpoint -------------------------------------------------------------

    def handle_send(
        self, path: str, authorization: str | None, raw: bytes
    ) -> tuple[int, dict[str, Any]]:
        """Answer one POST: (HTTP status, JSON body)."""
        match = _MESSAGES_PATH.match(urlsplit(path).path)
        if match is None:
            return 404, meta_error(404, 100, f"Unknown path components: {path}").body
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError):
            body = raw.decode("utf-8", "replace")
        with self._lock:
            self._requests.append(body)
        try:
            return 200, self._accept(match.group(1), match.group(2), authorization, body)
        except SimulatedError as error:
            return error.http_status, error.body

    def _accept(
        self, version: str, phone_number_id: str, authorization: str | None, body: Any
    ) -> dict[str, Any]:
        self._check_token(authorization)
        to, template_name, language, params = _parse_template_message(body)
        template = self._templates.get((template_name, language))
        if template is None or template.status is TemplateStatus.REJECTED:
            raise meta_error(
                404,
                132001,
                f"template name ({template_name}) does not exist in {language}",
            )
        if template.status is TemplateStatus.PAUSED:
            raise meta_error(400, 132015)
        if len(params) != template.body_params:
            raise meta_error(
                400,
                132000,
                f"body: number of localizable_params ({len(params)}) does not match the "
                f"expected number of params ({template.body_params})",
            )
        wa_id = re.sub(r"\D", "", to)
        suffix = wa_id[-2:]
        with self._lock:
            self._attempts[wa_id] += 1
            first_attempt = self._attempts[wa_id] == 1
        if suffix in _ALWAYS_ERROR:
            raise meta_error(*_ALWAYS_ERROR[suffix])
        if suffix in _FIRST_ATTEMPT_ERROR and first_attempt:
            raise meta_error(*_FIRST_ATTEMPT_ERROR[suffix])
        wamid = f"wamid.SIM{uuid.uuid4().hex.upper()}"
        self._schedule_statuses(
            wamid, wa_id, phone_number_id, version, template.category.value.lower()
        )
        if suffix == "97":
            time.sleep(self.slow_response_seconds)
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": wa_id}],
            "messages": [{"id": wamid, "message_status": "accepted"}],
        }

    def _check_token(self, authorization: str | None) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _auth_error()
        if self._token is not None and not hmac.compare_digest(token.strip(), self._token):
            raise _auth_error()

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
        self, wamid: str, wa_id: str, phone_number_id: str, version: str, category: str
    ) -> None:
        events = _status_events(wamid, wa_id, version, category, self._clock().astimezone(UTC))
        bodies = [
            (moment, self._webhook(phone_number_id, wamid, wa_id, moment, status))
            for moment, status in events
        ]
        if wa_id.endswith("77"):  # at-least-once, out of order: each body twice, newest first
            bodies = [body for body in reversed(bodies) for _ in range(2)]
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
            ready: list[_Pending] = []
            waiting: list[_Pending] = []
            for pending in self._pending:
                is_due = due_before is None or pending.due <= due_before
                (ready if is_due else waiting).append(pending)
            if not ready:
                return []
            self._pending = waiting
            by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for pending in ready:
                by_day[pending.occurred_at.strftime("%Y-%m-%d")].append(pending.body)
            files = [
                write_jsonl(
                    self.landing_dir / "whatsapp" / day / f"sim-{uuid.uuid4()}.jsonl", bodies
                )
                for day, bodies in sorted(by_day.items())
            ]
            self._written.extend(files)
        logger.debug("simulator wrote %d status webhooks in %d files", len(ready), len(files))
        return files

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Stop serving and write whatever webhooks are still pending."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.flush()

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
    wamid: str, wa_id: str, version: str, category: str, sent_at: datetime
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
    pricing = {"billable": True, "pricing_model": "PMP", "type": "regular", "category": category}
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


def _parse_template_message(body: Any) -> tuple[str, str, str, list[str]]:
    """(to, template name, language, body texts) of a template message, else error 100."""

    def invalid(details: str) -> SimulatedError:
        return meta_error(400, 100, details)

    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object")
    if body.get("messaging_product") != "whatsapp":
        raise invalid("The parameter messaging_product is required and must be 'whatsapp'")
    if body.get("recipient_type", "individual") != "individual":
        raise invalid("Param recipient_type must be 'individual'")
    to = body.get("to")
    if not isinstance(to, str) or not 5 <= len(re.sub(r"\D", "", to)) <= 15:
        raise invalid("Param to must be a phone number")
    if body.get("type") != "template":
        raise invalid("Param type must be 'template'")
    template = body.get("template")
    if not isinstance(template, dict) or not isinstance(template.get("name"), str):
        raise invalid("Param template['name'] is required")
    language = template.get("language")
    if not isinstance(language, dict) or not isinstance(language.get("code"), str):
        raise invalid("Param template['language']['code'] is required")
    components = template.get("components", [])
    if not isinstance(components, list):
        raise invalid("Param template['components'] must be an array")
    texts: list[str] = []
    for component in components:
        if not isinstance(component, dict) or not isinstance(component.get("type"), str):
            raise invalid("Each template component needs a type")
        if component["type"] != "body":
            continue
        for parameter in component.get("parameters", []):
            text = parameter.get("text") if isinstance(parameter, dict) else None
            if parameter.get("type") != "text" or not isinstance(text, str) or not text.strip():
                raise invalid("Body parameters must be {type: text, text: non-empty string}")
            texts.append(text)
    return to, template["name"], language["code"], texts


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping (slow answer) never blocks close()

    def __init__(self, address: tuple[str, int], simulator: CloudApiSimulator) -> None:
        super().__init__(address, _Handler)
        self.simulator = simulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server_version = "ThreadlineCloudApiSimulator/1.0"

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        simulator = cast(_Server, self.server).simulator
        status, body = simulator.handle_send(self.path, self.headers.get("Authorization"), raw)
        self._reply(status, body)

    def do_GET(self) -> None:  # noqa: N802
        simulator = cast(_Server, self.server).simulator
        self._reply(*simulator.handle_template_list(self.path, self.headers.get("Authorization")))

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client went away before the answer to %s", self.path)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        logger.debug("simulator: " + format, *args)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local WhatsApp Cloud API simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--home", help="THREADLINE_HOME whose landing/ receives the webhooks")
    parser.add_argument("--status-delay", type=float, default=2.0, help="seconds before webhooks")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    landing = paths(args.home).landing
    simulator = CloudApiSimulator(
        landing, host=args.host, port=args.port, status_delay_seconds=args.status_delay
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(
        f"WhatsApp Cloud API simulator on {simulator.base_url}, webhooks to {landing}", flush=True
    )
    stop.wait()
    simulator.close()


if __name__ == "__main__":
    main()
