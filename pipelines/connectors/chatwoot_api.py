"""Chatwoot REST conversations and messages → landing/chatwoot_api/{conversations,messages}/.

`GET /api/v1/accounts/{account}/conversations?status=all&page=N` (25 a page, newest
activity first; stop at an empty payload). The endpoint has no server-side
"updated since" filter in every version, so changes are found client-side: a
conversation changed when its activity (`last_activity_at`/`timestamp`, or `updated_at`
where the version sends it) is newer than what the cursor remembers for it. Paging stops
early at a page whose conversations are all older than the previous run's newest
activity minus `overlap_seconds` — only while the pages really come newest first
(checked on every page); otherwise every page is read.

For each changed conversation, `GET .../conversations/{id}/messages` (latest 20, oldest
first), then `before=<oldest id>` backwards until an empty page or a message already
landed. Messages land as the REST API returns them (integer `message_type`, unix
`created_at`) with `conversation_id`, `inbox_id` and `account_id` added when missing,
so each line stands alone. Per page of conversations: the messages file, then the
conversations file (the changed conversation objects), then the cursor.

The cursor (`chatwoot_api:conversations`) keeps, per conversation, the activity and the
newest message id landed; the run's newest activity (for the early stop) is saved when
the run completes. Messages edited after they landed are not fetched again.

Environment: THREADLINE_CHATWOOT_URL, THREADLINE_CHATWOOT_ACCOUNT_ID,
THREADLINE_CHATWOOT_API_TOKEN (sent as the `api_access_token` header).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr, field_validator

from pipelines.connectors import env
from pipelines.connectors.cursors import CursorStore
from pipelines.connectors.http import ApiError, RetryPolicy, build_client, send
from pipelines.connectors.pages import PageWriter, new_run_id, seconds_to_ms
from pipelines.settings import Paths

logger = logging.getLogger(__name__)

URL_ENV = "THREADLINE_CHATWOOT_URL"
ACCOUNT_ENV = "THREADLINE_CHATWOOT_ACCOUNT_ID"
TOKEN_ENV = "THREADLINE_CHATWOOT_API_TOKEN"
LANDING = "chatwoot_api"
CURSOR_KEY = "chatwoot_api:conversations"


class ChatwootConfig(BaseModel):
    base_url: str
    account_id: str
    token: SecretStr

    @field_validator("account_id")
    @classmethod
    def _numeric(cls, value: str) -> str:
        if not value.isdigit():
            raise ValueError(f"{ACCOUNT_ENV} must be the numeric account id, not {value!r}")
        return value

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ChatwootConfig:
        url = env.required(URL_ENV, "the Chatwoot installation URL", environ)
        account = env.required(ACCOUNT_ENV, "the Chatwoot account id", environ)
        token = env.required(TOKEN_ENV, "a Chatwoot user or bot access token", environ)
        return cls(base_url=env.base_url(url, URL_ENV), account_id=account,
                   token=SecretStr(token))

    def headers(self) -> dict[str, str]:
        return {"api_access_token": self.token.get_secret_value()}

    def url(self, path: str) -> str:
        return f"{self.base_url}/api/v1/accounts/{self.account_id}{path}"


def activity_ms(conversation: dict[str, Any]) -> int:
    """The list's sort key: last activity (unix seconds) as epoch ms."""
    for key in ("last_activity_at", "timestamp", "created_at"):
        value = seconds_to_ms(conversation.get(key))
        if value is not None:
            return value
    return 0


def change_ms(conversation: dict[str, Any]) -> int:
    """When the conversation last changed, by any timestamp this version sends."""
    updated = seconds_to_ms(conversation.get("updated_at")) or 0
    return max(activity_ms(conversation), updated)


