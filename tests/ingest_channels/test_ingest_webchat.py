"""Web chat widget events → raw.webchat_events."""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb
import pytest

from pipelines.ingest import webchat
from pipelines.landing import write_jsonl
from pipelines.settings import Paths

Rejects = Callable[[str], list[tuple]]
SITE = "site-casa-brera"


def _event(event_id: str, type_: str = "message", **fields: object) -> dict:
    event: dict = {"event_id": event_id, "type": type_, "site_id": SITE, "session_id": "s-42",
                   "sent_at": "2026-03-05T10:15:00+01:00"}
    if type_ == "message":
        event.update({"visitor": {"id": "v-9", "name": "Anna Bianchi"},
                      "direction": "inbound", "sender": {"type": "visitor", "id": "v-9"},
                      "text": "L'appartamento è ancora disponibile?"})
    event.update(fields)
    return event


def test_every_event_type_loads_and_one_bad_event_is_quarantined(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    events = [
        _event("e1", "session_started", visitor={"id": "v-9"}),
        _event("e2"),
        _event("e3", direction="outbound", sender={"type": "bot"}, text="Sì! Vuole visitarlo?",
               sent_at="2026-03-05T09:15:05Z"),
        {"event_id": "e4", "type": "message", "session_id": "s-42", "direction": "inbound",
         "text": "no site", "sent_at": "2026-03-05T10:16:00+01:00"},
        _event("e5", "visitor_identified",
               visitor={"id": "v-9", "email": "anna@example.it", "phone": "+39 333 1234567"}),
        _event("e6", "session_closed"),
        _event("e7", "typing_indicator_shown"),
    ]
    write_jsonl(home.landing / "webchat" / "2026-03-05" / "chat.jsonl", events)

    result = webchat.ingest(con, home.landing)

    assert (result.files, result.lines, result.rejected) == (1, 7, 1)
    assert rejects("webchat") == [("webchat/2026-03-05/chat.jsonl", 4,
                                   "no site_id (a non-empty string)", json.dumps(events[3]))]
    rows = con.execute("select line_no, event_id, type, site_id, session_id, "
                       "payload ->> '$.visitor.email' from raw.webchat_events order by line_no"
                       ).fetchall()
    assert rows == [
        (1, "e1", "session_started", SITE, "s-42", None),
        (2, "e2", "message", SITE, "s-42", None),
        (3, "e3", "message", SITE, "s-42", None),
        (5, "e5", "visitor_identified", SITE, "s-42", "anna@example.it"),
        (6, "e6", "session_closed", SITE, "s-42", None),
        (7, "e7", "typing_indicator_shown", SITE, "s-42", None),
    ]
    assert con.execute("select payload ->> 'text' from raw.webchat_events where event_id = 'e2'"
                       ).fetchone() == ("L'appartamento è ancora disponibile?",)


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (_event("", "message"), "no event_id (a non-empty string)"),
        ({**_event("x"), "event_id": 17}, "no event_id (a non-empty string)"),
        ({k: v for k, v in _event("x").items() if k != "type"}, "no type (a non-empty string)"),
        ({k: v for k, v in _event("x").items() if k != "sent_at"}, "no sent_at"),
        (_event("x", sent_at="ieri sera"),
         "unreadable sent_at 'ieri sera' (expected ISO-8601 with a UTC offset, "
         "e.g. 2026-03-05T10:15:00+01:00)"),
        (_event("x", sent_at="2026-03-05T10:15:00"),
         "unreadable sent_at '2026-03-05T10:15:00' (expected ISO-8601 with a UTC offset, "
         "e.g. 2026-03-05T10:15:00+01:00)"),
        (_event("x", session_id=""), "message event without session_id"),
        (_event("x", direction="sideways"),
         "message event direction must be inbound or outbound, not 'sideways'"),
        ({k: v for k, v in _event("x").items() if k != "direction"},
         "message event direction must be inbound or outbound, not missing"),
        (["not", "an", "object"], "not a web chat event (not a JSON object)"),
    ],
)
def test_events_breaking_the_format_are_quarantined_with_the_reason(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects, event: object, reason: str
) -> None:
    write_jsonl(home.landing / "webchat" / "d" / "a.jsonl", [_event("ok"), event])
    result = webchat.ingest(con, home.landing)
    assert result.rejected == 1
    assert [(r[1], r[2]) for r in rejects("webchat")] == [(2, reason)]
    assert con.execute("select event_id from raw.webchat_events").fetchall() == [("ok",)]


def test_rerunning_ingests_nothing_new_and_repeated_events_stay_for_staging(
    home: Paths, con: duckdb.DuckDBPyConnection
) -> None:
    write_jsonl(home.landing / "webchat" / "d" / "a.jsonl", [_event("e1"), _event("e1")])
    first = webchat.ingest(con, home.landing)
    second = webchat.ingest(con, home.landing)
    assert (first.lines, second.files, second.lines, second.skipped_files) == (2, 0, 0, 1)
    assert con.execute("select count(*) from raw.webchat_events").fetchone() == (2,)
