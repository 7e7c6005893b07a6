"""When a refused send is tried again: one policy for the sync and the async clients.

Only `retry`-class results are retried (senders.send_errors), at most `max_attempts`
requests in all. The wait before attempt n+1 is exponential backoff with full jitter,
uniform in [0, min(backoff_max, backoff_base * 2**(n-1))]: jitter spreads the retries of
many concurrent sends that were throttled together, so they do not come back as one
burst. Two floors raise it:

- a `Retry-After` header (seconds or an HTTP date), capped at `backoff_max` so one
  answer cannot park the run for an hour;
- 131056 (pair rate): at least `pair_seconds`, Meta's ~1 message per 6 s to one user.

An `unknown` result (read timeout, connection dropped after the request left) is never
retried: resending could deliver twice.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any

from tenacity import RetryCallState, retry_if_result, stop_after_attempt

from senders.send_errors import PAIR_RATE_CODE
from senders.send_results import SendResult

logger = logging.getLogger("senders.provider")


def mask_phone(phone: str) -> str:
    """A phone number fit for logs: only its last three digits."""
    return f"…{phone[-3:]}" if len(phone) > 3 else "…"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    pair_seconds: float = 6.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        for name in ("backoff_base", "backoff_max", "pair_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")

    def delay(self, attempt: int, result: SendResult) -> float:
        """Seconds to wait after the `attempt`-th request gave `result`."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        wait = random.uniform(0.0, ceiling)
        if result.retry_after is not None:
            wait = max(wait, min(result.retry_after, self.backoff_max))
        if result.error_code == PAIR_RATE_CODE:
            wait = max(wait, self.pair_seconds)
        return wait

    def tenacity_options(self, to: str) -> dict[str, Any]:
        """Keyword arguments of tenacity's `Retrying` / `AsyncRetrying` for one send."""
        return {
            "stop": stop_after_attempt(self.max_attempts),
            "wait": self._wait,
            "retry": retry_if_result(lambda result: result.retryable),
            "retry_error_callback": _last_result,
            "before_sleep": lambda state: _log_retry(state, to),
        }

    def _wait(self, state: RetryCallState) -> float:
        assert state.outcome is not None
        return self.delay(state.attempt_number, state.outcome.result())


def _last_result(state: RetryCallState) -> SendResult:
    """Once retries are exhausted, the last attempt's result is the answer."""
    assert state.outcome is not None
    result: SendResult = state.outcome.result()
    return result


def _log_retry(state: RetryCallState, to: str) -> None:
    result = state.outcome.result() if state.outcome and not state.outcome.failed else None
    logger.warning(
        "send to %s: attempt %d failed (code=%s, http=%s, %s); retrying in %.2fs",
        mask_phone(to),
        state.attempt_number,
        getattr(result, "error_code", None),
        getattr(result, "http_status", None),
        getattr(result, "error_title", None),
        state.upcoming_sleep,
    )
