"""The canonical message import → raw.canonical_messages (one row per message event).

One documented format (see `pipelines/ingest/FORMATS.md`) through which any channel
Threadline has no connector for, or a history exported from another tool, can be
loaded: `landing/canonical/**/*.jsonl` (one JSON object a line, UTF-8), `*.csv` (a header
row, `,` or `;` separated, UTF-8 or as `pipelines.connectors.csv_exports` decodes) or
`*.parquet` (read with polars). Columns, by name (case does not matter; extra columns are
kept in `payload` and otherwise ignored):

- `message_id` (required): the message's id in the tool it came from;
- `channel` (required): whatsapp, instagram, messenger, email, webchat, phone, sms, other;
- `inbox_id`: an `inbox_id` of `models/seeds/inboxes.csv` (optional: the `channel` names the inbox otherwise);
- `direction` (required): inbound or outbound;
- `sender_type`: customer, operator, bot, automation or campaign (default: customer for
  inbound, operator for outbound); `operator_id`: who wrote an outbound message;
- `contact_phone`, `contact_email`, `contact_handle`, `contact_name`: the customer;
- `conversation_ref`: the thread or conversation id in the source tool;
- `sent_at` (required): ISO-8601 with an offset (`2026-03-05T10:15:00+01:00`, `...Z`);
  a time without an offset is UTC (a Parquet timestamp column works as well);
- `message_type` (default `text`), `body` (the text), `source` (the tool it came from).

A row that breaks these rules is quarantined in raw.rejected_records with a reason naming
the column (a line that is not valid UTF-8, or a CSV row that cannot be decoded, too);
a CSV or Parquet file without a required column is rejected once, whole.
`line_no` is the line of a JSONL or CSV file, the row number (from 1) of a Parquet file.
The same `message_id` loaded twice is kept twice here; staging keeps one.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines.connectors.csv_exports import (
    RowError,
    check_email,
    csv_reader,
    decode_export,
    normalize_header,
    sniff_delimiter,
)
from pipelines.ingest.files import IngestResult, Rejected, ingest_parsed_files, utf8_error

SOURCE = "canonical"
SUFFIXES = (".jsonl", ".csv", ".CSV", ".parquet")

DDL = """
create schema if not exists raw;
create table if not exists raw.canonical_messages (
    file varchar not null,
    line_no bigint not null,
    message_id varchar not null,
    channel varchar not null,
    inbox_id varchar,
    direction varchar not null,
    sender_type varchar not null,
    operator_id varchar,
    contact_phone varchar,
    contact_email varchar,
    contact_handle varchar,
    contact_name varchar,
    conversation_ref varchar,
    sent_at timestamp not null,
    message_type varchar not null,
    body varchar,
    source varchar,
    payload json using compression zstd not null,
    ingested_at timestamp not null
);
"""

COLUMNS = (
    "message_id", "channel", "inbox_id", "direction", "sender_type", "operator_id",
    "contact_phone", "contact_email", "contact_handle", "contact_name", "conversation_ref",
    "sent_at", "message_type", "body", "source",
)
REQUIRED = ("message_id", "channel", "direction", "sent_at")
CHANNELS = ("whatsapp", "instagram", "messenger", "email", "webchat", "phone", "sms", "other")
DIRECTIONS = ("inbound", "outbound")
SENDER_TYPES = ("customer", "operator", "bot", "automation", "campaign")
DEFAULT_SENDER = {"inbound": "customer", "outbound": "operator"}
RAW_TEXT_LIMIT = 10_000

SCHEMA: dict[str, pl.DataType] = {
    "line_no": pl.Int64(),
    **{column: pl.Datetime("us") if column == "sent_at" else pl.String() for column in COLUMNS},
    "payload": pl.String(),
}

# (position, the record as read, its raw text) or a file/record-level rejection
Record = tuple[int, dict[str, Any], str]


def _value(record: Mapping[str, Any], column: str) -> str | None:
    value = record.get(column)
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise RowError(f"{column} must be a single value, not a JSON "
                       f"{'object' if isinstance(value, dict) else 'list'}")
    if isinstance(value, bool):
        raise RowError(f"{column} must be text, not {str(value).lower()}")
    text = str(value).strip()
    return text or None


def _choice(record: Mapping[str, Any], column: str, allowed: tuple[str, ...]) -> str | None:
    text = _value(record, column)
    if text is None:
        return None
    value = text.lower()
    if value not in allowed:
        raise RowError(f"{column} {text!r} is not one of {'|'.join(allowed)}")
    return value


def parse_sent_at(value: Any) -> datetime:
    """A naive UTC datetime from ISO-8601 text (offset or UTC) or a Parquet timestamp."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RowError("sent_at is missing")
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        raise RowError(f"sent_at {value.isoformat()!r} has no time of day")
    elif isinstance(value, str):
        text = value.strip()
        if len(text) <= 10:
            raise RowError(f"sent_at {text!r} is not an ISO-8601 date and time")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise RowError(f"sent_at {text!r} is not an ISO-8601 date and time") from None
    else:
        raise RowError(f"sent_at {value!r} is not an ISO-8601 date and time")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def build_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """The typed row of one record (keys already lower-cased), or RowError naming the column."""
    for column in ("message_id", "channel", "direction"):
        if _value(record, column) is None:
            raise RowError(f"{column} is missing")
    direction = _choice(record, "direction", DIRECTIONS) or ""
    sender_type = _choice(record, "sender_type", SENDER_TYPES) or DEFAULT_SENDER[direction]
    message_type = _value(record, "message_type")
    return {
        "message_id": _value(record, "message_id"),
        "channel": _choice(record, "channel", CHANNELS),
        "inbox_id": _value(record, "inbox_id"),
        "direction": direction,
        "sender_type": sender_type,
        "operator_id": _value(record, "operator_id"),
        "contact_phone": _value(record, "contact_phone"),
        "contact_email": check_email(_value(record, "contact_email") or "", "contact_email"),
        "contact_handle": _value(record, "contact_handle"),
        "contact_name": _value(record, "contact_name"),
        "conversation_ref": _value(record, "conversation_ref"),
        "sent_at": parse_sent_at(record.get("sent_at")),
        "message_type": message_type.lower() if message_type else "text",
        "body": _body(record.get("body")),
        "source": _value(record, "source"),
    }


