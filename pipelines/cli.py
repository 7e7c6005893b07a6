"""`python -m pipelines.cli pipeline`: materialize every asset on what has landed, then
ingest the status webhooks the campaigns produced, and print the public tables' sizes.

This is what `make pipeline` and `make demo` run; the runs are recorded in the Dagster
instance ($DAGSTER_HOME), so they show in the Dagster UI.
"""

from __future__ import annotations

import argparse
import re
import sys
import time

import dagster as dg

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
        error = event.step_failure_data.error
        while error is not None and error.cause is not None:  # the error the step raised
            error = error.cause
        message = (error.message if error else "failed").strip().splitlines()[0]
        # "dagster._core.definitions.events.Failure: why" -> "why"
        found.setdefault(event.step_key or "?", re.sub(r"^[\w.]+(Error|Exception|Failure): ", "", message))
    return found


def outcome(name: str, result: dg.ExecuteInProcessResult) -> str:
    """A campaign the provider halted is that campaign's own failed outcome (printed; the
    rest of the run completed), any other failure stops with its reason."""
    failed = failures(result)
    halted = {step: why for step, why in failed.items() if step.startswith(CAMPAIGN_STEP_PREFIX)}
    others = {step: why for step, why in failed.items() if step not in halted}
    for step, why in halted.items():
        print(f"campaign {step.removeprefix(CAMPAIGN_STEP_PREFIX)} failed: {why}", flush=True)
    if others or (not result.success and not halted):
        reasons = "; ".join(f"{step}: {why}" for step, why in others.items()) or "see the Dagster log"
        raise SystemExit(f"job {name} failed ({reasons})")
    return "ok" if result.success else f"ok except {len(halted)} campaign(s)"


def run_job(name: str, instance: dg.DagsterInstance) -> None:
    from pipelines.definitions import defs

    free_dead_runs(instance)
    started = time.monotonic()
    result = defs.resolve_job_def(name).execute_in_process(
        instance=instance, raise_on_error=False, tags=run_tags()
    )
    print(f"job {name}: {outcome(name, result)} in {time.monotonic() - started:.1f}s", flush=True)


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
    stop_cleanly_on_sigterm()
    if args.command == "pipeline":
        pipeline()
    elif args.command == "refresh":
        run_job("refresh", _instance())
    else:
        for table, count in row_counts().items():
            print(f"{table:<28} {count:>9,}")


if __name__ == "__main__":
    main(sys.argv[1:])
