"""Calendars (iCalendar .ics) → raw.appointments (one row per appointment occurrence).

`landing/calendar/**/*.ics`: calendar exports (Google Calendar, Outlook, Apple, booking
tools) and the feeds `pipelines.connectors.ics_feed` lands, parsed with the `icalendar`
library. One row per VEVENT, with:

- `uid`, `sequence`, `last_modified` (UTC): which version of which appointment this is
  (a VEVENT without UID gets `threadline-<hash of its text>`);
- `starts_at`, `ends_at` in UTC; `all_day` for date-only events (they start at midnight
  in the calendar's time zone). Times with a TZID are read in that zone (IANA or
  Windows names), floating times in the calendar's X-WR-TIMEZONE, else Europe/Rome. No
  DTEND: DTSTART + DURATION, else one day (all-day) or zero length;
- `status`: CONFIRMED, TENTATIVE or CANCELLED as the event says; absent, it is CANCELLED
  in a `METHOD:CANCEL` calendar and CONFIRMED otherwise;
- `organizer`, `attendee_emails` (ATTENDEE `mailto:` addresses and addresses written in
  DESCRIPTION or X- properties) and `attendee_phones` (E.164: ATTENDEE `tel:` URIs and
  numbers written in SUMMARY, DESCRIPTION, COMMENT, CONTACT, ATTENDEE names or X-
  properties, such as "Tel: +39 333 123 4567"), as JSON lists;
- `rrule`: the RRULE text of a recurring event. A bounded rule (COUNT or UNTIL, at most
  500 occurrences, no RDATE) is expanded: one row per occurrence, `recurrence_id` = the
  occurrence's start, EXDATEs left out, and occurrences that the file overrides with
  their own VEVENT (RECURRENCE-ID) left to that VEVENT's row. Any other rule keeps one
  row, the master, with `recurrence_id` NULL;
- `raw`: the VEVENT's text as it appears in the file; `line_no` its BEGIN:VEVENT line.

A VEVENT without DTSTART, with an unreadable DTSTART/DTEND/DURATION/RECURRENCE-ID, ending
before it starts, or cut short (no END:VEVENT) is quarantined in raw.rejected_records
with the reason and its line; the other events of the file load. A file that is not
iCalendar at all is rejected once, whole. A feed re-landed after a change loads every
event again: staging keeps the latest version per (`uid`, `recurrence_id`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import icalendar
import phonenumbers
import polars as pl
from dateutil.rrule import rrulestr  # python-dateutil: a dependency of icalendar

from pipelines.connectors.csv_exports import RowError
from pipelines.ingest.files import IngestResult, Rejected, ingest_parsed_files

SOURCE = "calendar"
SUFFIXES = (".ics", ".ICS")
DEFAULT_TZ = "Europe/Rome"
DEFAULT_REGION = "IT"
MAX_OCCURRENCES = 500
RAW_TEXT_LIMIT = 20_000

DDL = """
create schema if not exists raw;
create table if not exists raw.appointments (
    file varchar not null,
    line_no bigint,
    uid varchar not null,
    recurrence_id timestamp,
    sequence integer not null,
    summary varchar,
    description varchar,
    location varchar,
    starts_at timestamp not null,
    ends_at timestamp not null,
    all_day boolean not null,
    status varchar not null,
    organizer varchar,
    attendee_emails json not null,
    attendee_phones json not null,
    calendar_name varchar,
    rrule varchar,
    last_modified timestamp,
    raw varchar not null,
    ingested_at timestamp not null
);
"""

SCHEMA: dict[str, pl.DataType] = {
    "line_no": pl.Int64(),
    "uid": pl.String(),
    "recurrence_id": pl.Datetime("us"),
    "sequence": pl.Int32(),
    "summary": pl.String(),
    "description": pl.String(),
    "location": pl.String(),
    "starts_at": pl.Datetime("us"),
    "ends_at": pl.Datetime("us"),
    "all_day": pl.Boolean(),
    "status": pl.String(),
    "organizer": pl.String(),
    "attendee_emails": pl.String(),
    "attendee_phones": pl.String(),
    "calendar_name": pl.String(),
    "rrule": pl.String(),
    "last_modified": pl.Datetime("us"),
    "raw": pl.String(),
}

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_CRITICAL = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID")
_PHONE_TEXT_PROPERTIES = ("SUMMARY", "DESCRIPTION", "COMMENT", "CONTACT")


@dataclass(frozen=True)
class CalendarInfo:
    name: str | None
    tz: tzinfo
    method: str | None


@dataclass(frozen=True)
class Block:
    """One BEGIN:VEVENT ... END:VEVENT block of the file's text."""

    line_no: int
    text: str
    complete: bool


