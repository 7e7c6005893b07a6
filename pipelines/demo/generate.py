"""Generate the demo landing files: WhatsApp and Chatwoot webhooks, Shopify orders and
abandoned checkouts, and the same people on the businesses' other channels and systems
(Instagram and Messenger webhooks, e-mail, web chat, phone calls, HubSpot, calendars).

Deterministic: the same arguments give byte-identical files. Each business is an independent
shard with its own random streams (seeded from `seed` and its inbox id: one for the WhatsApp
story, one for the other channels), so shards can run in parallel processes without changing a
byte. Files are named `demo-<NNNN>.<ext>` where NNNN is `shard_no * 1000 + chunk` (shard_no =
the business's WhatsApp row in inboxes.csv, from 1); feeds of events sit in a folder per UTC
day of arrival:

    whatsapp/<day>/  chatwoot/<day>/  instagram/<day>/  messenger/<day>/  webchat/<day>/
        demo-NNNN.jsonl (at most MAX_LINES lines)
    email/<day>/demo-NNNN.mbox (a handful of messages)      calls/<day>/demo-NNNN.csv
    listings/<day>/demo-NNNN.csv (the estate agent's gestionale exports, pipelines/demo/listings.py)
    shopify/orders/  shopify/checkouts/  hubspot/contacts/  hubspot/deals/   demo-NNNN.jsonl
    calendar/demo-<business_id>.ics
"""

from __future__ import annotations

import calendar
import os
import random
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby, islice
from multiprocessing import get_context
from pathlib import Path

from faker import Faker

from pipelines.landing import write_jsonl
from pipelines.settings import paths

from . import calls as calls_csv
from . import ics, listings, mail
from .channels import ChannelStory, Output, choose_offline
from .chatwoot import Agent
from .hours import DAY, utc_day
from .inboxes import Inbox, load_inboxes
from .people import Person, build_roster
from .shopify import Shop
from .stories import run_shard
from .threads import Shard
from .verticals import VERTICALS

MAX_LINES = 5000
DEMO_GLOBS = (
    "whatsapp/*/demo-*.jsonl*",
    "chatwoot/*/demo-*.jsonl*",
    "shopify/orders/demo-*.jsonl*",
    "shopify/checkouts/demo-*.jsonl*",
    "instagram/*/demo-*.jsonl*",
    "messenger/*/demo-*.jsonl*",
    "webchat/*/demo-*.jsonl*",
    "email/*/demo-*.mbox*",
    "calls/*/demo-*.csv*",
    "hubspot/contacts/demo-*.jsonl*",
    "hubspot/deals/demo-*.jsonl*",
    "calendar/demo-*.ics*",
    "listings/*/demo-*.csv*",
)


@dataclass(frozen=True)
class Job:
    inbox: Inbox
    shard_no: int
    shards: int
    seed: int
    start_ts: int
    end_ts: int
    people: list[Person]
    operators: list[Agent]
    bot: Agent | None
    landing: Path


def window(days: int, end_date: date) -> tuple[int, int]:
    """[end_date - days 00:00 UTC, end_date 23:59:59 UTC] as Unix seconds."""
    end_ts = calendar.timegm(end_date.timetuple()) + DAY - 1
    start_ts = calendar.timegm((end_date - timedelta(days=days)).timetuple())
    return start_ts, end_ts


