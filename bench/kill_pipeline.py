"""SIGKILL `make pipeline` at random moments, then run it normally, and compare.

    python -m bench.kill_pipeline --kills 10 --contacts 200 --days 30

Two homes get the same demo landing. In the first, `python -m pipelines.cli pipeline`
(what `make pipeline` runs) is started and SIGKILLed after a random delay, `--kills`
times, each kill followed by a normal run that must complete; the second home has one
uninterrupted run. Prints, per kill, when it struck and how long the run after it took;
then, per public table and per raw table, the rows that differ between the two homes
(batch times and connector cursors aside) and the landed lines of each home.

A kill during a campaign send leaves that send `unknown` in the ledger (never resent, by
design), so fct_campaign_sends and the status webhooks the simulator landed may
differ there; every other table is expected equal.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from pipelines.demo import generate
from pipelines.settings import paths

ROOT = Path(__file__).resolve().parents[1]
TABLES = [
    "marts.dim_contacts", "marts.fct_messages", "marts.fct_conversations", "marts.fct_orders",
    "marts.fct_timeline", "marts.fct_campaign_sends", "marts.kpi_support_daily", "marts.contact_merges",
    "raw.whatsapp_messages", "raw.chatwoot_events", "raw.shopify_orders", "raw.email_messages",
]  # fmt: skip
IGNORED = {"ingested_at", "rejected_at", "valid_from", "merged_at", "file"}


def environment(home: Path) -> dict[str, str]:
    dagster_home = home / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "pipelines" / "dagster_home" / "dagster.yaml", dagster_home / "dagster.yaml")
    venv_bin = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "THREADLINE_HOME": str(home),
        "DAGSTER_HOME": str(dagster_home),
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
    }


def pipeline(home: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "pipeline"],
        cwd=ROOT,
        env=environment(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def run_to_end(home: Path) -> float:
    started = time.monotonic()
    process = pipeline(home)
    if process.wait() != 0:
        raise SystemExit(f"the run after a kill failed in {home} (exit {process.returncode})")
    return time.monotonic() - started


def differences(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    con = duckdb.connect(str(a / "warehouse.duckdb"), read_only=True)
    con.execute(f"attach '{b / 'warehouse.duckdb'}' as other (read_only)")
    found = {}
    for table in TABLES:
        schema, name = table.split(".")
        columns = [
            f'"{c}"'
            for (c,) in con.execute(
                "select column_name from duckdb_columns() where database_name = current_database()"
                " and schema_name = ? and table_name = ? order by column_index",
                [schema, name],
            ).fetchall()
            if c not in IGNORED
        ]
        cols = ", ".join(columns)
        only_a = con.execute(f"select count(*) from (select {cols} from {table} except all "
                             f"select {cols} from other.{table})").fetchone()[0]  # fmt: skip
        only_b = con.execute(f"select count(*) from (select {cols} from other.{table} except all "
                             f"select {cols} from {table})").fetchone()[0]  # fmt: skip
        found[table] = (only_a, only_b)
    con.close()
    return found


def landed_lines(home: Path) -> int:
    return sum(len(f.read_bytes().splitlines()) for f in (home / "landing").rglob("*.jsonl"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--max-delay", type=float, default=90.0, help="latest kill, seconds after the start")
    parser.add_argument("--home", type=Path, default=Path("/tmp/threadline-kill-bench"))
    args = parser.parse_args()

    shutil.rmtree(args.home, ignore_errors=True)
    killed, clean = args.home / "killed", args.home / "clean"
    for home in (killed, clean):
        generate(home=home, seed=args.seed, contacts=args.contacts, days=args.days, end_date=date(2026, 11, 24))
        paths(home).ensure()
    rng = random.Random(args.seed)
    print(f"uninterrupted run: {run_to_end(clean):.1f} s")
    for number in range(1, args.kills + 1):
        delay = rng.uniform(1.0, args.max_delay)
        process = pipeline(killed)
        time.sleep(delay)
        finished = process.poll() is not None
        if not finished:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        after = run_to_end(killed)
        note = " (the run had ended)" if finished else ""
        print(f"kill {number:>2}: at {delay:5.1f} s{note}; next run {after:.1f} s")
    print("\nrows only in the killed home / only in the clean home:")
    for table, (only_killed, only_clean) in differences(killed, clean).items():
        print(f"  {table:<28} {only_killed:>6} / {only_clean:<6}")
    print(f"landed JSONL lines: killed home {landed_lines(killed):,}, clean home {landed_lines(clean):,}")


if __name__ == "__main__":
    main()
