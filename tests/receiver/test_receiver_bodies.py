"""Routing by `object` and the landing line of odd bodies (pure functions)."""

from __future__ import annotations

import json

import pytest

from pipelines.receiver.bodies import landing_line, meta_source, parse
from pipelines.receiver.signature import meta_signature, meta_signature_valid, parse_meta_signature


@pytest.mark.parametrize(("body", "source"), [
    (b'{"object":"whatsapp_business_account","entry":[]}', "whatsapp"),
    (b'{"object":"page","entry":[]}', "messenger"),
    (b'{"object":"instagram","entry":[]}', "instagram"),
    (b'{"object":"user","entry":[]}', "meta_unknown"),
    (b'{"object":["page"]}', "meta_unknown"),
    (b'{"entry":[]}', "meta_unknown"),
    (b'["page"]', "meta_unknown"),
    (b'"page"', "meta_unknown"),
])
def test_meta_source(body: bytes, source: str) -> None:
    document, problem = parse(body)
    assert problem is None
    assert meta_source(document) == source


def test_compact_json_is_written_unchanged() -> None:
    body = '{"object":"page","text":"caffè \\n ☕"}'.encode()
    assert landing_line(body, *parse(body)) == body + b"\n"


def test_newlines_between_tokens_become_spaces() -> None:
    body = b'{\r\n  "a": "x\\ny",\n  "b": [1,\n 2]\n}\n'
    line = landing_line(body, *parse(body))
    assert line.count(b"\n") == 1 and line.endswith(b"\n") and b"\r" not in line
    assert json.loads(line) == json.loads(body)


def test_signature_parsing_is_strict() -> None:
    secret, body = b"k", b"{}"
    good = meta_signature(secret, body).encode()
    assert meta_signature_valid(secret, body, parse_meta_signature(good))
    upper_hex = b" sha256=" + good[7:].upper()
    assert meta_signature_valid(secret, body, parse_meta_signature(upper_hex))
    for bad in (None, b"", b"sha256=", good[7:], b"sha1=" + good[7:], good + b"0", good[:-1]):
        assert not meta_signature_valid(secret, body, parse_meta_signature(bad))
    signed_with_nothing = parse_meta_signature(meta_signature(b"", body).encode())
    assert not meta_signature_valid(b"", body, signed_with_nothing)
