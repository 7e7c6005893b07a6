"""Phone call logs (CSV) → raw.calls."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import duckdb
import pytest

from pipelines.ingest import calls
from pipelines.settings import Paths

Rejects = Callable[[str], list[tuple]]
HEADER = "call_id,direction,caller,callee,started_at,duration_seconds,answered,operator_id,inbox_id"
LINE = "studio-dentale-po-phone"


def _write(home: Paths, name: str, text: str) -> None:
    folder = home.landing / "calls" / "2026-03-05"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_calls_load_typed_and_one_bad_row_is_quarantined(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    _write(home, "pbx.csv", "\n".join([
        HEADER,
        f"c-1,inbound,+39 333 123 4567,+390118830404,2026-03-05T10:15:00+01:00,95,true,op-2,{LINE}",
        f"c-2,outbound,+390118830404,3471234567,2026-03-05T11:02:10+01:00,0,no,op-2,{LINE}",
        f"c-3,in,+39 347 000 1111,+390118830404,2026-03-05T12:00:00+01:00,-5,si,,{LINE}",
        f"c-4,entrante,+39 347 000 2222,+390118830404,2026-07-01 09:00:00,1:05,1,,{LINE}",
        f"c-5,outgoing,+390118830404,+39 347 000 3333,2026-03-05T13:00:00Z,,,op-1,{LINE}",
    ]) + "\n")

    result = calls.ingest(con, home.landing)

    assert (result.files, result.lines, result.rejected) == (1, 5, 1)
    [(file, line_no, reason, raw_text)] = rejects("calls")
    assert (file, line_no, reason) == ("calls/2026-03-05/pbx.csv", 4,
                                       "negative duration_seconds -5")
    assert raw_text.startswith("c-3,in,")
    rows = con.execute(
        "select line_no, call_id, direction, caller, callee, started_at, duration_seconds, "
        "answered, operator_id, inbox_id from raw.calls order by line_no").fetchall()
    assert rows == [
        (2, "c-1", "inbound", "+39 333 123 4567", "+390118830404", datetime(2026, 3, 5, 9, 15),
         95, True, "op-2", LINE),
        (3, "c-2", "outbound", "+390118830404", "3471234567", datetime(2026, 3, 5, 10, 2, 10),
         0, False, "op-2", LINE),
        (5, "c-4", "inbound", "+39 347 000 2222", "+390118830404", datetime(2026, 7, 1, 7, 0),
         65, True, None, LINE),
        (6, "c-5", "outbound", "+390118830404", "+39 347 000 3333",
         datetime(2026, 3, 5, 13, 0), None, None, "op-1", LINE),
    ]
    types = dict(con.execute("select column_name, data_type from information_schema.columns "
                             "where table_schema = 'raw' and table_name = 'calls'").fetchall())
    assert (types["started_at"], types["duration_seconds"], types["answered"]) == (
        "TIMESTAMP", "INTEGER", "BOOLEAN")
    row = con.execute("select \"row\" from raw.calls where call_id = 'c-1'").fetchone()[0]
    assert json.loads(row)["answered"] == "true"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (f",inbound,+39333,+39011,2026-03-05T10:15:00+01:00,10,true,,{LINE}", "no call_id"),
        (f"c-9,sideways,+39333,+39011,2026-03-05T10:15:00+01:00,10,true,,{LINE}",
         "direction must be inbound or outbound, not 'sideways'"),
        (f"c-9,inbound,+39333,+39011,,10,true,,{LINE}", "no started_at"),
        (f"c-9,inbound,+39333,+39011,ieri,10,true,,{LINE}", "unreadable started_at 'ieri'"),
        (f"c-9,inbound,+39333,+39011,2026-03-05T10:15:00+01:00,dieci,true,,{LINE}",
         "unreadable duration_seconds 'dieci'"),
        (f"c-9,inbound,+39333,+39011,2026-03-05T10:15:00+01:00,10.5,true,,{LINE}",
         "duration_seconds '10.5' is not a whole number of seconds"),
        (f"c-9,inbound,+39333,+39011,2026-03-05T10:15:00+01:00,10,forse,,{LINE}",
         "unreadable answered 'forse' (expected true/false, 1/0, si/no)"),
        ("c-9,inbound,+39333", "row has 3 fields, header has 9"),
    ],
)
def test_bad_rows_are_quarantined_with_their_reason(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects, line: str, reason: str
) -> None:
    good = f"c-1,inbound,+39333,+39011,2026-03-05T10:15:00+01:00,10,true,,{LINE}"
    _write(home, "a.csv", f"{HEADER}\n{good}\n{line}\n")
    result = calls.ingest(con, home.landing)
    assert result.rejected == 1
    assert [(r[1], r[2]) for r in rejects("calls")] == [(3, reason)]
    assert con.execute("select call_id from raw.calls").fetchall() == [("c-1",)]


def test_a_semicolon_export_with_a_bom_loads_and_a_missing_column_rejects_the_file(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    _write(home, "excel.csv", "\ufeff" + HEADER.replace(",", ";") + "\n"
           f"c-7;inbound;+39333;+39011;05/03/2026 10:15;00:01:40;sì;op-3;{LINE}\n")
    _write(home, "broken.csv", "id,who\n1,me\n")
    result = calls.ingest(con, home.landing)
    assert (result.files, result.rejected) == (2, 1)
    assert con.execute("select call_id, started_at, duration_seconds, answered from raw.calls"
                       ).fetchall() == [("c-7", datetime(2026, 3, 5, 9, 15), 100, True)]
    assert [(r[0], r[2]) for r in rejects("calls")] == [
        ("calls/2026-03-05/broken.csv",
         "header has no 'call_id' / 'direction' / 'started_at' column")]


def test_rerunning_ingests_nothing_new(home: Paths, con: duckdb.DuckDBPyConnection) -> None:
    _write(home, "a.csv", f"{HEADER}\nc-1,inbound,+39333,+39011,2026-03-05T10:15:00+01:00,10,"
                          f"true,,{LINE}\n")
    first = calls.ingest(con, home.landing)
    second = calls.ingest(con, home.landing)
    assert (first.lines, second.files, second.skipped_files) == (1, 0, 1)
    assert con.execute("select count(*) from raw.calls").fetchone() == (1,)


def test_a_row_with_an_undecodable_byte_is_quarantined_and_a_latin1_row_loads(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    """A PBX export in UTF-8 with rows appended by an older tool: one in Latin-1 (the
    operator "Niccolò", ò as 0xf2) loads as written, one holding 0x90 is quarantined."""
    folder = home.landing / "calls" / "2026-03-05"
    folder.mkdir(parents=True)
    (folder / "pbx.csv").write_bytes(
        (HEADER + "\n"
         + f"c-1,entrante,+39 333 123 4567,+390118830404,2026-03-05T10:15:00+01:00,95,sì,Zoë,{LINE}\n"
         ).encode()
        + f"c-2,uscente,+390118830404,3471234567,2026-03-05T11:02:10+01:00,0,no,Niccolò,{LINE}\n".encode("latin-1")
        + f"c-3,in,+39 347 000 1111,+390118830404,2026-03-05T12:00:00+01:00,5,si,op\x90,{LINE}\n".encode("latin-1")
    )

    result = calls.ingest(con, home.landing)

    assert con.execute("select line_no, call_id, operator_id, answered from raw.calls order by line_no"
                       ).fetchall() == [(2, "c-1", "Zoë", True), (3, "c-2", "Niccolò", False)]
    [(_, line_no, reason, _)] = rejects("calls")
    assert line_no == 4 and reason.startswith("line is neither valid UTF-8 nor cp1252 (byte 0x90 at offset ")
    assert (result.lines, result.rejected) == (3, 1)
