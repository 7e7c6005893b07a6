"""Building batch by batch gives the same warehouse as building once.

The newest days of demo data are set aside, everything is built, the days land and the
build runs again (incremental staging models take only the new raw batches). A second
home builds all of it at once. Every table of every layer must be the same, row for row,
with one designed exception: contact ids are stable (int_contact_registry keeps the id a
person got first, DESIGN.md), so a person whose earliest identifier only arrived later
keeps the older id. Columns that carry contact ids are compared as a partition instead:
the same identifiers must make up the same people.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb

from pipelines.demo import generate
from pipelines.demo.increment import DAY_FOLDERS, put_back, set_aside_newest_days
from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.settings import paths
from pipelines.transform.build import build
from pipelines.warehouse import connect

AS_OF = {"as_of": "2026-11-24 23:00:00"}
SCHEMAS = ("staging", "intermediate", "marts", "segments")
INCREMENTAL = (
    "stg_whatsapp__messages",
    "stg_whatsapp__statuses",
    "stg_chatwoot__messages",
    "stg_chatwoot__conversation_events",
)


def _ingest_and_build(home: Path) -> None:
    p = paths(home).ensure()
    con = connect(p.warehouse)
    ingest_all(con, p)
    con.close()
    build(home, AS_OF)


# ids that depend on when a person was first registered, and the registry's own history
ID_COLUMNS = ("contact_id", "conversation_id")
REGISTRY = ("intermediate.int_contact_registry", "staging.stg_state__contact_registry")


def _is_id_column(column: str) -> bool:
    return column.endswith(ID_COLUMNS)


def _people(con: duckdb.DuckDBPyConnection, catalog: str) -> set[frozenset[str]]:
    rows = con.execute(
        f"select list(node order by node) from {catalog}.intermediate.int_contact_ids group by contact_id"
    ).fetchall()
    return {frozenset(nodes) for (nodes,) in rows}


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Each table's columns, without the batch times (they differ between the homes) and
    the registry-dependent ids."""
    rows = con.execute(
        "select schema_name || '.' || table_name, column_name from duckdb_columns() "
        f"where schema_name in {SCHEMAS} and database_name = current_database() "
        "and column_name <> 'ingested_at' order by schema_name, table_name, column_index"
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        if table not in REGISTRY and not _is_id_column(column):
            tables.setdefault(table, []).append(f'"{column}"')
    return tables


def _edit_and_late_redelivery(landing: Path) -> None:
    """A Chatwoot message edited early on (message_updated), and its original
    message_created delivered again on the newest day: the edit must still win when the
    stale copy arrives in a later batch than the edit."""
    first = sorted((landing / "chatwoot").rglob("*.jsonl"))[0]
    created = next(json.loads(line) for line in first.read_text().splitlines() if '"message_created"' in line)
    edited = {**created, "event": "message_updated", "content": f"{created['content']} (modificato)"}
    write_jsonl(first.parent / "edits.jsonl", [edited])
    newest = max(f.name for source in DAY_FOLDERS for f in (landing / source).glob("20*-*-*"))
    write_jsonl(landing / "chatwoot" / newest / "late-redelivery.jsonl", [created])


def test_incremental_build_equals_full_build(tmp_path):
    generate(home=tmp_path / "full", seed=4, contacts=80, days=20, end_date=date(2026, 11, 24))
    _edit_and_late_redelivery(paths(tmp_path / "full").landing)
    shutil.copytree(tmp_path / "full", tmp_path / "batches")

    batches = paths(tmp_path / "batches")
    moved = set_aside_newest_days(batches.landing, tmp_path / "later", share=0.2)
    assert moved, "the demo data has day folders to set aside"
    _ingest_and_build(batches.home)
    con = connect(batches.warehouse, read_only=True)
    first = {t: con.execute(f"select count(*) from staging.{t}").fetchone()[0] for t in INCREMENTAL}
    con.close()
    put_back(moved)
    _ingest_and_build(batches.home)
    _ingest_and_build(tmp_path / "full")

    con = connect(batches.warehouse, read_only=True)
    con.execute(f"attach '{paths(tmp_path / 'full').warehouse}' as full_build (read_only)")
    tables = _tables(con)
    assert {f"staging.{t}" for t in INCREMENTAL} <= set(tables)
    for table, columns in sorted(tables.items(), key=lambda kv: (SCHEMAS.index(kv[0].split(".")[0]), kv[0])):
        cols = ", ".join(columns)
        only_batches = con.execute(
            f"select count(*) from (select {cols} from {table} except all select {cols} from full_build.{table})"
        ).fetchone()[0]
        only_full = con.execute(
            f"select count(*) from (select {cols} from full_build.{table} except all select {cols} from {table})"
        ).fetchone()[0]
        assert (only_batches, only_full) == (0, 0), f"{table} differs: {only_batches} / {only_full} rows"

    own = con.execute("select current_database()").fetchone()[0]
    assert _people(con, own) == _people(con, "full_build")

    edited = con.execute(
        "select count(*) from staging.stg_chatwoot__messages where content like '% (modificato)'"
    ).fetchone()[0]
    assert edited == 1, "the edit outlives the late copy of the original"

    # the second build did add rows to the incremental models (it was not a no-op)
    for t in INCREMENTAL:
        assert con.execute(f"select count(*) from staging.{t}").fetchone()[0] > first[t], t
    con.close()