# --- the file ----------------------------------------------------------------------------


def vevent_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    start: int | None = None
    lines: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):  # lines keep their "\r"
        marker = line.strip().upper()
        if marker == "BEGIN:VEVENT":
            if start is not None:
                blocks.append(Block(start, _joined(lines), False))
            start, lines = number, [line]
        elif start is not None:
            lines.append(line)
            if marker == "END:VEVENT":
                blocks.append(Block(start, _joined(lines), True))
                start, lines = None, []
    if start is not None:
        blocks.append(Block(start, _joined(lines), False))
    return blocks


def _joined(lines: list[str]) -> str:
    return "\n".join(lines).rstrip("\r")


def _calendar_property(text: str, name: str) -> str | None:
    match = re.search(rf"^{name}(?:;[^:\r\n]*)?:(.*)$", text, re.IGNORECASE | re.MULTILINE)
    return match.group(1).strip() if match else None


def _zone(name: str | None, default_tz: str) -> tzinfo:
    for candidate in (name, default_tz):
        if candidate:
            try:
                return ZoneInfo(candidate.strip())
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return UTC


def parse_calendar_file(
    path: Path, default_tz: str = DEFAULT_TZ
) -> tuple[pl.DataFrame, list[Rejected]]:
    data = path.read_bytes()
    text = data.decode("utf-8-sig", errors="replace")
    blocks = vevent_blocks(text)
    info = CalendarInfo(
        name=_calendar_property(text, "X-WR-CALNAME"),
        tz=_zone(_calendar_property(text, "X-WR-TIMEZONE"), default_tz),
        method=(_calendar_property(text, "METHOD") or "").upper() or None,
    )
    rejects: list[Rejected] = []
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
        events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    except Exception as error:  # icalendar raises ValueError, and others on odd input
        if not blocks:
            return pl.DataFrame(schema=SCHEMA), [
                Rejected(None, f"not a readable iCalendar file ({error})",
                         text[:RAW_TEXT_LIMIT])]
        events = []
    pairs: list[tuple[Block, icalendar.Component]] = []
    if len(events) == len(blocks) and all(block.complete for block in blocks):
        pairs = list(zip(blocks, events, strict=True))
    else:  # a malformed or cut-short file: read each VEVENT on its own
        for block in blocks:
            if not block.complete:
                rejects.append(Rejected(block.line_no, "VEVENT without END:VEVENT (the file "
                                        "is cut short or malformed)", _raw(block.text)))
                continue
            try:
                pairs.append((block, icalendar.Event.from_ical(block.text)))
            except Exception as error:  # any failure is this VEVENT's reason
                rejects.append(Rejected(block.line_no, f"unreadable VEVENT ({error})",
                                        _raw(block.text)))

    overrides = {override for block, event in pairs
                 if (override := _override(event, block, info)) is not None}
    rows: list[dict[str, Any]] = []
    for block, event in pairs:
        try:
            rows.extend(event_rows(event, block, info, overrides))
        except RowError as error:
            rejects.append(Rejected(block.line_no, str(error), _raw(block.text)))
        except Exception as error:  # icalendar met a value it cannot read
            rejects.append(Rejected(block.line_no, f"unreadable VEVENT ({type(error).__name__}:"
                                                   f" {error})", _raw(block.text)))
    return pl.DataFrame(rows, schema=SCHEMA), rejects


def _override(event: icalendar.Component, block: Block, info: CalendarInfo
              ) -> tuple[str, datetime] | None:
    """(uid, the occurrence it replaces) of a VEVENT with a readable RECURRENCE-ID."""
    if "RECURRENCE-ID" in _broken(event):
        return None
    try:
        recurrence_id = _recurrence_id(event, info)
    except RowError:
        return None
    return None if recurrence_id is None else (_uid(event, block), recurrence_id)


def _raw(text: str) -> str:
    return text[:RAW_TEXT_LIMIT]


# --- one VEVENT --------------------------------------------------------------------------


