"""Shopify Admin REST orders → raw.shopify_orders (one row per order version seen).

An order is landed again each time it changes (paid, fulfilled, cancelled); staging
keeps the latest version by `updated_at`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.ingest.files import IngestResult, ingest_files

SOURCE = "shopify"

DDL = """
create schema if not exists raw;
create table if not exists raw.shopify_orders (
    file varchar not null,
    line_no bigint not null,
    order_id varchar not null,
    updated_at varchar,
    payload json using compression zstd not null,
    ingested_at timestamp not null
);
"""

_SHAPE_OK = (
    "coalesce((json_type(text::json) = 'OBJECT' and (text::json ->> 'id') is not null), false)"
)


def _load(con: duckdb.DuckDBPyConnection) -> str:
    con.execute(
        f"""
        insert into raw.shopify_orders
        select file, line_no, text::json ->> 'id', text::json ->> 'updated_at', text::json,
               now()::timestamp
        from _lines where {_SHAPE_OK}
        """
    )
    return f"""
        select file, line_no, 'not a Shopify order (no id)' as reason
        from _lines where not ({_SHAPE_OK})
    """


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    return ingest_files(con, SOURCE, landing / SOURCE / "orders", DDL, _load, landing_root=landing)
