"""Web chat events (our own format) for one site, one JSON object a line:

    {"event_id", "type": "message" | "session_started" | "visitor_identified" |
     "session_closed", "site_id", "session_id", "visitor": {"id", "name"?, "email"?,
     "phone"?}, "direction": "inbound" | "outbound", "sender": {"type": "visitor" |
     "operator" | "bot", "id"?, "name"?}, "text", "sent_at"}

Only `message` events carry direction, sender and text. `sent_at` is ISO 8601 with the Rome
offset. A visitor keeps their id (a cookie) across sessions; once they leave a name, e-mail
or phone (`visitor_identified`), every later event of theirs carries it.
"""

from __future__ import annotations

import json
import random
from typing import Any

from .chats import Turn
from .chatwoot import Agent
from .hours import is_open, iso_rome


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


class WebchatFeed:
    def __init__(self, site_id: str, rng: random.Random, end_ts: int) -> None:
        self.site_id = site_id
        self.rng = rng
        self.end_ts = end_ts
        self.items: list[tuple[int, int, str]] = []  # (ts, sequence, line)
        self.sessions = 0
        self.identified = 0

    def visitor_id(self) -> str:
        return _uuid(self.rng)

    def _event(
        self,
        ts: int,
        kind: str,
        session: str,
        visitor: dict[str, str],
        extra: dict[str, Any] | None = None,
    ) -> None:
        if ts > self.end_ts:
            return
        event: dict[str, Any] = {
            "event_id": _uuid(self.rng),
            "type": kind,
            "site_id": self.site_id,
            "session_id": session,
            "visitor": dict(visitor),
        }
        if extra:
            event.update(extra)
        event["sent_at"] = iso_rome(ts)
        self.items.append(
            (ts, len(self.items), json.dumps(event, ensure_ascii=False, separators=(",", ":")))
        )

    def session(
        self,
        visitor: dict[str, str],
        turns: list[Turn],
        greeting: str,
        bot: str,
        operator: Agent,
        identify: dict[str, str] | None = None,
        ask: str = "",
        typed: str = "",
        offline: str = "",
    ) -> None:
        """One visit: the bot greets, the visitor writes, maybe leaves a contact, an operator
        (or, out of hours, the bot) answers. `visitor` is updated in place when identified."""
        rng = self.rng
        if not turns:
            return
        self.sessions += 1
        session = "ses_" + f"{rng.getrandbits(80):020x}"
        opened = turns[0].ts - rng.randint(15, 120)
        self._event(opened, "session_started", session, visitor)
        bot_sender = {"type": "bot", "name": bot}
        self._message(
            opened + rng.randint(1, 3), session, visitor, "outbound", bot_sender, greeting
        )
        last = opened
        for position, turn in enumerate(turns):
            if turn.by == "customer":
                self._message(turn.ts, session, visitor, "inbound", {"type": "visitor"}, turn.text)
                last = turn.ts
                if position == 0 and identify is not None:
                    asked = turn.ts + rng.randint(1, 3)
                    self._message(asked, session, visitor, "outbound", bot_sender, ask)
                    answered = asked + rng.randint(20, 100)
                    self._message(answered, session, visitor, "inbound", {"type": "visitor"}, typed)
                    visitor.update(identify)
                    self.identified += 1
                    self._event(answered + 1, "visitor_identified", session, visitor)
                    last = answered + 1
                if position == 0 and not is_open(turn.ts) and offline:
                    self._message(
                        last + rng.randint(2, 6), session, visitor, "outbound", bot_sender, offline
                    )
                    last += 6
                    break
            else:
                sender = {"type": "operator", "id": str(operator.id), "name": operator.name}
                if turn.ts - last > 1800:
                    break  # the visitor left before anyone answered
                self._message(turn.ts, session, visitor, "outbound", sender, turn.text)
                last = turn.ts
        self._event(last + rng.randint(60, 1200), "session_closed", session, visitor)

    def _message(
        self,
        ts: int,
        session: str,
        visitor: dict[str, str],
        direction: str,
        sender: dict[str, str],
        text: str,
    ) -> None:
        self._event(
            ts,
            "message",
            session,
            visitor,
            {"direction": direction, "sender": sender, "text": text},
        )
