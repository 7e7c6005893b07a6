"""WhatsApp Cloud API webhook bodies → raw.whatsapp_changes / _messages / _statuses.

A landing line is one webhook body exactly as Meta posted it. Every change of every
entry is kept whole in `raw.whatsapp_changes` (so template, quality, account and
marketing-preference updates, and kinds we do not know yet, are never lost); the
`messages` and `statuses` arrays of `messages` changes are also exploded one row per
item, with the item's raw JSON, into `raw.whatsapp_messages` and
`raw.whatsapp_statuses`. Typing happens in the dbt staging models.

Duplicated deliveries are kept here and removed in staging (by message id, and by
message id and status), so raw stays an honest log of what arrived.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.ingest.files import IngestResult, ingest_files

SOURCE = "whatsapp"

DDL = """
create schema if not exists raw;
create table if not exists raw.whatsapp_changes (
    file varchar not null,
    line_no bigint not null,
    entry_index bigint not null,
    change_index bigint not null,
    waba_id varchar,
    entry_time bigint,
    field varchar,
    phone_number_id varchar,
    display_phone_number varchar,
    value json,
    ingested_at timestamp not null
);
create table if not exists raw.whatsapp_messages (
    file varchar not null,
    line_no bigint not null,
    entry_index bigint not null,
    change_index bigint not null,
    item_index bigint not null,
    waba_id varchar,
    phone_number_id varchar,
    display_phone_number varchar,
    contacts json,
    change_errors json,
    message json,
    ingested_at timestamp not null
);
create table if not exists raw.whatsapp_statuses (
    file varchar not null,
    line_no bigint not null,
    entry_index bigint not null,
    change_index bigint not null,
    item_index bigint not null,
    waba_id varchar,
    phone_number_id varchar,
    display_phone_number varchar,
    status json,
    ingested_at timestamp not null
);
"""

_SHAPE_OK = """coalesce((
    json_type(text::json) = 'OBJECT'
    and json_type(text::json, '$.entry') = 'ARRAY'
    and coalesce(text::json ->> 'object', 'whatsapp_business_account') = 'whatsapp_business_account'
), false)"""


def _load(con: duckdb.DuckDBPyConnection) -> str:
    con.execute(
        f"""
        create or replace temp table _wa_changes as
        with bodies as (
            select file, line_no, text::json as body from _lines where {_SHAPE_OK}
        ),
        entries as (
            select file, line_no,
                   unnest(body -> '$.entry[*]') as entry,
                   unnest(generate_series(1, json_array_length(body, '$.entry')::bigint)) as entry_index
            from bodies
        ),
        changes as (
            select file, line_no, entry_index,
                   entry ->> 'id' as waba_id,
                   try_cast(entry ->> 'time' as bigint) as entry_time,
                   unnest(entry -> '$.changes[*]') as change,
                   unnest(generate_series(1, json_array_length(entry, '$.changes')::bigint)) as change_index
            from entries
            where json_type(entry, '$.changes') = 'ARRAY'
        )
        select file, line_no, entry_index, change_index, waba_id, entry_time,
               change ->> 'field' as field,
               change -> '$.value.metadata' ->> 'phone_number_id' as phone_number_id,
               change -> '$.value.metadata' ->> 'display_phone_number' as display_phone_number,
               change -> 'value' as value,
               now()::timestamp as ingested_at
        from changes
        """
    )
    con.execute("insert into raw.whatsapp_changes select * from _wa_changes")
    for table, key, column, extra in (
        ("whatsapp_messages", "messages", "message", "value -> 'contacts', value -> 'errors',"),
        ("whatsapp_statuses", "statuses", "status", ""),
    ):
        con.execute(
            f"""
            insert into raw.{table}
            select file, line_no, entry_index, change_index,
                   unnest(generate_series(1, json_array_length(value, '$.{key}')::bigint)) as item_index,
                   waba_id, phone_number_id, display_phone_number, {extra}
                   unnest(value -> '$.{key}[*]') as {column},
                   ingested_at
            from _wa_changes
            where json_type(value, '$.{key}') = 'ARRAY'
            """
        )
    return f"""
        select file, line_no,
               'not a WhatsApp Cloud API webhook body (needs object '
               || 'whatsapp_business_account and an entry list)' as reason
        from _lines where not ({_SHAPE_OK})
    """


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    return ingest_files(con, SOURCE, landing / SOURCE, DDL, _load, landing_root=landing)
