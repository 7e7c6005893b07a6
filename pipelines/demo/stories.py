"""The machinery every business storyline (`verticals/`) is written with.

A story has two halves. A vertical's `plan` decides, per contact, who they are (a persona),
when they first show up and, for the two shops, every order they place (orders are numbered
before any message mentions them). Its `play` then fills the contact's Agenda, which runs on a
Thread in time order: conversations they open, reminders and campaigns the business sends,
quick-reply taps, marketing stop/resume.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import ids
from .businesses import MONTHS_IT, WEEKDAYS_IT, Ad, Script, TemplateSpec, Topic
from .episodes import SAFETY, Ctx, next_reply_at, play_conversation, set_slot, slot_after
from .hours import DAY, HOUR, add_working, customer_delay, customer_moment, from_local, local
from .people import Person
from .shopify import Checkout, Order, Shop
from .threads import Sent, Shard, Thread


@dataclass(slots=True)
class Plan:
    person: Person
    persona: str
    first_ts: int
    ad: Ad | None = None
    orders: list[Order] = field(default_factory=list)
    checkouts: list[Checkout] = field(default_factory=list)
    marketing_ok: bool = True  # accepted marketing messages (Shopify checkbox or opt-in)
    notify_ok: bool = True  # accepted WhatsApp order/appointment notifications
    on_whatsapp: bool = True
    cycle: int = 30 * DAY
    topic: str = ""


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    roll = rng.random() * sum(weights.values())
    for key, weight in weights.items():
        roll -= weight
        if roll <= 0:
            return key
    return next(iter(weights))


def moment_in(shard: Shard, lo: int, hi: int, night: bool = False) -> int:
    """A plausible moment for a customer to write, between `lo` and `hi`."""
    rng = shard.rng
    lo = max(lo, shard.start_ts)
    hi = min(hi, shard.end_ts)
    if hi <= lo:
        return lo
    first_day, last_day = local(lo).date(), local(hi).date()
    day = first_day + timedelta(days=rng.randint(0, (last_day - first_day).days))
    ts = customer_moment(rng, day, night)
    if ts < lo or ts > hi:
        ts = rng.randint(lo, hi)
    return ts


def ad_for(rng: random.Random, script: Script, topic: str, chance: float) -> Ad | None:
    """A click-to-WhatsApp ad about `topic` that brought this contact, with `chance`."""
    ads = script.ads_for(topic)
    return rng.choice(ads) if ads and rng.random() < chance else None


def first_moment(shard: Shard) -> int:
    return moment_in(shard, shard.start_ts, shard.end_ts)


def later_moments(shard: Shard, after: int, per_30_days: float) -> list[int]:
    """Moments of a Poisson process of `per_30_days` events a month after `after`."""
    rng = shard.rng
    out: list[int] = []
    if per_30_days <= 0:
        return out
    moment = after
    while True:
        moment += int(rng.expovariate(per_30_days / (30 * DAY))) + 6 * HOUR
        if moment > shard.end_ts:
            return out
        out.append(moment_in(shard, moment, moment + DAY))


def at_local(ts: int, hour: int, minute: int, rng: random.Random, spread: int = 1800) -> int:
    day = local(ts).date()
    return from_local(datetime(day.year, day.month, day.day, hour, minute)) + rng.randint(0, spread)


def campaign_start(shard: Shard, days_before_end: int, hour: int, minute: int) -> int | None:
    """When a campaign batch starts, `days_before_end` days before the end, if in the window."""
    day = local(shard.end_ts).date() - timedelta(days=days_before_end)
    ts = from_local(datetime(day.year, day.month, day.day, hour, minute))
    return ts if shard.start_ts + DAY < ts < shard.end_ts - SAFETY else None


def day_text(ts: int) -> str:
    moment = local(ts)
    return f"{WEEKDAYS_IT[moment.weekday()]} {moment.day} {MONTHS_IT[moment.month - 1]}"


def context(shard: Shard, person: Person, reference: int) -> Ctx:
    rng = shard.rng
    ctx = Ctx(nome=person.first_name)
    for key, values in shard.script.extra.items():
        ctx[key] = rng.choice(values)
    if "zona" in shard.script.extra:
        ctx["zona2"] = rng.choice(shard.script.extra["zona"])
    ctx["metri"] = rng.choice(("3,60", "4,20", "2,90", "5,10", "3,30"))
    ctx["ieri"] = "ieri"
    ctx["tracking"] = ids.tracking_number(rng)
    ctx["mese_prossimo"] = MONTHS_IT[local(reference + 40 * DAY).month - 1]
    set_slot(ctx, slot_after(rng, reference))
    return ctx


ACKNOWLEDGEMENTS: dict[str, tuple[float, tuple[str, ...]]] = {
    "CONFERMO": (
        0.45,
        ("Grazie per la conferma, a presto!", "Perfetto, grazie! 👍", "Grazie, a presto!"),
    ),
    "CI_SARO": (0.45, ("Ti aspettiamo! 💪", "Perfetto, a domani!")),
    "NO_GRAZIE": (0.2, ("Nessun problema, grazie lo stesso!",)),
    "NON_ORA": (0.15, ("Nessun problema, quando vuoi siamo qui 🌿",)),
    "NON_INTERESSATO": (0.2, ("Nessun problema, grazie lo stesso!",)),
    "NON_MI_INTERESSA": (0.2, ("Nessun problema, la terremo aggiornata.",)),
}
BOT_ACK = "Grazie, abbiamo ricevuto la tua risposta ✅"


def acknowledge(t: Thread, tapped_at: int, payload: str) -> None:
    """Some taps get a short answer: from the bot at once, or from an operator later."""
    chance, texts = ACKNOWLEDGEMENTS.get(payload, (0.0, ()))
    rng = t.rng
    if rng.random() >= chance:
        return
    shard = t.shard
    if shard.bot is not None and rng.random() < 0.5:
        t.send(tapped_at + rng.randint(1, 3), shard.bot, BOT_ACK)
        return
    at = next_reply_at(rng, tapped_at)
    if at - tapped_at > DAY or at > t.end_ts - SAFETY:
        return
    conv = t.conv
    op = conv.assignee if conv is not None and conv.assignee is not None else shard.operator()
    t.assign(max(tapped_at + 1, at - rng.randint(5, 120)), op)
    t.send(at, op, rng.choice(texts))
    if rng.random() < 0.7:
        t.resolve(add_working(at + 30, rng.randint(60, HOUR)))


def tap(
    t: Thread,
    sent_template: tuple[Sent, TemplateSpec] | None,
    chances: tuple[float, ...],
    median: float = 1500.0,
) -> tuple[int, str] | None:
    """Maybe the customer taps one of the template's quick replies: (ts, payload) or None."""
    if sent_template is None:
        return None
    sent, template = sent_template
    rng = t.rng
    roll = rng.random()
    for position, chance in enumerate(chances):
        if roll < chance:
            when = customer_delay(rng, sent.ts + 10, median)
            if when > t.end_ts - SAFETY:
                return None
            option = template.buttons[position]
            t.tap(when, sent, "button", option)
            acknowledge(t, when, option[0])
            return when, option[0]
        roll -= chance
    return None