def event_rows(
    event: icalendar.Component,
    block: Block,
    info: CalendarInfo,
    overrides: set[tuple[str, datetime]],
) -> list[dict[str, Any]]:
    """The rows of one VEVENT: one, or one per occurrence of a bounded recurrence."""
    broken = _broken(event)
    for name in _CRITICAL:
        if name in broken:
            raise RowError(f"unreadable {name} ({broken[name]})")
    start_value = _when(event, "DTSTART")
    if start_value is None:
        raise RowError("VEVENT without DTSTART")
    all_day = not isinstance(start_value, datetime)
    length = _length(event, start_value, info.tz)
    if length < timedelta(0):
        raise RowError("DTEND is before DTSTART")
    starts_at, ends_at = to_utc(start_value, info.tz), to_utc(start_value + length, info.tz)

    uid = _uid(event, block)
    status = _text(event, "STATUS")
    rrule = _rrule_text(event) if "RRULE" not in broken else _text(event, "RRULE")
    base: dict[str, Any] = {
        "line_no": block.line_no,
        "uid": uid,
        "recurrence_id": _recurrence_id(event, info),
        "sequence": _sequence(event),
        "summary": _text(event, "SUMMARY"),
        "description": _text(event, "DESCRIPTION"),
        "location": _text(event, "LOCATION"),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "all_day": all_day,
        "status": status.upper() if status else (
            "CANCELLED" if info.method == "CANCEL" else "CONFIRMED"),
        "organizer": _organizer(event),
        "attendee_emails": json.dumps(attendee_emails(event)),
        "attendee_phones": json.dumps(attendee_phones(event)),
        "calendar_name": info.name,
        "rrule": rrule,
        "last_modified": None if "LAST-MODIFIED" in broken else _utc_property(event,
                                                                              "LAST-MODIFIED",
                                                                              info),
        "raw": _raw(block.text),
    }
    if rrule is None or base["recurrence_id"] is not None:
        return [base]
    occurrences = expand(event, rrule, start_value, info)
    if occurrences is None:
        return [base]
    rows = []
    for occurrence in occurrences:
        occurrence_start = to_utc(occurrence, info.tz)
        if (uid, occurrence_start) in overrides:
            continue
        rows.append({**base, "recurrence_id": occurrence_start, "starts_at": occurrence_start,
                     "ends_at": to_utc(occurrence + length, info.tz)})
    return rows


