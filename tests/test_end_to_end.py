"""The whole pipeline on a small generated data set: demo data → Dagster job (ingest,
dbt build, serving, campaign through the loopback Cloud API simulator) → refresh."""

from __future__ import annotations

import os
import sqlite3
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


@pytest.fixture(scope="module")
def pipeline_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("e2e")
    previous = os.environ.get("THREADLINE_HOME")
    os.environ["THREADLINE_HOME"] = str(home)
    for variable in ("THREADLINE_WHATSAPP_TOKEN", "THREADLINE_WHATSAPP_API_URL"):
        os.environ.pop(variable, None)
    try:
        generate(home=home, seed=7, contacts=160, days=75, end_date=END_DATE)
        from pipelines.definitions import defs

        instance = dg.DagsterInstance.ephemeral()
        for job in ("everything", "refresh"):
            result = defs.resolve_job_def(job).execute_in_process(instance=instance)
            assert result.success, job
        yield home
    finally:
        if previous is None:
            os.environ.pop("THREADLINE_HOME", None)
        else:
            os.environ["THREADLINE_HOME"] = previous


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
