"""The Streamlit app, run in-process with AppTest against the fixture snapshot."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
from dashboard_fixture import APP_PATH, build_serving_db
from streamlit.testing.v1 import AppTest


def _run_app() -> AppTest:
    app = AppTest.from_file(str(APP_PATH), default_timeout=90)
    return app.run()


def _metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_kpis_show_the_known_medians_and_counts(serving_db: Path) -> None:
    app = _run_app()

    assert not app.exception
    metrics = _metrics(app)
    assert metrics["Median first response"] == "12.5 min"
    assert metrics["P90 first response"] == "78 min"
    assert metrics["Answered within 1 h"] == "70.0%"
    assert metrics["Unanswered"] == "2"
    assert metrics["Median (business hours)"] == "7.5 min"
    assert metrics["P90 (business hours)"] == "39 min"
    assert metrics["Conversations opened"] == "10"
    assert metrics["Inbound messages"] == "6"
    assert metrics["Outbound messages"] == "6"


def test_funnel_numbers_match_the_fixture(serving_db: Path) -> None:
    app = _run_app()

    metrics = _metrics(app)
    funnel = {stage: metrics[stage] for stage in ("Audience", "Skipped", "Sent")}
    funnel |= {stage: metrics[stage] for stage in ("Delivered", "Read", "Failed")}
    assert funnel == {
        "Audience": "10",
        "Skipped": "2",
        "Sent": "8",
        "Delivered": "5",
        "Read": "3",
        "Failed": "2",
    }
    table = next(frame.value for frame in app.dataframe if "Stage" in frame.value.columns)
    assert dict(zip(table["Stage"], table["Contacts"], strict=True)) == funnel

    app.selectbox(key="campaign").select("cart-reminder").run()
    metrics = _metrics(app)
    assert [metrics[s] for s in ("Audience", "Skipped", "Sent", "Delivered", "Read", "Failed")] == [
        "3",
        "0",
        "3",
        "2",
        "1",
        "1",
    ]
    assert not app.exception


def test_sidebar_channel_filter_changes_the_kpis(serving_db: Path) -> None:
    app = _run_app()

    app.sidebar.multiselect(key="channels").set_value(["instagram"]).run()

    assert not app.exception
    metrics = _metrics(app)
    assert metrics["Median first response"] == "62.5 min"
    assert metrics["Unanswered"] == "1"


def test_without_a_snapshot_the_app_says_to_run_the_pipeline(threadline_home: Path) -> None:
    app = _run_app()

    assert not app.exception
    assert any("make pipeline" in info.value for info in app.info)
    assert not app.metric


def test_empty_tables_and_missing_tables_show_messages(threadline_home: Path) -> None:
    db = build_serving_db(threadline_home / "serving" / "warehouse.duckdb")
    con = duckdb.connect(str(db))
    try:
        con.execute("delete from marts.fct_conversations")
        con.execute("delete from marts.fct_messages")
        con.execute("drop table marts.fct_campaign_sends")
    finally:
        con.close()

    app = _run_app()

    assert not app.exception
    infos = " ".join(info.value for info in app.info)
    assert "No conversations were opened" in infos
    assert "No conversations or messages" in infos
    assert "fct_campaign_sends" in infos


def test_a_replaced_snapshot_is_read_at_once(serving_db: Path, tmp_path: Path) -> None:
    app = _run_app()
    assert _metrics(app)["Unanswered"] == "2"

    # Publish a new copy the way the pipeline does: write elsewhere, then rename over it.
    staged = build_serving_db(tmp_path / "staging" / "warehouse.duckdb")
    con = duckdb.connect(str(staged))
    try:
        con.execute(
            "update marts.fct_conversations set first_response_at = null, "
            "first_response_seconds = null where conversation_id = 'cv08'"
        )
    finally:
        con.close()
    shutil.copyfile(staged, serving_db.with_suffix(".next"))
    os.replace(serving_db.with_suffix(".next"), serving_db)

    app.run()

    assert not app.exception
    assert _metrics(app)["Unanswered"] == "3"


def test_segments_list_sizes_overlap_and_members(serving_db: Path) -> None:
    app = _run_app()

    assert not app.exception
    listed = app.table[0].value
    assert list(listed.index) == ["repurchase_due", "vip_customers"]
    assert list(listed["Members"]) == ["3", "2"]
    assert list(listed["Purpose"]) == ["marketing", "service"]
    metrics = _metrics(app)
    assert (metrics["In repurchase_due"], metrics["In vip_customers"]) == ("3", "2")
    assert (metrics["In both"], metrics["Jaccard index"]) == ("1", "0.25")
    members = next(frame.value for frame in app.dataframe if "first_name" in frame.value.columns)
    assert list(members["contact_id"]) == ["c01", "c02", "c03"]

    app.selectbox(key="segment").select("vip_customers").run()
    members = next(frame.value for frame in app.dataframe if "orders" in frame.value.columns)
    assert list(members["contact_id"]) == ["c02", "c05"]
    assert _metrics(app)["In both"] == "1"
