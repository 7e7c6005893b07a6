"""One contact's thread with one business: every message both ways, with the WhatsApp
webhooks Meta would post and the Chatwoot events the shared inbox would fire.

Rules the thread enforces so the data stays internally consistent:
- an inbound message renews the 24-hour customer service window; a free-form message sent
  outside it fails with 131047 (operators then send a template);
- a marketing template to someone who stopped marketing messages fails with 131050, a few
  others fail with 131049 (more often for numbers outside the EEA); a number that is not on
  WhatsApp fails with 131026;
- every outbound message gets `sent`, then `delivered` and usually `read` (or `failed`);
  when the customer answers, everything sent before has been read just before the answer;
- a reply within 24 hours of a click-to-WhatsApp ad opens a 72-hour free entry point window.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from . import ids
from .businesses import Ad, Menu, Script, TemplateSpec
from .chatwoot import Agent, ChatwootFeed, Conversation
from .facts import Facts
from .hours import DAY, HOUR, lognormal_seconds
from .inboxes import Inbox
from .people import Person
from .shopify import Shop
from .whatsapp import PRICINGS, WhatsAppFeed, status_item

LAST_CALL = 300  # nothing is said in the last five minutes, so every webhook lands in time
REOPEN_WINDOW = DAY  # a customer message this soon after a resolution reopens it
AUTO_RESOLVE_AFTER = 7 * DAY  # Chatwoot account setting: resolve after 7 days of inactivity
EEA = frozenset({"IT", "DE", "FR", "ES"})


@dataclass(slots=True)
class Sent:
    """An outbound WhatsApp message accepted by the Cloud API."""

    wamid: str
    ts: int
    price: dict[str, Any]
    read_rate: float


class Shard:
    """Everything generated for one business: its feeds, agents and random stream."""

    def __init__(
        self,
        inbox: Inbox,
        script: Script,
        shard_no: int,
        shards: int,
        seed: int,
        start_ts: int,
        end_ts: int,
        operators: list[Agent],
        bot: Agent | None,
    ) -> None:
        self.inbox = inbox
        self.script = script
        self.rng = random.Random(f"threadline-demo:{seed}:{inbox.inbox_id}")
        self.start_ts = start_ts
        self.end_ts = end_ts
        self.wa = WhatsAppFeed(inbox, self.rng, end_ts)
        self.cw = ChatwootFeed(inbox, shard_no, shards, end_ts)
        self.operators = operators
        self.bot = bot
        self.outbound_messages = 0
        self.facts = Facts()
        self.shop: Shop | None = None
        self.flags: set[str] = set()  # one-off story decisions taken for the whole business

    def operator(self, role: str | None = None, other_than: Agent | None = None) -> Agent:
        pool = [op for op in self.operators if (role is None or op.role == role)]
        pool = [op for op in pool if op is not other_than] or [
            op for op in self.operators if op is not other_than
        ]
        return self.rng.choice(pool)


class Thread:
    def __init__(self, shard: Shard, person: Person, on_whatsapp: bool = True) -> None:
        self.shard = shard
        self.rng = shard.rng
        self.person = person
        self.on_whatsapp = on_whatsapp
        self.pending: list[Sent] = []
        self.last_inbound = -(10**12)
        self.ctwa_at: int | None = None
        self.entry_until: int | None = None
        self.conv: Conversation | None = None
        self.marketing_stopped = False
        self.clock = shard.start_ts
        self.reopened = False
        self.opened_by_inbound = False

    # ------------------------------------------------------------ small helpers
    def _lag(self) -> int:
        """Seconds between an event and Meta's POST of it."""
        rng = self.rng
        return rng.randint(0, 2) if rng.random() < 0.97 else rng.randint(5, 120)

    def _delivery_lag(self) -> int:
        roll = self.rng.random()
        if roll < 0.8:
            return self.rng.randint(1, 8)
        if roll < 0.95:
            return self.rng.randint(10, 1200)
        return self.rng.randint(1200, 10 * HOUR)

    @property
    def end_ts(self) -> int:
        return self.shard.end_ts

    # ------------------------------------------------------------ conversations
    def _expire(self, ts: int) -> None:
        conv = self.conv
        if conv is not None and conv.status == "open":
            due = conv.last_activity + AUTO_RESOLVE_AFTER
            if due < ts:
                conv.status = "resolved"
                conv.resolved_at = due
                self.shard.cw.status_changed(due, conv, "open")

    def _conversation_for_inbound(self, ts: int) -> Conversation:
        cw = self.shard.cw
        conv = self.conv
        self.reopened = False
        self.opened_by_inbound = False
        if conv is None or (
            conv.status == "resolved" and ts - (conv.resolved_at or 0) > REOPEN_WINDOW
        ):
            conv = cw.open_conversation(ts, self.person)
            self.conv = conv
            self.opened_by_inbound = True
        elif conv.status == "resolved":
            conv.status = "open"
            conv.resolved_at = None
            self.reopened = True
            cw.updated(ts, conv, "status", "resolved", "open", offset_ms=999)
            if self.rng.random() < 0.4:
                cw.status_changed(ts, conv, "resolved", both=False, offset_ms=999)
        return conv

    def _conversation_for_outbound(self, ts: int) -> Conversation:
        conv = self.conv
        if conv is None or conv.status == "resolved":
            conv = self.shard.cw.open_conversation(ts, self.person)
            self.conv = conv
        return conv

    # ------------------------------------------------------------ statuses
    def _flush(self, until: int | None) -> list[dict[str, Any]]:
        """Emit delivered/read for pending messages; return reads that happen at `until`."""
        if not self.pending:
            return []
        rng = self.rng
        wa = self.shard.wa
        recipient = self.person.wa_id
        at_reply: list[dict[str, Any]] = []
        for sent in self.pending:
            delivered = sent.ts + 1 + self._delivery_lag()
            if until is not None:
                delivered = min(delivered, until - 2)
            delivered = max(delivered, sent.ts + 1)
            read: int | None = None
            opened_to_reply = until is not None and until - sent.ts < DAY
            if not opened_to_reply and rng.random() < sent.read_rate:
                read = delivered + lognormal_seconds(rng, 900, 1.6, 3 * DAY)
            if until is not None and (read is None or read >= until - 3):
                read = until - rng.randint(3, 60)  # opening the chat to write reads it all
            if read is not None and read <= delivered + 1:
                read = delivered = max(read, delivered)  # read in the open chat: no delivered
            if delivered != read:
                price_on_read = None
                arrival = delivered + self._lag()
                if read is not None and rng.random() < 0.06:
                    arrival = read + rng.randint(1, 90)  # delivered arrives after read
                wa.post_statuses(
                    arrival,
                    [status_item(sent.wamid, "delivered", delivered, recipient, sent.price)],
                )
            else:
                price_on_read = sent.price
            if read is None:
                continue
            item = status_item(sent.wamid, "read", read, recipient, price_on_read)
            if opened_to_reply:
                at_reply.append(item)
            else:
                wa.post_statuses(read + self._lag(), [item])
        self.pending.clear()
        return at_reply

    # ------------------------------------------------------------ inbound
    def _inbound(self, entries: list[tuple[int, dict[str, Any], str, dict[str, Any], Any]]) -> None:
        """Customer messages (ts, webhook message, chatwoot content, attributes, attachment)."""
        rng = self.rng
        wa = self.shard.wa
        cw = self.shard.cw
        first_ts = entries[0][0]
        last_ts = entries[-1][0]
        self.shard.facts.first_inbound.setdefault(self.person.index, first_ts)
        self._expire(first_ts)
        reads = self._flush(first_ts)
        conv = self._conversation_for_inbound(first_ts)

        leading: list[dict[str, Any]] = []
        if reads:
            read_arrival = max(int(r["timestamp"]) for r in reads) + self._lag()
            if rng.random() < 0.2:
                leading = [wa.statuses_change(reads)]  # statuses and messages in one body
            elif len(reads) > 1 and rng.random() < 0.4:
                for item in reads:
                    wa.post_statuses(int(item["timestamp"]) + self._lag(), [item])
            else:
                wa.post_statuses(read_arrival, reads)
        if len(entries) > 1 and last_ts - first_ts <= 10 and rng.random() < 0.5:
            change = wa.messages_change(self.person, [entry[1] for entry in entries])
            wa.post(last_ts + self._lag(), [*leading, change])
        else:
            for ts, message, *_ in entries:
                wa.post(ts + self._lag(), [*leading, wa.messages_change(self.person, [message])])
                leading = []
        if conv.waiting_since is None:
            conv.waiting_since = first_ts
        for ts, message, content, attrs, attachment in entries:
            conv.last_activity = ts
            cw.message(
                ts,
                conv,
                "incoming",
                content,
                None,
                message["id"],
                content_attributes=attrs,
                attachment=attachment,
            )
        self.last_inbound = last_ts
        self.clock = last_ts

    def _base(self, ts: int) -> dict[str, Any]:
        return {
            "from": self.person.wa_id,
            "id": ids.wamid(self.rng, self.person.wa_id, inbound=True),
            "timestamp": str(ts),
        }

    def say(
        self,
        ts: int,
        texts: list[str],
        image_caption: str | None = None,
        ad: Ad | None = None,
    ) -> int:
        """The customer writes one or more messages (and maybe a photo); returns the last ts."""
        rng = self.rng
        moments = [ts]
        for _ in texts[1:]:
            gap = rng.randint(2, 40) if rng.random() < 0.7 else rng.randint(40, 240)
            moments.append(moments[-1] + gap)
        if image_caption is not None:
            moments.append(moments[-1] + rng.randint(5, 90))
        if moments[-1] > self.end_ts - LAST_CALL:
            return ts
        entries: list[tuple[int, dict[str, Any], str, dict[str, Any], Any]] = []
        for position, (moment, text) in enumerate(zip(moments, texts, strict=False)):
            message = self._base(moment)
            if position == 0 and ad is not None:
                message = {"referral": self._referral(ad), **message}
                self.ctwa_at = moment
                self.entry_until = None
            message["text"] = {"body": text}
            message["type"] = "text"
            entries.append((moment, message, text, {}, None))
        if image_caption is not None:
            moment = moments[-1]
            message = self._base(moment)
            media = ids.media_id(rng)
            message["type"] = "image"
            message["image"] = {
                "caption": image_caption,
                "mime_type": "image/jpeg",
                "sha256": ids.sha256_b64(rng),
                "id": media,
            }
            entries.append((moment, message, image_caption, {}, (media, "image")))
        self._inbound(entries)
        return moments[-1]

    def tap(self, ts: int, sent: Sent, kind: str, option: tuple[str, str]) -> int:
        """The customer taps a template quick reply (`button`) or an interactive reply."""
        option_id, title = option
        if ts > self.end_ts - LAST_CALL:
            return ts
        message = self._base(ts)
        message = {
            "context": {"from": self.shard.inbox.display_phone_number, "id": sent.wamid},
            **message,
        }
        if kind == "button":
            message["type"] = "button"
            message["button"] = {"payload": option_id, "text": title}
        else:
            message["type"] = "interactive"
            message["interactive"] = {"type": kind, kind: {"id": option_id, "title": title}}
        attrs = {"in_reply_to_external_id": sent.wamid}
        self._inbound([(ts, message, title, attrs, None)])
        return ts

    def _referral(self, ad: Ad) -> dict[str, Any]:
        rng = self.rng
        ad_id = ids.ad_id(rng)
        referral: dict[str, Any] = {
            "source_url": ids.short_link(rng),
            "source_id": ad_id,
            "source_type": "ad",
            "headline": ad.headline,
            "body": ad.body,
            "media_type": ad.media_type,
        }
        media = f"https://scontent.xx.fbcdn.net/v/t45.1600-4/{ad_id[-9:]}_n.jpg"
        if ad.media_type == "video":
            referral["video_url"] = media.replace(".jpg", ".mp4")
            referral["thumbnail_url"] = media
        else:
            referral["image_url"] = media
        if rng.random() < 0.9:  # ads shown in Status carry no click id
            referral["ctwa_clid"] = ids.ctwa_clid(rng)
        return referral

    # ------------------------------------------------------------ outbound
    def _price(self, ts: int, category: str) -> dict[str, Any]:
        if self.ctwa_at is not None and self.entry_until is None and ts - self.ctwa_at <= DAY:
            self.entry_until = ts + 3 * DAY
        if self.entry_until is not None and ts <= self.entry_until:
            kind = "free_entry_point"
        elif category == "service" or (category == "utility" and ts - self.last_inbound <= DAY):
            kind = "free_customer_service"
        else:
            kind = "regular"
        return PRICINGS[(category, kind)]

    def send(
        self,
        ts: int,
        sender: Agent | None,
        text: str,
        template: TemplateSpec | None = None,
        params: tuple[str, ...] = (),
        menu: Menu | None = None,
    ) -> Sent | None:
        """The business sends a message (operator, bot, or automation when `sender` is None).
        Returns the accepted message, or None when the Cloud API reports it failed."""
        rng = self.rng
        wa = self.shard.wa
        if ts > self.end_ts - LAST_CALL:
            return None
        self._expire(ts)
        category = template.category if template is not None else "service"
        error: int | None = None
        if not self.on_whatsapp:
            error = 131026
        elif template is None and ts - self.last_inbound > DAY:
            error = 131047
        elif category == "marketing" and self.marketing_stopped:
            error = 131050
        elif category == "marketing" and rng.random() < (
            0.012 if self.person.country in EEA else 0.2
        ):
            error = 131049
        wamid = ids.wamid(rng, self.person.wa_id, inbound=False)
        self.shard.outbound_messages += 1
        sent: Sent | None = None
        if error is not None:
            failed_at = ts + rng.randint(1, 5)
            wa.post_statuses(
                failed_at + self._lag(),
                [status_item(wamid, "failed", failed_at, self.person.wa_id, error=error)],
            )
        else:
            price = self._price(ts, category)
            sent_at = ts + rng.randint(1, 3)
            wa.post_statuses(
                sent_at + self._lag(),
                [status_item(wamid, "sent", sent_at, self.person.wa_id, price)],
            )
            read_rate = {"service": 0.85, "utility": 0.75, "marketing": 0.55}[category]
            sent = Sent(wamid, sent_at, price, read_rate)
            self.pending.append(sent)

        conv = self._conversation_for_outbound(ts)
        content_type = "text"
        attrs: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        if menu is not None:
            content_type = "input_select"
            attrs = {"items": [{"title": title, "value": oid} for oid, title in menu.options]}
        if template is not None:
            extra = {
                "template_params": {
                    "name": template.name,
                    "category": template.category.upper(),
                    "language": "it",
                    "processed_params": {str(i + 1): p for i, p in enumerate(params)},
                }
            }
        if sender is not None and sender.kind == "user":
            if conv.first_reply_ms is None:
                conv.first_reply_ms = self.shard.cw.message_ms(ts)
            conv.waiting_since = None
        conv.last_activity = ts
        self.shard.cw.message(
            ts,
            conv,
            "outgoing",
            text,
            sender,
            wamid,
            content_type=content_type,
            content_attributes=attrs,
            additional_attributes=extra,
        )
        self.clock = max(self.clock, ts)
        return sent

    def send_template(
        self, ts: int, sender: Agent | None, template: TemplateSpec, params: tuple[str, ...]
    ) -> Sent | None:
        text = template.body
        for position, value in enumerate(params, start=1):
            text = text.replace("{{" + str(position) + "}}", value)
        return self.send(ts, sender, text, template=template, params=params)

    # ------------------------------------------------------------ inbox actions
    def note(self, ts: int, agent: Agent, text: str) -> None:
        conv = self.conv
        if conv is None:
            return
        self.shard.cw.message(ts, conv, "outgoing", text, agent, None, private=True)
        conv.last_activity = ts

    def assign(self, ts: int, agent: Agent) -> None:
        conv = self.conv
        if conv is None or conv.assignee is agent:
            return
        previous = conv.assignee.id if conv.assignee else None
        conv.assignee = agent
        self.shard.cw.updated(ts, conv, "assignee_id", previous, agent.id)

    def label(self, ts: int, labels: tuple[str, ...]) -> None:
        conv = self.conv
        if conv is None:
            return
        current = list(dict.fromkeys([*conv.labels, *labels]))
        if current == conv.labels:
            return
        previous = list(conv.labels)
        conv.labels = current
        self.shard.cw.updated(ts, conv, "label_list", previous, current)

    def resolve(self, ts: int) -> None:
        conv = self.conv
        if conv is None or conv.status != "open":
            return
        conv.status = "resolved"
        conv.resolved_at = ts
        conv.last_activity = ts
        self.shard.cw.status_changed(ts, conv, "open")
        self.clock = max(self.clock, ts)

    def marketing_preference(self, ts: int, value: str) -> None:
        """The user taps stop (or resume) for this business's marketing messages."""
        self.marketing_stopped = value == "stop"
        wa = self.shard.wa
        wa.post(ts + self._lag(), [wa.preference_change(self.person, value, ts)])
        self.clock = max(self.clock, ts)

    def finish(self) -> None:
        self._flush(None)
        self._expire(self.end_ts + 1)
