"""iCalendar files → raw.appointments (with the icalendar library)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import duckdb

from pipelines.ingest import calendar
from pipelines.settings import Paths

Rejects = Callable[[str], list[tuple]]

VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Rome
BEGIN:STANDARD
DTSTART:19701025T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE"""

EVENTS = [
    """BEGIN:VEVENT
UID:visit-1@studio-po
DTSTAMP:20260301T100000Z
DTSTART;TZID=Europe/Rome:20260305T100000
DTEND;TZID=Europe/Rome:20260305T103000
SUMMARY:Igiene dentale - Mario Rossi
DESCRIPTION:Paziente: Mario Rossi\\nTel: +39 333 123 4567\\nEmail: Mario.Rossi@example.it
LOCATION:Studio Po\\, Via Po 10\\, Torino
ORGANIZER;CN=Studio Dentistico Po:mailto:Info@StudioPo.example
ATTENDEE;CN=Mario Rossi;PARTSTAT=ACCEPTED:mailto:mario.rossi@example.it
STATUS:CONFIRMED
SEQUENCE:2
LAST-MODIFIED:20260301T110000Z
END:VEVENT""",
    """BEGIN:VEVENT
UID:visit-2@studio-po
DTSTART;TZID=Europe/Rome:20260306T150000
DURATION:PT45M
SUMMARY:Controllo
STATUS:CANCELLED
X-CUSTOMER-PHONE:347 765 4321
ATTENDEE;CN=Laura Bianchi:tel:+39-340-111-2233
END:VEVENT""",
    """BEGIN:VEVENT
UID:broken@studio-po
DTSTART:domani
SUMMARY:Non leggibile
END:VEVENT""",
    """BEGIN:VEVENT
UID:series-1@studio-po
DTSTART;TZID=Europe/Rome:20260323T090000
DTEND;TZID=Europe/Rome:20260323T100000
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE;TZID=Europe/Rome:20260330T090000
SUMMARY:Ortodonzia - Giulia Verdi
END:VEVENT""",
    """BEGIN:VEVENT
UID:series-1@studio-po
RECURRENCE-ID;TZID=Europe/Rome:20260406T090000
DTSTART;TZID=Europe/Rome:20260407T180000
DTEND;TZID=Europe/Rome:20260407T190000
SUMMARY:Ortodonzia - Giulia Verdi (spostato)
SEQUENCE:1
END:VEVENT""",
    """BEGIN:VEVENT
UID:weekly@studio-po
DTSTART:20260302T080000Z
DTEND:20260302T083000Z
RRULE:FREQ=WEEKLY;BYDAY=MO
SUMMARY:Riunione staff
STATUS:TENTATIVE
END:VEVENT""",
    """BEGIN:VEVENT
UID:closed@studio-po
DTSTART;VALUE=DATE:20260406
SUMMARY:Chiuso per Pasquetta
END:VEVENT""",
    """BEGIN:VEVENT
UID:floating@studio-po
DTSTART:20260310T120000
DTEND:20260310T123000
SUMMARY:Visita (ora locale)
END:VEVENT""",
    """BEGIN:VEVENT
UID:windows@studio-po
DTSTART;TZID=W. Europe Standard Time:20260311T140000
DTEND;TZID=W. Europe Standard Time:20260311T143000
SUMMARY:Prima visita
END:VEVENT""",
]


def _calendar(*events: str, extra: str = "") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Google Inc//Google Calendar//EN",
             "X-WR-CALNAME:Studio Dentistico Po", "X-WR-TIMEZONE:Europe/Rome"]
    if extra:
        lines.append(extra)
    text = "\n".join([*lines, VTIMEZONE, *events, "END:VCALENDAR"]) + "\n"
    return text.replace("\n", "\r\n")


def _write(home: Paths, name: str, text: str) -> None:
    folder = home.landing / "calendar" / "2026-03-01"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode("utf-8"))


def _rows(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, object], dict]:
    cursor = con.execute("select * exclude (ingested_at) from raw.appointments")
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {(row["uid"], row["recurrence_id"]): row for row in rows}