def to_utc(value: date | datetime, tz: tzinfo) -> datetime:
    """Naive UTC; a date is midnight in `tz`, a floating time is read in `tz`."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), tz)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC).replace(tzinfo=None)


def _when(event: icalendar.Component, name: str) -> date | datetime | None:
    """The value of a DATE or DATE-TIME property (None when absent)."""
    value = getattr(event.get(name), "dt", None)
    if value is None:
        return None
    if not isinstance(value, date):  # a PERIOD or a bare time
        raise RowError(f"{name} is not a date or a date-time")
    return value


def _length(event: icalendar.Component, start: date | datetime, tz: tzinfo) -> timedelta:
    """DTEND - DTSTART, else DURATION, else one day (all-day) or nothing."""
    end = _when(event, "DTEND")
    if end is not None:
        if isinstance(start, datetime) and isinstance(end, datetime):
            return to_utc(end, tz) - to_utc(start, tz)
        if not isinstance(start, datetime) and not isinstance(end, datetime):
            return end - start
        raise RowError("DTSTART and DTEND are not both dates or both date-times")
    duration = getattr(event.get("DURATION"), "dt", None)
    if duration is not None:
        if not isinstance(duration, timedelta):
            raise RowError("DURATION is not a duration")
        return duration
    return timedelta(0) if isinstance(start, datetime) else timedelta(days=1)


def expand(
    event: icalendar.Component, rrule: str, start: date | datetime, info: CalendarInfo
) -> list[date | datetime] | None:
    """The occurrences of a bounded rule (EXDATEs left out), else None (keep the master)."""
    upper = rrule.upper()
    if event.get("RDATE") is not None or ("COUNT=" not in upper and "UNTIL=" not in upper):
        return None
    all_day = not isinstance(start, datetime)
    first = datetime.combine(start, time()) if all_day else start
    assert isinstance(first, datetime)
    try:
        occurrences = list(islice(rrulestr(rrule, dtstart=first), MAX_OCCURRENCES + 1))
    except (ValueError, TypeError):
        return None
    if not occurrences or len(occurrences) > MAX_OCCURRENCES:
        return None
    excluded = {to_utc(value, info.tz) for value in _exdates(event)}
    kept: list[date | datetime] = []
    for occurrence in occurrences:
        value: date | datetime = occurrence.date() if all_day else occurrence
        if to_utc(value, info.tz) not in excluded:
            kept.append(value)
    return kept


def _exdates(event: icalendar.Component) -> list[date | datetime]:
    found = event.get("EXDATE")
    if found is None:
        return []
    lists = found if isinstance(found, list) else [found]
    return [item.dt for entry in lists for item in getattr(entry, "dts", [])]


def _broken(event: icalendar.Component) -> dict[str, str]:
    return {str(name).upper(): str(message) for name, message in event.errors}


def _text(event: icalendar.Component, name: str) -> str | None:
    value = event.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
        if value is None:
            return None
    text = str(value).strip()
    return text or None


def _rrule_text(event: icalendar.Component) -> str | None:
    value = event.get("RRULE")
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0]
    text = value.to_ical().decode() if hasattr(value, "to_ical") else str(value)
    return text or None


def _uid(event: icalendar.Component, block: Block) -> str:
    uid = _text(event, "UID")
    if uid:
        return uid
    return "threadline-" + hashlib.sha256(block.text.encode()).hexdigest()[:32]


def _recurrence_id(event: icalendar.Component, info: CalendarInfo) -> datetime | None:
    return _utc_property(event, "RECURRENCE-ID", info)


def _utc_property(event: icalendar.Component, name: str, info: CalendarInfo
                  ) -> datetime | None:
    value = _when(event, name)
    return None if value is None else to_utc(value, info.tz)


def _sequence(event: icalendar.Component) -> int:
    try:
        return int(str(event.get("SEQUENCE", 0)).strip() or 0)
    except ValueError:
        return 0


def _addresses(event: icalendar.Component, name: str) -> list[Any]:
    value = event.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _uri_value(address: Any, scheme: str) -> str | None:
    text = str(address).strip()
    if text.lower().startswith(scheme + ":"):
        return text[len(scheme) + 1:].strip() or None
    return None


def _organizer(event: icalendar.Component) -> str | None:
    for organizer in _addresses(event, "ORGANIZER"):
        mail = _uri_value(organizer, "mailto")
        if mail:
            return mail.lower()
        text = str(organizer).strip()
        if text:
            return text
    return None


def _x_values(event: icalendar.Component) -> list[str]:
    values: list[str] = []
    for key in event.keys():
        if str(key).upper().startswith("X-"):
            found = event[key]
            values.extend(str(v) for v in (found if isinstance(found, list) else [found]))
    return values


def attendee_emails(event: icalendar.Component) -> list[str]:
    emails: list[str] = []
    for attendee in _addresses(event, "ATTENDEE"):
        mail = _uri_value(attendee, "mailto")
        if mail and "@" in mail:
            emails.append(mail.lower())
    for text in (_text(event, "DESCRIPTION") or "", *_x_values(event)):
        emails.extend(match.lower() for match in _EMAIL.findall(text))
    return list(dict.fromkeys(emails))


def attendee_phones(event: icalendar.Component) -> list[str]:
    """E.164 numbers of the attendees, in the order they are found, without repeats."""
    phones: list[str] = []
    texts: list[str] = []
    for attendee in _addresses(event, "ATTENDEE"):
        tel = _uri_value(attendee, "tel")
        if tel:
            phones.extend(_phones_in(tel))
        params = getattr(attendee, "params", {})
        if params.get("CN"):
            texts.append(str(params["CN"]))
    texts.extend(_text(event, name) or "" for name in _PHONE_TEXT_PROPERTIES)
    texts.extend(_x_values(event))
    for text in texts:
        phones.extend(_phones_in(text))
    return list(dict.fromkeys(phones))


def _phones_in(text: str) -> list[str]:
    if not text.strip():
        return []
    return [
        phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        for match in phonenumbers.PhoneNumberMatcher(text, DEFAULT_REGION)
    ]


def ingest(
    con: duckdb.DuckDBPyConnection, landing: Path, default_tz: str = DEFAULT_TZ
) -> IngestResult:
    return ingest_parsed_files(
        con, SOURCE, landing / SOURCE, "raw.appointments", DDL,
        partial(parse_calendar_file, default_tz=default_tz), landing_root=landing,
        suffixes=SUFFIXES,
    )
