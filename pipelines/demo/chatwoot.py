"""Chatwoot webhook events for one inbox, in the shape Chatwoot's WebhookListener sends them.

Events are recorded while the story plays and rendered at the end, in time order, because
Chatwoot numbers conversations (per account `display_id`) and messages in creation order.
Ids stay unique across the six inboxes of account 1 by interleaving: the n-th conversation
(or message) of shard k of K gets id `n * K + k`.
"""

from __future__ import annotations

import heapq
import json
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .hours import iso_utc_ms
from .inboxes import Inbox
from .people import Person

ACCOUNT_NAME = "Threadline Demo"


@dataclass(frozen=True, slots=True)
class Agent:
    """A Chatwoot agent (`type: "user"`) or agent bot (`type: "agent_bot"`)."""

    id: int
    name: str
    kind: str  # "user" | "agent_bot"
    role: str = ""
    email: str = ""

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    def sender(self) -> dict[str, Any]:
        if self.kind == "agent_bot":
            return {"id": self.id, "name": self.name, "avatar_url": "", "type": "agent_bot"}
        return {"id": self.id, "name": self.name, "email": self.email, "type": "user"}

    def assignee(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "available_name": self.name,
            "avatar_url": "",
            "type": "user",
            "availability_status": "online",
            "thumbnail": "",
        }


@dataclass(slots=True)
class Conversation:
    person: Person
    created_at: int
    status: str = "open"
    labels: list[str] = field(default_factory=list)
    assignee: Agent | None = None
    first_reply_ms: int | None = None  # created_at of the first human reply, in ms
    waiting_since: int | None = None
    last_activity: int = 0
    resolved_at: int | None = None
    display_id: int = 0


EMPTY_PROFILE = {
    "city": "",
    "country": "",
    "description": "",
    "company_name": "",
    "country_code": "",
    "social_profiles": {
        "github": "",
        "twitter": "",
        "facebook": "",
        "linkedin": "",
        "instagram": "",
    },
}


@dataclass(frozen=True, slots=True)
class ContactState:
    """What an agent added to a contact: an e-mail, social profiles (IGSID / PSID)."""

    email: str | None = None
    social: tuple[tuple[str, str], ...] = ()

    def attributes(self) -> dict[str, Any]:
        if not self.social:
            return {}
        profiles = dict(EMPTY_PROFILE["social_profiles"])  # type: ignore[arg-type]
        profiles.update(self.social)
        return {**EMPTY_PROFILE, "social_profiles": profiles}


NO_STATE = ContactState()

# snapshot: status, labels, assignee, first_reply_ms, waiting_since, last_activity
Snapshot = tuple[str, tuple[str, ...], Agent | None, int | None, int | None, int]


