"""Reading CSV exports that businesses download from their tools (HubSpot, WooCommerce).

What real exports look like: UTF-8 with or without a BOM (or Windows-1252 after a trip
through Excel), comma or semicolon separated (Italian Excel saves with `;`), headers in
English or Italian, Italian number formats (`1.234,56`, `€ 49,90`) and day-first dates
(`05/03/2024 14:22`). Timestamps without an offset are in the tool's time zone (the
HubSpot portal's, the WooCommerce site's) and are converted to UTC.

`parse_export` turns a file into good rows and `Rejected` records with a reason, one
per bad row, for `pipelines.ingest.files.ingest_parsed_files`.

Encodings, decided once per file (`decode_export`): a file that is UTF-8 throughout (a BOM
is fine) is read as UTF-8. Otherwise each line that is valid UTF-8 is read as UTF-8 (a
UTF-8 export with a few rows pasted in from a Latin-1 tool keeps its UTF-8 names exact),
and the other lines with one legacy code page detected for the file by charset-normalizer
among the Windows code pages Excel saves in (cp1252 whenever it is plausible: on a few
short rows the detector cannot tell the Latin code pages apart, and ranks cp1250 first for
"Niccolò"). A line that this code page cannot decode either (0x81, 0x8d, 0x8f, 0x90, 0x9d
are undefined in cp1252) makes its row a quarantined record; it is never guessed at.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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


# Windows code pages Excel saves CSV in (Western, Central European, Cyrillic, Greek, Turkish,
# Baltic); cp1252 is preferred whenever charset-normalizer finds it plausible
LEGACY_ENCODINGS = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257")
PREFERRED_LEGACY = "cp1252"
# fewer non-ASCII bytes than this in a file's non-UTF-8 lines: no guess is trusted over cp1252
MIN_DETECTION_BYTES = 16
# csv's default is 128 KiB; a notes or body field can hold a whole pasted thread
FIELD_SIZE_LIMIT = 16 * 1024 * 1024


class RowError(ValueError):
    """Why one row cannot load (the message is the quarantine reason)."""


def normalize_header(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "").strip().lower())


@dataclass(frozen=True)
class DecodedExport:
    """A CSV file's text, and why each line that could not be decoded was not (by line
    number, from 1, as `csv.reader` counts lines); such a line is in `text` as UTF-8 with
    U+FFFD for its bad bytes, for display only."""

    text: str
    undecodable: dict[int, str]

    def reason_within(self, first: int, last: int) -> str | None:
        """Why the row on lines `first`..`last` cannot be read, if one of them is undecodable."""
        if not self.undecodable:
            return None
        return next((self.undecodable[n] for n in range(first, last + 1) if n in self.undecodable), None)


def decode_export(path: Path) -> DecodedExport:
    return decode_bytes(path.read_bytes())


def decode_bytes(data: bytes) -> DecodedExport:
    """UTF-8 when the whole file is; otherwise line by line (see the module's docstring)."""
    try:
        return DecodedExport(data.decode("utf-8-sig"), {})
    except UnicodeDecodeError:
        pass
    lines = data.removeprefix(codecs.BOM_UTF8).splitlines(keepends=True)
    decoded: list[str | None] = []
    for line in lines:
        try:
            decoded.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            decoded.append(None)
    legacy = legacy_encoding(b"".join(line for line, text in zip(lines, decoded, strict=True) if text is None))
    undecodable: dict[int, str] = {}
    for index, line in enumerate(lines):
        if decoded[index] is not None:
            continue
        try:
            decoded[index] = line.decode(legacy)
        except UnicodeDecodeError as error:
            decoded[index] = line.decode("utf-8", errors="replace")
            undecodable[index + 1] = (f"line is neither valid UTF-8 nor {legacy} "
                                      f"(byte 0x{line[error.start]:02x} at offset {error.start})")
    return DecodedExport("".join(text or "" for text in decoded), undecodable)


def legacy_encoding(sample: bytes) -> str:
    """The code page of the lines of an export that are not UTF-8 (`sample`: those lines)."""
    import charset_normalizer  # only files that are not all UTF-8 need it (its import takes ~0.1 s)

    matches = charset_normalizer.from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS))
    plausible = {name for match in matches for name in match.could_be_from_charset}
    best = matches.best()
    if best is None or PREFERRED_LEGACY in plausible:
        return PREFERRED_LEGACY
    if sum(byte >= 0x80 for byte in sample) < MIN_DETECTION_BYTES:
        return PREFERRED_LEGACY  # a stray byte or two: too little to trust a guess over cp1252
    return best.encoding


def csv_reader(text: str, delimiter: str) -> Any:
    """`csv.reader` over `text` (rows as lists of str, `line_num` the lines read so far),
    with a field limit large enough for pasted e-mail threads."""
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


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
    decoded = decode_export(path)
    first_line = decoded.text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv_reader(decoded.text, delimiter)
    header = next(reader, None)
    if header is None:
        return pl.DataFrame(schema=dict(schema)), []
    names = [h.replace("\ufeff", "").strip() for h in header]
    unreadable_header = decoded.reason_within(1, reader.line_num)
    if unreadable_header:
        return pl.DataFrame(schema=dict(schema)), [
            Rejected(1, f"header {unreadable_header}", delimiter.join(names))]
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
        undecodable = decoded.reason_within(start, line_no)
        if undecodable:
            rejects.append(Rejected(start, undecodable, raw))
            continue
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
