"""Property-based: random conversations, through landing → ingest → dbt build, give the
first response, resolution and reopen figures an independent Python reading of
DESIGN.md's definitions gives.

The reference below walks each contact's stream item by item (a state machine); the
warehouse computes the same with window functions only. Each example is one dbt build,
so an example carries many streams at once."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.settings import paths
from pipelines.transform.build import build
from pipelines.warehouse import connect

GAP = 24 * 3600
BASE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PHONE_NUMBER_ID, CHATWOOT_INBOX = "106540352242001", 11
KIND_ORDER = {"I": 1, "H": 2, "O": 3, "R": 4}
# steps that land on both sides of the 24 h gap, and plenty of short ones
STEPS = st.sampled_from([5, 60, 600, 3600, 6 * 3600, 23 * 3600, GAP, GAP + 1, 30 * 3600, 3 * 86400])
STREAM = st.lists(st.tuples(st.sampled_from("IIIHHOR"), STEPS), min_size=1, max_size=14)


@dataclass
class Conversation:
    opened_at: int
    first_response_at: int | None = None
    resolved_at: int | None = None
    reopened: int = 0
    inbound: int = 0
    last_was_resolution: bool = False


@dataclass
class Reference:
    conversations: list[Conversation] = field(default_factory=list)


def reference(items: list[tuple[str, int]]) -> list[Conversation]:
    """DESIGN.md, read literally, one item at a time."""
    state, current, previous_at = "none", None, None
    found: list[Conversation] = []
    for kind, at in items:
        if previous_at is not None and at - previous_at > GAP and state in ("answered", "resolved"):
            state = "none"  # silence closes an answered or resolved conversation
        previous_at = at
        if kind == "I":
            if state == "none":
                current = Conversation(opened_at=at)
                found.append(current)
                state = "unanswered"
            elif state == "resolved":
                current.reopened += 1
                current.resolved_at = None
                state = "unanswered"
            current.inbound += 1
        elif kind == "H" and state in ("unanswered", "answered"):
            if current.first_response_at is None:
                current.first_response_at = at
            state = "answered"
        elif kind == "R" and state in ("unanswered", "answered"):
            current.resolved_at = at
            state = "resolved"
    return found


def _ts(seconds: int) -> datetime:
    return BASE + timedelta(seconds=seconds)


def land(home, streams: list[list[tuple[str, int]]]) -> None:
    bodies, events = [], []
    for n, stream in enumerate(streams):
        wa_id = f"3934700{n:05d}"
        for i, (kind, at) in enumerate(stream):
            wamid = f"wamid.p{n}-{i}"
            when = _ts(at)
            if kind == "I":
                bodies.append(
                    {
                        "object": "whatsapp_business_account",
                        "entry": [
                            {
                                "id": "w",
                                "changes": [
                                    {
                                        "field": "messages",
                                        "value": {
                                            "messaging_product": "whatsapp",
                                            "metadata": {
                                                "display_phone_number": "390289730101",
                                                "phone_number_id": PHONE_NUMBER_ID,
                                            },
                                            "contacts": [
                                                {"profile": {"name": f"P{n}"}, "wa_id": wa_id}
                                            ],
                                            "messages": [
                                                {
                                                    "from": wa_id,
                                                    "id": wamid,
                                                    "timestamp": str(int(when.timestamp())),
                                                    "type": "text",
                                                    "text": {"body": "ciao"},
                                                }
                                            ],
                                        },
                                    }
                                ],
                            }
                        ],
                    }
                )
                continue
            conversation = {
                "id": 1000 + n,
                "inbox_id": CHATWOOT_INBOX,
                "status": "open",
                "contact_inbox": {"source_id": wa_id},
                "meta": {"sender": {"id": 5000 + n, "phone_number": "+" + wa_id}},
            }
            if kind == "R":
                events.append(
                    {
                        "event": "conversation_status_changed",
                        **conversation,
                        "status": "resolved",
                        "updated_at": when.timestamp(),
                    }
                )
            else:
                sender = (
                    {"id": 7, "name": "Op", "type": "user"}
                    if kind == "H"
                    else {"id": 2, "name": "Bot", "type": "agent_bot"}
                )
                events.append(
                    {
                        "event": "message_created",
                        "id": n * 100 + i,
                        "content": "ok",
                        "created_at": when.isoformat().replace("+00:00", "Z"),
                        "message_type": "outgoing",
                        "private": False,
                        "source_id": wamid,
                        "sender": sender,
                        "inbox": {"id": CHATWOOT_INBOX},
                        "conversation": conversation,
                        "account": {"id": 1},
                    }
                )
    write_jsonl(home.landing / "whatsapp" / "p" / "p.jsonl", bodies or [])
    write_jsonl(home.landing / "chatwoot" / "p" / "p.jsonl", events or [])


def _absolute(stream: list[tuple[str, int]]) -> list[tuple[str, int]]:
    at, out = 0, []
    for kind, step in stream:
        at += step
        out.append((kind, at))
    return out


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STREAM, min_size=5, max_size=25))
def test_conversation_measures_match_the_reference(raw_streams):
    streams = [_absolute(s) for s in raw_streams]
    with tempfile.TemporaryDirectory() as tmp:
        home = paths(Path(tmp)).ensure()
        land(home, streams)
        con = connect(home.warehouse)
        ingest_all(con, home)
        con.close()
        build(home.home)
        con = connect(home.warehouse, read_only=True)
        rows = con.execute(
            """
            select d.phone_e164, c.opened_at, c.first_response_at, c.resolved_at,
                   c.reopened_count, c.inbound_count, c.first_response_seconds, c.resolution_seconds
            from marts.fct_conversations c join marts.dim_contacts d using (contact_id)
            order by 1, 2
            """
        ).fetchall()
        con.close()

    def naive(seconds: int | None) -> datetime | None:
        return None if seconds is None else _ts(seconds).replace(tzinfo=None)

    expected = []
    for n, stream in enumerate(streams):
        for c in reference(stream):
            expected.append(
                (
                    f"+3934700{n:05d}",
                    naive(c.opened_at),
                    naive(c.first_response_at),
                    naive(c.resolved_at),
                    c.reopened,
                    c.inbound,
                    None if c.first_response_at is None else c.first_response_at - c.opened_at,
                    None if c.resolved_at is None else c.resolved_at - c.opened_at,
                )
            )
    assert rows == sorted(expected, key=lambda r: (r[0], r[1]))
