"""Instagram and Messenger webhook bodies for one business account, as Meta POSTs them.

Each body is `{"object": "instagram" | "page", "entry": [{"id": <account id>, "time": ms,
"messaging": [item]}]}` with one messaging item:
- a customer message: `sender` = the customer (IGSID / PSID), `recipient` = the business,
  `message {mid, text}` (or `attachments`, or an Instagram story reply `reply_to.story`);
- a business reply as an echo: `sender` = the business, `recipient` = the customer,
  `message {mid, text, is_echo: true}`;
- Messenger: `delivery {mids, watermark}` after each reply, `read {watermark}` when the
  customer opens the chat; Instagram: `read {mid}` (messaging_seen), no deliveries;
- a few `reaction {mid, action, reaction, emoji}` from the customer to a reply.
Timestamps are milliseconds. About 2% of bodies arrive twice (the identical bytes).
"""

from __future__ import annotations

import base64
import json
import random
from typing import Any

from .chats import Turn
from .dialogues import REACTIONS
from .hours import lognormal_seconds

DUPLICATE_RATE = 0.02
REACTION_NAMES = {"❤️": "love", "👍": "like", "😍": "love", "🙏": "other"}


def user_id(rng: random.Random) -> str:
    """An IGSID or a PSID: a 16- or 17-digit number, as a string."""
    return str(rng.randrange(10**15, 10**17))


class MetaFeed:
    def __init__(self, platform: str, account_id: str, rng: random.Random, end_ts: int) -> None:
        self.platform = platform  # "instagram" | "messenger"
        self.object = "instagram" if platform == "instagram" else "page"
        self.account_id = account_id
        self.rng = rng
        self.end_ms = end_ts * 1000 + 999
        self.items: list[tuple[int, int, str]] = []  # (arrival ms, sequence, line)
        self.messages = 0
        self.echoes = 0
        self.duplicates = 0

    def _mid(self, user: str) -> str:
        rng = self.rng
        if self.platform == "instagram":
            raw = (
                f"ig_message_item:1:IGMessageThread:{self.account_id}:{user}:{rng.getrandbits(96)}"
            )
            return base64.b64encode(raw.encode()).decode().rstrip("=")
        return "m_" + base64.urlsafe_b64encode(rng.randbytes(63)).decode()

    def post(self, arrival_ms: int, item: dict[str, Any]) -> None:
        if arrival_ms > self.end_ms:
            return
        body = {
            "object": self.object,
            "entry": [{"id": self.account_id, "time": arrival_ms, "messaging": [item]}],
        }
        line = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        self.items.append((arrival_ms, len(self.items), line))
        rng = self.rng
        if rng.random() < DUPLICATE_RATE:
            retry = (
                arrival_ms
                + (rng.randint(1, 60) if rng.random() < 0.7 else rng.randint(60, 3600)) * 1000
            )
            if retry <= self.end_ms:
                self.items.append((retry, len(self.items), line))
                self.duplicates += 1

    def _lag(self) -> int:
        rng = self.rng
        return rng.randint(200, 2500) if rng.random() < 0.97 else rng.randint(5000, 90000)

    def thread(self, user: str, turns: list[Turn], story_reply: bool = False) -> None:
        """Post every body one conversation produces."""
        rng = self.rng
        biz = {"id": self.account_id}
        customer = {"id": user}
        unread: list[tuple[str, int]] = []  # business replies the customer has not seen
        for position, turn in enumerate(turns):
            ms = turn.ts * 1000 + rng.randint(0, 999)
            if turn.by == "customer":
                if unread:
                    self._read(user, unread, ms - rng.randint(3000, 90000))
                    unread = []
                message: dict[str, Any] = {"mid": self._mid(user)}
                if position == 0 and story_reply:
                    story = rng.getrandbits(60)
                    message["text"] = turn.text
                    message["reply_to"] = {
                        "story": {
                            "url": f"https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id={story}"
                            f"&signature={base64.urlsafe_b64encode(rng.randbytes(24)).decode()}",
                            "id": str(17_900_000_000_000_000 + story % 10**15),
                        }
                    }
                elif rng.random() < 0.04:
                    asset = rng.getrandbits(60)
                    host = (
                        "lookaside.fbsbx.com/ig_messaging_cdn"
                        if self.object == "instagram"
                        else "scontent.xx.fbcdn.net/v/t1.15752-9"
                    )
                    message["attachments"] = [
                        {"type": "image", "payload": {"url": f"https://{host}/?asset_id={asset}"}}
                    ]
                else:
                    message["text"] = turn.text
                self.messages += 1
                self.post(
                    ms + self._lag(),
                    {"sender": customer, "recipient": biz, "timestamp": ms, "message": message},
                )
            else:
                mid = self._mid(user)
                self.echoes += 1
                echo = {"mid": mid, "is_echo": True, "text": turn.text}
                self.post(
                    ms + self._lag(),
                    {"sender": biz, "recipient": customer, "timestamp": ms, "message": echo},
                )
                if self.platform == "messenger":
                    delivered = ms + rng.randint(800, 9000)
                    self.post(
                        delivered + self._lag(),
                        {
                            "sender": customer,
                            "recipient": biz,
                            "delivery": {"mids": [mid], "watermark": delivered},
                        },
                    )
                unread.append((mid, ms))
        if unread and rng.random() < 0.75:
            seen = unread[-1][1] + lognormal_seconds(rng, 1200, 1.4, 2 * 86400) * 1000
            self._read(user, unread, seen)
            if rng.random() < 0.2:
                emoji = rng.choice(REACTIONS)
                reaction = {
                    "mid": unread[-1][0],
                    "action": "react",
                    "reaction": REACTION_NAMES[emoji],
                    "emoji": emoji,
                }
                at = seen + rng.randint(2000, 40000)
                self.post(
                    at + self._lag(),
                    {"sender": customer, "recipient": biz, "timestamp": at, "reaction": reaction},
                )

    def _read(self, user: str, unread: list[tuple[str, int]], at: int) -> None:
        at = max(at, unread[-1][1] + 500)
        item: dict[str, Any] = {
            "sender": {"id": user},
            "recipient": {"id": self.account_id},
            "timestamp": at,
        }
        if self.platform == "messenger":
            item["read"] = {"watermark": unread[-1][1]}
        else:
            item["read"] = {"mid": unread[-1][0]}
        self.post(at + self._lag(), item)
