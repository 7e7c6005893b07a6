"""The shared send policy: the error-class table, Retry-After, the backoff, the pair-rate
limiter's memory bound, and the sync client keeping the same policy over real HTTP."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate

import pytest

from senders.provider import CloudApiClient
from senders.rate_limits import PairRateLimiter
from senders.retry_policy import RetryPolicy
from senders.send_errors import ERROR_CLASSES, ErrorClass, classify
from senders.send_results import SendResult, parse_retry_after
from tests.senders.scripted_api import ScriptedApi, first_then_accept, meta_error

PHONE_NUMBER_ID = "1122334455667"


@pytest.mark.parametrize(
    ("code", "http_status", "expected"),
    [
        (130429, 429, ErrorClass.RETRY),
        (131056, 400, ErrorClass.RETRY),
        (131000, 500, ErrorClass.RETRY),
        (None, 503, ErrorClass.RETRY),  # a 5xx without Meta's body
        (None, None, ErrorClass.RETRY),  # never left: connection refused
        (131050, 400, ErrorClass.OPT_OUT),
        (131049, 400, ErrorClass.MARKETING_LIMIT),
        (131048, 400, ErrorClass.HALT),
        (190, 401, ErrorClass.HALT),
        (131026, 400, ErrorClass.NO_RETRY),
        (100, 400, ErrorClass.NO_RETRY),
        (368, 403, ErrorClass.NO_RETRY),  # not in the table: its HTTP status decides
        (131000, 400, ErrorClass.RETRY),  # in the table: the code wins over the status
    ],
)
def test_classify(code: int | None, http_status: int | None, expected: ErrorClass) -> None:
    assert classify(code, http_status) is expected


def test_results_carry_their_class() -> None:
    assert SendResult("accepted", wamid="wamid.X").error_class is None
    assert SendResult("unknown").error_class is ErrorClass.NO_RETRY  # never resent
    assert SendResult("failed", error_code=131050, http_status=400).error_class is ErrorClass.OPT_OUT
    assert all(isinstance(kind, ErrorClass) for kind in ERROR_CLASSES.values())


def test_parse_retry_after() -> None:
    now = time.time()
    assert parse_retry_after("7", now=now) == 7.0
    assert parse_retry_after(" 1.5 ", now=now) == 1.5
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0  # a date in the past
    assert parse_retry_after("-4", now=now) == 0.0
    for unreadable in (None, "", "soon", "Mon, 99 Foo 2025"):
        assert parse_retry_after(unreadable, now=now) is None


def test_backoff_has_full_jitter_and_floors() -> None:
    policy = RetryPolicy(max_attempts=5, backoff_base=0.5, backoff_max=3.0, pair_seconds=6.0)
    throttled = SendResult("failed", error_code=130429, http_status=429)
    third = [policy.delay(3, throttled) for _ in range(300)]
    assert all(0 <= wait <= 2.0 for wait in third)  # 0.5 * 2**2
    assert len(set(third)) > 250 and max(third) > 1.0 and min(third) < 0.5  # spread, not a fixed step
    assert all(0 <= policy.delay(9, throttled) <= 3.0 for _ in range(100))  # capped
    asked = SendResult("failed", error_code=130429, http_status=429, retry_after=2.5)
    assert all(2.5 <= policy.delay(1, asked) <= 3.0 for _ in range(100))
    too_long = SendResult("failed", error_code=130429, http_status=429, retry_after=3600)
    assert policy.delay(1, too_long) == 3.0
    pair = SendResult("failed", error_code=131056, http_status=400)
    assert all(policy.delay(1, pair) >= 6.0 for _ in range(100))


@pytest.mark.parametrize("bad", [{"max_attempts": 0}, {"backoff_base": -1}, {"pair_seconds": -0.1}])
def test_policy_refuses_nonsense(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        RetryPolicy(**bad)  # type: ignore[arg-type]


def test_pair_limiter_memory_is_bounded_by_the_window() -> None:
    """A million-recipient campaign at 1,000/s keeps only the last windows' recipients."""
    now = [0.0]
    limiter = PairRateLimiter(6.0, clock=lambda: now[0])

    async def campaign() -> int:
        largest = 0
        for n in range(100_000):
            now[0] += 0.001  # 1,000 sends a second, each to a new recipient
            await limiter.acquire(f"+39333{n:07d}")
            largest = max(largest, len(limiter))
        return largest

    largest = asyncio.run(campaign())
    assert 6_000 <= largest <= 2 * 6_000 + 1


def test_pair_limiter_waits_and_gives_back_unspent_turns() -> None:
    limiter = PairRateLimiter(0.3)

    async def run() -> tuple[float, float]:
        first = await limiter.acquire("+393331234501")
        began = time.monotonic()
        await limiter.acquire("+393331234501")  # waits the window
        waited = time.monotonic() - began
        limiter.release(first)  # stale: a later turn was taken since, nothing changes
        second = await limiter.acquire("+393331234502")
        limiter.release(second)  # refused by Meta: the turn is given back
        began = time.monotonic()
        await limiter.acquire("+393331234502")
        return waited, time.monotonic() - began

    waited, again = asyncio.run(run())
    assert waited >= 0.29
    assert again < 0.1


def test_sync_client_honours_retry_after(token: str) -> None:
    with ScriptedApi(first_then_accept(meta_error(429, 130429, {"Retry-After": "1"}))) as api:
        with CloudApiClient(api.base_url, token, PHONE_NUMBER_ID, backoff_base=0.001) as client:
            result = client.send_template("+393331234501", "riordino_integratori", "it", ["a", "b"])
    assert (result.outcome, result.attempts) == ("accepted", 2)
    assert api.arrivals[1] - api.arrivals[0] >= 0.95


@pytest.mark.parametrize(("code", "kind"), [(131049, ErrorClass.MARKETING_LIMIT), (131026, ErrorClass.NO_RETRY)])
def test_sync_client_shares_the_error_classes(token: str, code: int, kind: ErrorClass) -> None:
    with ScriptedApi(first_then_accept(meta_error(400, code))) as api:
        with CloudApiClient(api.base_url, token, PHONE_NUMBER_ID, backoff_base=0.001) as client:
            result = client.send_template("+393331234501", "riordino_integratori", "it", ["a", "b"])
    assert (result.outcome, result.error_class, result.attempts, len(api.arrivals)) == ("failed", kind, 1, 1)


def test_pair_limiter_disabled_remembers_nobody() -> None:
    limiter = PairRateLimiter(0.0)

    async def run() -> None:
        for _ in range(3):
            limiter.release(await limiter.acquire("+393331234501"))
            await limiter.acquire("+393331234501")

    asyncio.run(run())
    assert len(limiter) == 0
