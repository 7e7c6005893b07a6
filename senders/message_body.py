"""The Cloud API request body of a template message, built from a template's components.

One module builds what the sender posts (`template_message`) so that the clients, the
campaign runs and the simulator agree on its shape:

    {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "+39…",
     "type": "template",
     "template": {"name": …, "language": {"code": …}, "components": [
         {"type": "body", "parameters": [{"type": "text", "text": "Giulia"}, …]}]}}

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
