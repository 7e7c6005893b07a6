"""A hand-built case whose first response times are known to the second, through the
real path: webhook bodies and inbox events in landing/ → ingest → dbt build."""

from __future__ import annotations

from datetime import UTC, datetime

from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.transform.build import build
from pipelines.warehouse import connect

PHONE_NUMBER_ID = "106540352242001"  # arredi-navigli in models/seeds/inboxes.csv
CHATWOOT_INBOX_ID = 11
CUSTOMER = "393471112233"


def _unix(text: str) -> str:
    return str(int(datetime.fromisoformat(text).timestamp()))


def inbound(wamid: str, at: str, body: str) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340001",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "390289730101",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [{"profile": {"name": "Giulia Rossi"}, "wa_id": CUSTOMER}],
                            "messages": [
                                {
                                    "from": CUSTOMER,
                                    "id": wamid,
                                    "timestamp": _unix(at),
                                    "type": "text",
                                    "text": {"body": body},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def outgoing(message_id: int, wamid: str | None, at: str, sender: dict, content: str) -> dict:
    return {
        "event": "message_created",
        "id": message_id,
        "content": content,
        "created_at": at,
        "message_type": "outgoing",
        "content_type": "text",
        "private": False,
        "source_id": wamid,
        "sender": sender,
        "inbox": {"id": CHATWOOT_INBOX_ID, "name": "Arredi Navigli WhatsApp"},
        "conversation": {
            "id": 501,
            "inbox_id": CHATWOOT_INBOX_ID,
            "status": "open",
            "contact_inbox": {"source_id": CUSTOMER},
            "meta": {
                "sender": {"id": 9, "name": "Giulia Rossi", "phone_number": "+39 347 111 2233"}
            },
        },
        "account": {"id": 1, "name": "Demo"},
    }


BOT = {"id": 3, "name": "Assistente", "type": "agent_bot"}
MARCO = {"id": 41, "name": "Marco Bianchi", "email": "marco@arredinavigli.it", "type": "user"}


def test_first_response_to_the_second(home):
    write_jsonl(
        home.landing / "whatsapp" / "2026-03-03" / "case.jsonl",
        [
            # Tuesday 3 March 2026, 10:00:00 in Rome = 09:00:00 UTC
            inbound(
                "wamid.case-1",
                "2026-03-03T09:00:00+00:00",
                "Buongiorno, vorrei un preventivo per una cucina",
            ),
            # Friday 6 March, 17:59:30 in Rome, answered Monday 9 March 09:01:00 in Rome
            inbound("wamid.case-2", "2026-03-06T16:59:30+00:00", "Il divano non è ancora arrivato"),
        ],
    )
    write_jsonl(
        home.landing / "chatwoot" / "2026-03-03" / "case.jsonl",
        [
            outgoing(
                1, "wamid.bot-1", "2026-03-03T09:00:03Z", BOT, "Ciao! Ti rispondiamo al più presto"
            ),
            outgoing(
                2, "wamid.op-1", "2026-03-03T09:12:34Z", MARCO, "Buongiorno! Mi manda le misure?"
            ),
            outgoing(
                3, "wamid.op-2", "2026-03-09T08:01:00Z", MARCO, "Ci scusi, verifichiamo subito"
            ),
        ],
    )
    con = connect(home.warehouse)
    ingest_all(con, home)
    con.close()
    build(home.home)

    con = connect(home.warehouse, read_only=True)
    rows = con.execute(
        """
        select opened_at, first_response_at, first_response_seconds,
               first_response_business_seconds, assignee_id, inbound_count, outbound_count
        from marts.fct_conversations order by opened_at
        """
    ).fetchall()
    senders = dict(con.execute("select message_id, sender_type from marts.fct_messages").fetchall())
    con.close()

    assert senders == {
        "wamid.case-1": "customer",
        "wamid.case-2": "customer",
        "wamid.bot-1": "bot",
        "wamid.op-1": "operator",
        "wamid.op-2": "operator",
    }
    assert len(rows) == 2
    first, second = rows
    # the bot's greeting 3 s in is not a response; Marco's, 12 min 34 s in, is
    assert first[0] == datetime(2026, 3, 3, 9, 0, 0)
    assert first[1] == datetime(2026, 3, 3, 9, 12, 34)
    assert first[2:] == (754, 754, "41", 1, 2)
    # Friday 17:59:30 → Monday 09:01:00 (Rome): 2 days 15 h 1 min 30 s on the clock,
    # 30 s before closing on Friday plus 60 s after opening on Monday in business hours
    wall = datetime(2026, 3, 9, 8, 1, tzinfo=UTC) - datetime(2026, 3, 6, 16, 59, 30, tzinfo=UTC)
    assert second[2] == int(wall.total_seconds()) == 226_890
    assert second[3] == 90
