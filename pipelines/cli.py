"""`python -m pipelines.cli pipeline`: materialize every asset on what has landed, then
ingest the status webhooks the campaigns produced, and print the public tables' sizes.

This is what `make pipeline` and `make demo` run; the runs are recorded in the Dagster
instance ($DAGSTER_HOME), so they show in the Dagster UI.
"""

from __future__ import annotations

import argparse
import sys
import time

import dagster as dg

from pipelines.settings import paths
from pipelines.warehouse import connect

PUBLIC_TABLES = [
    "marts.dim_contacts",
    "marts.fct_messages",
    "marts.fct_conversations",
    "marts.fct_orders",
    "marts.fct_campaign_sends",
    "segments.repurchase_due",
]


def _instance() -> dg.DagsterInstance:
    try:
        return dg.DagsterInstance.get()
    except dg.DagsterInvariantViolationError:
        return dg.DagsterInstance.ephemeral()


def run_job(name: str, instance: dg.DagsterInstance) -> None:
    from pipelines.definitions import defs

    started = time.monotonic()
    result = defs.resolve_job_def(name).execute_in_process(instance=instance)
    if not result.success:
        raise SystemExit(f"job {name} failed")
    print(f"job {name}: ok in {time.monotonic() - started:.1f}s", flush=True)


def row_counts() -> dict[str, int]:
    con = connect(paths().serving_warehouse, read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in PUBLIC_TABLES}
    finally:
        con.close()


def pipeline() -> None:
    instance = _instance()
    run_job("everything", instance)
    # the campaigns' status webhooks have landed meanwhile: take them in
    run_job("refresh", instance)
    print(f"\nTHREADLINE_HOME={paths().home}")
    for table, count in row_counts().items():
        print(f"  {table:<28} {count:>9,} rows")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipelines.cli")
    parser.add_argument("command", choices=["pipeline", "refresh", "counts"])
    args = parser.parse_args(argv)
    if args.command == "pipeline":
        pipeline()
    elif args.command == "refresh":
        run_job("refresh", _instance())
    else:
        for table, count in row_counts().items():
            print(f"{table:<28} {count:>9,}")


if __name__ == "__main__":
    main(sys.argv[1:])
