"""The shared HTTP layer of the connectors: one httpx client factory, one retrying `send`.

A request is retried (with tenacity) when the answer is 429 or 5xx, or when the
connection failed. The wait is the server's `Retry-After` (seconds or an HTTP date,
capped at `RetryPolicy.retry_after_max`) when it sends one, else an exponential backoff
with jitter. Every connector request is a read, so retrying it is always safe.

Credentials travel only in per-request headers: they are never part of a URL, a log
line or an exception message (log lines name the method, the path and the status).
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential_jitter,
)

logger = logging.getLogger(__name__)

USER_AGENT = "threadline-connector/0.1 (+httpx)"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to insist. Tests pass tiny waits and a recording `sleep`."""

    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


class ApiError(RuntimeError):
    """A request that failed for good: a non-retryable answer, or retries exhausted."""

    def __init__(
        self,
        method: str,
        path: str,
        status_code: int,
        detail: str,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(f"{method} {path} answered HTTP {status_code}: {detail}")
        self.method = method
        self.path = path
        self.status_code = status_code
        self.detail = detail
        self.response = response


def build_client(timeout: float = 30.0, connect_timeout: float = 10.0) -> httpx.Client:
    """The client every connector uses unless the caller passes its own.

    It holds no credentials: connectors add their auth header to each request, so a
    client passed in by a caller works the same way.
    """
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
    )


def default_retryable(response: httpx.Response) -> bool:
    return response.status_code == 429 or response.status_code >= 500


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The `Retry-After` header as seconds, if the server sent a readable one."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _waiter(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    backoff = wait_exponential_jitter(
        multiplier=policy.backoff_base, max=policy.backoff_max, jitter=policy.backoff_base
    )

    def wait(state: RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            told = retry_after_seconds(outcome.result())
            if told is not None:
                return min(told, policy.retry_after_max)
        return float(backoff(state))

    return wait


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    policy: RetryPolicy,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    retryable: Callable[[httpx.Response], bool] = default_retryable,
    accept: Callable[[httpx.Response], bool] | None = None,
) -> httpx.Response:
    """Send one request, retrying as the policy says; a final failure raises `ApiError`.

    `accept` decides which answers are successes (default: 2xx).
    """
    path = httpx.URL(url).path

    def log_retry(state: RetryCallState) -> None:
        outcome = state.outcome
        if outcome is None:
            return
        if outcome.failed:
            what = type(outcome.exception()).__name__
        else:
            what = f"HTTP {outcome.result().status_code}"
        upcoming = state.next_action.sleep if state.next_action else 0.0
        logger.warning("%s %s: %s (attempt %d of %d); retrying in %.2fs",
                       method, path, what, state.attempt_number, policy.max_attempts, upcoming)

    retrying = Retrying(
        stop=stop_after_attempt(policy.max_attempts),
        wait=_waiter(policy),
        retry=retry_if_result(retryable) | retry_if_exception_type(httpx.TransportError),
        sleep=policy.sleep,
        before_sleep=log_retry,
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        reraise=True,
    )
    response: httpx.Response = retrying(
        client.request, method, url, headers=headers, params=params, json=json
    )
    ok = accept(response) if accept is not None else response.is_success
    if not ok:
        raise ApiError(method, path, response.status_code, _detail(response), response)
    return response


def _detail(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:300] if text else response.reason_phrase
