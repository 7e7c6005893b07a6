"""Web chat widget events (Threadline's own format) → raw.webchat_events.

`landing/webchat/**/*.jsonl`, one event a line, written by the site's chat backend (the
format is documented in `pipelines/ingest/FORMATS.md`):

    {"event_id": "evt-1", "type": "message", "site_id": "site-casa-brera",
     "session_id": "s-42", "visitor": {"id": "v-9", "name": "Anna", "email": "...",
     "phone": "..."}, "direction": "inbound",
     "sender": {"type": "visitor" | "operator" | "bot", "id": "...", "name": "..."},
     "text": "Buongiorno", "sent_at": "2026-03-05T10:15:00+01:00"}

Other `type`s (`session_started`, `session_closed`, `visitor_identified`, and any new
one) are kept as they are. Every event needs a non-empty string `event_id`, `type` and
`site_id` and a `sent_at` in ISO-8601 with a UTC offset (`Z` or `+01:00`); a `message`
also needs a `session_id` and a `direction` of `inbound` or `outbound`. Anything else
is quarantined in raw.rejected_records with the reason. The event is kept whole in
`payload`; staging types it and removes repeated deliveries (by `event_id`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.ingest.files import IngestResult, ingest_files

SOURCE = "webchat"

DDL = """
create schema if not exists raw;
create table if not exists raw.webchat_events (
    file varchar not null,
    line_no bigint not null,
    event_id varchar not null,
    type varchar not null,
    site_id varchar not null,
    session_id varchar,
    payload json using compression zstd not null,
    ingested_at timestamp not null
);
"""

# ISO-8601 with an explicit offset: the end of the text is Z or +hh[:mm]
_OFFSET = r"(Z|z|[+-]\d{2}(:?\d{2})?)$"


def _present(field: str) -> str:
    return (f"coalesce(json_type(event, '$.{field}') = 'VARCHAR'"
            f" and trim(event ->> '{field}') <> '', false)")


_REASON = f"""case
    when json_type(event) <> 'OBJECT' then 'not a web chat event (not a JSON object)'
    when not {_present('event_id')} then 'no event_id (a non-empty string)'
    when not {_present('type')} then 'no type (a non-empty string)'
    when not {_present('site_id')} then 'no site_id (a non-empty string)'
    when not {_present('sent_at')} then 'no sent_at'
    when try_cast(event ->> 'sent_at' as timestamptz) is null
         or not regexp_matches(trim(event ->> 'sent_at'), '{_OFFSET}')
        then 'unreadable sent_at ''' || (event ->> 'sent_at')
             || ''' (expected ISO-8601 with a UTC offset, e.g. 2026-03-05T10:15:00+01:00)'
    when event ->> 'type' = 'message' and not {_present('session_id')}
        then 'message event without session_id'
    when event ->> 'type' = 'message'
         and coalesce(event ->> 'direction', '') not in ('inbound', 'outbound')
        then 'message event direction must be inbound or outbound, not '
             || coalesce('''' || (event ->> 'direction') || '''', 'missing')
    else null
end"""


def _load(con: duckdb.DuckDBPyConnection) -> str:
    con.execute(
        f"""
        create or replace temp table _webchat as
        select file, line_no, event, {_REASON} as reason
        from (select file, line_no, text::json as event from _lines)
        """
    )
    con.execute(
        """
        insert into raw.webchat_events
        select file, line_no, event ->> 'event_id', event ->> 'type', event ->> 'site_id',
               nullif(trim(event ->> 'session_id'), ''), event, now()::timestamp
        from _webchat
        where reason is null
        order by file, line_no
        """
    )
    return "select file, line_no, reason from _webchat where reason is not null"


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    return ingest_files(con, SOURCE, landing / SOURCE, DDL, _load, landing_root=landing)
