"""Shopify abandoned checkouts → raw.shopify_checkouts (one row per checkout version seen).

`pipelines.connectors.shopify_api` lands `checkouts.json` pages in
`landing/shopify/checkouts/`, one checkout object a line. A checkout is landed again
each time it changes (and once more when completed); staging keeps the latest version
by `updated_at`. `checkout_token` is the checkout's `token`, which an order that
recovers it carries as `checkout_token`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.ingest.files import IngestResult, ingest_files

SOURCE = "shopify_checkouts"

DDL = """
create schema if not exists raw;
create table if not exists raw.shopify_checkouts (
    file varchar not null,
    line_no bigint not null,
    checkout_id varchar not null,
    checkout_token varchar,
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
        insert into raw.shopify_checkouts
        select file, line_no, text::json ->> 'id', text::json ->> 'token',
               text::json ->> 'updated_at', text::json, now()::timestamp
        from _lines where {_SHAPE_OK}
        """
    )
    return f"""
        select file, line_no, 'not a Shopify checkout (no id)' as reason
        from _lines where not ({_SHAPE_OK})
    """


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    return ingest_files(
        con, SOURCE, landing / "shopify" / "checkouts", DDL, _load, landing_root=landing
    )
