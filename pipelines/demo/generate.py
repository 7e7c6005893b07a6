"""Generate the demo landing files: WhatsApp webhooks, Chatwoot webhooks, Shopify orders.

Deterministic: the same arguments give byte-identical files. Each business is an independent
shard with its own random stream (seeded from `seed` and its inbox id), so shards can run in
parallel processes without changing a byte. Files are named `demo-<NNNN>.jsonl` where NNNN is
`shard_no * 1000 + chunk` (shard_no = the business's row in inboxes.csv, from 1), at most
`MAX_LINES` lines each; WhatsApp and Chatwoot files sit in a folder per UTC day of arrival.
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
    shop = None
    if vertical.first_order_number is not None:
        shop = Shop(vertical.script, job.shard_no, shard.rng, vertical.first_order_number)
    run_shard(shard, job.people, shop, vertical.plan, vertical.play)
    return _write(job, shard, shop)


def _write(job: Job, shard: Shard, shop: Shop | None) -> dict[str, int]:
    wa = shard.wa
    wa.items.sort()
    arrivals = ((arrival, line) for arrival, _, line in wa.items)
    files = _write_daily(job.landing / "whatsapp", job.shard_no, arrivals)
    files += _write_daily(job.landing / "chatwoot", job.shard_no, shard.cw.render())
    records = shop.records(job.end_ts) if shop is not None else []
    for chunk_no, chunk in enumerate(_chunks((line for _, line in records), MAX_LINES)):
        name = f"demo-{job.shard_no * 1000 + chunk_no:04d}.jsonl"
        write_jsonl(job.landing / "shopify" / "orders" / name, chunk)
        files += 1
    return {
        "contacts": len(job.people),
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
        "files": files,
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
