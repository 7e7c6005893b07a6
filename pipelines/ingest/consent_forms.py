"""Web-form consent statements (CSV or JSONL exports) → raw.consent_forms.

`landing/consent/**/*.csv` or `**/*.jsonl`: what a web form (newsletter sign-up, contact
form, booking form, a preference centre) recorded when a person ticked, or unticked, a
consent checkbox, one statement a row or a line (format in `pipelines/ingest/FORMATS.md`):

    submission_id,phone,email,purpose,channel,state,occurred_at,form_name,wording
    f-1001,+393471234567,anna@example.com,marketing,whatsapp,granted,2026-03-05T10:15:00+01:00,
        newsletter,"Voglio ricevere offerte su WhatsApp"

(one row; wrapped here)

- `phone` or `email` (at least one): who ticked it.
- `channel` (required): the channel the checkbox is about (`whatsapp`, `email`, `sms`,
  ...; lower-cased).
- `state` (required): `granted` or `denied` (`true`/`false`, `yes`/`no`, `si`/`no`,
  `opt-in`/`opt-out`, `subscribed`/`unsubscribed` are read as those).
- `purpose`: `marketing` (the default when blank) or `service`.
- `occurred_at` (required): ISO-8601 with an offset; a time without one is read in
  Europe/Rome. Stored in UTC.
- `submission_id`: the form tool's id of the submission; when absent, staging makes one
  from the row's content.
- `form_name`, `wording`: which form, and the text shown beside the checkbox (the
  evidence of what the person agreed to).

A row without a phone and an e-mail, without a channel, state or time, or with a value
that cannot be read is quarantined in raw.rejected_records with the reason; the other
rows load. The same statement exported twice counts once (staging).
"""

from __future__ import annotations

import json
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
from pipelines.ingest.files import IngestResult, Rejected, ingest_parsed_files, utf8_error

SOURCE = "consent_forms"
FOLDER = "consent"

DDL = """
create schema if not exists raw;
create table if not exists raw.consent_forms (
    file varchar not null,
    line_no bigint not null,
    submission_id varchar,
    phone varchar,
    email varchar,
    purpose varchar not null,
    channel varchar not null,
    state varchar not null,
    occurred_at timestamp not null,
    form_name varchar,
    wording varchar,
    "row" json using compression zstd not null,
    ingested_at timestamp not null
);
"""

ALIASES: dict[str, tuple[str, ...]] = {
    "submission_id": ("submission_id", "submission id", "id", "id invio"),
    "phone": ("phone", "telefono", "phone number", "cellulare"),
    "email": ("email", "e-mail", "email address"),
    "purpose": ("purpose", "finalita", "finalità"),
    "channel": ("channel", "canale"),
    "state": ("state", "consent", "consenso", "stato"),
    "occurred_at": ("occurred_at", "submitted_at", "date", "data"),
    "form_name": ("form_name", "form", "modulo"),
    "wording": ("wording", "text", "testo", "checkbox_text"),
}
REQUIRED = ("channel", "state", "occurred_at")

SCHEMA: dict[str, pl.DataType] = {
    "line_no": pl.Int64(),
    "submission_id": pl.String(),
    "phone": pl.String(),
    "email": pl.String(),
    "purpose": pl.String(),
    "channel": pl.String(),
    "state": pl.String(),
    "occurred_at": pl.Datetime("us"),
    "form_name": pl.String(),
    "wording": pl.String(),
    "row": pl.String(),
}

STATES = {
    "granted": "granted", "true": "granted", "yes": "granted", "si": "granted",
    "sì": "granted", "1": "granted", "opt-in": "granted", "opt_in": "granted",
    "opted_in": "granted", "subscribed": "granted",
    "denied": "denied", "false": "denied", "no": "denied", "0": "denied",
    "opt-out": "denied", "opt_out": "denied", "opted_out": "denied",
    "unsubscribed": "denied",
}
PURPOSES = ("marketing", "service")


def parse_state(text: str) -> str:
    value = text.strip().lower()
    if not value:
        raise RowError("no state")
    if value not in STATES:
        raise RowError(f"state must be granted or denied, not {text.strip()!r}")
    return STATES[value]


def parse_purpose(text: str) -> str:
    value = text.strip().lower() or "marketing"
    if value not in PURPOSES:
        raise RowError(f"purpose must be marketing or service, not {text.strip()!r}")
    return value


def build_row(values: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    """One statement from its canonical values (text), or RowError with the reason."""
    phone = blank_to_none(values["phone"])
    email = check_email(values["email"], "email")
    if phone is None and email is None:
        raise RowError("no phone and no email")
    channel = values["channel"].strip().lower()
    if not channel:
        raise RowError("no channel")
    state = parse_state(values["state"])
    occurred_at = parse_timestamp(values["occurred_at"], "occurred_at", tz)
    if occurred_at is None:
        raise RowError("no occurred_at")
    return {
        "submission_id": blank_to_none(values["submission_id"]),
        "phone": phone,
        "email": email.lower() if email else None,
        "purpose": parse_purpose(values["purpose"]),
        "channel": channel,
        "state": state,
        "occurred_at": occurred_at,
        "form_name": blank_to_none(values["form_name"]),
        "wording": blank_to_none(values["wording"]),
    }


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_jsonl(path: Path, tz: ZoneInfo) -> tuple[pl.DataFrame, list[Rejected]]:
    """A JSONL export: one object a line, keyed like the CSV's columns (any alias)."""
    rows: list[dict[str, Any]] = []
    rejects: list[Rejected] = []
    for line_no, raw in enumerate(path.read_bytes().splitlines(), 1):
        line = raw.decode("utf-8", errors="replace")
        if not line.strip():
            continue
        undecodable = utf8_error(raw)
        if undecodable:
            rejects.append(Rejected(line_no, undecodable, line))
            continue
        try:
            document = json.loads(line)
        except json.JSONDecodeError as error:
            rejects.append(Rejected(line_no, f"not JSON ({error.msg})", line))
            continue
        if not isinstance(document, dict):
            rejects.append(Rejected(line_no, "not a consent statement (not a JSON object)", line))
            continue
        lookup = {str(key).strip().lower(): value for key, value in document.items()}
        values = {
            column: _text(next((lookup[a] for a in options if a in lookup), None))
            for column, options in ALIASES.items()
        }
        try:
            built = build_row(values, tz)
        except RowError as error:
            rejects.append(Rejected(line_no, str(error), line))
            continue
        rows.append({"line_no": line_no, **built, "row": json.dumps(document, ensure_ascii=False)})
    return pl.DataFrame(rows, schema=dict(SCHEMA)), rejects


def parse_consent_file(
    path: Path, export_tz: str = DEFAULT_EXPORT_TZ
) -> tuple[pl.DataFrame, list[Rejected]]:
    tz = ZoneInfo(export_tz)
    if path.name.lower().endswith(".jsonl"):
        return parse_jsonl(path, tz)
    return parse_export(path, ALIASES, REQUIRED, lambda values, _: build_row(values, tz), SCHEMA)


def ingest(
    con: duckdb.DuckDBPyConnection, landing: Path, export_tz: str = DEFAULT_EXPORT_TZ
) -> IngestResult:
    return ingest_parsed_files(
        con, SOURCE, landing / FOLDER, "raw.consent_forms", DDL,
        partial(parse_consent_file, export_tz=export_tz), landing_root=landing,
        suffixes=(".csv", ".CSV", ".jsonl"),
    )
