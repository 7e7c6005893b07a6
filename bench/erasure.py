"""What erasure costs: ingest with and without tombstones, and one erasure end to end.

    python -m bench.erasure --contacts 600 --days 90 [--home /tmp/bench-erasure]

1. Demo data, ingested into a new warehouse and built with dbt.
2. The ingest of every landing file into a new warehouse, timed without tombstones,
   then with the tombstones of one person (their records still landed, so the check
   drops them): the cost of the check is the difference.
3. One erasure of that person (landing, state, logs, rebuild, serving copy), timed.

Prints seconds and the ratio with / without tombstones.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from pipelines.demo import generate
from pipelines.ingest.sources import ingest_all
from pipelines.privacy import tombstones
from pipelines.privacy.erase import erase
from pipelines.privacy.identifiers import find_person
from pipelines.privacy.matcher import Matcher
from pipelines.settings import Paths, paths
from pipelines.transform.build import build
from pipelines.warehouse import connect


def fresh_ingest(home: Paths) -> tuple[float, int]:
    for path in (home.warehouse, home.warehouse.with_name(home.warehouse.name + ".wal")):
        path.unlink(missing_ok=True)
    con = connect(home.warehouse)
    started = time.perf_counter()
    try:
        results = ingest_all(con, home)
    finally:
        con.close()
    return time.perf_counter() - started, sum(r.get("erased", 0) for r in results.values())


def busiest_contact(home: Paths) -> str:
    con = connect(home.warehouse, read_only=True)
    try:
        return con.execute(
            "select phone_e164 from marts.dim_contacts where phone_e164 is not null "
            "order by messages_count desc limit 1"
        ).fetchone()[0]
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.erasure")
    parser.add_argument("--contacts", type=int, default=600)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    home = paths(args.home or Path(tempfile.mkdtemp(prefix="bench-erasure-")))
    generate(home=home.home, seed=7, contacts=args.contacts, days=args.days, end_date=date(2026, 11, 24))
    home.ensure()
    fresh_ingest(home)
    build(home.home)
    contact = busiest_contact(home)
    salt = tombstones.salt(home.state)
    con = connect(home.warehouse, read_only=True)
    try:
        person = find_person(con, tombstones.key_hash(salt, contact.lstrip("+")), salt)
    finally:
        con.close()
    lines = sum(1 for p in home.landing.rglob("*.jsonl") for _ in p.open("rb"))
    without, _ = fresh_ingest(home)
    tombstones.record(home.state, Matcher.for_person(person, salt).tombstones.hashes)
    with_tombstones, dropped = fresh_ingest(home)
    print(f"landing: {lines:,} JSON lines; one person's {len(person.record_ids)} records")
    print(f"ingest without tombstones {without:7.2f}s")
    print(f"ingest with tombstones    {with_tombstones:7.2f}s  ({dropped} records dropped)"
          f"  ratio {with_tombstones / without:.2f}")
    build(home.home)
    started = time.perf_counter()
    report = erase(home, tombstones.key_hash(salt, contact.lstrip("+")))
    print(f"erasure end to end        {time.perf_counter() - started:7.2f}s  "
          f"({sum(report.removed.values())} records removed, {len(report.left)} files left naming them)")


if __name__ == "__main__":
    main()
