"""A killed run never blocks the runs after it: real processes, a real Dagster instance
(sqlite, in DAGSTER_HOME) with the project's dagster.yaml (pool `warehouse`, limit 1).

A run holding the warehouse slot is SIGKILLed; the next run (as `pipelines.cli` starts
it) frees the dead run's slot and completes. SIGTERM stops a run cleanly, like Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = '''
import sys, time
import dagster as dg
from pipelines.run_recovery import free_dead_runs, run_tags, stop_cleanly_on_sigterm

@dg.asset(pool="warehouse")
def slow_writer() -> None:
    print("holding the warehouse", flush=True)
    time.sleep(120)

@dg.asset(pool="warehouse")
def quick_writer() -> None:
    print("wrote", flush=True)

stop_cleanly_on_sigterm()
instance = dg.DagsterInstance.get()
free_dead_runs(instance)
asset = slow_writer if sys.argv[1] == "slow" else quick_writer
result = dg.materialize([asset], instance=instance, tags=run_tags(), raise_on_error=False)
print("success" if result.success else "failure", flush=True)
'''


@pytest.fixture
def dagster_home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster"
    home.mkdir()
    shutil.copy(ROOT / "pipelines" / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    (tmp_path / "job.py").write_text(SCRIPT, encoding="utf-8")
    return home


def start(dagster_home: Path, which: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(dagster_home.parent / "job.py"), which],
        cwd=ROOT,
        env={**os.environ, "DAGSTER_HOME": str(dagster_home), "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_line(process: subprocess.Popen[str], text: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if text in line:
            return
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"{text!r} never printed (exit {process.poll()})")


def runs(dagster_home: Path) -> list[dg.DagsterRunStatus]:
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        return [r.dagster_run.status for r in instance.get_run_records()]


def test_a_killed_run_does_not_block_the_next_one(dagster_home: Path) -> None:
    slow = start(dagster_home, "slow")
    wait_for_line(slow, "holding the warehouse")
    slow.send_signal(signal.SIGKILL)
    slow.wait(10)
    quick = start(dagster_home, "quick")
    try:
        output, _ = quick.communicate(timeout=90)
    finally:
        quick.kill()
    assert "success" in output.splitlines()[-1], output[-3000:]
    assert sorted(runs(dagster_home), key=str) == sorted(
        [dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.SUCCESS], key=str
    )


def test_sigterm_stops_a_run_cleanly(dagster_home: Path) -> None:
    slow = start(dagster_home, "slow")
    wait_for_line(slow, "holding the warehouse")
    slow.send_signal(signal.SIGTERM)
    slow.wait(30)
    assert runs(dagster_home) != [dg.DagsterRunStatus.STARTED]
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        assert instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots == []
