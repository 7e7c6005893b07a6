"""`dbt source freshness` on the raw tables (models/staging/sources.yml): after an ingest,
a loaded table passes with the `ingested_at` of its batch; a table that has no rows yet
or does not exist yet (its source never delivered, its ingest never ran) does not make
the command fail (models/macros/source_freshness.sql); thresholds still apply to tables
that have been loaded."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pipelines.ingest import whatsapp
from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.transform.build import dbt
from pipelines.warehouse import connect
from tests.test_first_response_known_case import inbound

SOURCE = "source.threadline.raw."
# raw tables without `ingested_at`: declared with freshness switched off
WITHOUT_FRESHNESS = {
    "campaign_sends",
    "contact_registry_state",
    "phone_numbers",
    "phone_number_scans",
    "rejected_records",
    # the segment membership history's saved copy (source segment_state, models/segments/)
    "segment_membership_state",
}


def _land_one_message(home) -> None:  # type: ignore[no-untyped-def]
    write_jsonl(
        home.landing / "whatsapp" / "2026-03-03" / "freshness.jsonl",
        [inbound("wamid.fresh-1", "2026-03-03T09:00:00+00:00", "Buongiorno")],
    )


def _freshness(home, target: Path, check: bool = True):  # type: ignore[no-untyped-def]
    """`dbt source freshness` into its own target folder (not models/target); returns the
    finished process and sources.json's results by table name."""
    result = dbt(["source", "freshness", "--target-path", str(target)], home.home, check=check)
    artifact = json.loads((target / "sources.json").read_text(encoding="utf-8"))
    by_table = {
        r["unique_id"].removeprefix(SOURCE): r
        for r in artifact["results"]
        if r["unique_id"].startswith(SOURCE)
    }
    return result, by_table


def test_freshness_passes_after_ingest_and_covers_every_table_with_ingested_at(home, tmp_path):
    _land_one_message(home)
    con = connect(home.warehouse)
    ingest_all(con, home)
    loaded_at = con.execute("select max(ingested_at) from raw.whatsapp_messages").fetchone()[0]
    with_ingested_at = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.columns "
            "where table_schema = 'raw' and column_name = 'ingested_at'"
        ).fetchall()
    }
    raw_tables = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    con.close()

    result, by_table = _freshness(home, tmp_path / "target")

    assert result.returncode == 0
    messages = by_table["whatsapp_messages"]
    assert messages["status"] == "pass"
    assert messages["max_loaded_at"] is not None
    assert datetime.fromisoformat(messages["max_loaded_at"]) == loaded_at.replace(tzinfo=UTC)
    assert 0 <= messages["max_loaded_at_time_ago_in_s"] < 2 * 86400
    assert messages["criteria"]["warn_after"] == {"count": 2, "period": "day"}
    assert messages["criteria"]["error_after"] == {"count": 7, "period": "day"}
    # every raw table that has `ingested_at` is checked (so none is left undeclared), the
    # others are declared without freshness
    assert set(by_table) == with_ingested_at
    assert raw_tables - with_ingested_at == WITHOUT_FRESHNESS
    # a source that delivered nothing yet (its table exists, empty) is not measured
    assert by_table["woocommerce_orders"]["status"] == "pass"
    assert '"raw"."woocommerce_orders" not measured: the table has no rows yet' in result.stdout


def test_tables_not_created_yet_do_not_fail_and_thresholds_still_apply(home, tmp_path):
    # only the WhatsApp ingest has run: the other sources' raw tables do not exist
    _land_one_message(home)
    con = connect(home.warehouse)
    whatsapp.ingest(con, home.landing)
    # the WhatsApp changes were loaded three days ago: past warn_after (2 days)
    con.execute("update raw.whatsapp_changes set ingested_at = ingested_at - interval 3 days")
    missing = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'chatwoot_events'"
    ).fetchone()[0]
    con.close()
    assert missing == 0

    result, by_table = _freshness(home, tmp_path / "target")

    assert result.returncode == 0  # a warning does not fail the command
    assert by_table["whatsapp_messages"]["status"] == "pass"
    assert by_table["whatsapp_changes"]["status"] == "warn"
    assert by_table["chatwoot_events"]["status"] == "pass"
    assert '"raw"."chatwoot_events" not measured: the table does not exist yet' in result.stdout
