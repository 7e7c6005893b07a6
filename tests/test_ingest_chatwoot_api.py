"""Chatwoot REST messages (as the connector lands them) join the webhook events: the
same message from both sides is one message in staging."""

from __future__ import annotations

from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.transform.build import build
from pipelines.warehouse import connect


def test_rest_messages_land_beside_webhooks_and_deduplicate(home):
    rest = {"id": 42, "content": "Buongiorno", "message_type": 0, "created_at": 1772528400,
            "private": False, "source_id": "wamid.rest-1", "conversation_id": 7, "inbox_id": 11,
            "account_id": 1, "sender": {"id": 3, "name": "Giulia", "phone_number": "+393471112233"}}
    webhook = {"event": "message_created", "id": 42, "content": "Buongiorno",
               "created_at": "2026-03-03T09:00:00Z", "message_type": "incoming", "private": False,
               "source_id": "wamid.rest-1", "inbox": {"id": 11}, "account": {"id": 1},
               "sender": {"id": 3, "name": "Giulia", "phone_number": "+393471112233"},
               "conversation": {"id": 7, "inbox_id": 11}}
    write_jsonl(home.landing / "chatwoot_api" / "messages" / "a.jsonl", [rest, {"id": 1}])
    write_jsonl(home.landing / "chatwoot" / "d" / "a.jsonl", [webhook])
    con = connect(home.warehouse)
    result = ingest_all(con, home)["chatwoot"]
    con.close()
    build(home.home)
    con = connect(home.warehouse, read_only=True)
    staged = con.execute(
        "select chatwoot_message_id, message_type, sender_type, created_at, chatwoot_inbox_id "
        "from staging.stg_chatwoot__messages").fetchall()
    messages = con.execute(
        "select message_id, channel, direction from marts.fct_messages").fetchall()
    con.close()
    assert (result["lines"], result["rejected"]) == (3, 1)
    assert len(staged) == 1 and staged[0][1:3] == ("incoming", "customer")
    assert messages == [("wamid.rest-1", "whatsapp", "inbound")]
