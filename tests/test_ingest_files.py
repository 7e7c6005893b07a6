"""Landing-file ingestion: quarantine with reasons, idempotence, replays."""

from __future__ import annotations

import copy
import json
import random
import shutil

import pytest

from pipelines.ingest import chatwoot, shopify, whatsapp
from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.warehouse import connect
from tests.conftest import fixture_cases


def _text_bodies() -> list[dict]:
    return list(fixture_cases("message.json").values())


def test_one_corrupt_line_is_quarantined_and_the_rest_load(home):
    bodies = _text_bodies()
    lines = [json.dumps(b) for b in bodies]
    lines.insert(3, '{"object": "whatsapp_business_account", "entry": [')  # cut off mid-write
    lines.insert(7, '{"hello": "not a webhook"}')
    write_jsonl(home.landing / "whatsapp" / "d" / "mixed.jsonl", lines)

    con = connect(home.warehouse)
    result = whatsapp.ingest(con, home.landing)
    rejected = con.execute(
        "select source, file, line_no, reason, raw_text from raw.rejected_records order by line_no"
    ).fetchall()
    loaded = con.execute("select count(distinct line_no) from raw.whatsapp_messages").fetchone()[0]
    con.close()

    assert result.rejected == 2
    assert [(r[0], r[1], r[2]) for r in rejected] == [
        ("whatsapp", "whatsapp/d/mixed.jsonl", 4),
        ("whatsapp", "whatsapp/d/mixed.jsonl", 8),
    ]
    assert rejected[0][3] == "not valid JSON"
    assert "not a WhatsApp Cloud API webhook" in rejected[1][3]
    assert rejected[1][4] == '{"hello": "not a webhook"}'
    assert loaded == len(bodies)


def test_other_sources_quarantine_their_own_bad_lines(home):
    write_jsonl(
        home.landing / "chatwoot" / "d" / "a.jsonl",
        [{"event": "message_created", "id": 1}, {"no_event": True}, "{oops"],
    )
    write_jsonl(
        home.landing / "shopify" / "orders" / "a.jsonl",
        [{"id": 10, "updated_at": "2026-01-01T10:00:00+01:00"}, {"name": "#1"}],
    )
    con = connect(home.warehouse)
    cw = chatwoot.ingest(con, home.landing)
    sh = shopify.ingest(con, home.landing)
    reasons = dict(
        con.execute("select source || ':' || line_no, reason from raw.rejected_records").fetchall()
    )
    con.close()
    assert (cw.lines, cw.rejected, sh.lines, sh.rejected) == (3, 2, 2, 1)
    assert reasons == {
        "chatwoot:2": "not a Chatwoot webhook event (no event name)",
        "chatwoot:3": "not valid JSON",
        "shopify:2": "not a Shopify order (no id)",
    }


def test_a_file_is_ingested_once_even_under_another_name(home):
    bodies = _text_bodies()
    write_jsonl(home.landing / "whatsapp" / "d" / "a.jsonl", bodies)
    con = connect(home.warehouse)
    first = whatsapp.ingest(con, home.landing)
    again = whatsapp.ingest(con, home.landing)
    shutil.copy(
        home.landing / "whatsapp" / "d" / "a.jsonl", home.landing / "whatsapp" / "d" / "copy.jsonl"
    )
    copied = whatsapp.ingest(con, home.landing)
    count = con.execute("select count(*) from raw.whatsapp_messages").fetchone()[0]
    con.close()
    assert first.files == 1 and again.files == 0 and copied.files == 0
    assert again.skipped_files == 1 and copied.skipped_files == 2
    assert count == sum(
        len(change["value"].get("messages", []))
        for body in bodies
        for entry in body["entry"]
        for change in entry["changes"]
    )


def test_partial_files_are_invisible(home):
    folder = home.landing / "whatsapp" / "d"
    folder.mkdir(parents=True)
    (folder / "writing.jsonl.part").write_text(json.dumps(_text_bodies()[0]) + "\n")
    con = connect(home.warehouse)
    result = whatsapp.ingest(con, home.landing)
    con.close()
    assert result.files == 0


