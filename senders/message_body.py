"""The Cloud API request body of a template message, built from a template's components.

One module builds what the sender posts (`template_message`) so that the clients, the
campaign runs and the simulator agree on its shape:

    {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "+39…",
     "type": "template",
     "template": {"name": …, "language": {"code": …}, "components": [
         {"type": "body", "parameters": [{"type": "text", "text": "Giulia"}, …]}]}}

A header is `header_text_component` or `header_media_component`; each button with a
parameter is one `button_component` (sub_type, index as a string, its parameter).
Clients take the whole body (`send(message)`), never loose arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def text_parameters(values: Sequence[str]) -> list[dict[str, str]]:
    """Cloud API text parameters, in order."""
    return [{"type": "text", "text": str(value)} for value in values]


def body_component(values: Sequence[str]) -> list[dict[str, Any]]:
    """The body component for these parameter values ([] when the body takes none)."""
    return [{"type": "body", "parameters": text_parameters(values)}] if values else []


def header_text_component(values: Sequence[str]) -> dict[str, Any]:
    """A TEXT header's parameters ({{1}}..), in order."""
    return {"type": "header", "parameters": text_parameters(values)}


def header_media_component(kind: str, link: str, filename: str | None = None) -> dict[str, Any]:
    """An IMAGE, VIDEO or DOCUMENT header: the media by `link` (a document may add its
    file name, shown to the recipient)."""
    if kind not in ("image", "video", "document"):
        raise ValueError(f"a media header is image, video or document, not {kind!r}")
    media: dict[str, str] = {"link": link}
    if filename is not None and kind == "document":
        media["filename"] = filename
    return {"type": "header", "parameters": [{"type": kind, kind: media}]}


def button_component(sub_type: str, index: int, value: str) -> dict[str, Any]:
    """One button's parameter: a URL button's suffix (`url`), a quick reply's payload
    (`quick_reply`) or a copy-code button's coupon (`copy_code`)."""
    parameter = {
        "url": {"type": "text", "text": value},
        "quick_reply": {"type": "payload", "payload": value},
        "copy_code": {"type": "coupon_code", "coupon_code": value},
    }.get(sub_type)
    if parameter is None:
        raise ValueError(f"button sub_type is url, quick_reply or copy_code, not {sub_type!r}")
    return {"type": "button", "sub_type": sub_type, "index": str(index), "parameters": [parameter]}


def template_message(
    to: str, template_name: str, language: str, components: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """The request body of a template message with the given (filled) components."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {"name": template_name, "language": {"code": language}, "components": list(components)},
    }
