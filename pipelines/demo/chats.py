"""Short conversations on the channels other than WhatsApp (Instagram and Messenger DMs, web
chat, e-mail), as a list of turns with their times; each channel's feed renders them.

Business replies follow the same clock as on WhatsApp (`episodes.first_reply_at`: minutes in
working hours, the next morning otherwise); customers answer after `hours.customer_delay`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .businesses import Script
from .dialogues import THANKS, Exchange
from .episodes import Ctx, fill, first_reply_at, next_reply_at, set_slot, slot_after
from .hours import customer_delay, is_open
from .inboxes import Inbox
from .people import Person

FOLLOW_UPS = ("Grazie in anticipo", "🙏", "Aspetto una risposta", "Grazie!")


@dataclass(slots=True)
class Turn:
    ts: int
    by: str  # "customer" | "business"
    text: str


def whatsapp_number(inbox: Inbox) -> str:
    """The business's WhatsApp number as it would write it: "02 8973 0101"."""
    number = inbox.display_phone_number
    national = number[2:] if number.startswith("39") else number
    if national[:2] in ("02", "06"):
        return f"{national[:2]} {national[2:6]} {national[6:]}"
    return f"{national[:3]} {national[3:6]} {national[6:]}"


def chat_context(
    rng: random.Random, script: Script, inbox: Inbox, person: Person | None, start: int
) -> Ctx:
    """Placeholders for one conversation (the same names the WhatsApp scripts use)."""
    ctx = Ctx(nome=person.first_name if person is not None else "")
    for key, values in script.extra.items():
        ctx[key] = rng.choice(values)
    ctx.setdefault("lingua", rng.choice(("inglese", "spagnolo", "tedesco", "francese")))
    ctx.setdefault("divano", rng.choice(("Navigli", "Darsena", "Tortona")))
    ctx["metri"] = rng.choice(("3,60", "4,20", "2,90", "5,10"))
    ctx["whatsapp"] = whatsapp_number(inbox)
    if person is not None:
        ctx["nome_completo"] = person.full_name
        ctx["email"] = person.email
    set_slot(ctx, slot_after(rng, start, 1, 6))
    return ctx


def converse(
    rng: random.Random,
    exchange: Exchange,
    ctx: Ctx,
    start: int,
    end: int,
    answer_rate: float = 0.85,
    unanswered: float = 0.05,
    live: bool = False,
) -> list[Turn]:
    """The turns of one exchange from `start`, cut before `end`. `live`: a web chat, where
    an operator at work answers within minutes and the visitor within seconds. The opener's
    position in `exchange.openers` is left in `ctx["_opener"]` (e-mail subjects pair with it)."""
    ctx.restart()
    turns = [Turn(start, "customer", fill(rng, exchange.openers, ctx))]
    ctx["_opener"] = str(ctx.last_pick if len(exchange.openers) > 1 else 0)
    last = start
    if rng.random() < 0.15 and not live:
        last += rng.randint(5, 90)
        turns.append(Turn(last, "customer", rng.choice(FOLLOW_UPS)))
    if rng.random() >= unanswered:
        if live and is_open(last):
            reply = last + rng.randint(20, 240)
        else:
            reply = first_reply_at(rng, last, False)
        turns.append(Turn(reply, "business", fill(rng, exchange.replies, ctx)))
        if exchange.answers and rng.random() < answer_rate:
            if live:
                answer = reply + rng.randint(10, 120)
            else:
                answer = customer_delay(rng, reply + 5, 900)
            turns.append(Turn(answer, "customer", fill(rng, exchange.answers, ctx)))
            if exchange.closings and rng.random() < 0.9:
                closing = answer + rng.randint(20, 200) if live else next_reply_at(rng, answer)
                turns.append(Turn(closing, "business", fill(rng, exchange.closings, ctx)))
                if rng.random() < 0.2:
                    thanks = (
                        closing + rng.randint(5, 60)
                        if live
                        else customer_delay(rng, closing + 5, 120)
                    )
                    turns.append(Turn(thanks, "customer", rng.choice(THANKS)))
    kept: list[Turn] = []
    for turn in turns:
        if turn.ts > end or (kept and turn.ts < kept[-1].ts):
            break
        kept.append(turn)
    return kept
