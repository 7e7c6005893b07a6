"""The canonical message import (JSONL, CSV, Parquet) → raw.canonical_messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest

from pipelines.ingest import canonical
from pipelines.landing import write_jsonl
from pipelines.settings import Paths

Rejects = Callable[[str], list[tuple]]


def _record(message_id: str, **fields: object) -> dict:
    record: dict = {"message_id": message_id, "channel": "sms", "direction": "inbound",
                    "contact_phone": "+39 333 1234567", "sent_at": "2026-03-05T10:15:00+01:00",
                    "body": "Confermo l'appuntamento", "source": "smshosting"}
    record.update(fields)
    return record


def _rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    cursor = con.execute("select * exclude (ingested_at) from raw.canonical_messages "
                         "order by file, line_no")
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_jsonl_loads_typed_with_defaults_and_one_bad_row_is_quarantined(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    records = [
        _record("sms-1"),
        _record("sms-2", direction="outbound", operator_id="op-1", body="Grazie, a domani",
                sent_at="2026-03-05T09:20:00Z", conversation_ref="t-77", inbox_id="x-sms"),
        _record("sms-3", channel="tiktok"),
        _record("sms-4", direction="Outbound", sender_type="Campaign", message_type="Template",
                sent_at="2026-03-05 08:00:00", extra_column={"kept": True}),
    ]
    write_jsonl(home.landing / "canonical" / "2026-03-05" / "sms.jsonl", records)

    result = canonical.ingest(con, home.landing)

    assert (result.files, result.lines, result.rejected) == (1, 4, 1)
    [(file, line_no, reason, raw_text)] = rejects("canonical")
    assert (file, line_no) == ("canonical/2026-03-05/sms.jsonl", 3)
    assert reason == ("channel 'tiktok' is not one of "
                      "whatsapp|instagram|messenger|email|webchat|phone|sms|other")
    assert json.loads(raw_text)["message_id"] == "sms-3"
    rows = _rows(con)
    assert [(r["message_id"], r["direction"], r["sender_type"], r["message_type"], r["sent_at"])
            for r in rows] == [
        ("sms-1", "inbound", "customer", "text", datetime(2026, 3, 5, 9, 15)),
        ("sms-2", "outbound", "operator", "text", datetime(2026, 3, 5, 9, 20)),
        ("sms-4", "outbound", "campaign", "template", datetime(2026, 3, 5, 8, 0)),
    ]
    second = rows[1]
    assert (second["operator_id"], second["conversation_ref"], second["inbox_id"],
            second["channel"], second["source"], second["body"]) == (
        "op-1", "t-77", "x-sms", "sms", "smshosting", "Grazie, a domani")
    assert json.loads(rows[2]["payload"])["extra_column"] == {"kept": True}


def test_csv_with_semicolons_and_mixed_case_headers_loads(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    folder = home.landing / "canonical" / "import"
    folder.mkdir(parents=True)
    (folder / "history.csv").write_text(
        "\ufeffMessage_ID;Channel;Direction;Contact_Email;Contact_Name;Sent_At;Body;Source\n"
        "fd-1;email;inbound;anna@example.it;Anna;2026-03-05T10:15:00+01:00;"
        "\"Buongiorno; vorrei info\";freshdesk\n"
        "fd-2;email;inbound;not-an-email;Anna;2026-03-05T10:16:00+01:00;x;freshdesk\n"
        "fd-3;email;outbound;anna@example.it;Anna;2026-03-05T11:00:00+01:00;Certo;freshdesk\n",
        encoding="utf-8")
    result = canonical.ingest(con, home.landing)
    assert (result.lines, result.rejected) == (3, 1)
    assert [(r[1], r[2]) for r in rejects("canonical")] == [
        (3, "invalid contact_email 'not-an-email'")]
    assert [(r["line_no"], r["message_id"], r["contact_email"], r["body"], r["sender_type"])
            for r in _rows(con)] == [
        (2, "fd-1", "anna@example.it", "Buongiorno; vorrei info", "customer"),
        (4, "fd-3", "anna@example.it", "Certo", "operator"),
    ]


def test_parquet_loads_with_a_timestamp_column(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    frame = pl.DataFrame({
        "message_id": ["wa-1", "wa-2", "wa-3"],
        "channel": ["whatsapp", "whatsapp", "whatsapp"],
        "direction": ["inbound", "outbound", "upward"],
        "contact_phone": ["393331234567", "393331234567", "393331234567"],
        "sent_at": [datetime(2025, 11, 2, 9, 0, tzinfo=UTC), datetime(2025, 11, 2, 9, 5,
                    tzinfo=UTC), datetime(2025, 11, 2, 9, 6, tzinfo=UTC)],
        "body": ["Ciao", "Buongiorno!", "?"],
    })
    folder = home.landing / "canonical" / "old-tool"
    folder.mkdir(parents=True)
    frame.write_parquet(folder / "export.parquet")

    result = canonical.ingest(con, home.landing)

    assert (result.lines, result.rejected) == (3, 1)
    assert [(r[1], r[2]) for r in rejects("canonical")] == [
        (3, "direction 'upward' is not one of inbound|outbound")]
    assert [(r["line_no"], r["message_id"], r["sent_at"], r["sender_type"]) for r in _rows(con)
            ] == [(1, "wa-1", datetime(2025, 11, 2, 9, 0), "customer"),
                  (2, "wa-2", datetime(2025, 11, 2, 9, 5), "operator")]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"message_id": None}, "message_id is missing"),
        ({"message_id": "  "}, "message_id is missing"),
        ({"channel": ""}, "channel is missing"),
        ({"direction": None}, "direction is missing"),
        ({"sent_at": None}, "sent_at is missing"),
        ({"sent_at": "05/03/2026 10:15"}, "sent_at '05/03/2026 10:15' is not an ISO-8601 "
                                          "date and time"),
        ({"sent_at": "2026-03-05"}, "sent_at '2026-03-05' is not an ISO-8601 date and time"),
        ({"sender_type": "robot"},
         "sender_type 'robot' is not one of customer|operator|bot|automation|campaign"),
        ({"contact_name": {"first": "Anna"}}, "contact_name must be a single value, not a JSON "
                                              "object"),
        ({"inbox_id": True}, "inbox_id must be text, not true"),
    ],
)
def test_invalid_rows_are_quarantined_with_a_reason_naming_the_column(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects, change: dict, reason: str
) -> None:
    bad = {**_record("bad"), **change}
    write_jsonl(home.landing / "canonical" / "a.jsonl", [_record("ok"), bad])
    result = canonical.ingest(con, home.landing)
    assert result.rejected == 1
    assert [(r[1], r[2]) for r in rejects("canonical")] == [(2, reason)]
    assert con.execute("select message_id from raw.canonical_messages").fetchall() == [("ok",)]


def test_files_without_a_required_column_are_rejected_once(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    folder = home.landing / "canonical"
    folder.mkdir(parents=True)
    (folder / "no_direction.csv").write_text("message_id,channel,sent_at\n1,sms,2026-03-05T10:"
                                             "00:00Z\n", encoding="utf-8")
    pl.DataFrame({"message_id": ["1"], "body": ["x"]}).write_parquet(folder / "thin.parquet")
    (folder / "junk.parquet").write_bytes(b"PAR1 this is not parquet")
    write_jsonl(folder / "broken.jsonl", ['{"message_id": "1",', "[1]"])
    result = canonical.ingest(con, home.landing)
    assert (result.files, result.rejected) == (4, 5)
    reasons = [(r[0], r[1], r[2]) for r in rejects("canonical")]
    assert reasons[:2] == [("canonical/broken.jsonl", 1, "not valid JSON"),
                           ("canonical/broken.jsonl", 2, "not a JSON object")]
    assert reasons[2][:2] == ("canonical/junk.parquet", None)
    assert reasons[2][2].startswith("unreadable file:")
    assert reasons[3:] == [
        ("canonical/no_direction.csv", 1, "header has no 'direction' column"),
        ("canonical/thin.parquet", None,
         "Parquet file has no 'channel' / 'direction' / 'sent_at' column"),
    ]


def test_rerunning_ingests_nothing_new(home: Paths, con: duckdb.DuckDBPyConnection) -> None:
    write_jsonl(home.landing / "canonical" / "a.jsonl", [_record("1"), _record("1")])
    first = canonical.ingest(con, home.landing)
    second = canonical.ingest(con, home.landing)
    assert (first.lines, second.files, second.skipped_files) == (2, 0, 1)
    assert con.execute("select count(*) from raw.canonical_messages").fetchone() == (2,)


def _json_line(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def test_a_jsonl_line_with_invalid_utf8_is_quarantined_not_loaded_with_replacement_characters(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    """A history exported by another tool, UTF-8 with a BOM, where one message body holds
    a Latin-1 'è' (0xe8): that line is quarantined; the accents of the others load exactly."""
    bad = _json_line(_record("fd-2", body="Il pacco @@ arrivato")).replace(b"@@", b"\xe8")
    path = home.landing / "canonical" / "2026-03-05" / "freshdesk.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xef\xbb\xbf" + _json_line(_record("fd-1", body="Perché non è arrivato?")) + b"\r\n"
                     + bad + b"\r\n" + _json_line(_record("fd-3", contact_name="Zoë Università")) + b"\r\n")

    result = canonical.ingest(con, home.landing)
    again = canonical.ingest(con, home.landing)

    assert (result.files, result.lines, result.rejected) == (1, 3, 1)
    [(file, line_no, reason, raw_text)] = rejects("canonical")
    assert (file, line_no) == ("canonical/2026-03-05/freshdesk.jsonl", 2)
    offset = bad.index(b"\xe8")
    assert reason == f"line is not valid UTF-8 (byte 0xe8 at offset {offset})"
    assert raw_text == bad.decode("utf-8", errors="replace")
    rows = _rows(con)
    assert [(r["message_id"], r["body"], r["contact_name"]) for r in rows] == [
        ("fd-1", "Perché non è arrivato?", None),
        ("fd-3", "Confermo l'appuntamento", "Zoë Università"),
    ]
    assert (again.files, again.skipped_files) == (0, 1)


def test_a_csv_history_with_mixed_encodings_and_a_long_body_loads_row_by_row(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    """A UTF-8 history export with one row appended from a cp1252 tool ("Perché" as 0xe9,
    "…" as 0x85), one row holding 0x8d (undefined in cp1252: quarantined), and a 200 KiB
    quoted multi-line body."""
    long_body = ("Gentile cliente, in allegato il riepilogo; grazie.\n" * 5000)[: 200 * 1024]
    header = "message_id,channel,direction,contact_name,sent_at,body\n"
    path = home.landing / "canonical" / "import" / "zendesk.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        header.encode()
        + "zd-1,email,inbound,Zoë Università,2026-03-05T10:15:00+01:00,Buongiorno\n".encode()
        + "zd-2,email,inbound,Niccolò,2026-03-05T10:16:00+01:00,Perché no…\n".encode("cp1252")
        + b"zd-3,email,inbound,Anna,2026-03-05T10:17:00+01:00,caff\x8d\n"
        + f'zd-4,email,outbound,Zoë Università,2026-03-05T11:00:00+01:00,"{long_body}"\n'.encode()
    )

    result = canonical.ingest(con, home.landing)

    rows = _rows(con)
    assert [(r["line_no"], r["message_id"], r["contact_name"]) for r in rows] == [
        (2, "zd-1", "Zoë Università"), (3, "zd-2", "Niccolò"), (5, "zd-4", "Zoë Università")]
    assert rows[1]["body"] == "Perché no…" and rows[2]["body"] == long_body
    [(file, line_no, reason, raw_text)] = rejects("canonical")
    assert (file, line_no) == ("canonical/import/zendesk.csv", 4)
    offset = len("zd-3,email,inbound,Anna,2026-03-05T10:17:00+01:00,caff")
    assert reason == f"line is neither valid UTF-8 nor cp1252 (byte 0x8d at offset {offset})"
    assert raw_text == "zd-3,email,inbound,Anna,2026-03-05T10:17:00+01:00,caff\ufffd"
    assert (result.files, result.rejected) == (1, 1)