def _body(value: Any) -> str | None:
    """The text as written (not stripped): blank is None."""
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise RowError("body must be text, not a JSON " +
                       ("object" if isinstance(value, dict) else "list"))
    text = str(value)
    return text if text.strip() else None


def _lowered(record: Mapping[str, Any]) -> dict[str, Any]:
    return {normalize_header(str(key)): value for key, value in record.items()}


def _jsonl_lines(path: Path) -> Iterator[tuple[int, str, str | None]]:
    """(line_no, text, None) per line, or (line_no, text decoded for display, reason) for
    a line that is not UTF-8; the whole file is decoded at once when it is all UTF-8."""
    data = path.read_bytes()
    try:
        lines = data.decode("utf-8-sig").split("\n")
    except UnicodeDecodeError:
        pass
    else:
        yield from ((line_no, line, None) for line_no, line in enumerate(lines, start=1))
        return
    data = data.removeprefix(codecs.BOM_UTF8)
    for line_no, raw in enumerate(data.split(b"\n"), start=1):
        reason = utf8_error(raw.rstrip(b"\r"))
        yield line_no, raw.decode("utf-8", errors="replace"), reason


def _jsonl_records(path: Path) -> Iterator[Record | Rejected]:
    for line_no, line, undecodable in _jsonl_lines(path):
        line = line.rstrip("\r")
        if undecodable is not None:
            yield Rejected(line_no, undecodable, line[:RAW_TEXT_LIMIT])
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            yield Rejected(line_no, "not valid JSON", line[:RAW_TEXT_LIMIT])
            continue
        if not isinstance(record, dict):
            yield Rejected(line_no, "not a JSON object", line[:RAW_TEXT_LIMIT])
            continue
        yield line_no, record, line


def _missing_columns(names: list[str]) -> list[str]:
    present = {normalize_header(name) for name in names}
    return [column for column in REQUIRED if column not in present]


def _csv_records(path: Path) -> Iterator[Record | Rejected]:
    decoded = decode_export(path)
    delimiter = sniff_delimiter(decoded.text.split("\n", 1)[0])
    reader = csv_reader(decoded.text, delimiter)
    header = next(reader, None)
    if header is None:
        return
    names = [normalize_header(name) for name in header]
    unreadable_header = decoded.reason_within(1, reader.line_num)
    if unreadable_header:
        yield Rejected(1, f"header {unreadable_header}", delimiter.join(header))
        return
    missing = _missing_columns(names)
    if missing:
        yield Rejected(1, "header has no " + " / ".join(f"'{c}'" for c in missing) + " column",
                       delimiter.join(header))
        return
    line_no = reader.line_num
    for fields in reader:
        start, line_no = line_no + 1, reader.line_num
        if not any(field.strip() for field in fields):
            continue
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(fields)
        raw = buffer.getvalue()
        undecodable = decoded.reason_within(start, line_no)
        if undecodable:
            yield Rejected(start, undecodable, raw[:RAW_TEXT_LIMIT])
            continue
        if len(fields) != len(names):
            yield Rejected(start, f"row has {len(fields)} fields, header has {len(names)}", raw)
            continue
        yield start, dict(zip(names, fields, strict=True)), raw


def _parquet_records(path: Path) -> Iterator[Record | Rejected]:
    frame = pl.read_parquet(path)
    missing = _missing_columns(frame.columns)
    if missing:
        yield Rejected(None, "Parquet file has no " + " / ".join(f"'{c}'" for c in missing)
                       + " column", ", ".join(frame.columns))
        return
    for row_no, record in enumerate(frame.iter_rows(named=True), start=1):
        yield row_no, record, json.dumps(record, ensure_ascii=False, default=str)


def parse_canonical_file(path: Path) -> tuple[pl.DataFrame, list[Rejected]]:
    name = path.name.lower()
    if name.endswith(".parquet"):
        records = _parquet_records(path)
    elif name.endswith(".csv"):
        records = _csv_records(path)
    else:
        records = _jsonl_records(path)
    rows: list[dict[str, Any]] = []
    rejects: list[Rejected] = []
    for item in records:
        if isinstance(item, Rejected):
            rejects.append(item)
            continue
        position, record, raw = item
        try:
            row = build_row(_lowered(record))
        except RowError as error:
            rejects.append(Rejected(position, str(error), raw[:RAW_TEXT_LIMIT]))
            continue
        payload = json.dumps(record, ensure_ascii=False, default=str)
        rows.append({"line_no": position, **row, "payload": payload})
    return pl.DataFrame(rows, schema=SCHEMA), rejects


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> IngestResult:
    return ingest_parsed_files(
        con, SOURCE, landing / SOURCE, "raw.canonical_messages", DDL, parse_canonical_file,
        landing_root=landing, suffixes=SUFFIXES,
    )