def test_shuffled_replays_give_identical_raw_content(home, tmp_path):
    """The same bodies landed three times, in shuffled files, load the same records."""
    bodies = [
        b for name in ("message.json", "message_status.json") for b in fixture_cases(name).values()
    ]
    rng = random.Random(3)
    for replay in range(3):
        shuffled = bodies[:]
        rng.shuffle(shuffled)
        write_jsonl(home.landing / "whatsapp" / f"replay{replay}" / "a.jsonl", shuffled)
    con = connect(home.warehouse)
    ingest_all(con, home)
    distinct_messages = con.execute(
        "select count(distinct message::varchar) from raw.whatsapp_messages"
    ).fetchone()[0]
    all_messages = con.execute("select count(*) from raw.whatsapp_messages").fetchone()[0]
    con.close()
    assert all_messages == 3 * distinct_messages


def test_an_unchanged_file_is_not_read_again_and_a_rewritten_one_is(home, monkeypatch):
    bodies = _text_bodies()
    path = home.landing / "whatsapp" / "d" / "a.jsonl"
    write_jsonl(path, bodies[:2])
    con = connect(home.warehouse)
    first = whatsapp.ingest(con, home.landing)

    # the ledger knows the file by name, size and modification time: no hashing at all
    from pipelines.ingest import files

    hashed: list[str] = []
    real_sha256_of = files.sha256_of
    monkeypatch.setattr(files, "sha256_of", lambda p: hashed.append(p.name) or real_sha256_of(p))
    again = whatsapp.ingest(con, home.landing)
    assert (again.files, again.skipped_files, hashed) == (0, 1, [])

    # the same name with other content (never done by our writers, but possible) is new
    write_jsonl(path, bodies[:3])
    rewritten = whatsapp.ingest(con, home.landing)
    messages = con.execute("select count(*) from raw.whatsapp_messages").fetchone()[0]
    con.close()
    assert first.files == 1 and rewritten.files == 1 and hashed == ["a.jsonl"]
    assert messages == 2 + 3


def _wa_text_body(wamid: str, text: str) -> dict:
    """A Cloud API `messages` webhook body with one text message (the fixture's shape)."""
    body = copy.deepcopy(fixture_cases("message.json")["text"])
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"], message["text"]["body"] = wamid, text
    return body