def sync(
    paths: Paths,
    client: httpx.Client | None = None,
    *,
    policy: RetryPolicy | None = None,
    overlap_seconds: float = 900.0,
    early_stop: bool = True,
    environ: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Land the conversations changed since the cursor and their new messages; counts."""
    config = ChatwootConfig.from_env(environ)
    owned = client is None
    http = client or build_client()
    run = _Run(config, http, policy or RetryPolicy(), CursorStore.for_paths(paths),
               paths, int(overlap_seconds * 1000))
    try:
        run.sync(early_stop)
    finally:
        if owned:
            http.close()
    counts = {
        "pages": run.pages,
        "conversations": run.conversations.records,
        "messages": run.messages.records,
        "files": run.conversations.files + run.messages.files,
        "requests": run.requests,
    }
    logger.info("chatwoot sync: %s", counts)
    return counts


class _Run:
    def __init__(self, config: ChatwootConfig, client: httpx.Client, policy: RetryPolicy,
                 store: CursorStore, paths: Paths, overlap_ms: int) -> None:
        self.config = config
        self.client = client
        self.policy = policy
        self.store = store
        run_id = new_run_id()
        self.conversations = PageWriter(paths.landing / LANDING / "conversations", run_id)
        self.messages = PageWriter(paths.landing / LANDING / "messages", run_id)
        state = store.get(CURSOR_KEY) or {}
        self.high_ms: int | None = state.get("high_ms")
        # per conversation id: {"change_ms", "last_message_id"} of what already landed
        self.known: dict[str, dict[str, Any]] = dict(state.get("conversations") or {})
        self.overlap_ms = overlap_ms
        self.pages = 0
        self.requests = 0

    def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        self.requests += 1
        response = send(self.client, "GET", self.config.url(path), policy=self.policy,
                        headers=self.config.headers(), params=params)
        body = response.json()
        if not isinstance(body, dict):
            raise ApiError("GET", path, response.status_code, "answer is not a JSON object")
        return body

    def sync(self, early_stop: bool) -> None:
        stop_below = None if self.high_ms is None else self.high_ms - self.overlap_ms
        run_high = self.high_ms or 0
        newest_first = True
        previous_ids: list[Any] = []
        previous_key: int | None = None
        page = 1
        while True:
            body = self.get("/conversations", {"status": "all", "page": page})
            payload = list((body.get("data") or {}).get("payload") or [])
            if not payload:
                break
            ids = [c.get("id") for c in payload]
            if ids == previous_ids:
                raise ApiError("GET", "/conversations", 200, f"page {page} repeats page {page - 1}")
            previous_ids = ids
            self.pages += 1
            keys = [activity_ms(c) for c in payload]
            ordered = [previous_key, *keys] if previous_key is not None else keys
            if newest_first and any(a < b for a, b in zip(ordered, ordered[1:], strict=False)):
                newest_first = False
                logger.info("chatwoot: conversations are not newest-first; reading every page")
            previous_key = keys[-1]
            self._land_page(payload)
            run_high = max(run_high, *map(change_ms, payload))
            if (early_stop and newest_first and stop_below is not None
                    and all(k < stop_below for k in keys)):
                break
            page += 1
        self.high_ms = run_high or None
        self._save()

    def _land_page(self, payload: list[dict[str, Any]]) -> None:
        """Messages file, then conversations file, then the cursor."""
        changed = [c for c in payload if change_ms(c) > self._known(c).get("change_ms", -1)]
        messages: list[dict[str, Any]] = []
        newest: dict[str, int | None] = {}
        for conversation in changed:
            fresh = self._new_messages(conversation)
            messages.extend(fresh)
            newest[str(conversation.get("id"))] = max(
                (m["id"] for m in fresh), default=self._known(conversation).get("last_message_id"))
        self.messages.write(messages)
        self.conversations.write(
            [{**c, "account_id": c.get("account_id", int(self.config.account_id))}
             for c in changed]
        )
        for conversation in changed:
            key = str(conversation.get("id"))
            self.known[key] = {"change_ms": change_ms(conversation), "last_message_id": newest[key]}
        if changed:
            self._save()

    def _known(self, conversation: dict[str, Any]) -> dict[str, Any]:
        return self.known.get(str(conversation.get("id"))) or {}

    def _new_messages(self, conversation: dict[str, Any]) -> list[dict[str, Any]]:
        """Messages newer than the last one landed, oldest first, each standing alone."""
        conversation_id = conversation.get("id")
        last_landed = self._known(conversation).get("last_message_id")
        path = f"/conversations/{conversation_id}/messages"
        collected: list[dict[str, Any]] = []
        before: int | None = None
        while True:
            body = self.get(path, {"before": before} if before is not None else {})
            payload = [m for m in body.get("payload") or [] if isinstance(m.get("id"), int)]
            if not payload:
                break
            fresh = [m for m in payload if last_landed is None or m["id"] > last_landed]
            collected = fresh + collected
            oldest = min(m["id"] for m in payload)
            if len(fresh) < len(payload) or (before is not None and oldest >= before):
                break
            before = oldest
        extra = {"conversation_id": conversation_id, "inbox_id": conversation.get("inbox_id"),
                 "account_id": int(self.config.account_id)}
        return [{**m, **{k: v for k, v in extra.items() if k not in m}}
                for m in sorted(collected, key=lambda m: m["id"])]

    def _save(self) -> None:
        self.store.put(CURSOR_KEY, {"high_ms": self.high_ms, "conversations": self.known})
