"""The whole build at scale, full and incremental, against DuckDB's bare read of the same files.

    python -m bench.pipeline --events 10000000          # what `make bench` runs
    python -m bench.pipeline --events 1000000 --reuse --home /tmp/bench1

1. Demo data for about `--events` landed records (webhook events, inbox events, orders,
   e-mails, calls, CRM records...) over 120 days.
2. The newest day folders of the day-partitioned sources (about 1% of the bytes) are set
   aside: that is the increment, the data that arrives after the full build.
3. Bare read: DuckDB reads every landing file and does nothing with it (JSON lines parsed
   into a table by `read_ndjson_objects`, other files read as text).
4. Full build: a new warehouse, every ingest asset (`ingest_all`), then `dbt build`.
5. The increment lands; incremental build: the same two steps on the same warehouse.

Prints seconds per stage and the ratios: full build / bare read of the same files,
incremental build / full build, incremental build / bare read of the files it added.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from pipelines.demo import generate
from pipelines.demo.increment import landing_files, put_back, put_back_everything, set_aside_newest_days
from pipelines.ingest.sources import ingest_all
from pipelines.settings import Paths, paths
from pipelines.transform.build import build
from pipelines.warehouse import connect

DAYS = 120
END_DATE = date(2026, 11, 24)
AS_OF = "2026-11-26 23:59:59"
# landed records per generated contact over DAYS days (measured: 2,016,457 / 60,000)
RECORDS_PER_CONTACT = 33.6
INCREMENT_SHARE = 0.01


@dataclass
class Build:
    ingest_s: float
    dbt_s: float
    records: int
    stages: dict[str, float]  # seconds per ingest source and per dbt model

    @property
    def seconds(self) -> float:
        return self.ingest_s + self.dbt_s

    def slowest(self, n: int = 8) -> str:
        top = sorted(self.stages.items(), key=lambda kv: -kv[1])[:n]
        return ", ".join(f"{name} {seconds:.1f}" for name, seconds in top)


def bare_read_seconds(files: list[Path]) -> tuple[float, int]:
    """DuckDB's bare read: JSON lines into a table of JSON values, other files as text."""
    jsonl = [str(p) for p in files if p.suffix == ".jsonl"]
    other = [str(p) for p in files if p.suffix != ".jsonl"]
    con = duckdb.connect()
    started = time.perf_counter()
    rows = 0
    if jsonl:
        con.execute("create or replace temp table t as select json from read_ndjson_objects(?)", [jsonl])
        rows += con.execute("select count(*) from t").fetchone()[0]
    if other:
        con.execute("create or replace temp table o as select content from read_text(?)", [other])
        rows += con.execute("select count(*) from o").fetchone()[0]
    seconds = time.perf_counter() - started
    con.close()
    return seconds, rows


