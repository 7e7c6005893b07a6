"""Runs that died (SIGKILL, out of memory, a reboot) never hand back what they held.

A run executed by `pipelines.cli` records its process (tags `threadline/pid`,
`threadline/host`). Before every job, `free_dead_runs` marks each such run whose process is
gone as failed, and frees the pool slots (`warehouse`) held by any run that is no longer
running, so a killed run never blocks the runs after it. SIGTERM is turned into the same
clean stop as Ctrl-C (`stop_cleanly_on_sigterm`): the run is marked failed and its slots
are freed on the way out.
"""

from __future__ import annotations

import logging
import os
import signal
import socket

import dagster as dg
from dagster._core.storage.dagster_run import DagsterRunStatus

log = logging.getLogger(__name__)

PID_TAG = "threadline/pid"
HOST_TAG = "threadline/host"
LIVE = [DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]


def run_tags() -> dict[str, str]:
    """Tags that let a later process tell whether this one is still alive."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_dead(run: dg.DagsterRun) -> bool:
    pid, host = run.tags.get(PID_TAG), run.tags.get(HOST_TAG)
    if not pid or host != socket.gethostname() or not pid.isdigit():
        return False  # not ours to judge (run monitoring handles launched runs)
    return int(pid) != os.getpid() and not _process_alive(int(pid))


def free_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark runs whose process is gone as failed and free every pool slot held by a run
    that is not running; returns the run ids it freed."""
    freed: list[str] = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=LIVE)):
        run = record.dagster_run
        if _is_dead(run):
            instance.report_run_failed(run, message=f"its process {run.tags[PID_TAG]} is gone (killed)")
            log.warning("run %s died with its process %s: marked failed", run.run_id, run.tags[PID_TAG])
    storage = instance.event_log_storage
    for run_id in sorted(storage.get_concurrency_run_ids()):
        run = instance.get_run_by_id(run_id)
        if run is None or run.status not in LIVE:
            storage.free_concurrency_slots_for_run(run_id)
            freed.append(run_id)
    if freed:
        log.warning("freed the pool slots of %d run(s) no longer running: %s", len(freed), ", ".join(freed))
    return freed


def stop_cleanly_on_sigterm() -> None:
    """SIGTERM stops a run the way Ctrl-C does (KeyboardInterrupt), so it cleans up."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
