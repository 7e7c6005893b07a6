"""`python -m pipelines.cli pipeline`: materialize every asset on what has landed, then
ingest the status webhooks the campaigns produced, and print the public tables' sizes.

This is what `make pipeline` and `make demo` run; the runs are recorded in the Dagster
instance ($DAGSTER_HOME), so they show in the Dagster UI. The terminal gets one line per
stage (pipelines/run_log.py); the full Dagster debug log, dbt's output included, goes
to $THREADLINE_HOME/logs/pipeline-<time>.log, whose path is printed. `--verbose` prints
everything instead.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import dagster as dg

from pipelines.run_log import error_reason, quiet_output
from pipelines.run_recovery import free_dead_runs, run_tags, stop_cleanly_on_sigterm
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


# campaign assets (senders/assets.py) are keyed senders/<campaign_id>: their step keys
CAMPAIGN_STEP_PREFIX = "senders__"


def failures(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """Each failed step of a run, with the first line of its error."""
    found: dict[str, str] = {}
    for event in result.get_step_failure_events():
        found.setdefault(event.step_key or "?", error_reason(event.step_failure_data.error))
    return found


def outcome(name: str, result: dg.ExecuteInProcessResult, out: TextIO | None = None) -> str:
    """A campaign the provider halted is that campaign's own failed outcome (printed; the
    rest of the run completed), any other failure stops with its reason."""
    failed = failures(result)
    halted = {step: why for step, why in failed.items() if step.startswith(CAMPAIGN_STEP_PREFIX)}
    others = {step: why for step, why in failed.items() if step not in halted}
    for step, why in halted.items():
        print(f"campaign {step.removeprefix(CAMPAIGN_STEP_PREFIX)} failed: {why}", file=out or sys.stdout, flush=True)
    if others or (not result.success and not halted):
        reasons = "; ".join(f"{step}: {why}" for step, why in others.items()) or "see the Dagster log"
        raise SystemExit(f"job {name} failed ({reasons})")
    return "ok" if result.success else f"ok except {len(halted)} campaign(s)"


def run_config(verbose: bool) -> dict:
    """Quiet: the console log at DEBUG (into the log file) and the stage lines on."""
    return {
        "loggers": {
            "console": {"config": {"log_level": "DEBUG"}},
            "stages": {"config": {"stages": not verbose}},
        }
    }


def run_job(name: str, instance: dg.DagsterInstance, out: TextIO, verbose: bool = False) -> None:
    from pipelines.definitions import defs

    free_dead_runs(instance)
    started = time.monotonic()
    print(f"{name}", file=out, flush=True)
    result = defs.resolve_job_def(name).execute_in_process(
        instance=instance, raise_on_error=False, tags=run_tags(), run_config=run_config(verbose)
    )
    print(f"{name}: {outcome(name, result, out)} in {time.monotonic() - started:.1f}s\n", file=out, flush=True)


def row_counts() -> dict[str, int]:
    con = connect(paths().serving_warehouse, read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in PUBLIC_TABLES}
    finally:
        con.close()


def log_file() -> Path:
    return paths().home / "logs" / f"pipeline-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"


@contextlib.contextmanager
def terminal(verbose: bool):
    """Where the stage lines go; unless verbose, everything else goes to the log file."""
    if verbose:
        yield sys.stdout
        return
    path = log_file()
    print(f"full log: {path}", flush=True)
    try:
        with quiet_output(path) as out:
            yield out
    except SystemExit as failed:
        raise SystemExit(f"{failed}\nfull log: {path}") from None


def pipeline(verbose: bool = False) -> None:
    instance = _instance()
    with terminal(verbose) as out:
        run_job("everything", instance, out, verbose)
        # the campaigns' status webhooks have landed meanwhile: take them in
        run_job("refresh", instance, out, verbose)
    print(f"THREADLINE_HOME={paths().home}")
    for table, count in row_counts().items():
        print(f"  {table:<28} {count:>9,} rows")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipelines.cli")
    parser.add_argument("command", choices=["pipeline", "refresh", "counts"])
    parser.add_argument("--verbose", action="store_true", help="print the whole Dagster log")
    args = parser.parse_args(argv)
    stop_cleanly_on_sigterm()
    if args.command == "pipeline":
        pipeline(args.verbose)
    elif args.command == "refresh":
        with terminal(args.verbose) as out:
            run_job("refresh", _instance(), out, args.verbose)
    else:
        for table, count in row_counts().items():
            print(f"{table:<28} {count:>9,}")


if __name__ == "__main__":
    main(sys.argv[1:])