def _line(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def _with_byte(record: dict, marker: str, byte: bytes) -> bytes:
    """The record's JSON line with `marker` (inside a string value) replaced by a raw byte."""
    line = _line(record)
    assert line.count(marker.encode()) == 1
    return line.replace(marker.encode(), byte)


def _table_counts(con) -> dict[str, int]:  # type: ignore[no-untyped-def]
    tables = [row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' order by 1").fetchall()]
    return {table: con.execute(f"select count(*) from raw.{table}").fetchone()[0] for table in tables}


def test_an_invalid_utf8_byte_quarantines_its_line_and_the_batch_loads(home, monkeypatch):
    """A raw 0xff in a text body (CRLF file, a blank line) between good lines, and a clean
    second file in the same batch: the bad line is quarantined, everything else loads, the
    file is in the ledger, a second run changes nothing, and only the bad file is split in Python."""
    from pipelines.ingest import files

    bad = _with_byte(_wa_text_body("wamid.A2", "Caffè al bar? @@ grazie"), "@@", b"\xff")
    offset = bad.index(b"\xff")
    folder = home.landing / "whatsapp" / "2026-03-05"
    folder.mkdir(parents=True)
    (folder / "recv-a.jsonl").write_bytes(
        _line(_wa_text_body("wamid.A1", "Buongiorno, è aperto sabato?")) + b"\r\n"
        + bad + b"\r\n"
        + b"\r\n"
        + _line(_wa_text_body("wamid.A4", "Perfetto, a domani")) + b"\r\n"
    )
    (folder / "recv-b.jsonl").write_bytes(_line(_wa_text_body("wamid.B1", "Zoë, Università")) + b"\n")
    split: list[str] = []
    real_split = files._split_undecodable_lines
    monkeypatch.setattr(files, "_split_undecodable_lines", lambda path: split.append(path.name) or real_split(path))

    con = connect(home.warehouse)
    ingest_all(con, home)
    messages = con.execute(
        "select file, line_no, message ->> '$.id', message -> '$.text' ->> '$.body' "
        "from raw.whatsapp_messages order by file, line_no").fetchall()
    rejected = con.execute(
        "select source, file, line_no, reason, raw_text from raw.rejected_records").fetchall()
    ledger = con.execute(
        "select path, line_count, rejected_count from raw.ingested_files where source = 'whatsapp' "
        "order by path").fetchall()
    before = _table_counts(con)
    again = whatsapp.ingest(con, home.landing)
    ingest_all(con, home)
    after = _table_counts(con)
    con.close()

    assert messages == [
        ("whatsapp/2026-03-05/recv-a.jsonl", 1, "wamid.A1", "Buongiorno, è aperto sabato?"),
        ("whatsapp/2026-03-05/recv-a.jsonl", 4, "wamid.A4", "Perfetto, a domani"),
        ("whatsapp/2026-03-05/recv-b.jsonl", 1, "wamid.B1", "Zoë, Università"),
    ]
    [(source, file, line_no, reason, raw_text)] = rejected
    assert (source, file, line_no) == ("whatsapp", "whatsapp/2026-03-05/recv-a.jsonl", 2)
    assert reason == f"line is not valid UTF-8 (byte 0xff at offset {offset})"
    assert raw_text == bad.decode("utf-8", errors="replace")
    assert "Caffè al bar? \ufffd grazie" in raw_text and not raw_text.endswith("\r")
    assert ledger == [("whatsapp/2026-03-05/recv-a.jsonl", 3, 1), ("whatsapp/2026-03-05/recv-b.jsonl", 1, 0)]
    assert (again.files, again.skipped_files) == (0, 2)
    assert after == before
    assert split == ["recv-a.jsonl"]


SOURCE_RECORDS = {
    # landing folder: (ledger source, raw table, a good record shaped like what lands there)
    "chatwoot": ("chatwoot", "chatwoot_events",
                 {"event": "message_created", "id": 7, "content": "Buongiorno, è disponibile?",
                  "message_type": "incoming", "conversation": {"id": 31}}),
    "shopify/orders": ("shopify", "shopify_orders",
                       {"id": 5551, "updated_at": "2026-03-05T10:00:00+01:00", "name": "#1001",
                        "customer": {"first_name": "Niccolò"}}),
    "hubspot/contacts": ("hubspot_contacts", "hubspot_contacts",
                         {"id": "501", "properties": {"firstname": "Zoë", "email": "zoe@example.it",
                                                      "lastmodifieddate": "2026-03-05T09:00:00Z"},
                          "archived": False}),
    "webchat": ("webchat", "webchat_events",
                {"event_id": "evt-1", "type": "message", "site_id": "site-casa-brera", "session_id": "s-1",
                 "direction": "inbound", "text": "L'appartamento è libero?",
                 "sent_at": "2026-03-05T10:15:00+01:00"}),
    "instagram": ("instagram", "meta_messaging_events",
                  {"object": "instagram", "entry": [{"id": "1784", "time": 1741166100000, "messaging": [
                      {"sender": {"id": "9911"}, "recipient": {"id": "1784"}, "timestamp": 1741166100000,
                       "message": {"mid": "m-1", "text": "Ciao, è possibile?"}}]}]}),
}


@pytest.mark.parametrize("folder", list(SOURCE_RECORDS))
def test_every_jsonl_source_quarantines_an_invalid_utf8_line(home, folder):
    source, table, record = SOURCE_RECORDS[folder]
    bad_record = json.loads(json.dumps(record).replace("\\u00e8", "@@").replace("\\u00f2", "@@")
                            .replace("\\u00eb", "@@"))
    bad = _with_byte(bad_record, "@@", b"\xe8")  # a Latin-1 'è' pasted into a UTF-8 file
    path = home.landing / folder / "2026-03-05" / "page-1.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes(_line(record) + b"\n" + bad + b"\n" + _line(record) + b"\n")

    con = connect(home.warehouse)
    ingest_all(con, home)
    loaded = con.execute(f"select line_no from raw.{table} order by line_no").fetchall()
    rejected = con.execute("select source, line_no, reason from raw.rejected_records").fetchall()
    ledger = con.execute("select line_count, rejected_count from raw.ingested_files where source = ?",
                         [source]).fetchall()
    before = _table_counts(con)
    ingest_all(con, home)
    after = _table_counts(con)
    con.close()

    assert sorted({row[0] for row in loaded}) == [1, 3]
    offset = bad.index(b"\xe8")
    assert rejected == [(source, 2, f"line is not valid UTF-8 (byte 0xe8 at offset {offset})")]
    assert ledger == [(3, 1)] and after == before
