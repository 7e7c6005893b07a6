"""HubSpot CRM → raw.hubspot_contacts, raw.hubspot_deals, raw.hubspot_contacts_csv.

- `landing/hubspot/contacts/*.jsonl` and `landing/hubspot/deals/*.jsonl` (written by
  `pipelines.connectors.hubspot`): one CRM v3 object a line. One row per record version
  landed, the object kept whole; staging keeps the newest version by `updated_at`.
- `landing/hubspot/exports/*.csv`: contact exports downloaded from HubSpot (English or
  Italian headers, `,` or `;`). Rows without a numeric Record ID, with an invalid e-mail
  or an unreadable date, ragged rows and repeated Record IDs are quarantined in
  raw.rejected_records with the reason; the other rows load. Dates without an offset
  are in the portal's time zone (default Europe/Rome) and are stored in UTC.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from pipelines.connectors.csv_exports import (
    DEFAULT_EXPORT_TZ,
    RowError,
    blank_to_none,
    check_email,
    parse_export,
    parse_timestamp,
)
from pipelines.ingest.files import (
    IngestResult,
    Loader,
    Rejected,
    ingest_files,
    ingest_parsed_files,
)

SOURCE = "hubspot"
CONTACTS_SOURCE = "hubspot_contacts"
DEALS_SOURCE = "hubspot_deals"
CSV_SOURCE = "hubspot_contacts_csv"

DDL = """
create schema if not exists raw;
create table if not exists raw.hubspot_contacts (
    file varchar not null,
    line_no bigint not null,
    contact_id varchar not null,
    updated_at varchar,
    archived boolean,
    payload json using compression zstd not null,
    ingested_at timestamp not null
);
create table if not exists raw.hubspot_deals (
    file varchar not null,
    line_no bigint not null,
    deal_id varchar not null,
    updated_at varchar,
    archived boolean,
    payload json using compression zstd not null,
    ingested_at timestamp not null
);
"""

CSV_DDL = """
create schema if not exists raw;
create table if not exists raw.hubspot_contacts_csv (
    file varchar not null,
    line_no bigint not null,
    record_id varchar not null,
    email varchar,
    phone varchar,
    mobile_phone varchar,
    whatsapp_phone varchar,
    first_name varchar,
    last_name varchar,
    lifecycle_stage varchar,
    created_at timestamp,
    last_modified_at timestamp,
    "row" json using compression zstd not null,
    ingested_at timestamp not null
);
"""

_SHAPE_OK = (
    "coalesce((json_type(text::json) = 'OBJECT' and (text::json ->> 'id') is not null"
    " and json_type(text::json -> 'properties') = 'OBJECT'), false)"
)


def _loader(table: str, modified_property: str, what: str) -> Loader:
    def load(con: duckdb.DuckDBPyConnection) -> str:
        con.execute(
            f"""
            insert into raw.{table}
            select file, line_no, text::json ->> 'id',
                   coalesce(text::json -> 'properties' ->> '{modified_property}',
                            text::json ->> 'updatedAt'),
                   try_cast(text::json ->> 'archived' as boolean),
                   text::json, now()::timestamp
            from _lines where {_SHAPE_OK}
            """
        )
        return f"""
            select file, line_no, 'not a HubSpot {what} (no id or no properties)' as reason
            from _lines where not ({_SHAPE_OK})
        """

    return load


def ingest_contacts(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    return ingest_files(con, CONTACTS_SOURCE, landing / SOURCE / "contacts", DDL,
                        _loader("hubspot_contacts", "lastmodifieddate", "contact"),
                        landing_root=landing)


def ingest_deals(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    return ingest_files(con, DEALS_SOURCE, landing / SOURCE / "deals", DDL,
                        _loader("hubspot_deals", "hs_lastmodifieddate", "deal"),
                        landing_root=landing)


# --- CSV exports -----------------------------------------------------------------------

CSV_ALIASES: dict[str, tuple[str, ...]] = {
    "record_id": ("record id", "contact id", "id record", "id contatto", "hs_object_id", "id"),
    "email": ("email", "e-mail", "email address", "indirizzo email", "indirizzo e-mail"),
    "phone": ("phone number", "phone", "numero di telefono", "telefono"),
    "mobile_phone": ("mobile phone number", "mobilephone", "numero di cellulare", "cellulare"),
    "whatsapp_phone": ("whatsapp phone number", "hs_whatsapp_phone_number",
                       "numero di telefono whatsapp", "numero whatsapp"),
    "first_name": ("first name", "firstname", "nome"),
    "last_name": ("last name", "lastname", "cognome"),
    "lifecycle_stage": ("lifecycle stage", "lifecyclestage", "fase del ciclo di vita"),
    "created_at": ("create date", "createdate", "data di creazione"),
    "last_modified_at": ("last modified date", "lastmodifieddate", "data dell'ultima modifica",
                         "data ultima modifica", "ultima modifica"),
}

CSV_SCHEMA: dict[str, pl.DataType] = {
    "line_no": pl.Int64(),
    "record_id": pl.String(),
    "email": pl.String(),
    "phone": pl.String(),
    "mobile_phone": pl.String(),
    "whatsapp_phone": pl.String(),
    "first_name": pl.String(),
    "last_name": pl.String(),
    "lifecycle_stage": pl.String(),
    "created_at": pl.Datetime("us"),
    "last_modified_at": pl.Datetime("us"),
    "row": pl.String(),
}


def parse_contacts_csv(
    path: Path, export_tz: str = DEFAULT_EXPORT_TZ
) -> tuple[pl.DataFrame, list[Rejected]]:
    tz = ZoneInfo(export_tz)

    def build(values: dict[str, str], whole: dict[str, str]) -> dict[str, Any]:
        record_id = values["record_id"].strip()
        if not record_id:
            raise RowError("no Record ID")
        if not record_id.isdigit():
            raise RowError(f"Record ID {record_id!r} is not a HubSpot id")
        return {
            "record_id": record_id,
            "email": check_email(values["email"], "Email"),
            "phone": blank_to_none(values["phone"]),
            "mobile_phone": blank_to_none(values["mobile_phone"]),
            "whatsapp_phone": blank_to_none(values["whatsapp_phone"]),
            "first_name": blank_to_none(values["first_name"]),
            "last_name": blank_to_none(values["last_name"]),
            "lifecycle_stage": blank_to_none(values["lifecycle_stage"]),
            "created_at": parse_timestamp(values["created_at"], "Create Date", tz),
            "last_modified_at": parse_timestamp(values["last_modified_at"],
                                                "Last Modified Date", tz),
        }

    return parse_export(path, CSV_ALIASES, ("record_id",), build, CSV_SCHEMA, key="record_id",
                        labels={"record_id": "Record ID"})


def ingest_contact_exports(
    con: duckdb.DuckDBPyConnection, landing: Path, export_tz: str = DEFAULT_EXPORT_TZ
) -> IngestResult:
    return ingest_parsed_files(
        con, CSV_SOURCE, landing / SOURCE / "exports", "raw.hubspot_contacts_csv", CSV_DDL,
        partial(parse_contacts_csv, export_tz=export_tz), landing_root=landing,
        suffixes=(".csv", ".CSV"),
    )


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    """Contacts, deals and contact exports; the counts summed."""
    results = [ingest_contacts(con, landing), ingest_deals(con, landing),
               ingest_contact_exports(con, landing)]
    return IngestResult.summed(SOURCE, results)
