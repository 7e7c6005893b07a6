"""What each Cloud API error means for a campaign sender: one table, read by both clients.

Meta's error codes fall into a few classes that decide what the sender does next
(reference: "Error codes a campaign sender meets"):

- `retry`: throughput (130429), pair rate (131056), throughput upgrade (131057), app or
  account rate limits (4, 80007), "something went wrong" (131000), any HTTP 5xx or 429,
  and connection failures where the request provably never left (connect refused,
  connect or pool timeouts). Retried with backoff.
- `no_retry`: the request is wrong or the recipient cannot receive it now (131026,
  131047, 132000, 132001, 132012, 132015, 100, any other 4xx). Retrying changes nothing.
- `opt_out` (131050): the user stopped marketing messages; never retried, the caller
  records an opt-out.
- `marketing_limit` (131049): the per-user marketing cap; not retried, because retrying
  within 24 h extends Meta's block; the caller holds the contact for 24 h.
- `halt` (131048 spam rate limit, 190 access token): the whole run must stop
  (`CampaignHaltError`).

A code in the table wins over the HTTP status; a code not in it is classed by its HTTP
status (429 and 5xx retry, other 4xx do not).
"""

from __future__ import annotations

from enum import StrEnum


class ErrorClass(StrEnum):
    RETRY = "retry"
    NO_RETRY = "no_retry"
    OPT_OUT = "opt_out"
    MARKETING_LIMIT = "marketing_limit"
    HALT = "halt"


PAIR_RATE_CODE = 131056

ERROR_CLASSES: dict[int, ErrorClass] = {
    130429: ErrorClass.RETRY,  # throughput reached
    PAIR_RATE_CODE: ErrorClass.RETRY,  # pair rate: waits at least the pair interval
    131057: ErrorClass.RETRY,  # number in throughput upgrade
    4: ErrorClass.RETRY,  # app rate limit
    80007: ErrorClass.RETRY,  # account rate limit
    131000: ErrorClass.RETRY,  # something went wrong
    131026: ErrorClass.NO_RETRY,  # undeliverable
    131047: ErrorClass.NO_RETRY,  # outside the 24 h window (free-form only)
    132000: ErrorClass.NO_RETRY,  # parameter count mismatch
    132001: ErrorClass.NO_RETRY,  # template missing in that language
    132012: ErrorClass.NO_RETRY,  # parameter format mismatch
    132015: ErrorClass.NO_RETRY,  # template paused
    100: ErrorClass.NO_RETRY,  # invalid parameter
    131050: ErrorClass.OPT_OUT,  # user stopped marketing messages
    131049: ErrorClass.MARKETING_LIMIT,  # per-user marketing cap
    131048: ErrorClass.HALT,  # spam rate limit
    190: ErrorClass.HALT,  # access token expired or invalid
}

RETRYABLE_CODES = frozenset(code for code, kind in ERROR_CLASSES.items() if kind is ErrorClass.RETRY)
HALTING_CODES = frozenset(code for code, kind in ERROR_CLASSES.items() if kind is ErrorClass.HALT)


def classify(error_code: int | None, http_status: int | None) -> ErrorClass:
    """The class of a refused (or never delivered) request.

    `http_status` None means no answer came because the request never left (a
    connection failure): safe to retry.
    """
    if error_code is not None and error_code in ERROR_CLASSES:
        return ERROR_CLASSES[error_code]
    if http_status is None or http_status == 429 or http_status >= 500:
        return ErrorClass.RETRY
    return ErrorClass.NO_RETRY


class CampaignHaltError(RuntimeError):
    """Meta answered with an error that must stop the whole run (131048 spam, 190 token)."""

    def __init__(self, error_code: int, error_title: str, error_detail: str, http_status: int):
        super().__init__(f"WhatsApp error {error_code} ({error_title}): {error_detail}")
        self.error_code = error_code
        self.error_title = error_title
        self.error_detail = error_detail
        self.http_status = http_status
