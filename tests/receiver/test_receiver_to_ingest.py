"""The handoff: what the receiver lands, the WhatsApp and Chatwoot ingest read without rejects."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from receiver_harness import CHATWOOT_TOKEN, Receiver, fixture_bodies

from pipelines.ingest import chatwoot, whatsapp
from pipelines.warehouse import connect

CHATWOOT_EVENT = (
    b'{"event":"message_created","id":9001,"content":"Grazie!","created_at":'
    b'"2025-06-02T08:00:00.000Z","message_type":"incoming","content_type":"text",'
    b'"private":false,"sender":{"id":5,"name":"Luca"},"inbox":{"id":1,"name":"WhatsApp"},'
    b'"conversation":{"id":77,"inbox_id":1,"status":"open"},"account":{"id":1,"name":"Bottega"}}'
)


def test_landed_files_ingest_without_rejects(start_receiver: Callable[..., Receiver]) -> None:
    receiver = start_receiver()
    bodies = [body for _, body in fixture_bodies()]
    for body in bodies:
        assert receiver.post_meta(body).status_code == 200
    answer = httpx.post(receiver.url + "/webhooks/chatwoot", params={"token": CHATWOOT_TOKEN},
                        content=CHATWOOT_EVENT)
    assert answer.status_code == 200
    receiver.stop()

    con = connect(receiver.home / "warehouse.duckdb")
    landed = whatsapp.ingest(con, receiver.landing)
    assert (landed.lines, landed.rejected) == (len(bodies), 0)
    assert whatsapp.ingest(con, receiver.landing).files == 0  # idempotent
    from_chatwoot = chatwoot.ingest(con, receiver.landing)
    assert (from_chatwoot.lines, from_chatwoot.rejected) == (1, 0)
    con.close()
