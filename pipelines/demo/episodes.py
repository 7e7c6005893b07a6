"""One customer-initiated conversation, played out on a Thread: the opening messages, the
bot greeting (where the business has a bot), the first human reply (minutes, the next working
morning, or never), an optional handoff to a colleague, the back-and-forth, the resolution
and, sometimes, a reopen.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .businesses import WEEKDAYS_IT, Ad, Topic
from .chatwoot import Agent
from .hours import (
    DAY,
    HOUR,
    add_working,
    customer_delay,
    from_local,
    is_open,
    local,
    lognormal_seconds,
    next_open,
)
from .threads import Thread

SAFETY = 600  # nothing starts in the last ten minutes before the end of the window
REOPEN_ANSWERS = (
    "Certo, nessun problema!",
    "Sì, le confermo di sì.",
    "Assolutamente, ci pensiamo noi.",
    "Ti rispondo subito: sì!",
    "Le ho mandato tutto per e-mail.",
)
REENGAGED = ("Sì, eccomi", "Buongiorno, sì", "Ok", "Salve, sono qui", "Sì 👍")
GENERIC_NOTES = (
    "Cliente da richiamare",
    "Verificato a gestionale",
    "Cliente già noto, molto gentile",
    "Chiesto preventivo scritto",
)


class Ctx(dict[str, str]):
    """Placeholder values for one conversation; unknown placeholders render empty. It also
    remembers the last variant picked, for the pairing rule (see `businesses`)."""

    last_len = 0
    last_pick = 0
    said: list[str] | None = None  # every text filled, when a story wants to know

    def __missing__(self, key: str) -> str:
        return ""

    def restart(self) -> None:
        self.last_len = 0


def fill(rng: random.Random, texts: tuple[str, ...], ctx: Ctx, pair: bool = True) -> str:
    """One of `texts` with its placeholders filled; paired with the previous pick if the
    lists have the same length (and `pair`)."""
    if pair and len(texts) == ctx.last_len and len(texts) > 1:
        index = ctx.last_pick
    else:
        index = rng.randrange(len(texts))
    if pair:
        ctx.last_len, ctx.last_pick = len(texts), index
    text = texts[index].format_map(ctx)
    if ctx.said is not None:
        ctx.said.append(text)
    return text


# ------------------------------------------------------------------ timing
def first_reply_at(rng: random.Random, ts: int, urgent: bool) -> int:
    """When the first human answer comes for a message received at `ts`."""
    if urgent:
        hour = local(ts).hour
        if 8 <= hour < 21:
            return ts + rng.randint(60, 720)
        morning = local(ts + (DAY if hour >= 21 else 0)).replace(hour=8, minute=0, second=0)
        return from_local(morning) + rng.randint(0, 900)
    if is_open(ts):
        roll = rng.random()
        if roll < 0.55:
            return add_working(ts, lognormal_seconds(rng, 360, 0.8, 2400) + 30)
        if roll < 0.85:
            return add_working(ts, lognormal_seconds(rng, 1800, 0.7, 3 * HOUR))
        return add_working(ts, rng.randint(2 * HOUR, 8 * HOUR))
    if rng.random() < 0.05:  # someone answers from their phone in the evening
        return ts + rng.randint(600, 3600)
    opening = next_open(ts)
    if rng.random() < 0.6:
        return opening + rng.randint(20, 540)  # 09:00-09:09 the next working morning
    return add_working(opening, lognormal_seconds(rng, 2400, 0.8, 4 * HOUR))


def next_reply_at(rng: random.Random, ts: int) -> int:
    if is_open(ts):
        return add_working(ts, lognormal_seconds(rng, 240, 1.0, 2 * HOUR) + 20)
    if rng.random() < 0.1:
        return ts + rng.randint(120, 1800)
    return add_working(next_open(ts), lognormal_seconds(rng, 900, 0.9, 3 * HOUR))


def slot_after(rng: random.Random, ts: int, min_days: int = 1, max_days: int = 6) -> int:
    """A future appointment at a round local time on a weekday."""
    day = local(ts).date() + timedelta(days=rng.randint(min_days, max_days))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    hour = rng.choice((9, 10, 11, 12, 15, 16, 17, 18))
    minute = rng.choice((0, 0, 15, 30, 45))
    return from_local(datetime(day.year, day.month, day.day, hour, minute))


def set_slot(ctx: Ctx, slot_ts: int) -> None:
    moment = local(slot_ts)
    ctx["giorno"] = f"{WEEKDAYS_IT[moment.weekday()]} {moment.day}"
    ctx["ora"] = moment.strftime("%H:%M")
    ctx["_slot"] = str(slot_ts)  # the instant behind {giorno} {ora}, for the calendar


def slot_of(ctx: Ctx) -> int | None:
    value = ctx.get("_slot")
    return int(value) if value else None


def listen(ctx: Ctx) -> Ctx:
    """Start recording what is said in this conversation (see `Ctx.said`)."""
    ctx.said = []
    return ctx


def heard(ctx: Ctx, *fragments: str) -> bool:
    """Whether any text said since `listen` contains one of `fragments`."""
    return any(fragment in text for text in ctx.said or () for fragment in fragments)


# ------------------------------------------------------------------ pieces
def operator_says(t: Thread, ts: int, op: Agent, text: str, ctx: Ctx) -> int | None:
    """An operator's free-form message; returns when it went out, or None if it could not.

    Outside the 24-hour window the operator has to send the re-engagement template first
    (sometimes after trying free-form and failing with 131047); the real answer follows only
    once the customer writes back, which some never do."""
    if ts - t.last_inbound <= DAY:
        t.send(ts, op, text)
        return ts
    rng = t.rng
    if rng.random() < 0.3:
        t.send(ts, op, text)  # fails: 131047
        ts += rng.randint(40, 400)
    template = t.shard.script.templates["ripresa_conversazione"]
    if t.send_template(ts, op, template, (ctx["nome"],)) is None or rng.random() < 0.3:
        return None
    back = customer_delay(rng, ts + 10, 1800)
    if back > t.end_ts - SAFETY:
        return None
    t.say(back, [rng.choice(REENGAGED)])
    moment = next_reply_at(rng, back)
    if moment > t.end_ts - SAFETY:
        return None
    t.send(moment, op, text)
    return moment


def bot_flow(t: Thread, topic: Topic, last: int, ctx: Ctx) -> int:
    """The bot greets with its menu; the customer usually taps the option for their topic."""
    shard = t.shard
    bot = shard.bot
    script = shard.script
    if bot is None or script.bot is None:
        return last
    rng = t.rng
    greeting_at = last + rng.randint(1, 3)
    menu = script.bot.menu
    sent = t.send(greeting_at, bot, script.bot.greeting, menu=menu)
    if sent is None or topic.menu_choice is None or rng.random() > 0.65:
        return greeting_at
    option = next(opt for opt in menu.options if opt[0] == topic.menu_choice)
    kind = "button_reply" if menu.kind == "button" else "list_reply"
    last = t.tap(greeting_at + rng.randint(8, 90), sent, kind, option)
    t.label(last + 1, topic.labels[:1])  # the bot labels the conversation from the menu
    if topic.bot_list is not None:
        list_at = last + rng.randint(1, 3)
        offered = t.send(list_at, bot, topic.bot_list.text, menu=topic.bot_list)
        if offered is not None and rng.random() < 0.8:
            pick = rng.choice(topic.bot_list.options)
            last = t.tap(list_at + rng.randint(15, 150), offered, "list_reply", pick)
            ctx[topic.bot_list_key] = pick[1].lower()
    return last


def play_conversation(
    t: Thread,
    topic: Topic,
    start: int,
    ctx: Ctx,
    ad: Ad | None = None,
    answered: bool | None = None,
) -> bool:
    """The customer opens a conversation about `topic`; returns True if they stayed engaged."""
    rng = t.rng
    if start > t.shard.end_ts - SAFETY or not topic.openers:
        return False
    ctx.restart()
    texts = [fill(rng, topic.openers, ctx)]
    if topic.follow_ups and rng.random() < 0.35:
        texts.append(fill(rng, topic.follow_ups, ctx, pair=False))
    caption = None
    if topic.image_captions and rng.random() < topic.image_rate:
        caption = fill(rng, topic.image_captions, ctx, pair=False)
    last = t.say(start, texts, caption, ad)
    if t.opened_by_inbound:
        last = bot_flow(t, topic, last, ctx)
    return respond(t, topic, last, ctx, answered, fresh=False)


def respond(
    t: Thread,
    topic: Topic,
    last: int,
    ctx: Ctx,
    answered: bool | None = None,
    fresh: bool = True,
) -> bool:
    """Operators take a customer turn that ended at `last` from first reply to resolution."""
    if fresh:
        ctx.restart()
    shard = t.shard
    rng = t.rng
    end = shard.end_ts - SAFETY
    if answered is None:
        answered = topic.urgent or rng.random() >= shard.script.unanswered_rate
    if not answered:
        return False
    reply = first_reply_at(rng, last, topic.urgent)
    if reply > end:
        return False
    conv = t.conv
    op = conv.assignee if conv is not None and conv.assignee is not None else None
    if op is None or (topic.role != "front" and op.role != topic.role):
        op = shard.operator(topic.role)
    t.assign(max(last + 1, reply - rng.randint(5, 240)), op)
    ctx["op"] = op.first_name

    if topic.handoff_role and op.role != topic.handoff_role:
        colleague = shard.operator(topic.handoff_role)
        ctx["op2"] = colleague.first_name
        handed = operator_says(t, reply, op, fill(rng, topic.handoff, ctx, pair=False), ctx)
        t.label(reply + rng.randint(5, 60), topic.labels)
        if handed is None:
            return False
        reply = handed
        t.assign(reply + rng.randint(60, 300), colleague)
        op = colleague
        ctx["op"] = op.first_name
        reply = next_reply_at(rng, reply + 300)
    else:
        t.label(reply + rng.randint(5, 90), topic.labels)

    engaged = True
    moment = reply
    said_last = ""
    for position, (op_lines, customer_lines) in enumerate(topic.steps):
        if moment > end:
            return False
        if position and rng.random() < 0.05:  # shift change: a colleague takes over
            colleague = shard.operator(op.role, other_than=op)
            if colleague is not op:
                t.assign(moment - rng.randint(30, 600), colleague)
                op = colleague
                ctx["op"] = op.first_name
        said = operator_says(t, moment, op, fill(rng, op_lines, ctx), ctx)
        if said is None:
            return False
        moment = said
        if position == 0 and rng.random() < 0.12:
            note = topic.notes or GENERIC_NOTES
            t.note(moment + rng.randint(20, 300), op, fill(rng, note, ctx, pair=False))
        if rng.random() < topic.quiet_rate:
            engaged = False
            break
        answer = customer_delay(rng, moment + 5)
        if answer > end:
            return False
        said_last = fill(rng, customer_lines, ctx)
        last = t.say(answer, [said_last])
        moment = next_reply_at(rng, last)

    closed = None
    asked = said_last.endswith("?")  # a question is always answered
    if engaged and moment <= end and topic.closings and (asked or rng.random() < 0.7):
        closed = operator_says(t, moment, op, fill(rng, topic.closings, ctx), ctx)
    if closed is not None:
        moment = last = closed
        if rng.random() < 0.35:
            thanks = customer_delay(rng, moment + 5, median=90)
            if thanks <= end:
                last = t.say(thanks, [rng.choice(topic.thanks)])
    else:
        last = max(last, t.clock)

    if rng.random() < (0.8 if engaged else 0.45):
        resolved = add_working(last + 30, rng.randint(60, 3 * HOUR))
        if resolved > end:
            return engaged
        t.resolve(resolved)
        if topic.reopeners and rng.random() < 0.12:
            again = resolved + rng.randint(20 * 60, 20 * HOUR)
            if again > end:
                return engaged
            ctx.restart()
            last = t.say(again, [fill(rng, topic.reopeners, ctx)])
            answer = next_reply_at(rng, last)
            if answer > end:
                return engaged
            answered_at = operator_says(
                t, answer, op, fill(rng, topic.reopen_answers or REOPEN_ANSWERS, ctx), ctx
            )
            if answered_at is None:
                return engaged
            done = add_working(answered_at + 30, rng.randint(60, 2 * HOUR))
            if done <= end:
                t.resolve(done)
    return engaged