def send_template(
    t: Thread, ts: int, template: TemplateSpec, params: tuple[str, ...]
) -> tuple[Sent, TemplateSpec] | None:
    sent = t.send_template(ts, None, template, params)
    return (sent, template) if sent is not None else None


def maybe_stop(t: Thread, after: int, chance: float, resume_chance: float = 0.4) -> None:
    """Some recipients of a marketing message tap 'stop promotions'; a few resume later."""
    rng = t.rng
    if rng.random() >= chance:
        return
    stop = after + rng.randint(60, 6 * HOUR)
    if stop > t.end_ts - SAFETY:
        return
    t.marketing_preference(stop, "stop")
    if rng.random() < resume_chance:
        resume = stop + rng.randint(DAY, 20 * DAY)
        if resume < t.end_ts - SAFETY:
            t.marketing_preference(resume, "resume")


class Agenda:
    """A contact's upcoming activities, run in time order (each after the previous ends)."""

    def __init__(self, thread: Thread) -> None:
        self.thread = thread
        self.items: list[tuple[int, int, Callable[[int], None]]] = []
        self.sequence = 0

    def at(self, ts: int, action: Callable[[int], None]) -> None:
        self.sequence += 1
        heapq.heappush(self.items, (ts, self.sequence, action))

    def run(self) -> None:
        thread = self.thread
        while self.items:
            ts, _, action = heapq.heappop(self.items)
            start = max(ts, thread.clock + 60)
            if start <= thread.end_ts - SAFETY:
                action(start)


def play_topic(t: Thread, topic: Topic, ts: int, ctx: Ctx, ad: Ad | None = None) -> None:
    play_conversation(t, topic, ts, ctx, ad)


Planner = Callable[[Shard, Shop | None, Person, int, int], Plan]
Player = Callable[[Thread, Plan, Agenda], None]


def run_shard(
    shard: Shard, people: list[Person], shop: Shop | None, planner: Planner, player: Player
) -> list[Plan]:
    """Plan every contact of the business (orders first), then play their agendas."""
    plans = [
        planner(shard, shop, person, position, len(people))
        for position, person in enumerate(people)
    ]
    if shop is not None:
        shop.finalize()
    for plan in plans:
        thread = Thread(shard, plan.person, plan.on_whatsapp)
        agenda = Agenda(thread)
        player(thread, plan, agenda)
        agenda.run()
        thread.finish()
    return plans
