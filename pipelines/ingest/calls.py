"""Phone call logs (CSV) → raw.calls (one row per call record).

`landing/calls/**/*.csv`, exported from the business's phone system (PBX, VoIP
provider, call tracking), one call a row, `,` or `;` separated, UTF-8 (a BOM is fine;
other encodings are decoded as `pipelines.connectors.csv_exports` says):

    call_id,direction,caller,callee,started_at,duration_seconds,answered,operator_id,inbox_id
    c-1001,inbound,+393331234567,+390118830404,2026-03-05T10:15:00+01:00,95,si,op-2,dental-phone

- `call_id` (required): the phone system's id of the call.
- `direction` (required): `inbound` or `outbound` (`in`/`out`, `incoming`/`outgoing`,
  `entrante`/`uscente` are read as those).
- `caller`, `callee`: the numbers as the phone system writes them (E.164 or national;
  `raw.phone_numbers` parses them later).
- `started_at` (required): ISO-8601 with an offset; a time without one is read in
  Europe/Rome. Stored in UTC.
- `duration_seconds`: whole seconds (`95`), or `m:ss` / `h:mm:ss`; blank when unknown;
  never negative.
- `answered`: `true`/`false`, `1`/`0`, `si`/`no` (also `sì`, `yes`, `y`, `n`); blank when
  unknown.
- `operator_id`, `inbox_id`: who took or made the call, and which line (an `inbox_id`
  of `models/seeds/inboxes.csv`).

A row without a call id, direction or start time, with an unreadable value, a negative
duration, or the wrong number of fields is quarantined in raw.rejected_records with the
reason; the other rows load. A call exported twice is kept twice: staging keeps one row
per `call_id`.
"""

from __future__ import annotations

import math
import re
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
    parse_export,
    parse_timestamp,
)
from pipelines.ingest.files import IngestResult, Rejected, ingest_parsed_files

SOURCE = "calls"

DDL = """
create schema if not exists raw;
create table if not exists raw.calls (
    file varchar not null,
    line_no bigint not null,
    call_id varchar not null,
    direction varchar not null,
    caller varchar,
    callee varchar,
    started_at timestamp not null,
    duration_seconds integer,
    answered boolean,
    operator_id varchar,
    inbox_id varchar,
    "row" json using compression zstd not null,
    ingested_at timestamp not null
);
"""

ALIASES: dict[str, tuple[str, ...]] = {
    "call_id": ("call_id", "call id", "id chiamata"),
    "direction": ("direction", "direzione"),
    "caller": ("caller", "from", "chiamante"),
    "callee": ("callee", "to", "chiamato"),
    "started_at": ("started_at", "start time", "started at", "inizio"),
    "duration_seconds": ("duration_seconds", "duration", "durata"),
    "answered": ("answered", "risposta"),
    "operator_id": ("operator_id", "operator", "operatore"),
    "inbox_id": ("inbox_id", "inbox", "linea"),
}

SCHEMA: dict[str, pl.DataType] = {
    "line_no": pl.Int64(),
    "call_id": pl.String(),
    "direction": pl.String(),
    "caller": pl.String(),
    "callee": pl.String(),
    "started_at": pl.Datetime("us"),
    "duration_seconds": pl.Int32(),
    "answered": pl.Boolean(),
    "operator_id": pl.String(),
    "inbox_id": pl.String(),
    "row": pl.String(),
}

DIRECTIONS = {
    "inbound": "inbound", "in": "inbound", "incoming": "inbound", "entrante": "inbound",
    "in entrata": "inbound", "ricevuta": "inbound",
    "outbound": "outbound", "out": "outbound", "outgoing": "outbound", "uscente": "outbound",
    "in uscita": "outbound", "effettuata": "outbound",
}
BOOLEANS = {
    "true": True, "1": True, "si": True, "sì": True, "yes": True, "y": True, "s": True,
    "false": False, "0": False, "no": False, "n": False,
}
MAX_DURATION_SECONDS = 7 * 24 * 3600
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


def parse_direction(text: str) -> str:
    value = " ".join(text.strip().lower().split())
    if not value:
        raise RowError("no direction")
    if value not in DIRECTIONS:
        raise RowError(f"direction must be inbound or outbound, not {text.strip()!r}")
    return DIRECTIONS[value]


def parse_duration(text: str) -> int | None:
    """Whole seconds from `95`, `95.0`, `1:35` or `0:01:35`; blank is None."""
    value = text.strip()
    if not value:
        return None
    clock = _CLOCK.match(value)
    if clock:
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        number = float(hours * 3600 + minutes * 60 + seconds)
    else:
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            raise RowError(f"unreadable duration_seconds {value!r}") from None
        if not math.isfinite(number):
            raise RowError(f"unreadable duration_seconds {value!r}")
    if number < 0:
        raise RowError(f"negative duration_seconds {value}")
    if number != int(number):
        raise RowError(f"duration_seconds {value!r} is not a whole number of seconds")
    if number > MAX_DURATION_SECONDS:
        raise RowError(f"duration_seconds {value} is longer than a week")
    return int(number)


def parse_answered(text: str) -> bool | None:
    value = text.strip().lower()
    if not value:
        return None
    if value not in BOOLEANS:
        raise RowError(f"unreadable answered {text.strip()!r} (expected true/false, 1/0, si/no)")
    return BOOLEANS[value]


def parse_calls_csv(
    path: Path, export_tz: str = DEFAULT_EXPORT_TZ
) -> tuple[pl.DataFrame, list[Rejected]]:
    tz = ZoneInfo(export_tz)

    def build(values: dict[str, str], whole: dict[str, str]) -> dict[str, Any]:
        call_id = values["call_id"].strip()
        if not call_id:
            raise RowError("no call_id")
        direction = parse_direction(values["direction"])
        started_at = parse_timestamp(values["started_at"], "started_at", tz)
        if started_at is None:
            raise RowError("no started_at")
        return {
            "call_id": call_id,
            "direction": direction,
            "caller": blank_to_none(values["caller"]),
            "callee": blank_to_none(values["callee"]),
            "started_at": started_at,
            "duration_seconds": parse_duration(values["duration_seconds"]),
            "answered": parse_answered(values["answered"]),
            "operator_id": blank_to_none(values["operator_id"]),
            "inbox_id": blank_to_none(values["inbox_id"]),
        }

    return parse_export(path, ALIASES, ("call_id", "direction", "started_at"), build, SCHEMA)


def ingest(
    con: duckdb.DuckDBPyConnection, landing: Path, export_tz: str = DEFAULT_EXPORT_TZ
) -> IngestResult:
    return ingest_parsed_files(
        con, SOURCE, landing / SOURCE, "raw.calls", DDL,
        partial(parse_calls_csv, export_tz=export_tz), landing_root=landing,
        suffixes=(".csv", ".CSV"),
    )
