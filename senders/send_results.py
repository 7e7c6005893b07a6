"""One send request's result, read from Meta's answer (or from the lack of one).

Shared by the sync and the async Cloud API clients so both turn the same answer into
the same `SendResult`:

- `accepted`: Meta returned a message id (accepted, not yet delivered);
- `failed`: Meta refused the message, or the request never left (connection refused,
  connect or pool timeout); nothing was sent;
- `unknown`: the request may have reached Meta but no readable answer came back (read
  or write timeout, connection dropped mid-response, a 2xx without a message id).

`unknown` is never retried: exactly-once wins over "retry timeouts", since resending a
request Meta may have accepted could deliver the message twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

import httpx

from senders.send_errors import CampaignHaltError, ErrorClass, classify

Outcome = Literal["accepted", "failed", "unknown"]


@dataclass(frozen=True)
class SendResult:
    """What became of one send request (after its retries: `attempts` counts the
    requests made, including the last)."""

    outcome: Outcome
    wamid: str | None = None
    error_code: int | None = None
    error_title: str | None = None
    error_detail: str | None = None
    http_status: int | None = None
    attempts: int = 1
    retry_after: float | None = None  # seconds Meta asked to wait (Retry-After), if it did

    @property
    def error_class(self) -> ErrorClass | None:
        """None when accepted; `no_retry` when unknown (never resent); otherwise the
        class of the refusal (senders.send_errors)."""
        if self.outcome == "accepted":
            return None
        if self.outcome == "unknown":
            return ErrorClass.NO_RETRY
        return classify(self.error_code, self.http_status)

    @property
    def retryable(self) -> bool:
        return self.error_class is ErrorClass.RETRY


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (RFC 9110).
    None when absent or unreadable; never negative."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    current = datetime.now(UTC).timestamp() if now is None else now
    return max(0.0, moment.timestamp() - current)


def result_from_response(response: httpx.Response) -> SendResult:
    """Meta's answer as a result: keyed on `error.code` and `error_data.details`."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_success:
        messages = body.get("messages") if isinstance(body, dict) else None
        if messages and isinstance(messages[0], dict) and messages[0].get("id"):
            return SendResult("accepted", wamid=str(messages[0]["id"]), http_status=response.status_code)
        # Meta said yes but not with what: the message may well be on its way.
        return SendResult(
            "unknown",
            error_title="unreadable success response",
            error_detail=response.text[:500],
            http_status=response.status_code,
        )
    retry_after = parse_retry_after(response.headers.get("Retry-After"), now=time.time())
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return SendResult(
            "failed",
            error_title=f"HTTP {response.status_code}",
            error_detail=response.text[:500],
            http_status=response.status_code,
            retry_after=retry_after,
        )
    error_data = error.get("error_data")
    details = error_data.get("details") if isinstance(error_data, dict) else None
    code = error.get("code")
    return SendResult(
        "failed",
        error_code=int(code) if isinstance(code, int | str) and str(code).isdigit() else None,
        error_title=str(error.get("message", "")),
        error_detail=str(details or error.get("message", "")),
        http_status=response.status_code,
        retry_after=retry_after,
    )


# The request never left the machine: nothing reached Meta, so trying again is safe.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def result_from_transport_error(exc: httpx.TransportError) -> SendResult:
    """A request that got no answer: `failed` (retryable) if it provably never left,
    else `unknown` (sent, perhaps completely; Meta may have accepted it)."""
    if isinstance(exc, NEVER_SENT):
        return SendResult("failed", error_title="connection error", error_detail=type(exc).__name__)
    return SendResult("unknown", error_title="no response", error_detail=type(exc).__name__)


def raise_if_halting(result: SendResult) -> SendResult:
    """Raise `CampaignHaltError` for a halting refusal (131048, 190); else the result."""
    if result.error_class is ErrorClass.HALT:
        raise CampaignHaltError(
            result.error_code or 0, result.error_title or "", result.error_detail or "", result.http_status or 0
        )
    return result