def _chunks(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(lines)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _write_daily(folder: Path, shard_no: int, items: Iterable[tuple[int, str]]) -> int:
    """Write `(ts, line)` items (in time order) into one folder per UTC day; returns files."""
    files = 0
    for day, group in groupby(items, key=lambda item: utc_day(item[0] // DAY)):
        for chunk_no, chunk in enumerate(_chunks((line for _, line in group), MAX_LINES)):
            write_jsonl(folder / day / f"demo-{shard_no * 1000 + chunk_no:04d}.jsonl", chunk)
            files += 1
    return files


def run_job(job: Job) -> dict[str, int]:
    """Simulate one business and write its files; returns its counts."""
    vertical = VERTICALS[job.inbox.vertical]
    shard = Shard(job.inbox, vertical.script, job.shard_no, job.shards, job.seed,
                  job.start_ts, job.end_ts, job.operators, job.bot)  # fmt: skip
    channels_rng = random.Random(f"threadline-demo:{job.seed}:{job.inbox.inbox_id}:channels")
    offline = choose_offline(channels_rng, job.inbox.vertical, job.people)
    on_whatsapp = [person for person in job.people if person.index not in offline]
    shop = None
    if vertical.first_order_number is not None:
        shop = Shop(vertical.script, job.shard_no, shard.rng, vertical.first_order_number)
    shard.shop = shop
    plans = run_shard(shard, on_whatsapp, shop, vertical.plan, vertical.play)
    others = [person for person in job.people if person.index in offline]
    story = ChannelStory(shard, vertical.script, channels_rng, plans, others, shop).run()
    return _write(job, shard, shop, story, len(on_whatsapp))


def _write_lines(folder: Path, shard_no: int, records: list[tuple[int, str]]) -> int:
    files = 0
    for chunk_no, chunk in enumerate(_chunks((line for _, line in records), MAX_LINES)):
        write_jsonl(folder / f"demo-{shard_no * 1000 + chunk_no:04d}.jsonl", chunk)
        files += 1
    return files


def _write_channels(job: Job, story: Output, shop: Shop | None) -> dict[str, int]:
    landing, shard_no = job.landing, job.shard_no
    counts: dict[str, int] = {}
    files = 0
    for platform in ("instagram", "messenger"):
        feed = story.social.get(platform)
        if feed is not None:
            feed.items.sort()
            arrivals = ((ms // 1000, line) for ms, _, line in feed.items)
            files += _write_daily(landing / platform, shard_no, arrivals)
        counts[f"{platform}_bodies"] = len(feed.items) if feed else 0
        counts[f"{platform}_duplicate_bodies"] = feed.duplicates if feed else 0
        counts[f"{platform}_customer_messages"] = feed.messages if feed else 0
        counts[f"{platform}_echoes"] = feed.echoes if feed else 0
    files += mail.write_daily(landing / "email", shard_no, story.mails)
    counts["email_messages"] = len(story.mails)
    counts["email_threads"] = story.email_threads
    webchat = story.webchat
    if webchat is not None:
        webchat.items.sort()
        files += _write_daily(
            landing / "webchat", shard_no, ((ts, line) for ts, _, line in webchat.items)
        )
    counts["webchat_events"] = len(webchat.items) if webchat else 0
    counts["webchat_sessions"] = webchat.sessions if webchat else 0
    counts["webchat_identified_visitors"] = webchat.identified if webchat else 0
    files += calls_csv.write_daily(landing / "calls", shard_no, story.calls)
    counts["calls"] = len(story.calls)
    contacts, deals = story.hubspot.records() if story.hubspot else ([], [])
    files += _write_lines(landing / "hubspot" / "contacts", shard_no, contacts)
    files += _write_lines(landing / "hubspot" / "deals", shard_no, deals)
    counts["hubspot_contact_records"] = len(contacts)
    counts["hubspot_deal_records"] = len(deals)
    checkouts = shop.checkout_records(job.end_ts) if shop is not None else []
    files += _write_lines(landing / "shopify" / "checkouts", shard_no, checkouts)
    counts["shopify_checkouts"] = (
        sum(c.created_at <= job.end_ts for c in shop.checkouts) if shop is not None else 0
    )
    counts["shopify_checkout_records"] = len(checkouts)
    counts["calendar_events"] = 0
    if story.calendar is not None:
        data, events = story.calendar
        ics.write(landing / "calendar" / f"demo-{job.inbox.business_id}.ics", data)
        counts["calendar_events"] = events
        files += 1
    counts["chatwoot_contact_links"] = story.links
    counts["people_on_two_sources_or_more"] = story.multichannel
    counts["files"] = files
    return counts


def _write(
    job: Job, shard: Shard, shop: Shop | None, story: Output, on_whatsapp: int
) -> dict[str, int]:
    wa = shard.wa
    wa.items.sort()
    arrivals = ((arrival, line) for arrival, _, line in wa.items)
    files = _write_daily(job.landing / "whatsapp", job.shard_no, arrivals)
    files += _write_daily(job.landing / "chatwoot", job.shard_no, shard.cw.render())
    records = shop.records(job.end_ts) if shop is not None else []
    files += _write_lines(job.landing / "shopify" / "orders", job.shard_no, records)
    others = _write_channels(job, story, shop)
    others["listing_records"] = listings.write(job.landing, shard, job.shard_no, job.seed)
    others["files"] += files
    return {
        "contacts": len(job.people),
        "whatsapp_contacts": on_whatsapp,
        "webhook_events": wa.inbound_messages + wa.statuses,
        "whatsapp_bodies": len(wa.items),
        "whatsapp_duplicate_bodies": wa.duplicates,
        "whatsapp_inbound_messages": wa.inbound_messages,
        "whatsapp_outbound_messages": shard.outbound_messages,
        "whatsapp_statuses": wa.statuses,
        "whatsapp_user_preferences": wa.preferences,
        "chatwoot_events": shard.cw.rendered,
        "chatwoot_conversations": len(shard.cw.conversations),
        "shopify_orders": sum(o.created_at <= job.end_ts for o in shop.orders) if shop else 0,
        "shopify_order_records": len(records),
        **others,
    }


def _allocate(total: int, shares: list[float]) -> list[int]:
    """Split `total` contacts by `shares` (largest remainder)."""
    weight = sum(shares)
    raw = [total * share / weight for share in shares]
    counts = [int(value) for value in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _agents(inboxes: list[Inbox]) -> list[tuple[list[Agent], Agent | None]]:
    """Chatwoot users (ids unique across the account) and agent bots, per inbox."""
    out: list[tuple[list[Agent], Agent | None]] = []
    user_id, bot_id = 1, 1
    for inbox in inboxes:
        script = VERTICALS[inbox.vertical].script
        operators = []
        for spec in script.operators:
            first, last = spec.name.split(" ", 1)
            email = f"{first.lower()}.{last.lower().replace(' ', '')}@{script.email_domain}"
            operators.append(Agent(user_id, spec.name, "user", spec.role, email))
            user_id += 1
        bot = None
        if script.bot is not None:
            bot = Agent(bot_id, script.bot.name, "agent_bot")
            bot_id += 1
        out.append((operators, bot))
    return out


def _clear_previous(landing: Path) -> None:
    for pattern in DEMO_GLOBS:
        for stale in landing.glob(pattern):
            stale.unlink()


def generate(
    home: Path,
    seed: int,
    contacts: int,
    days: int,
    end_date: date,
    *,
    workers: int | None = None,
) -> dict[str, int]:
    """Write the demo landing files under `home`; returns counts per kind."""
    if contacts < 1 or days < 1:
        raise ValueError("contacts and days must be at least 1")
    landing = paths(home).ensure().landing
    inboxes = load_inboxes()
    unknown = sorted({inbox.vertical for inbox in inboxes} - set(VERTICALS))
    if unknown:
        raise ValueError(f"inboxes.csv has verticals the demo has no storyline for: {unknown}")
    start_ts, end_ts = window(days, end_date)

    fake = Faker("it_IT")
    fake.seed_instance(seed)
    roster = build_roster(contacts, random.Random(f"threadline-demo:{seed}:people"), fake)
    sizes = _allocate(contacts, [VERTICALS[i.vertical].script.contact_share for i in inboxes])
    agents = _agents(inboxes)

    jobs: list[Job] = []
    offset = 0
    for shard_no, (inbox, size, (operators, bot)) in enumerate(
        zip(inboxes, sizes, agents, strict=True), start=1
    ):
        people = roster[offset : offset + size]
        offset += size
        jobs.append(
            Job(
                inbox,
                shard_no,
                len(inboxes),
                seed,
                start_ts,
                end_ts,
                people,
                operators,
                bot,
                landing,
            )
        )

    _clear_previous(landing)
    if workers is None:
        workers = min(len(jobs), os.cpu_count() or 1) if contacts >= 3000 else 1
    if workers > 1:
        biggest_first = sorted(jobs, key=lambda job: -len(job.people))
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            results = dict(
                zip(
                    (j.shard_no for j in biggest_first),
                    pool.map(run_job, biggest_first),
                    strict=True,
                )
            )
        per_shard = [results[job.shard_no] for job in jobs]
    else:
        per_shard = [run_job(job) for job in jobs]

    totals: dict[str, int] = {}
    for counts in per_shard:
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    return totals
