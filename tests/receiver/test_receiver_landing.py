"""Signed bodies land byte for byte, by `object`, in complete landing files; HTTP edges."""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Callable, Iterator

import httpx
from receiver_harness import CHATWOOT_TOKEN, Receiver, fixture_bodies, landed_lines, sign, tree_sizes

from pipelines.landing import landed_files

Start = Callable[..., Receiver]


def test_every_fixture_body_lands_byte_identical_in_whatsapp(start_receiver: Start) -> None:
    receiver = start_receiver()
    bodies = [body for _, body in fixture_bodies()]
    assert len(bodies) > 50
    for body in bodies:
        assert receiver.post_meta(body).status_code == 200
    # acknowledged means already on disk, before any rotation or shutdown
    assert Counter(landed_lines(receiver.landing / "whatsapp")) == Counter(bodies)
    receiver.stop()
    files = landed_files(receiver.landing / "whatsapp")
    assert [f.parent.parent.name for f in files] == ["whatsapp"]
    assert files[0].name.startswith("recv-") and files[0].parent.name.count("-") == 2
    assert Counter(landed_lines(receiver.landing / "whatsapp", include_partial=False)) == Counter(
        bodies)
    assert sorted(p.name for p in receiver.landing.iterdir()) == ["whatsapp"]


def test_meta_bodies_are_routed_by_object(start_receiver: Start) -> None:
    receiver = start_receiver()
    sent = {
        "messenger": b'{"object":"page","entry":[{"id":"PAGE1","time":1700000000000,'
                     b'"messaging":[{"sender":{"id":"PSID1"},"recipient":{"id":"PAGE1"},'
                     b'"timestamp":1700000000000,'
                     b'"message":{"mid":"m_1","text":"Ciao \\u00e8"}}]}]}',
        "instagram": '{"object":"instagram","entry":[{"id":"IG1","time":1700000000000,'
                     '"messaging":[{"message":{"mid":"ig_1","text":"perché"}}]}]}'.encode(),
        "meta_unknown": b'{"object":"permissions","entry":[]}',
    }
    for body in sent.values():
        assert receiver.post_meta(body).status_code == 200
    receiver.stop()
    for source, body in sent.items():
        assert landed_lines(receiver.landing / source, include_partial=False) == [body]


UNPARSABLE = [
    b"not json at all",
    b"",
    b'{"object": "whatsapp_business_account", "entry": [',
    b"\xff\xfe{}",
    b"line one\nline two\r\n",
    b'{"value": NaN}',
]


def test_signed_unparsable_bodies_are_kept_in_meta_unknown(start_receiver: Start) -> None:
    receiver = start_receiver()
    for body in UNPARSABLE:
        assert receiver.post_meta(body).status_code == 200
    receiver.stop()
    lines = landed_lines(receiver.landing / "meta_unknown", include_partial=False)
    kept = [json.loads(line)["threadline_unparsable_body"] for line in lines]
    assert sorted(base64.b64decode(k["base64"]) for k in kept) == sorted(UNPARSABLE)
    assert all(k["size"] == len(base64.b64decode(k["base64"])) for k in kept)


def test_pretty_printed_body_stays_one_line_with_the_same_value(start_receiver: Start) -> None:
    receiver = start_receiver()
    document = json.loads(fixture_bodies()[0][1])
    body = json.dumps(document, indent=2, ensure_ascii=False).replace("\n", "\r\n").encode()
    assert b"\n" in body
    assert receiver.post_meta(body).status_code == 200
    receiver.stop()
    [line] = landed_lines(receiver.landing / "whatsapp", include_partial=False)
    assert b"\n" not in line
    assert json.loads(line) == document
    assert line == body.replace(b"\r", b" ").replace(b"\n", b" ")


def test_routes_methods_and_size_limit(shared_receiver: Receiver) -> None:
    before = tree_sizes(shared_receiver.landing)
    url = shared_receiver.url
    assert httpx.get(url + "/").status_code == 404
    assert httpx.post(url + "/webhooks/meta/", content=b"{}").status_code == 404
    assert httpx.post(url + "/webhooks/whatsapp", content=b"{}").status_code == 404
    put = httpx.put(url + "/webhooks/meta", content=b"{}")
    assert put.status_code == 405
    assert put.headers["allow"] == "GET, POST"
    assert httpx.get(url + "/webhooks/chatwoot").status_code == 405
    assert httpx.post(url + "/healthz").status_code == 405
    big = b'{"object":"whatsapp_business_account","pad":"' + b"x" * 300_000 + b'"}'
    assert shared_receiver.post_meta(big).status_code == 413
    # a body without Content-Length (chunked) is cut off at the limit too

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 65536):
            yield big[start:start + 65536]

    chunked = httpx.post(url + "/webhooks/meta", content=chunks(),
                         headers={"X-Hub-Signature-256": sign(big)})
    assert chunked.status_code == 413
    assert tree_sizes(shared_receiver.landing) == before


def test_healthz_reports_the_writer(shared_receiver: Receiver) -> None:
    answer = httpx.get(shared_receiver.url + "/healthz")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert {"bodies", "batch_fsyncs", "files_completed"} <= set(answer.json())


def test_a_body_that_cannot_be_written_is_not_acknowledged(start_receiver: Start) -> None:
    receiver = start_receiver()
    (receiver.landing / "instagram").write_text("a file where a folder should be")
    body = b'{"object":"instagram","entry":[]}'
    assert receiver.post_meta(body).status_code == 500
    assert receiver.post_meta(fixture_bodies()[0][1]).status_code == 200  # others still land
    receiver.stop()
    assert "landing write failed" in receiver.log.read_text()


def test_deeply_nested_signed_bodies_are_kept_not_refused(start_receiver: Start) -> None:
    """A signed body nested deeper than any parser goes (Python's json raises
    RecursionError) is still on disk before the 200, as raw bytes: never a 500."""
    receiver = start_receiver()
    depth = 40_000
    nested = [
        b"[" * depth + b"]" * depth,
        b'{"object":"whatsapp_business_account","entry":' + b"[" * depth + b"]" * depth + b"}",
    ]
    for body in nested:
        assert receiver.post_meta(body).status_code == 200
    chatwoot = b'{"event":"message_created","content":' + b"[" * depth + b"]" * depth + b"}"
    response = httpx.post(
        receiver.url + "/webhooks/chatwoot",
        content=chatwoot,
        headers={"X-Threadline-Webhook-Token": CHATWOOT_TOKEN},
    )
    assert response.status_code == 200
    receiver.stop()
    kept = [
        json.loads(line)["threadline_unparsable_body"]
        for line in landed_lines(receiver.landing / "meta_unknown", include_partial=False)
    ]
    assert sorted(base64.b64decode(k["base64"]) for k in kept) == sorted(nested)
    assert {k["reason"] for k in kept} == {"JSON nested too deeply to read"}
    [line] = landed_lines(receiver.landing / "chatwoot", include_partial=False)
    assert base64.b64decode(json.loads(line)["threadline_unparsable_body"]["base64"]) == chatwoot
