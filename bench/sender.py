"""Campaign sender throughput and memory: a campaign of N recipients through the real run.

    python -m bench.sender --recipients 100000 1000000 [--messages-per-second 1000]

For each size, a warehouse is generated in DuckDB (a segment of N members, their
contacts and their marketing consent, one row each), then one child process runs the
shipped repurchase reminder over it with everything a real run has: the audience
streamed from DuckDB (`iter_audience`), the send-time rules with consent read fresh
per batch (`WarehouseFacts`), the SQLite ledger file (reserve -> request -> complete),
and the async Cloud API client, against the simulator as a separate process at
`--messages-per-second` (Meta's highest tier is 1,000). The programme is the default
one (no global control, no messaging limit: the shipped 2,000 would skip all but 2,000);
the campaign keeps its 10 % holdout and frequency cap.

Prints, per size, the messages accepted per second while sending, the run's wall time
and the child's peak RSS; then the ratio of peak RSS between sizes next to the ratio
of sizes (flat memory: the first stays near 1 while the second is 10).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHONE_NUMBER_ID = "1122334455667"
SEGMENT = "bench_audience"
SEND_TIME = "2025-06-02T08:00:00+00:00"  # 10:00 in Rome: no quiet hours


def generate_warehouse(path: Path, recipients: int) -> None:
    """A warehouse with the relations the run reads, N members generated in SQL."""
    import duckdb

    with duckdb.connect(str(path)) as con:
        con.execute("create schema segments; create schema marts")
        # phones end in 01..12 only: the simulator's plain "accepted" digits (no faults)
        con.execute(
            f"""
            create table segments.{SEGMENT} as
            select 'b' || lpad(cast(i as varchar), 8, '0') as contact_id,
                   'Giulia' as first_name, 'Magnesio Plus' as last_product
            from range({recipients}) t(i)
            """
        )
        con.execute(
            f"""
            create table marts.dim_contacts as
            select 'b' || lpad(cast(i as varchar), 8, '0') as contact_id,
                   '+39347' || lpad(cast(i // 12 as varchar), 6, '0')
                            || lpad(cast(i % 12 + 1 as varchar), 2, '0') as phone_e164,
                   true as marketing_consent
            from range({recipients}) t(i)
            """
        )
        con.execute(
            "create table marts.dim_consent as select contact_id, 'marketing' as purpose,"
            " 'whatsapp' as channel, 'granted' as state from marts.dim_contacts"
        )
        con.execute(
            "create table marts.fct_messages (contact_id varchar, channel varchar, direction varchar,"
            " sent_at timestamp, error_code integer)"
        )


def run_once(warehouse: Path, ledger_path: Path, base_url: str, messages_per_second: float, max_in_flight: int) -> dict:
    """One campaign run over the warehouse (in this process: its peak RSS is the run's)."""
    import asyncio

    from pipelines.warehouse import connect
    from senders.audience import iter_audience
    from senders.campaign import CAMPAIGNS_DIR, load_campaign
    from senders.ledger import SendLedger
    from senders.policy import WarehouseFacts
    from senders.programme import Programme
    from senders.provider import AsyncCloudApiClient
    from senders.run import SendRules, run_campaign_async

    campaign = load_campaign(CAMPAIGNS_DIR / "repurchase_reminder.yaml").model_copy(update={"segment": SEGMENT})
    con = connect(warehouse, read_only=True)
    facts = WarehouseFacts(con)
    rules = SendRules(facts=facts, programme=Programme())

    async def send() -> dict:
        with SendLedger(ledger_path) as ledger:
            async with AsyncCloudApiClient(
                base_url,
                "bench-token",
                PHONE_NUMBER_ID,
                messages_per_second=messages_per_second,
                pair_seconds=0,
                max_in_flight=max_in_flight,
                timeout=30,
                backoff_base=0.05,
            ) as client:
                started = time.perf_counter()
                summary = await run_campaign_async(
                    campaign, iter_audience(con, campaign), ledger, client, "bench-run",
                    datetime.fromisoformat(SEND_TIME), rules, max_in_flight=max_in_flight,
                )  # fmt: skip
                return {"seconds": time.perf_counter() - started, **summary.as_dict()}

    result = asyncio.run(send())
    con.close()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["warehouse_queries"] = facts.queries
    return result


def start_simulator(home: Path, messages_per_second: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable, "-m", "senders.simulator", "--port", "0", "--home", str(home),
            "--messages-per-second", str(int(messages_per_second)), "--pair-seconds", "0",
            "--status-delay", "5",
        ],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    if " on " not in line:
        process.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return process, line.split(" on ", 1)[1].split(",", 1)[0].strip()


def bench_size(recipients: int, messages_per_second: float, max_in_flight: int, keep: Path | None) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"bench-sender-{recipients}-", dir=keep))
    try:
        generated = time.perf_counter()
        generate_warehouse(work / "warehouse.duckdb", recipients)
        generated = time.perf_counter() - generated
        simulator, base_url = start_simulator(work / "sim-home", messages_per_second)
        try:
            child = subprocess.run(
                [
                    sys.executable, "-m", "bench.sender", "--child", str(work / "warehouse.duckdb"),
                    str(work / "send_ledger.sqlite"), base_url, str(messages_per_second), str(max_in_flight),
                ],
                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                check=False,
            )  # fmt: skip
        finally:
            simulator.terminate()
            simulator.wait(timeout=60)
        if child.returncode != 0:
            raise RuntimeError(f"the run failed:\n{child.stderr[-3000:]}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        result["generate_seconds"] = generated
        return result
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="campaign sender throughput and memory")
    parser.add_argument("--recipients", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--messages-per-second", type=float, default=1000)
    parser.add_argument("--max-in-flight", type=int, default=64)
    parser.add_argument("--keep", type=Path, help="keep each size's warehouse, ledger and landing under this folder")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        warehouse, ledger, base_url, rate, in_flight = args.child
        print(json.dumps(run_once(Path(warehouse), Path(ledger), base_url, float(rate), int(in_flight))), flush=True)
        return

    print(f"campaign sender bench at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, simulator at "
          f"{args.messages_per_second:g} msgs/s, {args.max_in_flight} in flight")  # fmt: skip
    results = []
    for recipients in args.recipients:
        result = bench_size(recipients, args.messages_per_second, args.max_in_flight, args.keep)
        sent = result["accepted"] + result["failed"] + result["unknown"]
        rate = sent / result["seconds"] if result["seconds"] else 0.0
        results.append((recipients, result, rate))
        print(
            f"{recipients:>9,} recipients: {sent:,} sent ({result['accepted']:,} accepted, "
            f"{result['unknown']:,} unknown, {dict(result['skipped'])} skipped) in {result['seconds']:.1f} s "
            f"= {rate:,.0f} msgs/s; peak RSS {result['peak_rss_mb']:.0f} MB; "
            f"{result['warehouse_queries']:,} warehouse reads; "
            f"audience generated in {result['generate_seconds']:.1f} s",
            flush=True,
        )
    if len(results) > 1:
        (small, first, _), (large, last, _) = results[0], results[-1]
        print(
            f"memory ratio {large:,} / {small:,} recipients: {last['peak_rss_mb'] / first['peak_rss_mb']:.2f} "
            f"(recipients ratio {large / small:.0f})"
        )


if __name__ == "__main__":
    main()
