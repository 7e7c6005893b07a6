"""Chatwoot webhooks: accepted only with the shared token, landed byte for byte."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from receiver_harness import CHATWOOT_TOKEN, Receiver, landed_lines, tree_sizes

Start = Callable[..., Receiver]

MESSAGE_CREATED = json.dumps({
    "event": "message_created", "id": 4711, "content": "Buongiorno, è disponibile?",
    "created_at": "2025-06-02T08:00:00.000Z", "message_type": "incoming",
    "content_type": "text", "private": False, "sender": {"id": 9, "name": "Giulia"},
    "inbox": {"id": 1, "name": "WhatsApp"}, "conversation": {"id": 12},
    "account": {"id": 1, "name": "Erboristeria"},
}, ensure_ascii=False, separators=(",", ":")).encode()


def test_token_in_query_or_header_lands_the_body(start_receiver: Start) -> None:
    receiver = start_receiver()
    url = receiver.url + "/webhooks/chatwoot"
    by_query = httpx.post(url, params={"token": CHATWOOT_TOKEN}, content=MESSAGE_CREATED)
    by_header = httpx.post(url, content=MESSAGE_CREATED,
                           headers={"X-Threadline-Webhook-Token": CHATWOOT_TOKEN})
    assert (by_query.status_code, by_header.status_code) == (200, 200)
    receiver.stop()
    lines = landed_lines(receiver.landing / "chatwoot", include_partial=False)
    assert lines == [MESSAGE_CREATED, MESSAGE_CREATED]
    assert CHATWOOT_TOKEN not in receiver.log.read_text()


def test_missing_or_wrong_token_is_refused(shared_receiver: Receiver) -> None:
    before = tree_sizes(shared_receiver.landing)
    url = shared_receiver.url + "/webhooks/chatwoot"
    for params, headers in [
        ({}, {}),
        ({"token": ""}, {}),
        ({"token": CHATWOOT_TOKEN[:-1]}, {}),
        ({"token": CHATWOOT_TOKEN + "0"}, {}),
        ({}, {"X-Threadline-Webhook-Token": "nope"}),
        ({"tok": CHATWOOT_TOKEN}, {}),
    ]:
        answer = httpx.post(url, params=params, headers=headers, content=MESSAGE_CREATED)
        assert answer.status_code == 401, (params, headers)
    assert tree_sizes(shared_receiver.landing) == before
    log = shared_receiver.log.read_text()
    assert "refused POST '/webhooks/chatwoot' -> 401" in log
    assert CHATWOOT_TOKEN[:-1] not in log
