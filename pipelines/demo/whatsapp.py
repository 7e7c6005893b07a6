"""WhatsApp Cloud API webhook bodies for one business number, as Meta POSTs them.

Each body is `{"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes":
[{"value": {...}, "field": ...}]}]}`. The feed keeps Meta's untidiness on purpose: about 3% of
bodies arrive twice (the identical bytes, seconds to hours later), statuses may arrive out of
order, and several messages or statuses (or a statuses change plus a messages change) may share
one body. Every body is serialised once, compactly, when it is posted; `items` holds
`(arrival_ts, sequence, line)`.
"""

from __future__ import annotations

import json
import random
from typing import Any

from .inboxes import Inbox
from .people import Person

DUPLICATE_RATE = 0.03
ERROR_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

ERRORS: dict[int, dict[str, Any]] = {
    131026: {
        "code": 131026,
        "title": "Message undeliverable",
        "message": "Message undeliverable",
        "error_data": {
            "details": "Unable to deliver message. Reasons can include: the recipient phone number "
            "is not a WhatsApp phone number; the recipient has not accepted the new Terms of "
            "Service; the recipient is using an old WhatsApp version."
        },
        "href": ERROR_HREF,
    },
    131047: {
        "code": 131047,
        "title": "Re-engagement message",
        "message": "Re-engagement message",
        "error_data": {
            "details": "Message failed to send because more than 24 hours have passed since the "
            "customer last replied to this number."
        },
        "href": ERROR_HREF,
    },
    131049: {
        "code": 131049,
        "title": "This message was not delivered to maintain healthy ecosystem engagement.",
        "message": "This message was not delivered to maintain healthy ecosystem engagement.",
        "error_data": {
            "details": "In order to maintain a healthy ecosystem engagement, the message failed "
            "to be delivered."
        },
        "href": ERROR_HREF,
    },
    131050: {
        "code": 131050,
        "title": "Unable to deliver the message. This recipient has chosen to stop receiving "
        "marketing messages on WhatsApp from your business.",
        "message": "Unable to deliver the message. This recipient has chosen to stop receiving "
        "marketing messages on WhatsApp from your business.",
        "error_data": {
            "details": "Unable to deliver the message. This recipient has chosen to stop receiving "
            "marketing messages on WhatsApp from your business."
        },
        "href": ERROR_HREF,
    },
}


def pricing(category: str, kind: str) -> dict[str, Any]:
    """Per-message pricing (PMP, since 2025-07-01): `kind` is regular or a free kind."""
    return {
        "billable": kind == "regular",
        "pricing_model": "PMP",
        "type": kind,
        "category": category,
    }


PRICINGS: dict[tuple[str, str], dict[str, Any]] = {
    (category, kind): pricing(category, kind)
    for category in ("service", "utility", "marketing")
    for kind in ("regular", "free_customer_service", "free_entry_point")
}


class WhatsAppFeed:
    def __init__(self, inbox: Inbox, rng: random.Random, end_ts: int) -> None:
        self.inbox = inbox
        self.rng = rng
        self.end_ts = end_ts
        self.metadata = {
            "display_phone_number": inbox.display_phone_number,
            "phone_number_id": inbox.phone_number_id,
        }
        self.items: list[tuple[int, int, str]] = []
        self.inbound_messages = 0
        self.statuses = 0
        self.preferences = 0
        self.duplicates = 0

    # ----------------------------------------------------------------- changes
    def _contacts(self, person: Person) -> list[dict[str, Any]]:
        return [{"profile": {"name": person.profile_name}, "wa_id": person.wa_id}]

    def messages_change(self, person: Person, messages: list[dict[str, Any]]) -> dict[str, Any]:
        value = {
            "messaging_product": "whatsapp",
            "metadata": self.metadata,
            "contacts": self._contacts(person),
            "messages": messages,
        }
        return {"value": value, "field": "messages"}

    def statuses_change(self, statuses: list[dict[str, Any]]) -> dict[str, Any]:
        value = {"messaging_product": "whatsapp", "metadata": self.metadata, "statuses": statuses}
        return {"value": value, "field": "messages"}

    def preference_change(self, person: Person, value: str, ts: int) -> dict[str, Any]:
        detail = (
            "User requested to stop marketing messages"
            if value == "stop"
            else "User requested to resume marketing messages"
        )
        pref = {
            "wa_id": person.wa_id,
            "detail": detail,
            "category": "marketing_messages",
            "value": value,
            "timestamp": ts,
        }
        body_value = {
            "messaging_product": "whatsapp",
            "metadata": self.metadata,
            "contacts": self._contacts(person),
            "user_preferences": [pref],
        }
        return {"value": body_value, "field": "user_preferences"}

    # ----------------------------------------------------------------- posting
    def post(self, arrival: int, changes: list[dict[str, Any]]) -> None:
        """Meta POSTs one body at `arrival` (dropped if after the end); maybe retries it."""
        if arrival > self.end_ts:
            return
        for change in changes:
            value = change["value"]
            self.inbound_messages += len(value.get("messages", ()))
            self.statuses += len(value.get("statuses", ()))
            self.preferences += len(value.get("user_preferences", ()))
        body = {
            "object": "whatsapp_business_account",
            "entry": [{"id": self.inbox.waba_id, "changes": changes}],
        }
        line = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        self.items.append((arrival, len(self.items), line))
        rng = self.rng
        if rng.random() < DUPLICATE_RATE:
            roll = rng.random()
            if roll < 0.5:
                retry = arrival + rng.randint(1, 30)
            elif roll < 0.85:
                retry = arrival + rng.randint(60, 1800)
            else:
                retry = arrival + rng.randint(3600, 20 * 3600)
            if retry <= self.end_ts:
                self.items.append((retry, len(self.items), line))
                self.duplicates += 1

    def post_statuses(self, arrival: int, statuses: list[dict[str, Any]]) -> None:
        self.post(arrival, [self.statuses_change(statuses)])


def status_item(
    wamid: str,
    status: str,
    ts: int,
    recipient: str,
    price: dict[str, Any] | None = None,
    error: int | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(ts),
        "recipient_id": recipient,
    }
    if price is not None:
        item["pricing"] = price
    if error is not None:
        item["errors"] = [ERRORS[error]]
    return item
