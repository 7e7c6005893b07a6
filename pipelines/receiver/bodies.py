"""Which landing folder a body goes to, and the exact line written for it.

A landing line must be one JSON value without a raw newline (ingest splits on "\\n"):

- a body that is UTF-8 JSON is written byte for byte; if it holds CR or LF bytes they
  can only be whitespace between tokens (JSON forbids raw control characters inside
  strings), so each becomes a space and the line parses to exactly the same value
  (Meta's compact bodies never have any);
- any other body (not UTF-8, not JSON, nested too deeply for the parser, empty) is
  kept, never dropped, as the envelope
  `{"threadline_unparsable_body": {"base64": ..., "size": ..., "reason": ...}}`.
"""

from __future__ import annotations

import base64
import json
from typing import NoReturn

META_SOURCES = {
    "whatsapp_business_account": "whatsapp",
    "page": "messenger",
    "instagram": "instagram",
}
META_UNKNOWN = "meta_unknown"
CHATWOOT = "chatwoot"
SOURCES = (*META_SOURCES.values(), META_UNKNOWN, CHATWOOT)
UNPARSABLE_KEY = "threadline_unparsable_body"


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def parse(body: bytes) -> tuple[object, str | None]:
    """(document, None) for a UTF-8 JSON body, else (None, reason)."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant), None
    except UnicodeDecodeError:
        return None, "not UTF-8"
    except ValueError:
        return None, "not JSON"
    except RecursionError:
        return None, "JSON nested too deeply to read"


def landing_line(body: bytes, document: object, reason: str | None) -> bytes:
    """The bytes written for `body`, ending in one newline."""
    if reason is None:
        if b"\n" in body or b"\r" in body:
            body = body.replace(b"\r", b" ").replace(b"\n", b" ")
        return body + b"\n"
    envelope = {
        UNPARSABLE_KEY: {
            "base64": base64.b64encode(body).decode("ascii"),
            "size": len(body),
            "reason": reason,
        }
    }
    return json.dumps(envelope, separators=(",", ":")).encode("ascii") + b"\n"


def meta_source(document: object) -> str:
    """The landing folder of a Meta webhook body, by its top-level `object`."""
    kind = document.get("object") if isinstance(document, dict) else None
    return META_SOURCES.get(kind, META_UNKNOWN) if isinstance(kind, str) else META_UNKNOWN
