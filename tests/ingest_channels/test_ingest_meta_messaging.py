"""Messenger and Instagram webhook bodies → raw.meta_messaging_events."""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb
import pytest

from pipelines.ingest import meta_messaging
from pipelines.landing import write_jsonl
from pipelines.settings import Paths

PAGE = "100000000000102"
PSID = "6543210987654321"
IG_ACCOUNT = "17841400000000101"
IGSID = "998877665544"

Rejects = Callable[[str], list[tuple]]


def _page_body(*items: dict, standby: list[dict] | None = None) -> dict:
    entry: dict = {"id": PAGE, "time": 1767260000500, "messaging": list(items)}
    if standby is not None:
        entry["standby"] = standby
    return {"object": "page", "entry": [entry]}


def _from_customer(ts: int, **event: object) -> dict:
    return {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": ts, **event}


def _ig_body(*items: dict) -> dict:
    return {"object": "instagram",
            "entry": [{"id": IG_ACCOUNT, "time": 1767260100000, "messaging": list(items)}]}


def _ig_from_customer(ts: int, **event: object) -> dict:
    return {"sender": {"id": IGSID}, "recipient": {"id": IG_ACCOUNT}, "timestamp": ts, **event}


def _events(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select object, entry_id, list_name, event_kind, sender_id, recipient_id, timestamp_ms,"
        " mid from raw.meta_messaging_events order by file, line_no, entry_index, list_name,"
        " item_index").fetchall()


def test_messenger_kinds_load_and_one_bad_body_is_quarantined(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    message = _from_customer(1767260000000, message={"mid": "m_1", "text": "Ciao, siete aperti?"})
    echo = {"sender": {"id": PAGE}, "recipient": {"id": PSID}, "timestamp": 1767260060000,
            "message": {"mid": "m_2", "text": "Sì, fino alle 20", "is_echo": True,
                        "app_id": 1234}}
    read = _from_customer(1767260070000, read={"watermark": 1767260060000})
    delivery = _from_customer(1767260065000, delivery={"mids": ["m_2"],
                                                        "watermark": 1767260060000})
    reaction = _from_customer(1767260080000, reaction={"reaction": "love", "emoji": "❤",
                                                        "action": "react", "mid": "m_2"})
    postback = _from_customer(1767260090000, postback={"title": "Prenota", "payload": "BOOK",
                                                        "mid": "m_3"})
    edit = _from_customer(1767260095000, message_edit={"mid": "m_1", "text": "Ciao!",
                                                        "num_edit": 1})
    standby = _from_customer(1767260099000, message={"mid": "m_4", "text": "altro?"})
    lines = [
        json.dumps(_page_body(message, echo)),
        json.dumps(_page_body(read, delivery, reaction)),
        '{"object": "user", "entry": []}',
        json.dumps(_page_body(postback, edit, standby=[standby])),
    ]
    write_jsonl(home.landing / "messenger" / "2026-01-01" / "recv-a.jsonl", lines)

    result = meta_messaging.ingest(con, home.landing)

    assert (result.files, result.lines, result.rejected) == (1, 4, 1)
    assert _events(con) == [
        ("page", PAGE, "messaging", "message", PSID, PAGE, 1767260000000, "m_1"),
        ("page", PAGE, "messaging", "echo", PAGE, PSID, 1767260060000, "m_2"),
        ("page", PAGE, "messaging", "read", PSID, PAGE, 1767260070000, None),
        ("page", PAGE, "messaging", "delivery", PSID, PAGE, 1767260065000, None),
        ("page", PAGE, "messaging", "reaction", PSID, PAGE, 1767260080000, "m_2"),
        ("page", PAGE, "messaging", "postback", PSID, PAGE, 1767260090000, "m_3"),
        ("page", PAGE, "messaging", "message_edit", PSID, PAGE, 1767260095000, "m_1"),
        ("page", PAGE, "standby", "message", PSID, PAGE, 1767260099000, "m_4"),
    ]
    assert rejects("messenger") == [(
        "messenger/2026-01-01/recv-a.jsonl", 3,
        "not a Messenger or Instagram webhook body (object is 'user', expected page or "
        "instagram)",
        '{"object": "user", "entry": []}',
    )]
    item = con.execute("select item ->> '$.message.text', entry_time from "
                       "raw.meta_messaging_events where event_kind = 'echo'").fetchone()
    assert item == ("Sì, fino alle 20", 1767260000500)


def test_instagram_messages_echoes_and_seen_events_are_kept(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    body = _ig_body(
        _ig_from_customer(1767260100000, message={"mid": "ig_1", "text": "Prezzo?"}),
        {"sender": {"id": IG_ACCOUNT}, "recipient": {"id": IGSID}, "timestamp": 1767260160000,
         "message": {"mid": "ig_2", "text": "49 euro", "is_echo": True}},
        _ig_from_customer(1767260170000, read={"mid": "ig_2"}),
        _ig_from_customer(1767260175000, messaging_seen={"mid": "ig_2", "watermark": 1}),
        _ig_from_customer(1767260180000, reaction={"mid": "ig_2", "action": "react",
                                                    "reaction": "love"}),
    )
    comment = {"object": "instagram", "entry": [{"id": IG_ACCOUNT, "time": 1767260200000,
               "changes": [{"field": "comments", "value": {"id": "c1", "text": "Bello!",
                                                           "from": {"id": IGSID}}}]}]}
    write_jsonl(home.landing / "instagram" / "2026-01-01" / "recv-b.jsonl", [body, comment])

    result = meta_messaging.ingest(con, home.landing)

    assert (result.lines, result.rejected) == (2, 0)
    assert rejects("instagram") == []
    assert _events(con) == [
        ("instagram", IG_ACCOUNT, "messaging", "message", IGSID, IG_ACCOUNT, 1767260100000,
         "ig_1"),
        ("instagram", IG_ACCOUNT, "messaging", "echo", IG_ACCOUNT, IGSID, 1767260160000,
         "ig_2"),
        ("instagram", IG_ACCOUNT, "messaging", "read", IGSID, IG_ACCOUNT, 1767260170000,
         "ig_2"),
        ("instagram", IG_ACCOUNT, "messaging", "messaging_seen", IGSID, IG_ACCOUNT,
         1767260175000, "ig_2"),
        ("instagram", IG_ACCOUNT, "messaging", "reaction", IGSID, IG_ACCOUNT, 1767260180000,
         "ig_2"),
        ("instagram", IG_ACCOUNT, "changes", "comments", IGSID, None, None, None),
    ]


def test_an_unknown_item_without_any_extra_key_is_still_kept(
    home: Paths, con: duckdb.DuckDBPyConnection
) -> None:
    bare = {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1}
    optin = _from_customer(2, optin={"type": "notification_messages", "payload": "x"})
    write_jsonl(home.landing / "messenger" / "d" / "x.jsonl", [_page_body(bare, optin)])
    meta_messaging.ingest(con, home.landing)
    kinds = con.execute("select event_kind from raw.meta_messaging_events order by item_index"
                        ).fetchall()
    assert kinds == [("unknown",), ("optin",)]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"object": "page", "entry": [', "not valid JSON"),
        ("[1, 2]", "not a Messenger or Instagram webhook body (not a JSON object)"),
        ('{"entry": []}',
         "not a Messenger or Instagram webhook body (object is missing, expected page or "
         "instagram)"),
        ('{"object": "page", "entry": {"id": "1"}}',
         "not a Messenger or Instagram webhook body (no entry list)"),
        ('{"object": "page", "entry": [7]}', "an entry of the body is not a JSON object"),
        ('{"object": "page", "entry": [{"id": "1", "messaging": {"a": 1}}]}',
         "an entry's messaging is not a list"),
        ('{"object": "instagram", "entry": [{"id": "1", "standby": ["x"]}]}',
         "an item of an entry's standby list is not a JSON object"),
        ('{"threadline_unparsable_body": {"base64": "eyJ4", "size": 3, "reason": "not JSON"}}',
         "the receiver could not parse this body (not JSON); its bytes are in raw_text, "
         "base64-encoded"),
    ],
)
def test_bodies_of_the_wrong_shape_are_quarantined_with_a_reason(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects, line: str, reason: str
) -> None:
    good = json.dumps(_page_body(_from_customer(1, message={"mid": "m_ok", "text": "ok"})))
    write_jsonl(home.landing / "messenger" / "d" / "bad.jsonl", [good, line])
    result = meta_messaging.ingest(con, home.landing)
    assert result.rejected == 1
    assert [(r[1], r[2]) for r in rejects("messenger")] == [(2, reason)]
    assert con.execute("select mid from raw.meta_messaging_events").fetchall() == [("m_ok",)]


def test_rerunning_ingests_nothing_new_but_duplicate_deliveries_stay(
    home: Paths, con: duckdb.DuckDBPyConnection
) -> None:
    body = _page_body(_from_customer(1767260000000, message={"mid": "m_1", "text": "Ciao"}))
    write_jsonl(home.landing / "messenger" / "d" / "a.jsonl", [body, body])  # delivered twice
    first = meta_messaging.ingest(con, home.landing)
    write_jsonl(home.landing / "messenger" / "d" / "copy.jsonl", [body, body])  # same bytes
    second = meta_messaging.ingest(con, home.landing)
    assert (first.files, first.lines) == (1, 2)
    assert (second.files, second.lines, second.skipped_files) == (0, 0, 2)
    assert con.execute("select count(*) from raw.meta_messaging_events").fetchone() == (2,)
