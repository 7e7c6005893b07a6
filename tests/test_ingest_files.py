"""Landing-file ingestion: quarantine with reasons, idempotence, replays."""

from __future__ import annotations

import json
import random
import shutil

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