def run_build(p: Paths) -> Build:
    """Every ingest source, then dbt build, each stage timed."""
    started = time.perf_counter()
    con = connect(p.warehouse)
    before = ledger_records(con)
    seconds: dict[str, float] = {}
    ingest_all(con, p, seconds)
    stages = {f"ingest:{name}": s for name, s in seconds.items()}
    records = ledger_records(con) - before
    con.close()
    ingest_s = time.perf_counter() - started
    started = time.perf_counter()
    build(p.home, {"as_of": AS_OF})
    dbt_s = time.perf_counter() - started
    results = json.loads((Path(os.environ["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    for result in results["results"]:
        if result["unique_id"].startswith("model."):
            stages[result["unique_id"].split(".")[-1]] = result["execution_time"]
    return Build(ingest_s, dbt_s, records, stages)


def ledger_records(con: duckdb.DuckDBPyConnection) -> int:
    if not _has_ledger(con):
        return 0
    return int(con.execute("select coalesce(sum(line_count), 0) from raw.ingested_files").fetchone()[0])


def _has_ledger(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'ingested_files'"
        ).fetchone()[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=float, default=10_000_000, help="landed records to generate")
    parser.add_argument("--scale", type=float, default=None, help="millions of events (overrides --events)")
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--reuse", action="store_true", help="keep landing/ if --home has it")
    args = parser.parse_args()

    events = args.scale * 1_000_000 if args.scale is not None else args.events
    home = args.home or Path(tempfile.mkdtemp(prefix="threadline-bench-"))
    os.environ["THREADLINE_HOME"] = str(home)
    os.environ.setdefault("DBT_TARGET_PATH", str(home / "dbt-target"))
    p = paths(home).ensure()
    held = home / "increment"
    contacts = max(50, int(events / RECORDS_PER_CONTACT))

    # a run cut short may have left its increment aside: put it back
    put_back_everything(p.landing, held)
    shutil.rmtree(held, ignore_errors=True)

    started = time.perf_counter()
    if not (args.reuse and any(p.landing.rglob("*.jsonl"))):
        shutil.rmtree(p.landing, ignore_errors=True)
        p.ensure()
        print(f"generating demo data for {contacts:,} contacts in {home} ...", flush=True)
        generate(home=home, seed=args.seed, contacts=contacts, days=DAYS, end_date=END_DATE)
    generate_s = time.perf_counter() - started
    for stale in [*p.home.glob("warehouse.duckdb*"), p.home / "state"]:
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink(missing_ok=True)
    p.ensure()

    moved = set_aside_newest_days(p.landing, held, INCREMENT_SHARE)
    base_files = landing_files(p.landing)
    added_files = landing_files(held)
    base_mb = sum(f.stat().st_size for f in base_files) / 1e6
    added_mb = sum(f.stat().st_size for f in added_files) / 1e6
    print(
        f"full build on {len(base_files):,} files ({base_mb:,.1f} MB); "
        f"increment {len(added_files):,} files ({added_mb:,.1f} MB) ...",
        flush=True,
    )

    bare_s, bare_rows = bare_read_seconds(base_files)
    full = run_build(p)
    print(f"full build done in {full.seconds:,.1f} s", flush=True)

    put_back(moved)
    shutil.rmtree(held, ignore_errors=True)
    added_paths = [p.landing / f.relative_to(held) for f in added_files]
    bare_added_s, _ = bare_read_seconds(added_paths)
    bare_all_s, _ = bare_read_seconds(landing_files(p.landing))
    incremental = run_build(p)

    print(f"home                          {home}")
    print(f"generated contacts            {contacts:,}   ({generate_s:,.1f} s)")
    print(f"landing (full build)          {base_mb:,.1f} MB, {len(base_files):,} files")
    print(f"read bare                     {bare_rows:,} JSON lines + other files")
    print(f"events (full build)           {full.records:,} records ingested")
    more = incremental.records / max(full.records, 1)
    print(f"increment                     {added_mb:,.1f} MB, {len(added_files):,} files")
    print(f"events (increment)            {incremental.records:,} records ingested ({more:.2%} more)")
    print(f"bare read (full files)        {bare_s:8.1f} s")
    print(f"full ingest                   {full.ingest_s:8.1f} s   {full.records / full.ingest_s:,.0f} records/s")
    print(f"full dbt build                {full.dbt_s:8.1f} s")
    print(f"full build                    {full.seconds:8.1f} s   {full.records / full.seconds:,.0f} records/s")
    print(f"bare read (increment files)   {bare_added_s:8.1f} s")
    print(f"bare read (all files)         {bare_all_s:8.1f} s")
    print(f"incremental ingest            {incremental.ingest_s:8.1f} s")
    print(f"incremental dbt build         {incremental.dbt_s:8.1f} s")
    print(f"incremental build             {incremental.seconds:8.1f} s")
    print(f"slowest, full build           {full.slowest()}")
    print(f"slowest, incremental build    {incremental.slowest()}")
    print(f"ratio full / bare read                 {full.seconds / bare_s:8.2f}x   (aim: within 3x)")
    print(f"ratio incremental / full build         {incremental.seconds / full.seconds:8.2%}   (aim: within 5%)")
    print(f"ratio incremental / bare read (all)    {incremental.seconds / bare_all_s:8.2f}x")
    print(f"ratio incremental / bare read (added)  {incremental.seconds / bare_added_s:8.2f}x")


if __name__ == "__main__":
    main()
