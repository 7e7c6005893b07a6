"""The Dagster code location loads cleanly, as `dagster dev` would load it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

REPO = Path(__file__).resolve().parents[1]


def test_definitions_validate_without_errors_or_warnings(tmp_path):
    env = {**os.environ, "THREADLINE_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path)}
    env.pop("PYTHONWARNINGS", None)
    result = subprocess.run(
        [
            sys.executable,
            "-W",
            "always",
            "-c",
            "import pipelines.definitions as d; d.defs.resolve_all_job_defs(); print('loaded')",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout
    ours = [
        line for line in result.stderr.splitlines() if "Warning" in line and "sqlglotrs" not in line
    ]
    assert ours == [], result.stderr


def test_definitions_hold_the_pieces_of_the_data_flow():
    from pipelines.definitions import defs

    keys = {key.to_user_string() for key in defs.resolve_all_asset_keys()}
    assert {
        "raw/whatsapp_messages",
        "raw/chatwoot_events",
        "raw/shopify_orders",
        "marts/fct_messages",
        "marts/fct_conversations",
        "marts/dim_contacts",
        "marts/fct_orders",
        "segments/repurchase_due",
        "senders/repurchase_reminder",
        "serving/warehouse_snapshot",
    } <= keys
    schedules = {s.name: s for s in defs.schedules}
    assert any(s.cron_schedule == "0 10 * * *" for s in schedules.values())
    assert isinstance(defs.executor, dg.ExecutorDefinition)
    job = defs.resolve_job_def("refresh")
    assert "senders__repurchase_reminder" not in {n.name for n in job.graph.nodes}
