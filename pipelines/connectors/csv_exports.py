"""Reading CSV exports that businesses download from their tools (HubSpot, WooCommerce).

What real exports look like: UTF-8 with or without a BOM (or Windows-1252 after a trip
through Excel), comma or semicolon separated (Italian Excel saves with `;`), headers in
English or Italian, Italian number formats (`1.234,56`, `€ 49,90`) and day-first dates
(`05/03/2024 14:22`). Timestamps without an offset are in the tool's time zone (the
HubSpot portal's, the WooCommerce site's) and are converted to UTC.

`parse_export` turns a file into good rows and `Rejected` records with a reason, one
per bad row, for `pipelines.ingest.files.ingest_parsed_files`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from pipelines.ingest.files import Rejected

DEFAULT_EXPORT_TZ = "Europe/Rome"
CENT = Decimal("0.01")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y-%m-%d", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y",
)


class RowError(ValueError):
    """Why one row cannot load (the message is the quarantine reason)."""


def normalize_header(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "").strip().lower())


def decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_timestamp(text: str, column: str, tz: ZoneInfo) -> datetime | None:
    """A UTC (naive) timestamp; blank is None; unreadable raises RowError."""
    value = text.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for fmt in _NAIVE_FORMATS:
            try:
                parsed = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise RowError(f"unreadable {column} {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC).replace(tzinfo=None)


def parse_amount(text: str, column: str) -> Decimal | None:
    """A money amount in English or Italian notation; blank is None."""
    value = re.sub(r"[€\s\u00a0]|EUR", "", text.strip(), flags=re.IGNORECASE)
    if not value:
        return None
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif value.count(",") == 1:
        value = value.replace(",", ".")
    elif value.count(",") > 1 or value.count(".") > 1:
        value = value.replace(",", "").replace(".", "")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise RowError(f"unreadable {column} {text.strip()!r}") from None
    if not amount.is_finite():
        raise RowError(f"unreadable {column} {text.strip()!r}")
    return amount.quantize(CENT)


def check_email(text: str, column: str) -> str | None:
    value = text.strip()
    if not value:
        return None
    if not _EMAIL.match(value):
        raise RowError(f"invalid {column} {value!r}")
    return value


def blank_to_none(text: str) -> str | None:
    value = text.strip()
    return value or None


RowBuilder = Callable[[dict[str, str], dict[str, str]], dict[str, Any]]


def parse_export(
    path: Path,
    aliases: Mapping[str, tuple[str, ...]],
    required_columns: tuple[str, ...],
    build: RowBuilder,
    schema: Mapping[str, pl.DataType],
    key: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> tuple[pl.DataFrame, list[Rejected]]:
    """Good rows (as `schema`, with `line_no` first and `row` JSON last) and rejects.

    `aliases` maps each canonical column to the header names it may carry; `build` gets
    the canonical values and the whole row (header → text) and returns the row's values
    or raises RowError. `key`, when given, names a canonical column that must be unique
    in the file. `labels` names columns in reasons (default: their first alias).
    """
    label = {c: (labels or {}).get(c, options[0]) for c, options in aliases.items()}
    text = decode(path)
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return pl.DataFrame(schema=dict(schema)), []
    names = [h.replace("\ufeff", "").strip() for h in header]
    lookup = {normalize_header(h): i for i, h in enumerate(names)}
    columns = {c: next((lookup[a] for a in options if a in lookup), None)
               for c, options in aliases.items()}
    missing = [c for c in required_columns if columns[c] is None]
    if missing:
        wanted = " / ".join(f"'{label[c]}'" for c in missing)
        return pl.DataFrame(schema=dict(schema)), [
            Rejected(1, f"header has no {wanted} column", delimiter.join(names))]
    rows: list[dict[str, Any]] = []
    rejects: list[Rejected] = []
    seen: dict[str, int] = {}
    line_no = reader.line_num
    for fields in reader:
        start, line_no = line_no + 1, reader.line_num
        if not any(f.strip() for f in fields):
            continue
        raw = _raw_line(fields, delimiter)
        if len(fields) != len(names):
            rejects.append(Rejected(start, f"row has {len(fields)} fields, header has "
                                           f"{len(names)}", raw))
            continue
        values = {c: (fields[i] if i is not None else "") for c, i in columns.items()}
        whole = dict(zip(names, fields, strict=True))
        try:
            built = build(values, whole)
            if key is not None:
                identity = str(built[key])
                if identity in seen:
                    raise RowError(f"duplicate {label[key]} {identity} "
                                   f"(first on line {seen[identity]})")
                seen[identity] = start
        except RowError as error:
            rejects.append(Rejected(start, str(error), raw))
            continue
        rows.append({"line_no": start, **built,
                     "row": json.dumps(whole, ensure_ascii=False)})
    return pl.DataFrame(rows, schema=dict(schema)), rejects


def _raw_line(fields: list[str], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(fields)
    return buffer.getvalue()
