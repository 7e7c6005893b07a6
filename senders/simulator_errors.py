"""Meta's error answers as the simulator gives them: `{"error": {message, type, code,
error_data: {messaging_product, details}, fbtrace_id}}` with Meta's titles and details."""

from __future__ import annotations

import random
from typing import Any

_IDS = random.Random()

_ERRORS_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

# code -> (title, details) as Meta words them
_ERRORS: dict[int, tuple[str, str]] = {
    100: ("Invalid parameter", "Invalid parameter"),
    130429: ("Rate limit hit", "Cloud API message throughput has been reached."),
    131000: ("Something went wrong", "Message failed to send due to an unknown error."),
    131026: ("Message undeliverable", "Message Undeliverable."),
    131048: (
        "Spam rate limit hit",
        "Message failed to send because there are restrictions on how many messages can be "
        "sent from this phone number. This may be because too many previous messages were "
        "blocked or flagged as spam.",
    ),
    131049: (
        "This message was not delivered to maintain healthy ecosystem engagement.",
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    ),
    131050: (
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business.",
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business.",
    ),
    131056: (
        "(Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone "
        "number to the same phone number in a short period of time.",
    ),
    132000: (
        "Number of parameters does not match the expected number of params",
        "body: number of localizable_params does not match the expected number of params",
    ),
    132012: (
        "Parameter format does not match format in the created template",
        "Parameter format does not match format in the created template",
    ),
    132001: ("Template name does not exist in the translation", "template name does not exist"),
    132015: ("Template is Paused", "Cannot send message using a paused template."),
}


class SimulatedError(Exception):
    """An error answer, carrying Meta's HTTP status and error body."""

    def __init__(self, http_status: int, body: dict[str, Any]):
        super().__init__(body["error"]["message"])
        self.http_status = http_status
        self.body = body
        self.headers: tuple[tuple[str, str], ...] = ()


def meta_error(http_status: int, code: int, details: str | None = None) -> SimulatedError:
    title, default_details = _ERRORS[code]
    error: dict[str, Any] = {
        "message": f"(#{code}) {title}",
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details or default_details},
        "fbtrace_id": f"{_IDS.getrandbits(92):023x}",
    }
    return SimulatedError(http_status, {"error": error})


def auth_error() -> SimulatedError:
    error = {
        "message": "Invalid OAuth access token - Cannot parse access token",
        "type": "OAuthException",
        "code": 190,
        "fbtrace_id": f"{_IDS.getrandbits(92):023x}",
    }
    return SimulatedError(401, {"error": error})


