"""Fake Chatwoot, HubSpot and Shopify APIs: real HTTP servers on 127.0.0.1 (ephemeral ports).

Each answers in its API's real shape, with its real pagination (Chatwoot `page=N`, 25 a
page; HubSpot `paging.next.after`; Shopify `Link` headers with an opaque `page_info`),
checks its auth header, filters by modification time where the API does, and can be
told to answer the next requests with an injected failure (429 with or without
`Retry-After`, 5xx). Records are added and modified between syncs through methods that
move the fake's clock forward, as the real system's timestamps would.

Every request is recorded (method, path, query, JSON body, status): tests assert what a
connector asked for. Tokens are checked but never recorded.
"""

from __future__ import annotations

import json
import math
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from pipelines.landing import landed_files

Answer = tuple[int, dict[str, str], Any]


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class _Failure:
    status: int
    headers: dict[str, str]
    body: Any
    path_contains: str
    remaining: int
    skip: int = 0


@dataclass
class FakeApi:
    """The HTTP plumbing: a threaded server, request log, injected failures."""

    requests: list[Recorded] = field(default_factory=list, init=False)
    _failures: list[_Failure] = field(default_factory=list, init=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False)
    _server: ThreadingHTTPServer | None = field(default=None, init=False)

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> FakeApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()  # answers are small: send them without Nagle's delay
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, headers, body = api._dispatch(method, self.path, dict(self.headers), raw)
                payload = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeApi:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- test controls ---------------------------------------------------------------
    def inject(self, status: int, *, times: int = 1, headers: dict[str, str] | None = None,
               body: Any = None, path_contains: str = "", skip: int = 0) -> None:
        """Answer `times` matching requests, after the next `skip`, with this failure."""
        with self._lock:
            self._failures.append(
                _Failure(status, headers or {}, body, path_contains, times, skip))

    def calls(self, path_contains: str = "", method: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests
                    if path_contains in r.path and (method is None or r.method == method)]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- dispatch --------------------------------------------------------------------
    def _dispatch(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Answer:
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self._lock:
            record = Recorded(method, parts.path, query, body)
            self.requests.append(record)
            answer = self._injected(parts.path)
            if answer is None:
                if not self.authorized(lowered):
                    answer = self.unauthorized()
                else:
                    answer = self.route(method, parts.path, query, body)
            record.status = answer[0]
            return answer

    def _injected(self, path: str) -> Answer | None:
        for failure in self._failures:
            if failure.remaining > 0 and failure.path_contains in path:
                if failure.skip > 0:
                    failure.skip -= 1
                    continue
                failure.remaining -= 1
                return failure.status, failure.headers, failure.body
        return None

    def authorized(self, headers: dict[str, str]) -> bool:
        raise NotImplementedError

    def unauthorized(self) -> Answer:
        raise NotImplementedError

    def route(self, method: str, path: str, query: dict[str, str], body: Any) -> Answer:
        raise NotImplementedError


# ------------------------------------------------------------------------------------
# Chatwoot
# ------------------------------------------------------------------------------------

_CHATWOOT_PAGE = 25
_CHATWOOT_MESSAGES = 20


@dataclass
class FakeChatwoot(FakeApi):
    token: str = "cw-test-token"
    account_id: int = 7
    clock: int = 1_750_000_000
    conversations: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    _next_message_id: int = 5_000

    def tick(self, seconds: int = 37) -> int:
        self.clock += seconds
        return self.clock

    def add_conversation(self, inbox_id: int = 1, messages: int = 3, name: str = "Giulia Rossi",
                         phone: str = "+393331234567") -> int:
        with self._lock:
            display_id = len(self.conversations) + 1
            now = self.tick()
            self.conversations[display_id] = {
                "meta": {
                    "sender": {"id": 100 + display_id, "name": name, "phone_number": phone,
                               "email": None, "identifier": None, "type": "contact"},
                    "channel": "Channel::Whatsapp", "hmac_verified": False,
                },
                "id": display_id, "messages": [], "account_id": self.account_id,
                "uuid": str(uuid.UUID(int=display_id)), "additional_attributes": {},
                "agent_last_seen_at": 0, "assignee_last_seen_at": 0, "can_reply": True,
                "contact_last_seen_at": 0, "custom_attributes": {}, "inbox_id": inbox_id,
                "labels": [], "muted": False, "snoozed_until": None, "status": "open",
                "created_at": now, "timestamp": now, "first_reply_created_at": 0,
                "unread_count": 0, "last_non_activity_message": None, "last_activity_at": now,
                "priority": None, "waiting_since": now, "sla_policy_id": None,
            }
            self.messages[display_id] = []
            for n in range(messages):
                self.add_message(display_id, f"messaggio {n + 1}", message_type=n % 2)
            return display_id

    def add_message(self, conversation_id: int, content: str, message_type: int = 0,
                    private: bool = False) -> dict[str, Any]:
        """A message as the messages index renders it (no account_id, like older versions)."""
        with self._lock:
            conversation = self.conversations[conversation_id]
            now = self.tick(11)
            self._next_message_id += 1
            sender = (conversation["meta"]["sender"] if message_type == 0
                      else {"id": 3, "name": "Marco (operatore)", "type": "user"})
            message = {
                "id": self._next_message_id, "content": content,
                "inbox_id": conversation["inbox_id"], "conversation_id": conversation_id,
                "message_type": message_type, "content_type": "text", "content_attributes": {},
                "created_at": now, "private": private, "source_id": None, "sender": sender,
            }
            self.messages[conversation_id].append(message)
            conversation.update(timestamp=now, last_activity_at=now, messages=[message])
            if message_type == 0:
                conversation["unread_count"] += 1
            return message

    def resolve(self, conversation_id: int) -> None:
        """Resolving writes an activity message, which moves the conversation's activity."""
        with self._lock:
            self.conversations[conversation_id]["status"] = "resolved"
            self.add_message(conversation_id, "Conversation was marked resolved by Marco", 2)

    def authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("api_access_token") == self.token

    def unauthorized(self) -> Answer:
        return 401, {}, {"error": "You need to sign in or sign up before continuing."}

    def route(self, method: str, path: str, query: dict[str, str], body: Any) -> Answer:
        prefix = f"/api/v1/accounts/{self.account_id}/conversations"
        if method != "GET" or not path.startswith(prefix):
            return 404, {}, {"error": "Resource could not be found"}
        rest = path[len(prefix):].strip("/")
        if rest == "":
            return self._list(query)
        pieces = rest.split("/")
        if len(pieces) == 2 and pieces[1] == "messages" and pieces[0].isdigit():
            return self._messages(int(pieces[0]), query)
        return 404, {}, {"error": "Resource could not be found"}

    def _list(self, query: dict[str, str]) -> Answer:
        status = query.get("status", "open")
        chosen = [c for c in self.conversations.values()
                  if status == "all" or c["status"] == status]
        chosen.sort(key=lambda c: c["last_activity_at"], reverse=True)
        page = max(1, int(query.get("page") or 1))
        window = chosen[(page - 1) * _CHATWOOT_PAGE: page * _CHATWOOT_PAGE]
        meta = {"mine_count": 0, "assigned_count": 0, "unassigned_count": len(chosen),
                "all_count": len(chosen)}
        return 200, {}, {"data": {"meta": meta, "payload": json.loads(json.dumps(window))}}

    def _messages(self, conversation_id: int, query: dict[str, str]) -> Answer:
        if conversation_id not in self.conversations:
            return 404, {}, {"error": "Resource could not be found"}
        messages = sorted(self.messages[conversation_id], key=lambda m: m["created_at"])
        if query.get("before"):
            older = [m for m in messages if m["id"] < int(query["before"])]
            chosen = older[-_CHATWOOT_MESSAGES:]
        elif query.get("after"):
            chosen = [m for m in messages if m["id"] > int(query["after"])][:100]
        else:
            chosen = messages[-_CHATWOOT_MESSAGES:]
        conversation = self.conversations[conversation_id]
        meta = {"labels": conversation["labels"], "additional_attributes": {},
                "contact": conversation["meta"]["sender"], "assignee": None,
                "agent_last_seen_at": None, "assignee_last_seen_at": None}
        return 200, {}, {"meta": meta, "payload": json.loads(json.dumps(chosen))}


# ------------------------------------------------------------------------------------
# HubSpot
# ------------------------------------------------------------------------------------

_HUBSPOT_MODIFIED = {"contacts": "lastmodifieddate", "deals": "hs_lastmodifieddate"}
_HUBSPOT_DEFAULT_PROPS = {
    "contacts": ("createdate", "hs_object_id", "lastmodifieddate"),
    "deals": ("createdate", "hs_object_id", "hs_lastmodifieddate"),
}


def _iso_ms(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{ms % 1000:03d}Z"
    )


@dataclass
class FakeHubSpot(FakeApi):
    token: str = "pat-eu1-test-token"
    clock_ms: int = 1_750_000_000_000
    max_search_results: int = 10_000
    objects: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {"contacts": {}, "deals": {}})
    deal_contacts: dict[str, list[str]] = field(default_factory=dict)
    _next_id: int = 1000

    def tick(self, ms: int = 1500) -> int:
        self.clock_ms += ms
        return self.clock_ms

    def _create(self, kind: str, properties: dict[str, Any]) -> str:
        with self._lock:
            self._next_id += 1
            record_id = str(self._next_id)
            now = self.tick()
            props = {"createdate": _iso_ms(now), "hs_object_id": record_id,
                     _HUBSPOT_MODIFIED[kind]: _iso_ms(now)}
            props.update({k: (None if v is None else str(v)) for k, v in properties.items()})
            self.objects[kind][record_id] = {
                "id": record_id, "properties": props, "createdAt": _iso_ms(now),
                "updatedAt": _iso_ms(now), "archived": False,
            }
            return record_id

    def add_contact(self, **properties: Any) -> str:
        return self._create("contacts", properties)

    def add_deal(self, contact_ids: list[str], **properties: Any) -> str:
        record_id = self._create("deals", properties)
        self.deal_contacts[record_id] = list(contact_ids)
        return record_id

    def modify(self, kind: str, record_id: str, at_ms: int | None = None,
               **properties: Any) -> None:
        """Change properties; the record's last-modified time moves to now (or `at_ms`)."""
        with self._lock:
            record = self.objects[kind][record_id]
            now = at_ms if at_ms is not None else self.tick()
            record["properties"].update(
                {k: (None if v is None else str(v)) for k, v in properties.items()})
            record["properties"][_HUBSPOT_MODIFIED[kind]] = _iso_ms(now)
            record["updatedAt"] = _iso_ms(now)

    def rate_limit(self, times: int = 1, retry_after: str | None = None,
                   policy: str = "TEN_SECONDLY_ROLLING", skip: int = 0) -> None:
        body = {"status": "error", "message": f"You have reached your {policy.lower()} limit.",
                "errorType": "RATE_LIMIT", "correlationId": str(uuid.uuid4()),
                "policyName": policy, "groupName": "publicapi:private-app"}
        headers = {"X-HubSpot-RateLimit-Max": "190", "X-HubSpot-RateLimit-Remaining": "0"}
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        self.inject(429, times=times, headers=headers, body=body, skip=skip)

    def authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.token}"

    def unauthorized(self) -> Answer:
        return 401, {}, {
            "status": "error", "category": "INVALID_AUTHENTICATION",
            "message": "Authentication credentials not found. This API supports OAuth 2.0 "
                       "authentication and you can find more details at "
                       "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            "correlationId": str(uuid.uuid4()),
        }

    def route(self, method: str, path: str, query: dict[str, str], body: Any) -> Answer:
        pieces = path.strip("/").split("/")
        if pieces[:3] == ["crm", "v3", "objects"] and len(pieces) >= 4:
            kind = pieces[3]
            if kind in self.objects:
                if method == "GET" and len(pieces) == 4:
                    return self._list(kind, query)
                if method == "POST" and pieces[4:] == ["search"]:
                    return self._search(kind, body)
        if (method == "POST" and pieces == ["crm", "v4", "associations", "deals", "contacts",
                                            "batch", "read"]):
            return self._associations(body)
        return 404, {}, {"status": "error", "message": "Not found", "category": "OBJECT_NOT_FOUND"}

    def _render(self, kind: str, record: dict[str, Any], wanted: list[str],
                associations: bool = False) -> dict[str, Any]:
        names = [*_HUBSPOT_DEFAULT_PROPS[kind], *wanted]
        rendered = {**record, "properties": {n: record["properties"].get(n) for n in names}}
        links = self.deal_contacts.get(record["id"]) if associations else None
        if links:
            rendered["associations"] = {"contacts": {"results": [
                {"id": c, "type": "deal_to_contact"} for c in links]}}
        return json.loads(json.dumps(rendered))

    def _list(self, kind: str, query: dict[str, str]) -> Answer:
        limit = int(query.get("limit") or 10)
        if limit > 100:
            return 400, {}, {"status": "error", "message": "limit must be <= 100",
                             "category": "VALIDATION_ERROR"}
        wanted = [p for p in (query.get("properties") or "").split(",") if p]
        records = sorted(self.objects[kind].values(), key=lambda r: int(r["id"]))
        after = int(query.get("after") or 0)
        window = [r for r in records if int(r["id"]) >= after][: limit + 1]
        with_links = kind == "deals" and "contacts" in (query.get("associations") or "")
        answer: dict[str, Any] = {"results": [self._render(kind, r, wanted, with_links)
                                              for r in window[:limit]]}
        if len(window) > limit:
            next_after = window[limit]["id"]
            answer["paging"] = {"next": {"after": next_after,
                                         "link": f"{self.base_url}/crm/v3/objects/{kind}"
                                                 f"?after={next_after}"}}
        return 200, {}, answer

    def _search(self, kind: str, body: Any) -> Answer:
        def invalid(message: str) -> Answer:
            return 400, {}, {"status": "error", "message": message,
                             "correlationId": str(uuid.uuid4()), "category": "VALIDATION_ERROR"}

        if not isinstance(body, dict):
            return invalid("Invalid input JSON")
        limit = int(body.get("limit") or 10)
        if limit > 200:
            return invalid("limit must be <= 200")
        offset = int(body.get("after") or 0)
        if offset + limit > self.max_search_results:
            return invalid(f"Paging past {self.max_search_results} results is not supported")
        prop = _HUBSPOT_MODIFIED[kind]
        since = 0
        for group in body.get("filterGroups") or []:
            for flt in group.get("filters") or []:
                if flt.get("propertyName") != prop or flt.get("operator") != "GTE":
                    return invalid(f"this fake only filters {prop} GTE")
                since = int(flt["value"])
        sorts = body.get("sorts") or []
        if sorts != [{"propertyName": prop, "direction": "ASCENDING"}]:
            return invalid(f"this fake only sorts by {prop} ASCENDING")
        matching = [r for r in self.objects[kind].values()
                    if not r["archived"] and _ms(r["properties"][prop]) >= since]
        matching.sort(key=lambda r: (_ms(r["properties"][prop]), int(r["id"])))
        window = matching[offset: offset + limit]
        wanted = list(body.get("properties") or [])
        answer: dict[str, Any] = {"total": len(matching),
                                  "results": [self._render(kind, r, wanted) for r in window]}
        if offset + limit < len(matching):
            answer["paging"] = {"next": {"after": str(offset + limit)}}
        return 200, {}, answer

    def _associations(self, body: Any) -> Answer:
        results, errors = [], []
        for item in (body or {}).get("inputs") or []:
            links = self.deal_contacts.get(str(item.get("id")))
            if links:
                results.append({"from": {"id": str(item["id"])}, "to": [
                    {"toObjectId": int(c), "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}]}
                    for c in links]})
            else:
                errors.append({"status": "error", "category": "OBJECT_NOT_FOUND",
                               "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                               "message": f"No contacts is associated with deal {item.get('id')}.",
                               "context": {"fromObjectId": [str(item.get("id"))]}})
        now = _iso_ms(self.clock_ms)
        answer: dict[str, Any] = {"status": "COMPLETE", "results": results,
                                  "startedAt": now, "completedAt": now}
        if errors:
            answer.update(numErrors=len(errors), errors=errors)
        return (207 if errors else 200), {}, answer


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


# ------------------------------------------------------------------------------------
# Shopify
# ------------------------------------------------------------------------------------

_ROME_SUMMER = timezone(timedelta(hours=2))


@dataclass
class FakeShopify(FakeApi):
    token: str = "shpat_test_token"
    api_version: str = "2025-07"
    clock: datetime = field(default_factory=lambda: datetime(2025, 6, 1, 9, 0, tzinfo=_ROME_SUMMER))
    bucket_size: int = 40
    leak_per_second: float = 2.0
    records: dict[str, dict[int, dict[str, Any]]] = field(
        default_factory=lambda: {"orders": {}, "checkouts": {}})
    _pages: dict[str, tuple[str, list[int], int]] = field(default_factory=dict)
    _bucket: float = 0.0
    _bucket_at: float = field(default_factory=time.monotonic)
    _next_id: int = 5_600_000_000_000

    def tick(self, seconds: int = 13) -> str:
        self.clock += timedelta(seconds=seconds)
        return self.clock.isoformat()

    def add_order(self, email: str = "cliente@example.it", total: str = "49.90",
                  phone: str | None = "+393331112233") -> int:
        with self._lock:
            self._next_id += 1
            number = len(self.records["orders"]) + 1001
            now = self.tick()
            self.records["orders"][self._next_id] = {
                "id": self._next_id, "admin_graphql_api_id": f"gid://shopify/Order/{self._next_id}",
                "name": f"#{number}", "order_number": number, "email": email, "phone": phone,
                "customer": {"id": self._next_id + 7, "email": email, "phone": phone,
                             "first_name": "Giulia", "last_name": "Rossi"},
                "created_at": now, "updated_at": now, "processed_at": now, "cancelled_at": None,
                "closed_at": None, "currency": "EUR", "total_price": total,
                "financial_status": "paid", "fulfillment_status": None,
                "line_items": [{"id": self._next_id + 3, "title": "Magnesio Plus",
                                "quantity": 1, "price": total, "sku": "MAG-01"}],
                "tags": "", "checkout_token": uuid.uuid4().hex, "cart_token": uuid.uuid4().hex,
                "test": False,
            }
            return self._next_id

    def add_checkout(self, email: str = "carrello@example.it", total: str = "89.00") -> int:
        with self._lock:
            self._next_id += 1
            now = self.tick()
            token = uuid.uuid4().hex
            self.records["checkouts"][self._next_id] = {
                "id": self._next_id, "token": token, "cart_token": uuid.uuid4().hex,
                "email": email, "phone": None, "customer": {"id": self._next_id + 9,
                                                            "email": email},
                "abandoned_checkout_url": f"https://shop.example/checkouts/{token}/recover",
                "completed_at": None, "created_at": now, "updated_at": now, "currency": "EUR",
                "total_price": total, "buyer_accepts_marketing": True,
                "line_items": [{"title": "Divano Milano", "quantity": 1, "price": total}],
            }
            return self._next_id

    def modify(self, resource: str, record_id: int, **changes: Any) -> None:
        with self._lock:
            record = self.records[resource][record_id]
            record.update(changes)
            record["updated_at"] = self.tick()

    def throttle(self, times: int = 1, retry_after: str = "2.0") -> None:
        self.inject(429, times=times, headers={"Retry-After": retry_after}, body={
            "errors": "Exceeded 2 calls per second for api client. Reduce request rates to "
                      "resume uninterrupted service."})

    def authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("x-shopify-access-token") == self.token

    def unauthorized(self) -> Answer:
        return 401, {}, {"errors": "[API] Invalid API key or access token "
                                   "(unrecognized login or wrong password)"}

    def _call_limit(self) -> str:
        now = time.monotonic()
        leaked = (now - self._bucket_at) * self.leak_per_second
        self._bucket = min(float(self.bucket_size), max(0.0, self._bucket - leaked) + 1)
        self._bucket_at = now
        return f"{math.ceil(self._bucket)}/{self.bucket_size}"

    def route(self, method: str, path: str, query: dict[str, str], body: Any) -> Answer:
        headers = {"X-Shopify-Shop-Api-Call-Limit": self._call_limit()}
        prefix = f"/admin/api/{self.api_version}/"
        resource = path[len(prefix):].removesuffix(".json") if path.startswith(prefix) else ""
        if method != "GET" or resource not in self.records:
            return 404, headers, {"errors": "Not Found"}
        limit = int(query.get("limit") or 50)
        if not 1 <= limit <= 250:
            return 400, headers, {"errors": {"limit": "must be between 1 and 250"}}
        if "page_info" in query:
            extra = sorted(set(query) - {"page_info", "limit"})
            if extra:
                return 400, headers, {"errors": {extra[0]: f"{extra[0]} cannot be passed "
                                                           "when page_info is present."}}
            saved = self._pages.get(query["page_info"])
            if saved is None or saved[0] != resource:
                return 400, headers, {"errors": {"page_info": "Invalid value."}}
            _, ids, offset = saved
        else:
            ids = self._filtered(resource, query)
            offset = 0
        window = ids[offset: offset + limit]
        links = []
        if offset > 0:
            links.append(f'<{self._page_url(resource, ids, max(0, offset - limit), limit)}>; '
                         'rel="previous"')
        if offset + limit < len(ids):
            links.append(f'<{self._page_url(resource, ids, offset + limit, limit)}>; rel="next"')
        if links:
            headers["Link"] = ", ".join(links)
        rows = [self.records[resource][i] for i in window if i in self.records[resource]]
        return 200, headers, {resource: json.loads(json.dumps(rows))}

    def _filtered(self, resource: str, query: dict[str, str]) -> list[int]:
        status = query.get("status", "open")
        chosen = []
        for record in self.records[resource].values():
            if resource == "orders" and status == "open" and (
                record["cancelled_at"] or record["closed_at"]):
                continue
            if "updated_at_min" in query and datetime.fromisoformat(
                    record["updated_at"]) < datetime.fromisoformat(query["updated_at_min"]):
                continue
            if "since_id" in query and record["id"] <= int(query["since_id"]):
                continue
            chosen.append(record["id"])
        return sorted(chosen)

    def _page_url(self, resource: str, ids: list[int], offset: int, limit: int) -> str:
        token = uuid.uuid4().hex
        self._pages[token] = (resource, ids, offset)
        return (f"{self.base_url}/admin/api/{self.api_version}/{resource}.json?"
                + urlencode({"limit": limit, "page_info": token}))


# ------------------------------------------------------------------------------------
# Reading what a sync wrote
# ------------------------------------------------------------------------------------


def read_landed(folder: Path) -> list[dict[str, Any]]:
    """Every record landed under `folder`, in landing order."""
    return [json.loads(line) for path in landed_files(folder)
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def all_written_text(home: Path) -> str:
    """Everything a sync wrote under THREADLINE_HOME (landing files and cursors)."""
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in sorted(home.rglob("*")) if p.is_file())
