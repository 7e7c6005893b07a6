"""Who may post: Meta's X-Hub-Signature-256 and Chatwoot's shared token, in constant time."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = b"sha256="
HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


def meta_signature(secret: bytes, body: bytes) -> str:
    """The X-Hub-Signature-256 value Meta sends for `body`: `sha256=<hex HMAC-SHA256>`."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def parse_meta_signature(header: bytes | None) -> bytes | None:
    """The 32-byte digest of a well-formed `sha256=<64 hex>` header, else None."""
    if header is None:
        return None
    value = header.strip()
    if not value.startswith(PREFIX):
        return None
    hex_part = value[len(PREFIX) :]
    if len(hex_part) != 64 or not HEX_DIGITS.issuperset(hex_part):
        return None
    return bytes.fromhex(hex_part.decode("ascii"))


def meta_signature_valid(secret: bytes, body: bytes, digest: bytes | None) -> bool:
    """True when `digest` (from `parse_meta_signature`) is the HMAC of the raw `body`.

    An empty secret never validates: an unconfigured receiver accepts nothing.
    """
    if not secret or digest is None:
        return False
    expected = hmac.new(secret, body, hashlib.sha256).digest()
    return hmac.compare_digest(expected, digest)


def token_valid(expected: bytes, given: bytes | None) -> bool:
    """Constant-time shared-token check; an empty expected token never validates."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected, given)
