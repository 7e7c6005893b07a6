"""The stage lines `make pipeline` prints: counts and seconds per stage, a progress line
while a long stage runs, a failed check or step with its reason; everything else goes
to the log file (a real fd redirect)."""

from __future__ import annotations

import io
import os
import time

import dagster as dg
import pytest

from pipelines import run_log


@dg.asset(key=["raw", "whatsapp_messages"])
def slow_ingest() -> dg.MaterializeResult:
    time.sleep(0.7)
    return dg.MaterializeResult(metadata={"files": 3, "lines": 1200, "rejected": 2, "skipped_files": 0})


@dg.asset_check(asset=slow_ingest, blocking=False)
def no_rejected_whatsapp_records() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN, metadata={"rejected": 2})


@dg.asset(key=["marts", "dim_contacts"], deps=[slow_ingest])
def broken_model() -> None:
    raise RuntimeError("the warehouse is locked by another process")


def run_with_stage_lines(monkeypatch: pytest.MonkeyPatch) -> str:
    report = io.StringIO()
    monkeypatch.setattr(run_log, "_report", report)
    monkeypatch.setattr(run_log, "PROGRESS_SECONDS", 0.2)
    defs = dg.Definitions(
        assets=[slow_ingest, broken_model],
        asset_checks=[no_rejected_whatsapp_records],
        loggers={"console": dg.colored_console_logger, "stages": run_log.stage_logger},
    )
    defs.resolve_implicit_global_asset_job_def().execute_in_process(
        raise_on_error=False,
        instance=dg.DagsterInstance.ephemeral(),
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}},
                                "stages": {"config": {"stages": True}}}},
    )
    return report.getvalue()


def test_stage_lines_name_counts_progress_rejects_and_failures(monkeypatch):
    out = run_with_stage_lines(monkeypatch)
    lines = out.splitlines()
    assert any(line.startswith("  raw.whatsapp_messages") and "… running" in line for line in lines), out
    assert any("1,200 lines from 3 new files, 2 rejected (raw.rejected_records)" in line
               and line.endswith(" s") for line in lines), out
    assert "  check no_rejected_whatsapp_records failed (warning): 2 rejected lines" in out
    assert "  marts.dim_contacts                 FAILED: the warehouse is locked by another process" in out


def test_quiet_output_sends_fds_to_the_log_file_and_keeps_a_terminal(tmp_path):
    log = tmp_path / "logs" / "pipeline.log"
    read, write = os.pipe()
    saved = os.dup(1)
    os.dup2(write, 1)  # stands for the terminal
    try:
        with run_log.quiet_output(log) as terminal:
            os.write(1, b"dbt says PASS\n")
            os.write(2, b"dagster says DEBUG\n")
            terminal.write("  dbt build  12 models\n")
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(write)
    shown = os.read(read, 4096).decode()
    os.close(read)
    assert shown == "  dbt build  12 models\n"
    assert log.read_text() == "dbt says PASS\ndagster says DEBUG\n"
