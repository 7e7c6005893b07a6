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
    payload json using compression zstd not null,
    ingested_at timestamp not null
);
"""

# an event name implies an object (the path finds nothing in an array or a scalar)
def _load(con: duckdb.DuckDBPyConnection) -> str:
    con.execute(
        "create or replace temp table _cw_events as "
        "select file, line_no, json_extract_string(text, '$.event') as event, text from _lines"
    )
    con.execute(
        """
        insert into raw.chatwoot_events
        select file, line_no, event, text, now()::timestamp
        from _cw_events where event is not null
        """
    )
    return """
        select file, line_no, 'not a Chatwoot webhook event (no event name)' as reason
        from _cw_events where event is null
    """


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    return ingest_files(con, SOURCE, landing / SOURCE, DDL, _load, landing_root=landing)