def test_an_ics_export_loads_one_row_per_occurrence_and_one_bad_event_is_quarantined(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    _write(home, "studio.ics", _calendar(*EVENTS))

    result = calendar.ingest(con, home.landing)
    rows = _rows(con)

    assert (result.files, result.rejected) == (1, 1)
    [(file, line_no, reason, raw_text)] = rejects("calendar")
    assert (file, reason) == ("calendar/2026-03-01/studio.ics",
                              "unreadable DTSTART (Expected time, got: domani)")
    assert raw_text.startswith("BEGIN:VEVENT\r\nUID:broken@studio-po")
    source_lines = _calendar(*EVENTS).split("\r\n")
    assert source_lines[line_no - 1] == "BEGIN:VEVENT"
    assert source_lines[line_no] == "UID:broken@studio-po"

    visit = rows[("visit-1@studio-po", None)]
    assert (visit["starts_at"], visit["ends_at"]) == (datetime(2026, 3, 5, 9, 0),
                                                      datetime(2026, 3, 5, 9, 30))
    assert (visit["status"], visit["sequence"], visit["all_day"]) == ("CONFIRMED", 2, False)
    assert visit["organizer"] == "info@studiopo.example"
    assert json.loads(visit["attendee_emails"]) == ["mario.rossi@example.it"]
    assert json.loads(visit["attendee_phones"]) == ["+393331234567"]
    assert visit["calendar_name"] == "Studio Dentistico Po"
    assert visit["last_modified"] == datetime(2026, 3, 1, 11, 0)
    assert visit["location"] == "Studio Po, Via Po 10, Torino"
    assert visit["description"].splitlines()[1] == "Tel: +39 333 123 4567"
    assert visit["raw"].startswith("BEGIN:VEVENT\r\nUID:visit-1@studio-po")
    assert visit["raw"].endswith("LAST-MODIFIED:20260301T110000Z\r\nEND:VEVENT")

    cancelled = rows[("visit-2@studio-po", None)]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["ends_at"] == datetime(2026, 3, 6, 14, 45)
    assert json.loads(cancelled["attendee_phones"]) == ["+393401112233", "+393477654321"]

    # bounded series: 4 weekly occurrences, one EXDATE, one moved by an override
    series = sorted((key[1], row["starts_at"], row["summary"]) for key, row in rows.items()
                    if key[0] == "series-1@studio-po")
    assert series == [
        (datetime(2026, 3, 23, 8), datetime(2026, 3, 23, 8), "Ortodonzia - Giulia Verdi"),
        # 30 March is excluded; on 29 March Italy moved to summer time (UTC+2)
        (datetime(2026, 4, 6, 7), datetime(2026, 4, 7, 16), "Ortodonzia - Giulia Verdi "
                                                            "(spostato)"),
        (datetime(2026, 4, 13, 7), datetime(2026, 4, 13, 7), "Ortodonzia - Giulia Verdi"),
    ]
    assert rows[("series-1@studio-po", datetime(2026, 4, 13, 7))]["rrule"] == (
        "FREQ=WEEKLY;COUNT=4")

    weekly = rows[("weekly@studio-po", None)]
    assert (weekly["rrule"], weekly["status"], weekly["starts_at"]) == (
        "FREQ=WEEKLY;BYDAY=MO", "TENTATIVE", datetime(2026, 3, 2, 8, 0))

    closed = rows[("closed@studio-po", None)]
    assert (closed["all_day"], closed["starts_at"], closed["ends_at"]) == (
        True, datetime(2026, 4, 5, 22), datetime(2026, 4, 6, 22))
    assert rows[("floating@studio-po", None)]["starts_at"] == datetime(2026, 3, 10, 11, 0)
    assert rows[("windows@studio-po", None)]["starts_at"] == datetime(2026, 3, 11, 13, 0)
    assert len(rows) == 9


def test_a_cancel_message_without_status_is_cancelled(
    home: Paths, con: duckdb.DuckDBPyConnection
) -> None:
    event = EVENTS[0].replace("STATUS:CONFIRMED\n", "")
    _write(home, "cancel.ics", _calendar(event, extra="METHOD:CANCEL"))
    calendar.ingest(con, home.landing)
    assert con.execute("select status from raw.appointments").fetchall() == [("CANCELLED",)]


def test_a_cut_short_file_loads_its_complete_events_and_quarantines_the_rest(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    text = _calendar(EVENTS[0], EVENTS[1])
    cut = text[: text.index("SUMMARY:Controllo")]
    _write(home, "cut.ics", cut)
    result = calendar.ingest(con, home.landing)
    assert result.rejected == 1
    assert [r[2] for r in rejects("calendar")] == [
        "VEVENT without END:VEVENT (the file is cut short or malformed)"]
    assert con.execute("select uid from raw.appointments").fetchall() == [
        ("visit-1@studio-po",)]


def test_a_file_that_is_not_icalendar_is_rejected_whole(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    _write(home, "notes.ics", "appuntamenti della settimana\nlunedì: Rossi\n")
    result = calendar.ingest(con, home.landing)
    assert (result.files, result.rejected) == (1, 1)
    [(_, line_no, reason, raw_text)] = rejects("calendar")
    assert line_no is None and reason.startswith("not a readable iCalendar file")
    assert raw_text.startswith("appuntamenti della settimana")


def test_rerunning_ingests_nothing_new(home: Paths, con: duckdb.DuckDBPyConnection) -> None:
    _write(home, "a.ics", _calendar(EVENTS[0]))
    first = calendar.ingest(con, home.landing)
    second = calendar.ingest(con, home.landing)
    assert (first.files, first.lines, second.files, second.skipped_files) == (1, 1, 0, 1)
    assert con.execute("select count(*) from raw.appointments").fetchone() == (1,)
