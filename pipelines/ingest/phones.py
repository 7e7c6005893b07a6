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

# Every place a phone number appears in raw data, as (kind, SQL yielding raw values).
# A raw table that does not exist yet is skipped.
SOURCES: dict[str, tuple[str, str]] = {
    "raw.whatsapp_messages": (
        "wa_id",
        "select message ->> 'from' from raw.whatsapp_messages "
        "union all select unnest(contacts -> '$[*].wa_id') ->> '$' from raw.whatsapp_messages",
    ),
    "raw.whatsapp_statuses": (
        "wa_id",
        "select status ->> 'recipient_id' from raw.whatsapp_statuses",
    ),
    "raw.whatsapp_changes": (
        "wa_id",
        "select unnest(value -> '$.user_preferences[*].wa_id') ->> '$' "
        "from raw.whatsapp_changes where field = 'user_preferences'",
    ),
    "raw.chatwoot_events": (
        "typed",
        "select payload -> '$.sender' ->> 'phone_number' from raw.chatwoot_events "
        "union all select payload -> '$.conversation.meta.sender' ->> 'phone_number' "
        "from raw.chatwoot_events "
        "union all select payload -> '$.meta.sender' ->> 'phone_number' from raw.chatwoot_events "
        "union all select payload ->> 'phone_number' from raw.chatwoot_events",
    ),
    "raw.shopify_orders": (
        "typed",
        "select payload ->> 'phone' from raw.shopify_orders "
        "union all select payload -> '$.customer' ->> 'phone' from raw.shopify_orders "
        "union all select payload -> '$.billing_address' ->> 'phone' from raw.shopify_orders",
    ),
    "raw.shopify_checkouts": (
        "typed",
        "select payload ->> 'phone' from raw.shopify_checkouts "
        "union all select payload -> '$.customer' ->> 'phone' from raw.shopify_checkouts "
        "union all select payload -> '$.billing_address' ->> 'phone' from raw.shopify_checkouts",
    ),
    "raw.woocommerce_orders": ("typed", "select billing_phone from raw.woocommerce_orders"),
    "raw.hubspot_contacts": (
        "typed",
        "select payload -> '$.properties' ->> 'phone' from raw.hubspot_contacts "
        "union all select payload -> '$.properties' ->> 'mobilephone' from raw.hubspot_contacts "
        "union all select payload -> '$.properties' ->> 'hs_whatsapp_phone_number' "
        "from raw.hubspot_contacts",
    ),
    "raw.hubspot_contacts_csv": (
        "typed",
        "select phone from raw.hubspot_contacts_csv "
        "union all select mobile_phone from raw.hubspot_contacts_csv "
        "union all select whatsapp_phone from raw.hubspot_contacts_csv",
    ),
    "raw.calls": ("typed", "select caller from raw.calls union all select callee from raw.calls"),
    "raw.canonical_messages": ("typed", "select contact_phone from raw.canonical_messages"),
    "raw.appointments": (
        "typed",
        "select unnest(cast(attendee_phones as varchar[])) from raw.appointments",
    ),
    "raw.webchat_events": (
        "typed",
        "select payload -> '$.visitor' ->> 'phone' from raw.webchat_events",
    ),
    "raw.campaign_sends": ("typed", "select phone from raw.campaign_sends"),
}


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
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
    ).fetchall()
    return {row[0] for row in rows}


def refresh(con: duckdb.DuckDBPyConnection) -> int:
    """Parse the raw phone values not seen before; returns how many were added."""
    con.execute(DDL)
    tables = _existing_tables(con)
    pending: set[tuple[str, str]] = set()
    for table, (kind, query) in SOURCES.items():
        if table not in tables:
            continue
        rows = con.execute(
            f"""
            select distinct v from ({query}) as t(v)
            where v is not null and trim(v) <> ''
              and not exists (
                  select 1 from raw.phone_numbers p where p.kind = ? and p.raw_value = t.v
              )
            """,
            [kind],
        ).fetchall()
        pending.update((kind, row[0]) for row in rows)
    if pending:
        rows = [(kind, value, *normalize(kind, value)) for kind, value in sorted(pending)]
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
    return len(pending)
