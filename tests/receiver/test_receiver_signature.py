"""Meta's endpoint on a real receiver: the subscription GET and X-Hub-Signature-256."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import httpx
import pytest
from receiver_harness import SECRET, VERIFY_TOKEN, Receiver, fixture_bodies, sign, tree_sizes

BODY = fixture_bodies()[0][1]


def verify(receiver: Receiver, **params: str) -> httpx.Response:
    return httpx.get(receiver.url + "/webhooks/meta", params=params, timeout=5)


def test_verification_echoes_the_challenge(shared_receiver: Receiver) -> None:
    answer = verify(shared_receiver, **{"hub.mode": "subscribe",
                                        "hub.verify_token": VERIFY_TOKEN,
                                        "hub.challenge": "1158201444"})
    assert answer.status_code == 200
    assert answer.text == "1158201444"


@pytest.mark.parametrize("params", [
    {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
    {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN + "x", "hub.challenge": "1"},
    {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"},
    {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
    {"hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
    {},
], ids=["wrong-token", "longer-token", "empty-token", "wrong-mode", "no-mode", "nothing"])
def test_verification_refuses(shared_receiver: Receiver, params: dict[str, str]) -> None:
    answer = verify(shared_receiver, **params)
    assert answer.status_code == 403
    assert "1" not in answer.text.split()  # the challenge is not echoed


def _hex(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _flip(hex_digest: str) -> str:
    return ("0" if hex_digest[0] != "0" else "1") + hex_digest[1:]


BAD_SIGNATURES = {
    "missing": None,
    "empty": "",
    "no-prefix": _hex(BODY),
    "sha1-prefix": "sha1=" + _hex(BODY),
    "uppercase-prefix": "SHA256=" + _hex(BODY),
    "one-hex-digit-wrong": "sha256=" + _flip(_hex(BODY)),
    "not-hex": "sha256=" + "zz" * 32,
    "truncated": "sha256=" + _hex(BODY)[:-2],
    "other-body": sign(BODY + b" "),
    "other-secret": sign(BODY, secret=SECRET + "x"),
    "empty-secret": sign(BODY, secret=""),
}


@pytest.mark.parametrize("signature", list(BAD_SIGNATURES.values()), ids=list(BAD_SIGNATURES))
def test_bad_signature_is_refused_and_nothing_written(
    shared_receiver: Receiver, signature: str | None
) -> None:
    before, bodies_before = tree_sizes(shared_receiver.landing), shared_receiver.stats()["bodies"]
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    answer = httpx.post(shared_receiver.url + "/webhooks/meta", content=BODY, headers=headers)
    assert answer.status_code == 401
    assert shared_receiver.stats()["bodies"] == bodies_before
    assert tree_sizes(shared_receiver.landing) == before


def test_refusals_log_no_secret_or_body(shared_receiver: Receiver) -> None:
    shared_receiver.post_meta(BODY, signature=sign(BODY, secret="guess"))
    verify(shared_receiver, **{"hub.mode": "subscribe", "hub.verify_token": "guess-token"})
    log = shared_receiver.log.read_text()
    assert "refused POST '/webhooks/meta' -> 401" in log
    assert "refused GET '/webhooks/meta' -> 403" in log
    for secret in (SECRET, VERIFY_TOKEN, "guess-token", _hex(BODY, "guess"), "Test Name"):
        assert secret not in log


def test_unconfigured_receiver_accepts_nothing(start_receiver: Callable[..., Receiver]) -> None:
    receiver: Receiver = start_receiver(
        THREADLINE_META_APP_SECRET="", THREADLINE_WEBHOOK_VERIFY_TOKEN="",
        THREADLINE_CHATWOOT_WEBHOOK_TOKEN="")
    assert receiver.post_meta(BODY, signature=sign(BODY, secret="")).status_code == 401
    assert receiver.post_meta(BODY).status_code == 401
    assert verify(receiver, **{"hub.mode": "subscribe", "hub.verify_token": "",
                               "hub.challenge": "5"}).status_code == 403
    chatwoot = httpx.post(receiver.url + "/webhooks/chatwoot", params={"token": ""},
                          content=b'{"event":"message_created"}')
    assert chatwoot.status_code == 401
    receiver.stop()
    assert tree_sizes(receiver.landing) == {}
