"""The campaign send ledger (SQLite, owned by senders/) → raw.campaign_sends.

The ledger is the durable record of what was sent; the warehouse gets a full copy at
every ingest (it is small), so a warehouse rebuilt from landing files loses nothing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import polars as pl

COLUMNS: dict[str, pl.DataType] = {
    "campaign_id": pl.String(),
    "run_id": pl.String(),
    "contact_id": pl.String(),
    "phone": pl.String(),
    "variant": pl.String(),
    "is_holdout": pl.Boolean(),
    "template_name": pl.String(),
    "template_language": pl.String(),
    "status": pl.String(),
    "skip_reason": pl.String(),
    "wamid": pl.String(),
    "error_code": pl.Int64(),
    "error_detail": pl.String(),
    "reserved_at": pl.String(),
    "sent_at": pl.String(),
}

LEDGER_TABLE = "sends"


def read_ledger(path: Path) -> pl.DataFrame:
    """All ledger rows with the columns the warehouse expects (empty if no ledger yet)."""
    if not path.exists():
        return pl.DataFrame(schema=COLUMNS)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as ledger:
        cursor = ledger.execute(f"select * from {LEDGER_TABLE}")
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    frame = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in COLUMNS.items()
        ]
    )


def sync(con: duckdb.DuckDBPyConnection, ledger_path: Path) -> int:
    frame = read_ledger(ledger_path)
    con.execute("create schema if not exists raw")
    con.register("_ledger", frame)
    con.execute("create or replace table raw.campaign_sends as select * from _ledger")
    con.unregister("_ledger")
    return frame.height
