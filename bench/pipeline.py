"""Ingest and `dbt build` at scale, compared with DuckDB's bare read of the same files.

    python -m bench.pipeline --scale 1.0      # ≈ one million webhook events

Prints events, seconds per stage, events per second, and the ratio of the whole build
(ingest + dbt build) to `read_json` of the same landing files, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from pipelines.demo import generate
from pipelines.ingest.sources import ingest_all
from pipelines.settings import paths
from pipelines.transform.build import build
from pipelines.warehouse import connect

CONTACTS_PER_SCALE = 60_000
DAYS = 120


def bare_read_seconds(landing: Path) -> tuple[float, int]:
    """DuckDB's bare read of every landing file: read_json's object reader, each line
    parsed as JSON into a table, nothing flattened. (read_json with schema inference
    runs out of memory on the varied shapes of webhook bodies at this scale.)"""
    con = duckdb.connect()
    started = time.perf_counter()
    rows = 0
    for pattern in ("whatsapp/**/*.jsonl", "chatwoot/**/*.jsonl", "shopify/**/*.jsonl"):
        if not list(landing.glob(pattern)):
            continue
        con.execute(
            "create or replace temp table t as select json from read_ndjson_objects(?)",
            [str(landing / pattern)],
        )
        rows += con.execute("select count(*) from t where json_valid(json)").fetchone()[0]
    seconds = time.perf_counter() - started
    con.close()
    return seconds, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--reuse", action="store_true", help="keep landing/ if --home has it")
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="threadline-bench-"))
    os.environ["THREADLINE_HOME"] = str(home)
    p = paths(home).ensure()
    contacts = max(50, int(CONTACTS_PER_SCALE * args.scale))

    started = time.perf_counter()
    if not (args.reuse and any(p.landing.rglob("*.jsonl"))):
        print(f"generating demo data for {contacts:,} contacts in {home} ...", flush=True)
        generate(
            home=home, seed=args.seed, contacts=contacts, days=DAYS, end_date=date(2026, 11, 24)
        )
    for stale in p.home.glob("warehouse.duckdb*"):
        stale.unlink() if stale.is_file() else None
    generate_s = time.perf_counter() - started

    bare_s, bare_rows = bare_read_seconds(p.landing)

    started = time.perf_counter()
    con = connect(p.warehouse)
    ingest_all(con, p)
    events = con.execute(
        "select (select count(*) from raw.whatsapp_messages) + (select count(*) from raw.whatsapp_statuses)"
    ).fetchone()[0]
    other = con.execute(
        "select (select count(*) from raw.chatwoot_events) + (select count(*) from raw.shopify_orders)"
    ).fetchone()[0]
    con.close()
    ingest_s = time.perf_counter() - started

    started = time.perf_counter()
    build(home, {"as_of": "2026-11-24 23:59:59"})
    dbt_s = time.perf_counter() - started

    landing_mb = sum(f.stat().st_size for f in p.landing.rglob("*.jsonl")) / 1e6
    total = ingest_s + dbt_s
    print(f"home                     {home}")
    print(f"contacts                 {contacts:,}")
    print(f"landing                  {landing_mb:,.1f} MB, {bare_rows:,} lines")
    print(f"webhook events           {events:,} (messages + statuses)")
    print(f"other records            {other:,} (inbox events + orders)")
    print(f"generate demo data       {generate_s:8.1f} s")
    print(f"bare read_json           {bare_s:8.1f} s")
    print(f"ingest                   {ingest_s:8.1f} s   {events / ingest_s:,.0f} events/s")
    print(f"dbt build                {dbt_s:8.1f} s   {events / dbt_s:,.0f} events/s")
    print(f"ingest + dbt build       {total:8.1f} s   {events / total:,.0f} events/s")
    print(f"ratio build / bare read  {total / bare_s:8.2f}x")


if __name__ == "__main__":
    main()