class ChatwootFeed:
    def __init__(self, inbox: Inbox, shard_no: int, shards: int, end_ts: int) -> None:
        self.inbox = inbox
        self.shard_no = shard_no
        self.shards = shards
        self.end_ts = end_ts
        self.account = {"id": inbox.chatwoot_account_id, "name": ACCOUNT_NAME}
        self.inbox_ref = {"id": inbox.chatwoot_inbox_id, "name": inbox.business_name}
        self.conversations: list[Conversation] = []
        # (ts_ms, seq, event, conversation, snapshot, payload)
        self.events: list[tuple[int, int, str, Conversation, Snapshot, dict[str, Any]]] = []
        self.rendered = 0
        # contact_updated events (rendered when recorded) and each contact's later states
        self.contact_events: list[tuple[int, int, str]] = []
        self.contact_states: dict[int, tuple[list[int], list[ContactState]]] = {}

    # ---------------------------------------------------------------- recording
    def _record(self, ts_ms: int, event: str, conv: Conversation, payload: dict[str, Any]) -> None:
        if ts_ms // 1000 > self.end_ts:
            return
        snap: Snapshot = (
            conv.status,
            tuple(conv.labels),
            conv.assignee,
            conv.first_reply_ms,
            conv.waiting_since,
            conv.last_activity,
        )
        self.events.append((ts_ms, len(self.events), event, conv, snap, payload))

    def open_conversation(self, ts: int, person: Person) -> Conversation:
        conv = Conversation(person=person, created_at=ts, last_activity=ts)
        self.conversations.append(conv)
        self._record(ts * 1000, "conversation_created", conv, {})
        return conv

    def updated(
        self,
        ts: int,
        conv: Conversation,
        attr: str,
        previous: Any,
        current: Any,
        offset_ms: int = 1,
    ) -> None:
        changed = [{attr: {"previous_value": previous, "current_value": current}}]
        self._record(
            ts * 1000 + offset_ms, "conversation_updated", conv, {"changed_attributes": changed}
        )

    def status_changed(
        self, ts: int, conv: Conversation, previous: str, both: bool = True, offset_ms: int = 0
    ) -> None:
        """A status change fires conversation_status_changed and conversation_updated."""
        changed = [{"status": {"previous_value": previous, "current_value": conv.status}}]
        payload = {"changed_attributes": changed}
        self._record(ts * 1000 + offset_ms, "conversation_status_changed", conv, payload)
        if both:
            self._record(ts * 1000 + offset_ms + 2, "conversation_updated", conv, payload)

    def message(
        self,
        ts: int,
        conv: Conversation,
        message_type: str,
        content: str,
        sender: Agent | None,
        source_id: str | None,
        private: bool = False,
        content_type: str = "text",
        content_attributes: dict[str, Any] | None = None,
        additional_attributes: dict[str, Any] | None = None,
        attachment: tuple[str, str] | None = None,
    ) -> None:
        payload = {
            "message_type": message_type,
            "content": content,
            "sender": sender,
            "source_id": source_id,
            "private": private,
            "content_type": content_type,
            "content_attributes": content_attributes or {},
            "additional_attributes": additional_attributes or {},
            "attachment": attachment,
        }
        self._record(self.message_ms(ts), "message_created", conv, payload)

    def message_ms(self, ts: int) -> int:
        """When the next message recorded at second `ts` is created, in ms (varied, and after
        a conversation_created of the same second)."""
        return ts * 1000 + 100 + (len(self.events) * 7919) % 899

    def contact_updated(
        self, ts: int, person: Person, before: ContactState, after: ContactState, since: int
    ) -> bool:
        """An agent adds details to a WhatsApp contact (linking an Instagram or Messenger
        profile, or an e-mail): fires `contact_updated` with `changed_attributes`."""
        if ts > self.end_ts:
            return False
        ts_ms = ts * 1000 + 457
        changed: list[dict[str, Any]] = []
        if before.email != after.email:
            changed.append(
                {"email": {"previous_value": before.email, "current_value": after.email}}
            )
        if before.social != after.social:
            changed.append(
                {
                    "additional_attributes": {
                        "previous_value": before.attributes(),
                        "current_value": after.attributes(),
                    }
                }
            )
        changed.append(
            {
                "updated_at": {
                    "previous_value": iso_utc_ms(since * 1000),
                    "current_value": iso_utc_ms(ts_ms),
                }
            }
        )
        document = {
            "account": self.account,
            "additional_attributes": after.attributes(),
            "avatar": "",
            "custom_attributes": {},
            "email": after.email,
            "id": person.index + 1,
            "identifier": None,
            "name": person.profile_name,
            "phone_number": person.e164,
            "thumbnail": "",
            "blocked": False,
            "event": "contact_updated",
            "changed_attributes": changed,
        }
        line = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        self.contact_events.append((ts_ms, len(self.contact_events), line))
        times, states = self.contact_states.setdefault(person.index, ([], []))
        times.append(ts_ms)
        states.append(after)
        return True

    def _state(self, person: Person, ts_ms: int) -> ContactState:
        known = self.contact_states.get(person.index)
        if known is None:
            return NO_STATE
        position = bisect_right(known[0], ts_ms)
        return known[1][position - 1] if position else NO_STATE

    # ---------------------------------------------------------------- rendering
    def _contact(self, person: Person, ts_ms: int) -> dict[str, Any]:
        state = self._state(person, ts_ms)
        return {
            "additional_attributes": state.attributes(),
            "custom_attributes": {},
            "email": state.email,
            "id": person.index + 1,
            "identifier": None,
            "name": person.profile_name,
            "phone_number": person.e164,
            "thumbnail": "",
            "type": "contact",
        }

    def _contact_sender(self, person: Person, ts_ms: int) -> dict[str, Any]:
        state = self._state(person, ts_ms)
        return {
            "account": self.account,
            "additional_attributes": state.attributes(),
            "avatar": "",
            "custom_attributes": {},
            "email": state.email,
            "id": person.index + 1,
            "identifier": None,
            "name": person.profile_name,
            "phone_number": person.e164,
            "thumbnail": "",
        }

    def _conversation(self, conv: Conversation, snap: Snapshot, ts_ms: int) -> dict[str, Any]:
        status, labels, assignee, first_reply_ms, waiting_since, last_activity = snap
        person = conv.person
        return {
            "additional_attributes": {},
            "can_reply": True,
            "channel": "Channel::Whatsapp",
            "contact_inbox": {
                "id": person.index + 1,
                "contact_id": person.index + 1,
                "inbox_id": self.inbox.chatwoot_inbox_id,
                "source_id": person.wa_id,
                "hmac_verified": False,
            },
            "id": conv.display_id,
            "inbox_id": self.inbox.chatwoot_inbox_id,
            "labels": list(labels),
            "meta": {
                "sender": self._contact(person, ts_ms),
                "assignee": assignee.assignee() if assignee else None,
                "team": None,
                "hmac_verified": False,
            },
            "status": status,
            "custom_attributes": {},
            "snoozed_until": None,
            "first_reply_created_at": iso_utc_ms(first_reply_ms) if first_reply_ms else None,
            "priority": None,
            "waiting_since": waiting_since or 0,
            "last_activity_at": last_activity,
            "timestamp": last_activity,
            "created_at": conv.created_at,
            "updated_at": ts_ms / 1000,
        }

    def render(self) -> Iterator[tuple[int, str]]:
        """Events in time order as `(ts, json line)`, with ids assigned in creation order."""
        self.contact_events.sort()
        contacts = ((ts_ms, line) for ts_ms, _, line in self.contact_events)
        merged = heapq.merge(self._render_conversations(), contacts, key=lambda item: item[0])
        for ts_ms, line in merged:
            self.rendered += 1
            yield ts_ms // 1000, line

    def _render_conversations(self) -> Iterator[tuple[int, str]]:
        by_creation = sorted(self.conversations, key=lambda c: (c.created_at, c.person.index))
        for rank, conv in enumerate(by_creation):
            conv.display_id = rank * self.shards + self.shard_no
        self.events.sort(key=lambda e: (e[0], e[1]))
        message_rank = 0
        for ts_ms, _, event, conv, snap, payload in self.events:
            conversation = self._conversation(conv, snap, ts_ms)
            if event != "message_created":
                document = {**conversation, **payload, "event": event}
            else:
                sender = payload["sender"]
                message_id = message_rank * self.shards + self.shard_no
                message_rank += 1
                document = {
                    "account": self.account,
                    "additional_attributes": payload["additional_attributes"],
                    "content_attributes": payload["content_attributes"],
                    "content_type": payload["content_type"],
                    "content": payload["content"],
                    "conversation": conversation,
                    "created_at": iso_utc_ms(ts_ms),
                    "id": message_id,
                    "inbox": self.inbox_ref,
                    "message_type": payload["message_type"],
                    "private": payload["private"],
                    "sender": sender.sender()
                    if sender is not None
                    else (
                        self._contact_sender(conv.person, ts_ms)
                        if payload["message_type"] == "incoming"
                        else None
                    ),
                    "source_id": payload["source_id"],
                }
                attachment = payload["attachment"]
                if attachment is not None:
                    media, file_type = attachment
                    document["attachments"] = [
                        {
                            "id": message_id,
                            "message_id": message_id,
                            "file_type": file_type,
                            "account_id": self.account["id"],
                            "extension": None,
                            "data_url": f"https://chat.threadline.demo/rails/active_storage/"
                            f"blobs/{media}/file.jpeg",
                            "thumb_url": f"https://chat.threadline.demo/rails/active_storage/"
                            f"representations/{media}/file.jpeg",
                            "file_size": 180000 + int(media[-5:]) % 400000,
                        }
                    ]
                document["event"] = event
            yield ts_ms, json.dumps(document, ensure_ascii=False, separators=(",", ":"))
