"""Messenger and Instagram webhook bodies → raw.meta_messaging_events (one row per item).

A landing line (`landing/messenger/**/*.jsonl`, `landing/instagram/**/*.jsonl`) is one
webhook body exactly as Meta posted it: `{"object": "page" | "instagram", "entry":
[{"id", "time", "messaging": [...]}]}`. Every item of every entry's `messaging` list,
of its `standby` list (threads another app owns) and of its `changes` list (feed-style
notifications such as Instagram comments) becomes one row, with the item's JSON whole
beside the extracted columns:

- `event_kind`: `message`, `echo` (a `message` with `is_echo: true`, the business's own
  reply), `postback`, `reaction`, `read`, `delivery`, `referral`; any other key is kept
  under its own name (`messaging_seen`, `message_edit`, `optin`, `pass_thread_control`,
  ...): an unknown kind is never rejected. A `changes` item's kind is its `field`.
- `timestamp_ms`, `entry_time`: epoch milliseconds, as Meta sends them (WhatsApp's are
  seconds). A `changes` item has no `timestamp_ms` (its `value` carries its own clock).
- `mid`: the message id the item is about (message, echo, reaction, postback, and the
  Instagram read receipt's `mid`), when it has one.

A line that is not JSON, not a Messenger/Instagram body (no `object` page or instagram,
no `entry` list, entries or items that are not objects), or that the receiver could only
keep as an unparsable envelope, goes to raw.rejected_records with the reason. Duplicated
deliveries stay here; staging removes them (by `mid` and kind, or by the whole item).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.ingest.files import IngestResult, ingest_files

SOURCES = ("messenger", "instagram")
OBJECTS = ("page", "instagram")
ITEM_LISTS = ("messaging", "standby", "changes")
KNOWN_KINDS = ("postback", "reaction", "read", "delivery", "referral")

DDL = """
create schema if not exists raw;
create table if not exists raw.meta_messaging_events (
    file varchar not null,
    line_no bigint not null,
    object varchar not null,
    entry_index bigint not null,
    entry_id varchar,
    entry_time bigint,
    list_name varchar not null,
    item_index bigint not null,
    event_kind varchar not null,
    sender_id varchar,
    recipient_id varchar,
    timestamp_ms bigint,
    mid varchar,
    item json using compression zstd not null,
    ingested_at timestamp not null
);
"""


def _not_all(path: str, allowed: str) -> str:
    """True when some value matched by the wildcard `path` has a JSON type not in `allowed`."""
    return (f"len(list_filter(json_type(body, '{path}'), "
            f"lambda t: t not in ({allowed}))) > 0")


def _reason_sql() -> str:
    """The quarantine reason of one body (NULL when it is a good one)."""
    objects = ", ".join(f"'{o}'" for o in OBJECTS)
    checks = [
        ("json_type(body) <> 'OBJECT'",
         "'not a Messenger or Instagram webhook body (not a JSON object)'"),
        ("json_type(body, '$.threadline_unparsable_body') = 'OBJECT'",
         "'the receiver could not parse this body ('"
         " || coalesce(body -> 'threadline_unparsable_body' ->> 'reason', 'unknown reason')"
         " || '); its bytes are in raw_text, base64-encoded'"),
        (f"coalesce(body ->> 'object', '') not in ({objects})",
         "'not a Messenger or Instagram webhook body (object is '"
         " || coalesce('''' || (body ->> 'object') || '''', 'missing')"
         " || ', expected page or instagram)'"),
        ("coalesce(json_type(body, '$.entry'), '') <> 'ARRAY'",
         "'not a Messenger or Instagram webhook body (no entry list)'"),
        (_not_all("$.entry[*]", "'OBJECT'"), "'an entry of the body is not a JSON object'"),
    ]
    for name in ITEM_LISTS:
        checks.append((_not_all(f"$.entry[*].{name}", "'ARRAY', 'NULL'"),
                       f"'an entry''s {name} is not a list'"))
        checks.append((_not_all(f"$.entry[*].{name}[*]", "'OBJECT'"),
                       f"'an item of an entry''s {name} list is not a JSON object'"))
    whens = "\n".join(f"            when {test} then {reason}" for test, reason in checks)
    return f"case\n{whens}\n            else null\n        end"


def _items_sql(list_name: str) -> str:
    return f"""
        select file, line_no, object, entry_index,
               entry ->> 'id' as entry_id,
               try_cast(entry ->> 'time' as bigint) as entry_time,
               '{list_name}' as list_name,
               unnest(generate_series(1, json_array_length(entry, '$.{list_name}')::bigint))
                   as item_index,
               unnest(entry -> '$.{list_name}[*]') as item
        from _meta_entries
        where json_type(entry, '$.{list_name}') = 'ARRAY'
    """


def _kind_key_sql() -> str:
    """The key of a `messaging`/`standby` item that says what happened."""
    known = "\n".join(
        f"            when (item -> '{key}') is not null then '{key}'" for key in KNOWN_KINDS
    )
    return f"""case
            when (item -> 'message') is not null then 'message'
{known}
            else list_filter(json_keys(item),
                             lambda k: k not in ('sender', 'recipient', 'timestamp'))[1]
        end"""


def _load(con: duckdb.DuckDBPyConnection) -> str:
    con.execute(
        f"""
        create or replace temp table _meta_bodies as
        select file, line_no, body, {_reason_sql()} as reason
        from (select file, line_no, text::json as body from _lines)
        """
    )
    con.execute(
        """
        create or replace temp table _meta_entries as
        select file, line_no, body ->> 'object' as object,
               unnest(body -> '$.entry[*]') as entry,
               unnest(generate_series(1, json_array_length(body, '$.entry')::bigint))
                   as entry_index
        from _meta_bodies
        where reason is null
        """
    )
    items = " union all ".join(_items_sql(name) for name in ITEM_LISTS)
    con.execute(
        f"""
        create or replace temp table _meta_items as
        select *, case when list_name = 'changes' then null else {_kind_key_sql()} end
                  as kind_key
        from ({items})
        """
    )
    con.execute(
        """
        insert into raw.meta_messaging_events
        select file, line_no, object, entry_index, entry_id, entry_time, list_name,
               item_index,
               case
                   when list_name = 'changes' then coalesce(item ->> 'field', 'change')
                   when kind_key = 'message'
                        and coalesce(try_cast(item -> 'message' ->> 'is_echo' as boolean),
                                     false)
                       then 'echo'
                   else coalesce(kind_key, 'unknown')
               end as event_kind,
               coalesce(item -> 'sender' ->> 'id', item -> '$.value.sender' ->> 'id',
                        item -> '$.value.from' ->> 'id') as sender_id,
               coalesce(item -> 'recipient' ->> 'id',
                        item -> '$.value.recipient' ->> 'id') as recipient_id,
               case when list_name <> 'changes'
                    then try_cast(item ->> 'timestamp' as bigint) end as timestamp_ms,
               case
                   when list_name = 'changes' then item -> '$.value.message' ->> 'mid'
                   when kind_key is not null
                       then json_extract_string(item, '$."' || kind_key || '".mid')
               end as mid,
               item,
               now()::timestamp as ingested_at
        from _meta_items
        order by file, line_no, entry_index, list_name, item_index
        """
    )
    return "select file, line_no, reason from _meta_bodies where reason is not null"


def ingest_source(
    con: duckdb.DuckDBPyConnection, landing: Path, source: str
) -> IngestResult:
    """One landing folder (`messenger` or `instagram`)."""
    if source not in SOURCES:
        raise ValueError(f"unknown Meta messaging source {source!r}; expected one of {SOURCES}")
    return ingest_files(con, source, landing / source, DDL, _load, landing_root=landing)


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    """Messenger, then Instagram; the counts summed."""
    results = [ingest_source(con, landing, source) for source in SOURCES]
    return IngestResult.summed("meta_messaging", results)
