"""Chatwoot webhook events → raw.chatwoot_events (one row per event, payload kept whole).

The shared inbox tells who was assigned, which labels were added, private notes,
resolutions and the operators' and bots' replies. Staging splits message events from
conversation events.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.ingest.files import IngestResult, ingest_files

SOURCE = "chatwoot"

DDL = """
create schema if not exists raw;
create table if not exists raw.chatwoot_events (
    file varchar not null,
    line_no bigint not null,
    event varchar not null,
    payload json not null,
    ingested_at timestamp not null
);
"""

_SHAPE_OK = (
    "coalesce((json_type(text::json) = 'OBJECT' and (text::json ->> 'event') is not null), false)"
)


def _load(con: duckdb.DuckDBPyConnection) -> str:
    con.execute(
        f"""
        insert into raw.chatwoot_events
        select file, line_no, text::json ->> 'event', text::json, now()::timestamp
        from _lines where {_SHAPE_OK}
        """
    )
    return f"""
        select file, line_no, 'not a Chatwoot webhook event (no event name)' as reason
        from _lines where not ({_SHAPE_OK})
    """


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    return ingest_files(con, SOURCE, landing / SOURCE, DDL, _load, landing_root=landing)
