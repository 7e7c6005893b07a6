"""The same people on the business's other channels and systems, after its WhatsApp story.

A business's contacts are split (before anything is played) into people who write on WhatsApp
and people who never do; the latter only exist on the business's other channels (Instagram,
Messenger, e-mail, web chat, its phone line, its CRM). Of the WhatsApp people some also show up
elsewhere, and that is where identity links come from:

- Instagram / Messenger: some people first DM the business, are asked to move to WhatsApp and
  write there; the agent then links the two in the shared inbox (a Chatwoot `contact_updated`
  with `additional_attributes.social_profiles.instagram` / `.facebook` = the IGSID / PSID on the
  contact that has the phone number). Others DM without any link.
- E-mail: customers write from the address their Shopify orders carry; some WhatsApp contacts
  get that address added in Chatwoot (`contact_updated` with `email`); a family address is
  shared by two people; generic senders (info@, noreply@) are no one's.
- Web chat: visitors who leave their name and e-mail or phone (`visitor_identified`).
- Calls: the dental clinic's line, from patients who also write on WhatsApp (urgent ones call
  first) and from patients who only phone; missed calls are called back.
- HubSpot: the estate agent's and the language school's leads from every channel, deals that
  follow the appointments booked in the conversations.
- Calendar: every appointment booked (on WhatsApp, by phone, in a DM, by e-mail, in web chat).

Everything here draws from its own random stream (seeded from the seed and the business), so
the WhatsApp story is not disturbed by it.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from .businesses import Script
from .calls import Call
from .chats import Turn, chat_context, converse
from .chatwoot import ContactState
from .crm import Hubspot
from .dialogues import (
    EMAIL,
    GENERIC_EMAILS,
    PORTAL,
    PORTAL_BODY,
    PORTAL_REPLY,
    PORTAL_SUBJECT,
    SOCIAL,
    WEBCHAT,
    WEBCHAT_ASK_CONTACT,
    WEBCHAT_GREETINGS,
    WEBCHAT_OFFLINE,
    Exchange,
)
from .episodes import Ctx, set_slot, slot_after, slot_of
from .facts import Lead
from .hours import DAY, HOUR, add_working, customer_moment, is_open, local, next_open, quarter
from .ics import build
from .inboxes import ChannelInbox
from .mail import Mail, message_id, quoted
from .people import Person, typed_phone
from .shopify import Order, Shop
from .social import MetaFeed, user_id
from .stories import Plan
from .threads import Shard
from .verticals.gym import TRIAL_CLASSES, lesson_after
from .webchat import WebchatFeed

# Share of a business's contacts who never write on WhatsApp, and where they show up instead.
OFFLINE_SHARE = {
    "furniture": 0.08,
    "gym": 0.08,
    "language_school": 0.1,
    "dental_clinic": 0.1,
    "estate_agent": 0.12,
    "supplements_shop": 0.06,
}
OFFLINE_CHANNELS = {
    "furniture": {"instagram": 0.5, "email": 0.5},
    "gym": {"instagram": 0.6, "messenger": 0.4},
    "language_school": {"email": 0.45, "webchat": 0.55},
    "dental_clinic": {"phone": 1.0},
    "estate_agent": {"email": 0.3, "webchat": 0.35, "portal": 0.35},
    "supplements_shop": {"instagram": 0.4, "email": 0.25, "webchat": 0.35},
}
# WhatsApp people who also DM: (linked through the inbox, not linked)
SOCIAL_SHARE = {"instagram": (0.08, 0.06), "messenger": (0.05, 0.05)}
PLATFORM_NAMES = {"instagram": "Instagram", "messenger": "Messenger"}
PROFILE_KEYS = {"instagram": "instagram", "messenger": "facebook"}  # Chatwoot social_profiles
BUSINESS_SIGNATURES = {
    "furniture": "Arredi Navigli\nRipa di Porta Ticinese 63, Milano\nTel. 02 8973 0101",
    "language_school": "Scuola di Lingue Roma Centro\nVia Nazionale 54, Roma",
    "estate_agent": "Casa Brera Immobiliare\nVia Solferino 14, Milano",
    "supplements_shop": "Servizio clienti Vitalis Integratori\nwww.vitalis-integratori.it",
}
GREETINGS = ("Buongiorno,", "Salve,", "Buonasera,", "Gentili signori,", "Buongiorno")
SIGN_OFFS = (
    "Grazie,\n{first}",
    "Cordiali saluti\n{full}",
    "Grazie mille\n{first}",
    "Saluti\n{full}",
    "Un saluto,\n{first}",
)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    roll = rng.random() * sum(weights.values())
    for key, weight in weights.items():
        roll -= weight
        if roll <= 0:
            return key
    return next(iter(weights))


def choose_offline(rng: random.Random, vertical: str, people: list[Person]) -> set[int]:
    """Indexes of the contacts who never write on WhatsApp (drawn before the story plays)."""
    share = OFFLINE_SHARE.get(vertical, 0.0)
    return {person.index for person in people if rng.random() < share}


@dataclass(slots=True)
class Output:
    social: dict[str, MetaFeed] = field(default_factory=dict)
    mails: list[Mail] = field(default_factory=list)
    webchat: WebchatFeed | None = None
    calls: list[Call] = field(default_factory=list)
    hubspot: Hubspot | None = None
    calendar: tuple[bytes, int] | None = None
    email_threads: int = 0
    links: int = 0  # contact_updated events linking identities in the shared inbox
    multichannel: int = 0  # people seen on two sources or more


class ChannelStory:
    def __init__(
        self,
        shard: Shard,
        script: Script,
        rng: random.Random,
        plans: list[Plan],
        offline: list[Person],
        shop: Shop | None,
    ) -> None:
        self.shard = shard
        self.script = script
        self.inbox = shard.inbox
        self.vertical = shard.inbox.vertical
        self.rng = rng
        self.plans = plans
        self.wa_people = [plan.person for plan in plans]
        self.wa_index = {person.index for person in self.wa_people}
        self.offline = offline
        self.shop = shop
        self.start = shard.start_ts
        self.end = shard.end_ts
        self.out = Output()
        self.facts = shard.facts
        self.seen: dict[int, set[str]] = {}
        self.states: dict[int, tuple[int, ContactState]] = {}
        self.leads: list[tuple[Lead, bool, bool]] = []  # (lead, e-mail known, phone known)
        self.orders: dict[int, list[Order]] = {}
        if shop is not None:
            for order in shop.orders:
                if order.created_at <= self.end and order.cancelled_at is None:
                    self.orders.setdefault(order.person.index, []).append(order)
        weights = OFFLINE_CHANNELS.get(self.vertical, {})
        self.assigned: dict[str, list[Person]] = {}
        for person in offline:
            channels = [pick(rng, weights)] if weights else []
            if weights and rng.random() < 0.2:
                channels.append(pick(rng, weights))
            for channel in dict.fromkeys(channels):
                self.assigned.setdefault(channel, []).append(person)

    # ------------------------------------------------------------ helpers
    def saw(self, person: Person, source: str) -> None:
        self.seen.setdefault(person.index, set()).add(source)

    def moment(self, lo: int, hi: int) -> int:
        """A plausible moment for a customer to write, between `lo` and `hi`."""
        rng = self.rng
        lo, hi = max(lo, self.start + 60), min(hi, self.end - 600)
        if hi <= lo:
            return lo
        first, last = local(lo).date(), local(hi).date()
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        ts = customer_moment(rng, day)
        return ts if lo <= ts <= hi else rng.randint(lo, hi)

    def office(self, ts: int) -> int:
        """`ts` if the business is open then, else a moment in its next working hours."""
        return ts if is_open(ts) else add_working(next_open(ts), self.rng.randint(60, 3 * HOUR))

    def context(self, person: Person | None, start: int) -> Ctx:
        ctx = chat_context(self.rng, self.script, self.inbox, person, start)
        if person is not None:
            ctx["telefono"] = typed_phone(self.rng, person)
        return ctx

    def link(
        self,
        person: Person,
        ts: int,
        *,
        email: str | None = None,
        social: tuple[str, str] | None = None,
    ) -> None:
        """An agent adds an e-mail or a social profile to the person's Chatwoot contact."""
        since, before = self.states.get(person.index, (self.start, ContactState()))
        after = ContactState(
            email if email is not None else before.email,
            tuple(sorted({**dict(before.social), **dict([social] if social else [])}.items())),
        )
        if after == before:
            return
        since = max(since, self.facts.first_inbound.get(person.index, self.start))
        if self.shard.cw.contact_updated(ts, person, before, after, since):
            self.states[person.index] = (ts, after)
            self.out.links += 1

    def order_exchange(
        self, exchanges: tuple[Exchange, ...], person: Person
    ) -> tuple[Exchange, Order | None]:
        rng = self.rng
        orders = self.orders.get(person.index, [])
        with_order = [e for e in exchanges if e.needs_order]
        without = [e for e in exchanges if not e.needs_order and not e.handoff]
        if orders and with_order and rng.random() < 0.6:
            return rng.choice(with_order), rng.choice(orders)
        return rng.choice(without or list(exchanges)), None

    def with_order(self, ctx: Ctx, order: Order | None) -> int | None:
        """Fill {ordine}/{prodotto} and return when the customer could write about it."""
        if order is None:
            return None
        ctx["ordine"] = order.name
        ctx["prodotto"] = order.lines[0][0].title
        return self.moment(order.created_at + DAY, order.created_at + 12 * DAY)

    # ------------------------------------------------------------ the story
    def run(self) -> Output:
        for platform in ("instagram", "messenger"):
            channel = self.inbox.channel_inbox(platform)
            if channel is not None and self.vertical in SOCIAL:
                self.social(platform, channel)
        channel = self.inbox.channel_inbox("email")
        if channel is not None and self.vertical in EMAIL:
            self.email(channel)
        channel = self.inbox.channel_inbox("webchat")
        if channel is not None and self.vertical in WEBCHAT:
            self.webchat(channel)
        channel = self.inbox.channel_inbox("phone")
        if channel is not None:
            self.calls(channel)
        if self.vertical in ("estate_agent", "language_school"):
            self.hubspot()
        self.calendar()
        self.count()
        return self.out

    # ------------------------------------------------------------ Instagram / Messenger
    def social(self, platform: str, channel: ChannelInbox) -> None:
        rng = self.rng
        feed = MetaFeed(platform, channel.address, rng, self.end)
        self.out.social[platform] = feed
        exchanges = SOCIAL[self.vertical]
        handoffs = [e for e in exchanges if e.handoff]
        others = [e for e in exchanges if not e.handoff]
        linked_share, also_share = SOCIAL_SHARE[platform]
        name = PLATFORM_NAMES[platform]
        for person in self.wa_people:
            first = self.facts.first_inbound.get(person.index)
            roll = rng.random()
            if roll < linked_share and first is not None and first - self.start > 2 * DAY:
                uid = user_id(rng)
                begin = self.moment(first - rng.randint(HOUR, 6 * DAY), first - HOUR)
                ctx = self.context(person, begin)
                turns = converse(rng, rng.choice(handoffs), ctx, begin, first - 120, 0.9, 0.0)
                feed.thread(uid, turns, platform == "instagram" and rng.random() < 0.15)
                self.saw(person, platform)
                if any(turn.by == "business" for turn in turns):
                    at = add_working(first + rng.randint(60, 600), rng.randint(120, 3 * HOUR))
                    self.link(person, at, social=(PROFILE_KEYS[platform], uid))
            elif roll < linked_share + also_share:
                self.dm(feed, person, rng.choice(others), name)
        for person in self.assigned.get(platform, []):
            self.dm(feed, person, rng.choice(others), name)

    def dm(self, feed: MetaFeed, person: Person, exchange: Exchange, platform_name: str) -> None:
        rng = self.rng
        begin = self.moment(self.start, self.end)
        ctx = self.context(person, begin)
        turns = converse(rng, exchange, ctx, begin, self.end - 300)
        feed.thread(user_id(rng), turns, feed.object == "instagram" and rng.random() < 0.1)
        self.saw(person, feed.platform)
        if exchange.books:  # booked once the business confirms after they left their number
            gave = next((i for i, t in enumerate(turns) if ctx["telefono"] in t.text), None)
            confirmed = [t for t in turns[gave or len(turns) :] if t.by == "business"]
            if confirmed:
                self.book_trial(person, ctx, confirmed[0].ts, platform_name)

    def book_trial(self, person: Person, ctx: Ctx, at: int, via: str) -> None:
        slot = ctx["slot"]
        name = next((n for d, h, n in TRIAL_CLASSES if h in slot), "Functional")
        self.facts.book(
            person,
            f"Lezione di prova {name}",
            lesson_after(at, slot),
            60,
            at,
            via,
            phone=ctx["telefono"],
        )
        self.saw(person, "calendar")

    # ------------------------------------------------------------ e-mail
    def email(self, channel: ChannelInbox) -> None:
        rng = self.rng
        exchanges = EMAIL[self.vertical]
        participants: list[Person] = []
        for person in self.wa_people:
            chance = 0.12 if self.orders.get(person.index) else 0.06
            if rng.random() < chance:
                participants.append(person)
        offline = list(self.assigned.get("email", []))
        if self.shop is not None:
            self.family(participants, offline)
        participants += offline
        for person in participants:
            exchange, order = self.order_exchange(exchanges, person)
            ctx = self.context(person, self.start)
            begin = self.with_order(ctx, order) or self.moment(self.start, self.end)
            set_slot(ctx, slot_after(rng, begin, 2, 8))
            self.mail_thread(channel, person, exchange, ctx, begin)
        for person in self.assigned.get("portal", []) + [
            p for p in self.wa_people if self.vertical == "estate_agent" and rng.random() < 0.08
        ]:
            self.portal_lead(channel, person)
        self.generic_mail(channel)

    def family(self, participants: list[Person], offline: list[Person]) -> None:
        """One address shared by two people of the same family (one a Shopify customer)."""
        rng = self.rng
        customers = [p for p in self.wa_people if self.orders.get(p.index)]
        emailing = {p.index for p in offline}
        spare = [p for p in self.offline if p.index not in emailing] or self.offline
        if not customers or not spare:
            return
        one, two = rng.choice(customers), rng.choice(spare)
        two.last_name = one.last_name
        domain = one.email.rsplit("@", 1)[1]
        shared = f"famiglia.{_ascii(one.last_name)}@{domain}"
        one.email = two.email = shared
        listed = {p.index for p in participants} | emailing
        for person in (one, two):
            if person.index not in listed:
                participants.append(person)

    def mail_thread(
        self,
        channel: ChannelInbox,
        person: Person,
        exchange: Exchange,
        ctx: Ctx,
        begin: int,
        first: Mail | None = None,
    ) -> list[Turn]:
        """A customer ↔ business thread (or the business's answer to `first`)."""
        rng = self.rng
        turns = converse(rng, exchange, ctx, begin, self.end - 300, 0.7)
        if first is not None:
            turns = turns[1:] if len(turns) > 1 and turns[1].by == "business" else []
        if not turns:
            return []
        position = int(ctx.get("_opener", "0"))
        subjects = exchange.subjects or ("Informazioni",)
        subject = (
            subjects[position] if len(subjects) == len(exchange.openers) else rng.choice(subjects)
        ).format_map(ctx)
        if first is not None:
            subject = first.subject
        customer = (self.display_name(person), person.email)
        business = (self.inbox.business_name, channel.address)
        operator = rng.choice(self.shard.operators)
        html_client = rng.random() < 0.15
        signature_phone = rng.random() < 0.2
        previous = first
        thread: list[str] = [first.message_id] if first is not None else []
        for turn in turns:
            text = turn.text[0].upper() + turn.text[1:]
            if turn.by == "customer":
                greeting = rng.choice(GREETINGS) if previous is None or rng.random() < 0.5 else ""
                sign = rng.choice(SIGN_OFFS).format(first=person.first_name, full=person.full_name)
                if signature_phone:
                    sign += f"\nTel. {ctx['telefono']}"
                if rng.random() < 0.1:
                    sign += "\n\nInviato da iPhone"
                body = f"{greeting}\n{text}\n\n{sign}" if greeting else f"{text}\n\n{sign}"
                sender, to = customer, business
            else:
                name = person.first_name if rng.random() < 0.7 else person.full_name
                body = (
                    f"{rng.choice(('Gentile', 'Buongiorno', 'Gentile sig.'))} {name},\n\n{text}"
                    f"\n\nCordiali saluti,\n{operator.name}\n"
                    f"{BUSINESS_SIGNATURES.get(self.vertical, self.inbox.business_name)}"
                )
                sender, to = business, customer
                if previous is not None and previous.reply_to is not None:
                    to = previous.reply_to
            if previous is not None:
                body += "\n\n" + _quote(previous)
            mail = Mail(
                turn.ts,
                sender,
                to,
                subject if previous is None else _re(subject),
                body,
                message_id(rng, sender[1], turn.ts),
                previous.message_id if previous is not None else None,
                list(thread),
                html_only=turn.by == "customer" and html_client,
            )
            thread.append(mail.message_id)
            self.out.mails.append(mail)
            previous = mail
        self.out.email_threads += first is None
        self.saw(person, "email")
        book = exchange.books and any(
            t.by == "customer" and ("confermo" in t.text.lower() or "perfetto" in t.text.lower())
            for t in turns[1:]
        )
        slot = slot_of(ctx)
        if book and slot is not None:
            booked_at = next(t.ts for t in turns[1:] if t.by == "customer")
            start = max(slot, quarter(booked_at + 2 * HOUR))
            self.facts.book(
                person,
                f"{exchange.books} {ctx['lingua']}",
                start,
                30,
                booked_at,
                "E-mail",
                email=person.email,
                detail="Test in sede",
            )
            self.saw(person, "calendar")
        if self.vertical in ("estate_agent", "language_school") and first is None:
            kind = {"valutazione": "seller", "ricerca": "buyer"}.get(exchange.key, "course")
            if exchange.key == "certificato":
                kind = "alumni"
            lead = Lead(person, turns[0].ts, "email", kind, dict(ctx))
            if book and slot is not None:
                lead.appointment_at, lead.booked_at = (
                    max(slot, quarter(turns[-1].ts + 2 * HOUR)),
                    turns[-1].ts,
                )
            elif (
                self.vertical == "estate_agent"
                and any(t.by == "customer" and t.text.startswith("Va bene") for t in turns[1:])
                and slot is not None
            ):
                lead.appointment_at, lead.booked_at = (
                    max(slot, quarter(turns[-1].ts + HOUR)),
                    turns[-1].ts,
                )
            self.leads.append((lead, True, signature_phone))
        if person.index in self.wa_index and rng.random() < 0.4:
            first_in = self.facts.first_inbound.get(person.index)
            if first_in is not None:
                at = add_working(max(first_in, turns[0].ts) + 60, rng.randint(300, 2 * DAY))
                self.link(person, at, email=person.email.strip().lower())
        return turns

    def display_name(self, person: Person) -> str:
        roll = self.rng.random()
        if roll < 0.7:
            return person.full_name
        if roll < 0.8:
            return person.full_name.lower()
        if roll < 0.9:
            return person.first_name
        return ""

    def portal_lead(self, channel: ChannelInbox, person: Person) -> None:
        """A lead from the property portal: a no-reply e-mail carrying the lead's details."""
        rng = self.rng
        begin = self.moment(self.start, self.end)
        ctx = self.context(person, begin)
        ctx["rif"] = str(rng.randint(1000, 1999))
        set_slot(ctx, slot_after(rng, begin, 2, 7))
        notice = Mail(
            begin,
            (PORTAL[1], PORTAL[0]),
            (self.inbox.business_name, channel.address),
            PORTAL_SUBJECT.format_map(ctx),
            PORTAL_BODY.format_map(ctx),
            message_id(rng, PORTAL[0], begin),
            reply_to=(person.full_name, person.email),
            automated=True,
        )
        self.out.mails.append(notice)
        exchange = Exchange(
            "portale",
            openers=("",),
            replies=(PORTAL_REPLY,),
            answers=("Va bene, a {giorno}.", "Perfetto, confermo."),
        )
        turns = self.mail_thread(channel, person, exchange, ctx, begin, first=notice)
        self.out.email_threads += 1
        lead = Lead(person, begin, "portal", "buyer", dict(ctx))
        answered = [t for t in turns if t.by == "customer"]
        slot = slot_of(ctx)
        if answered and slot is not None:
            lead.appointment_at, lead.booked_at = (
                max(slot, quarter(answered[0].ts + HOUR)),
                answered[0].ts,
            )
        self.leads.append((lead, True, True))
        self.saw(person, "email")

    def generic_mail(self, channel: ChannelInbox) -> None:
        """Mail from addresses that are no one in particular: info@ companies, noreply@."""
        rng = self.rng
        people = len(self.wa_people) + len(self.offline)
        for address, name, subject, body in GENERIC_EMAILS.get(self.vertical, ()):
            for _ in range(1 + people // 150):
                ts = self.moment(self.start, self.end)
                number = str(rng.randint(10, 9999))
                automated = address.startswith(("noreply", "no-reply"))
                mail = Mail(
                    ts,
                    (name, address),
                    (self.inbox.business_name, channel.address),
                    subject.format(n=number),
                    body.format(n=number),
                    message_id(rng, address, ts),
                    automated=automated,
                )
                self.out.mails.append(mail)
                if automated:
                    continue
                reply_at = add_working(ts, rng.randint(600, 4 * HOUR))
                if reply_at > self.end - 300:
                    continue
                operator = rng.choice(self.shard.operators)
                text = (
                    f"Buongiorno,\n\ngrazie per averci scritto: vi ricontattiamo entro "
                    f"domani.\n\nCordiali saluti,\n{operator.name}\n"
                    f"{BUSINESS_SIGNATURES.get(self.vertical, self.inbox.business_name)}"
                    f"\n\n{_quote(mail)}"
                )
                self.out.mails.append(
                    Mail(
                        reply_at,
                        (self.inbox.business_name, channel.address),
                        (name, address),
                        _re(mail.subject),
                        text,
                        message_id(rng, channel.address, reply_at),
                        mail.message_id,
                        [mail.message_id],
                    )
                )

    # ------------------------------------------------------------ web chat
    def webchat(self, channel: ChannelInbox) -> None:
        rng = self.rng
        feed = WebchatFeed(channel.address, rng, self.end)
        self.out.webchat = feed
        exchanges = WEBCHAT[self.vertical]
        greeting = WEBCHAT_GREETINGS[self.vertical]
        bot = self.script.bot.name if self.script.bot else f"Assistente {self.inbox.business_name}"
        participants = [p for p in self.wa_people if rng.random() < 0.08]
        participants += self.assigned.get("webchat", [])
        for person in participants:
            visitor = {"id": feed.visitor_id()}
            for visit in range(2 if rng.random() < 0.2 else 1):
                self.visit(feed, person, visitor, exchanges, greeting, bot, identify=visit == 0)
        for _ in range(max(1, (len(self.wa_people) + len(self.offline)) // 25)):
            visitor = {"id": feed.visitor_id()}
            exchange = rng.choice([e for e in exchanges if not e.needs_order])
            begin = self.moment(self.start, self.end)
            ctx = self.context(None, begin)
            turns = converse(rng, exchange, ctx, begin, self.end - 300, 0.6, 0.0, live=True)
            feed.session(
                visitor,
                turns,
                greeting,
                bot,
                rng.choice(self.shard.operators),
                offline=WEBCHAT_OFFLINE,
            )

    def visit(
        self,
        feed: WebchatFeed,
        person: Person,
        visitor: dict[str, str],
        exchanges: tuple[Exchange, ...],
        greeting: str,
        bot: str,
        identify: bool,
    ) -> None:
        rng = self.rng
        exchange, order = self.order_exchange(exchanges, person)
        ctx = self.context(person, self.start)
        begin = self.with_order(ctx, order) or self.moment(self.start, self.end)
        set_slot(ctx, slot_after(rng, begin, 1, 6))
        turns = converse(rng, exchange, ctx, begin, self.end - 300, 0.8, 0.0, live=True)
        if not turns:
            return
        details: dict[str, str] | None = None
        typed = ""
        if identify and rng.random() < 0.75:
            roll = rng.random()
            details = {"name": person.full_name}
            if roll < 0.6:
                details["email"] = person.email
                typed = f"{person.full_name}, {person.email}"
            elif roll < 0.9:
                details["phone"] = ctx["telefono"]
                typed = f"{person.full_name} {ctx['telefono']}"
            else:
                details["email"], details["phone"] = person.email, ctx["telefono"]
                typed = f"{person.first_name} {person.email} {ctx['telefono']}"
        feed.session(
            visitor,
            turns,
            greeting,
            bot,
            rng.choice(self.shard.operators),
            details,
            rng.choice(WEBCHAT_ASK_CONTACT),
            typed,
            WEBCHAT_OFFLINE,
        )
        self.saw(person, "webchat")
        closing = next((t for t in turns[3:4] if t.by == "business"), None)
        opened = is_open(turns[0].ts)
        booked = exchange.books and closing is not None and opened
        slot = slot_of(ctx)
        if booked and slot is not None and closing is not None:
            self.facts.book(
                person,
                f"{exchange.books} {ctx['lingua']}",
                max(slot, quarter(closing.ts + HOUR)),
                30,
                closing.ts,
                "Web chat",
                email=visitor.get("email"),
                phone=visitor.get("phone"),
            )
            self.saw(person, "calendar")
        if self.vertical in ("estate_agent", "language_school") and visitor.get("name"):
            kind = {"valutazione": "seller", "annuncio": "buyer"}.get(exchange.key, "course")
            lead = Lead(person, turns[0].ts, "webchat", kind, dict(ctx))
            if booked and slot is not None and closing is not None:
                lead.appointment_at, lead.booked_at = (
                    max(slot, quarter(closing.ts + HOUR)),
                    closing.ts,
                )
            elif self.vertical == "estate_agent" and opened and rng.random() < 0.4:
                lead.booked_at = turns[-1].ts + rng.randint(HOUR, DAY)
                lead.appointment_at = slot_after(rng, lead.booked_at, 1, 6)
            self.leads.append((lead, "email" in visitor, "phone" in visitor))

    # ------------------------------------------------------------ phone calls
    def calls(self, channel: ChannelInbox) -> None:
        rng = self.rng
        line = channel.address
        front = [op for op in self.shard.operators if op.role == "front"] or self.shard.operators
        appointments: dict[int, list] = {}
        for appointment in self.facts.appointments:
            appointments.setdefault(appointment.person.index, []).append(appointment)

        def call(ts: int, number: str, answered: bool, outbound: bool = False) -> Call:
            duration = rng.randint(35, 420) if answered else 0
            caller, callee = (line, number) if outbound else (number, line)
            operator = str(rng.choice(front).id) if answered else ""
            entry = Call(
                ts,
                "outbound" if outbound else "inbound",
                caller,
                callee,
                duration,
                answered,
                operator,
                channel.inbox_id,
            )
            if ts <= self.end - 60:
                self.out.calls.append(entry)
            return entry

        def as_dialled(person: Person, number: str) -> str:
            roll = rng.random()
            if roll < 0.04:
                return "anonymous"
            if roll < 0.12 and number.startswith("+39"):
                return number[3:]
            return number

        for plan in self.plans:
            person = plan.person
            number = person.e164
            if plan.persona == "urgent" and rng.random() < 0.5:
                ts = plan.first_ts - rng.randint(180, 1500)
                answered = is_open(ts) and rng.random() < 0.5
                call(ts, as_dialled(person, number), answered)
                if not answered and is_open(ts) and rng.random() < 0.5:
                    call(ts + rng.randint(300, 2400), number, rng.random() < 0.8, outbound=True)
                self.saw(person, "phone")
            elif plan.persona in ("booking", "recall", "quote") and rng.random() < 0.12:
                mine = appointments.get(person.index)
                lo = mine[0].booked_at + HOUR if mine else plan.first_ts
                hi = mine[0].start - 2 * HOUR if mine else plan.first_ts + 10 * DAY
                ts = self.office(self.moment(lo, max(lo + HOUR, hi)))
                answered = rng.random() < 0.8
                call(ts, as_dialled(person, number), answered)
                if not answered:
                    call(
                        add_working(ts, rng.randint(300, 2 * HOUR)),
                        number,
                        rng.random() < 0.75,
                        outbound=True,
                    )
                self.saw(person, "phone")
        for person in self.assigned.get("phone", []):
            self.patient_by_phone(person, call, as_dialled)
        for _ in range(max(1, (len(self.wa_people) + len(self.offline)) // 60)):
            ts = self.office(self.moment(self.start, self.end))
            number = f"+3902{rng.randint(10**7, 10**8 - 1)}"
            entry = call(ts, number, True)
            entry.duration = rng.randint(8, 45)  # a sales call, cut short
        self.out.calls.sort(key=lambda c: (c.ts, c.direction, c.caller))
        for sequence, entry in enumerate(self.out.calls):
            entry.call_id = f"{entry.ts}.{sequence + self.shard.inbox.chatwoot_inbox_id * 10000}"

    def patient_by_phone(self, person: Person, call, as_dialled) -> None:  # type: ignore[no-untyped-def]
        """A patient who only ever phones: books by phone (a landline, sometimes)."""
        rng = self.rng
        landline = rng.random() < 0.3
        if landline:
            digits = f"{rng.randint(10**6, 10**7 - 1)}"
            number, typed = f"+39011{digits}", f"011 {digits[:3]} {digits[3:]}"
        else:
            number, typed = person.e164, typed_phone(rng, person)
        ts = self.moment(self.start, self.end)
        if rng.random() < 0.8:
            ts = self.office(ts)
        answered = is_open(ts) and rng.random() < 0.8
        call(ts, as_dialled(person, number), answered)
        self.saw(person, "phone")
        at = ts
        if not answered:
            at = add_working(ts + 300, rng.randint(300, 3 * HOUR))
            answered = rng.random() < 0.75
            call(at, number, answered, outbound=True)
        if not answered or rng.random() >= 0.85:
            return
        kind, minutes = rng.choice(
            (("Prima visita", 30), ("Igiene", 45), ("Visita di controllo", 30), ("Otturazione", 60))
        )
        start = slot_after(rng, at, 2, 14)
        appointment = self.facts.book(
            person, kind, start, minutes, at + 120, "Telefono", phone=typed
        )
        self.saw(person, "calendar")
        if rng.random() < 0.15:
            again = self.office(self.moment(at + DAY, start - 3 * HOUR))
            if again < start and call(again, as_dialled(person, number), True).ts <= self.end:
                new = slot_after(rng, again, 2, 10) if rng.random() < 0.7 else None
                appointment.move(again + 200, new)

    # ------------------------------------------------------------ HubSpot
    def hubspot(self) -> None:
        rng = self.rng
        crm = Hubspot(self.shard.inbox.chatwoot_inbox_id % 100, rng, self.start, self.end)
        self.out.hubspot = crm
        wa_leads = [
            (lead, rng.random() < 0.45, True) for lead in self.facts.leads if rng.random() < 0.85
        ]
        for lead, email_known, phone_known in wa_leads + self.leads:
            if lead.at > self.end:
                continue
            if self.vertical == "estate_agent":
                crm.estate_lead(lead, email_known, phone_known)
            else:
                crm.school_lead(lead, email_known, phone_known)
            self.saw(lead.person, "hubspot")

    # ------------------------------------------------------------ calendar
    def calendar(self) -> None:
        appointments = self.facts.appointments
        if not appointments:
            return
        rng = self.rng
        for appointment in appointments:
            if appointment.phone is None and appointment.via in ("WhatsApp", "In studio"):
                if rng.random() < 0.85:
                    appointment.phone = typed_phone(rng, appointment.person)
            if appointment.email is None and rng.random() < 0.2:
                appointment.email = appointment.person.email
            self.saw(appointment.person, "calendar")
        domain = self.script.email_domain or f"{self.inbox.business_id}.it"
        self.out.calendar = build(
            self.inbox.business_name, self.vertical, domain, appointments, self.end, rng
        )

    # ------------------------------------------------------------ counts
    def count(self) -> None:
        for index in self.facts.first_inbound:
            self.seen.setdefault(index, set()).add("whatsapp")
        for index in self.orders:
            self.seen.setdefault(index, set()).add("shopify")
        if self.shop is not None:
            for checkout in self.shop.checkouts:
                if checkout.created_at <= self.end:
                    self.seen.setdefault(checkout.person.index, set()).add("shopify")
        self.out.multichannel = sum(len(sources) >= 2 for sources in self.seen.values())


def _re(subject: str) -> str:
    return subject if subject.lower().startswith(("re:", "r:")) else f"Re: {subject}"


def _quote(previous: Mail) -> str:
    return quoted(previous)
