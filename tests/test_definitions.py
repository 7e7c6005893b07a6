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


def test_campaign_schedules_start_stopped_when_the_real_cloud_api_is_configured() -> None:
    """Against the simulator a campaign schedule runs by itself; with a real token it
    waits for a person to turn it on (a fresh interpreter reads the environment)."""
    import os
    import subprocess
    import sys

    probe = (
        "from senders.definitions import campaign_schedules; "
        "print(sorted({s.default_status.value for s in campaign_schedules}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_WHATSAPP_")}
    simulated = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    real = subprocess.run(
        [sys.executable, "-c", probe],
        env={**env, "THREADLINE_WHATSAPP_TOKEN": "EAAG-test", "THREADLINE_WHATSAPP_PHONE_NUMBER_ID": "1065"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert simulated.stdout.strip() == "['RUNNING']"
    assert real.stdout.strip() == "['STOPPED']"
    assert "EAAG-test" not in real.stdout + real.stderr
