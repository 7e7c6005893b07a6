"""The whole pipeline on a small generated data set, run as `make pipeline` runs it
(`python -m pipelines.cli pipeline` in its own process): demo data → Dagster jobs
(ingest, dbt build, serving, campaign through the loopback Cloud API simulator) →
refresh; one line per stage on the terminal, the full log in a file."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.demo import generate
from pipelines.settings import paths

END_DATE = date(2026, 11, 24)
PUBLIC = [
    "marts.fct_messages",
    "marts.fct_conversations",
    "marts.dim_contacts",
    "marts.fct_orders",
    "segments.repurchase_due",
]


REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    home = tmp_path_factory.mktemp("e2e")
    generate(home=home, seed=7, contacts=160, days=75, end_date=END_DATE)
    dagster_home = home / "dagster"
    dagster_home.mkdir()
    shutil.copy(REPO / "pipelines" / "dagster_home" / "dagster.yaml", dagster_home)
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_WHATSAPP_")}
    env.update(THREADLINE_HOME=str(home), DAGSTER_HOME=str(dagster_home),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    run = subprocess.run([sys.executable, "-m", "pipelines.cli", "pipeline"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    return home, run


@pytest.fixture(scope="module")
def pipeline_home(cli_run: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    home = cli_run[0]
    previous = os.environ.get("THREADLINE_HOME")
    os.environ["THREADLINE_HOME"] = str(home)
    for variable in ("THREADLINE_WHATSAPP_TOKEN", "THREADLINE_WHATSAPP_API_URL"):
        os.environ.pop(variable, None)
    try:
        yield home
    finally:
        if previous is None:
            os.environ.pop("THREADLINE_HOME", None)
        else:
            os.environ["THREADLINE_HOME"] = previous


def test_the_terminal_gets_one_line_per_stage_and_the_file_gets_the_whole_log(cli_run):
    home, run = cli_run
    out = run.stdout
    lines = out.splitlines()
    log = Path(re.search(r"^full log: (.+)$", out, re.M).group(1))
    assert log.parent == home / "logs" and log.is_file()
    # one line per stage; progress lines ("… running 15 s") come on top, more of them on
    # a slow machine
    assert len([line for line in lines if "… running" not in line]) < 60, out
    for stage in ("ingest whatsapp", "ingest chatwoot", "phone numbers", "dbt build",
                  "campaign repurchase_reminder", "publish serving copy"):
        assert re.search(rf"^  {stage} .* \d+\.\d s$", out, re.M), (stage, out)
    assert re.search(r"^  ingest whatsapp +[\d,]+ lines from [\d,]+ new files", out, re.M)
    assert re.search(r"^  dbt build +\d+ models and seeds, \d+ tests passed", out, re.M)
    assert "connectors not configured" in out
    assert "everything: ok" in out and "refresh: ok" in out
    assert "DEBUG" not in out and "STEP_START" not in out and "PASS" not in out
    assert run.stderr.strip() == "", run.stderr
    text = log.read_text()
    assert "STEP_START" in text and "RUN_SUCCESS" in text  # the Dagster debug log
    assert re.search(r"Done\. PASS=\d+", text)  # and dbt's own output


def _serving(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(paths(home).serving_warehouse), read_only=True)


def test_public_tables_are_filled(pipeline_home):
    con = _serving(pipeline_home)
    counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in PUBLIC}
    con.close()
    assert all(n > 0 for n in counts.values()), counts


def test_nothing_was_quarantined(pipeline_home):
    con = _serving(pipeline_home)
    rejected = con.execute("select count(*) from raw.rejected_records").fetchone()[0]
    con.close()
    assert rejected == 0


def test_messages_and_conversations_are_consistent(pipeline_home):
    con = _serving(pipeline_home)
    senders = dict(
        con.execute("select sender_type, count(*) from marts.fct_messages group by 1").fetchall()
    )
    orphans = con.execute(
        "select count(*) from marts.fct_messages m left join marts.fct_conversations c "
        "using (conversation_id) where m.conversation_id is not null and c.conversation_id is null"
    ).fetchone()[0]
    counts_match = con.execute(
        """
        select count(*) from marts.fct_conversations c
        join (select conversation_id, count(*) filter (where direction = 'inbound'
                     and message_type <> 'reaction') as n_in
              from marts.fct_messages group by 1) m using (conversation_id)
        where c.inbound_count <> m.n_in
        """
    ).fetchone()[0]
    answered = con.execute(
        "select count(*) filter (where first_response_at is not null), count(*) "
        "from marts.fct_conversations"
    ).fetchone()
    con.close()
    assert {"customer", "operator", "campaign"} <= set(senders), senders
    assert orphans == 0
    assert counts_match == 0
    assert 0 < answered[0] < answered[1], "some conversations answered, some not"


def test_campaign_was_sent_and_its_statuses_came_back(pipeline_home):
    con = _serving(pipeline_home)
    funnel = con.execute(
        """
        select count(*), count(message_id), count(delivered_at), count(read_at),
               count(*) filter (where final_status = 'skipped')
        from marts.fct_campaign_sends
        """
    ).fetchone()
    con.close()
    audience, sent, delivered, read, skipped = funnel
    assert audience > 0 and sent > 0
    assert 0 < delivered <= sent and read <= delivered
    assert audience == sent + skipped + (audience - sent - skipped)


def test_running_the_campaign_again_sends_nothing_new(pipeline_home):
    from pipelines.definitions import defs

    ledger = paths(pipeline_home).send_ledger
    before = sqlite3.connect(ledger).execute("select count(*), count(wamid) from sends").fetchone()
    result = defs.resolve_job_def("campaign_repurchase_reminder").execute_in_process(
        instance=dg.DagsterInstance.ephemeral()
    )
    after = sqlite3.connect(ledger).execute("select count(*), count(wamid) from sends").fetchone()
    assert result.success
    assert after == before
    materialization = result.asset_materializations_for_node("senders__repurchase_reminder")[0]
    assert materialization.metadata["accepted"].value == 0


def test_dashboard_shows_the_pipelines_numbers(pipeline_home, monkeypatch):
    """The Streamlit page on the serving copy the pipeline published (AppTest)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("THREADLINE_HOME", str(pipeline_home))
    con = _serving(pipeline_home)
    audience = con.execute(
        "select count(*) from marts.fct_campaign_sends where campaign_id = 'repurchase_reminder'"
    ).fetchone()[0]
    con.close()
    app = AppTest.from_file(
        str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py"), default_timeout=60
    )
    app.run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Audience"] == f"{audience:,}"
    assert any("first response" in label.lower() for label in metrics)
