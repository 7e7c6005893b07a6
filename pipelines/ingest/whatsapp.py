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
    value json using compression zstd,
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
    contacts json using compression zstd,
    change_errors json using compression zstd,
    message json using compression zstd,
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
    status json using compression zstd,
    ingested_at timestamp not null
);
"""

# Each body is parsed once into the envelope's shape (json_transform yields NULL where a
# part has another type: an `entry` that is not a list, `changes` that are not a list),
# and each change's value once into the parts we explode.
_ENVELOPE = (
    '{"object": "VARCHAR", "entry": [{"id": "VARCHAR", "time": "VARCHAR",'
    ' "changes": [{"field": "VARCHAR", "value": "JSON"}]}]}'
)
_VALUE = (
    '{"metadata": {"phone_number_id": "VARCHAR", "display_phone_number": "VARCHAR"},'
    ' "contacts": "JSON", "errors": "JSON", "messages": ["JSON"], "statuses": ["JSON"]}'
)


def _load(con: duckdb.DuckDBPyConnection) -> str:
    con.execute(
        f"""
        create or replace temp table _wa_bodies as
        select file, line_no, json_transform(text, '{_ENVELOPE}') as body
        from _lines
        """
    )
    shape_ok = (
        "body.entry is not null and coalesce(body.object, 'whatsapp_business_account') "
        "= 'whatsapp_business_account'"
    )
    con.execute(
        f"""
        create or replace temp table _wa_changes as
        with entries as (
            select file, line_no,
                   generate_subscripts(body.entry, 1) as entry_index,
                   unnest(body.entry) as entry
            from _wa_bodies
            where {shape_ok}
        ),
        changes as (
            select file, line_no, entry_index,
                   entry.id as waba_id,
                   try_cast(entry.time as bigint) as entry_time,
                   generate_subscripts(entry.changes, 1) as change_index,
                   unnest(entry.changes) as change
            from entries
            where entry.changes is not null
        ),
        valued as (
            select *, json_transform(change.value, '{_VALUE}') as parts
            from changes
        )
        select file, line_no, entry_index, change_index, waba_id, entry_time,
               change.field as field,
               parts.metadata.phone_number_id as phone_number_id,
               parts.metadata.display_phone_number as display_phone_number,
               change.value as value,
               parts.contacts as contacts,
               parts.errors as errors,
               parts.messages as messages,
               parts.statuses as statuses,
               now()::timestamp as ingested_at
        from valued
        """
    )
    con.execute(
        """
        insert into raw.whatsapp_changes
        select file, line_no, entry_index, change_index, waba_id, entry_time, field,
               phone_number_id, display_phone_number, value, ingested_at
        from _wa_changes
        """
    )
    con.execute(
        """
        insert into raw.whatsapp_messages
        select file, line_no, entry_index, change_index,
               generate_subscripts(messages, 1) as item_index,
               waba_id, phone_number_id, display_phone_number, contacts, errors,
               unnest(messages) as message,
               ingested_at
        from _wa_changes
        where messages is not null
        """
    )
    con.execute(
        """
        insert into raw.whatsapp_statuses
        select file, line_no, entry_index, change_index,
               generate_subscripts(statuses, 1) as item_index,
               waba_id, phone_number_id, display_phone_number,
               unnest(statuses) as status,
               ingested_at
        from _wa_changes
        where statuses is not null
        """
    )
    return f"""
        select file, line_no,
               'not a WhatsApp Cloud API webhook body (needs object '
               || 'whatsapp_business_account and an entry list)' as reason
        from _wa_bodies where not coalesce({shape_ok}, false)
    """


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    return ingest_files(con, SOURCE, landing / SOURCE, DDL, _load, landing_root=landing)
