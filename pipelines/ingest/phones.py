"""Phone numbers as people and systems write them → E.164, with the `phonenumbers` library.

WhatsApp gives `wa_id` (international digits, no plus sign); a shop or an inbox gives
whatever the customer typed ("333 123 4567", "+39 02 ...", "0039..."), read with Italy
as the default region. Each distinct raw value is parsed once and kept in
`raw.phone_numbers`, which staging models join to get `phone_e164`; values that are
not valid numbers are kept with `is_valid = false` and no E.164, never guessed.
"""

from __future__ import annotations

import duckdb
import phonenumbers
import polars as pl

from pipelines.ingest.workers import map_in_processes

DEFAULT_REGION = "IT"

DDL = """
create schema if not exists raw;
create table if not exists raw.phone_numbers (
    kind varchar not null,          -- 'wa_id' (digits without plus) or 'typed'
    raw_value varchar not null,
    phone_e164 varchar,
    region_code varchar,            -- ISO 3166 alpha-2, e.g. IT
    country_calling_code integer,
    is_valid boolean not null,
    primary key (kind, raw_value)
);
"""

# Every place a phone number appears in raw data: table -> (kind, SQL list of the row's
# raw values). JSON documents are parsed once per row (a list of paths). A raw table
# that does not exist yet is skipped.
SOURCES: dict[str, tuple[str, str]] = {
    "raw.whatsapp_messages": (
        "wa_id",
        "list_concat([message ->> 'from'], json_extract_string(contacts, '$[*].wa_id'))",
    ),
    "raw.whatsapp_statuses": ("wa_id", "[status ->> 'recipient_id']"),
    "raw.whatsapp_changes": (
        "wa_id",
        "case when field = 'user_preferences' then json_extract_string(value, '$.user_preferences[*].wa_id') end",
    ),
    "raw.chatwoot_events": (
        "typed",
        "json_extract_string(payload, ['$.sender.phone_number', "
        "'$.conversation.meta.sender.phone_number', '$.meta.sender.phone_number', '$.phone_number'])",
    ),
    "raw.shopify_orders": (
        "typed",
        "json_extract_string(payload, ['$.phone', '$.customer.phone', '$.billing_address.phone'])",
    ),
    "raw.shopify_checkouts": (
        "typed",
        "json_extract_string(payload, ['$.phone', '$.customer.phone', '$.billing_address.phone'])",
    ),
    "raw.woocommerce_orders": ("typed", "[billing_phone]"),
    "raw.hubspot_contacts": (
        "typed",
        "json_extract_string(payload, ['$.properties.phone', '$.properties.mobilephone', "
        "'$.properties.hs_whatsapp_phone_number'])",
    ),
    "raw.hubspot_contacts_csv": ("typed", "[phone, mobile_phone, whatsapp_phone]"),
    "raw.calls": ("typed", "[caller, callee]"),
    "raw.canonical_messages": ("typed", "[contact_phone]"),
    "raw.appointments": ("typed", "cast(attendee_phones as varchar[])"),
    "raw.webchat_events": ("typed", "json_extract_string(payload, ['$.visitor.phone'])"),
    "raw.campaign_sends": ("typed", "[phone]"),
    "raw.consent_forms": ("typed", "[phone]"),
}

# How far each table has been read: raw tables are append-only with an `ingested_at`,
# so a refresh reads only the rows of batches it has not read yet (the last batch it
# read is read again, which costs little and cannot miss a row). Tables without
# `ingested_at` (rebuilt whole, like the send ledger copy) are read whole each time.
SCANS_DDL = """
create table if not exists raw.phone_number_scans (
    table_name varchar primary key,
    scanned_to timestamp not null
);
"""


def normalize(kind: str, raw_value: str) -> tuple[str | None, str | None, int | None, bool]:
    """(E.164, region, country calling code, is_valid) for one raw value."""
    text = raw_value.strip()
    if kind == "wa_id" and text.isdigit():
        text = "+" + text
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None, None, None, False
    if not phonenumbers.is_valid_number(number):
        return None, None, number.country_code, False
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.region_code_for_number(number), number.country_code, True


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_schema || '.' || table_name from information_schema.tables").fetchall()
    return {row[0] for row in rows}


def _has_ingested_at(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.columns "
            "where table_schema = ? and table_name = ? and column_name = 'ingested_at'",
            [schema, name],
        ).fetchone()[0]
    )


def refresh(con: duckdb.DuckDBPyConnection) -> int:
    """Parse the raw phone values not seen before; returns how many were added."""
    con.execute(DDL)
    con.execute(SCANS_DDL)
    tables = _existing_tables(con)
    scanned = dict(con.execute("select table_name, scanned_to from raw.phone_number_scans").fetchall())
    pending: set[tuple[str, str]] = set()
    watermarks: list[tuple[str, object]] = []
    for table, (kind, values) in SOURCES.items():
        if table not in tables:
            continue
        incremental = _has_ingested_at(con, table)
        since = "where ingested_at >= ?" if incremental and table in scanned else ""
        rows = con.execute(
            f"""
            select distinct v from (
                select unnest({values}) as v from {table} {since}
            ) as t
            where v is not null and trim(v) <> ''
              and not exists (
                  select 1 from raw.phone_numbers p where p.kind = ? and p.raw_value = t.v
              )
            """,
            ([scanned[table]] if since else []) + [kind],
        ).fetchall()
        pending.update((kind, row[0]) for row in rows)
        if incremental:
            newest = con.execute(f"select max(ingested_at) from {table}").fetchone()[0]
            if newest is not None:
                watermarks.append((table, newest))
    con.execute("begin transaction")
    try:
        if pending:
            _insert(con, pending)
        if watermarks:
            con.executemany("insert or replace into raw.phone_number_scans values (?, ?)", watermarks)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(pending)


# normalize in worker processes from this many new values (about 27 µs each here)
PARALLEL_FROM_VALUES = 50_000


def _normalized_row(kind_and_value: tuple[str, str]) -> tuple:
    kind, value = kind_and_value
    return (kind, value, *normalize(kind, value))


def _insert(con: duckdb.DuckDBPyConnection, pending: set[tuple[str, str]]) -> None:
    values = sorted(pending)
    rows = list(
        map_in_processes(_normalized_row, values, parallel=len(values) >= PARALLEL_FROM_VALUES, chunksize=5_000)
    )
    frame = pl.DataFrame(
        rows,
        schema={
            "kind": pl.String,
            "raw_value": pl.String,
            "phone_e164": pl.String,
            "region_code": pl.String,
            "country_calling_code": pl.Int32,
            "is_valid": pl.Boolean,
        },
        orient="row",
    )
    con.register("_phones", frame)
    con.execute("insert into raw.phone_numbers select * from _phones")
    con.unregister("_phones")
