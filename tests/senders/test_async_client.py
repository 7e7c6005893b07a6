"""The async Cloud API client over real HTTP on loopback: the simulator's digit table for
what it answers, a scripted server (tests/senders/scripted_api.py) for the rest.

Each error class: retried then accepted, not retried, Retry-After honoured (measured on
the server), halting codes raise; a read timeout is unknown and sent once; connection
refused is retried then failed; the throughput limiter holds its rate, the pair limiter
spaces sends to one recipient; the token stays out of reprs and logs."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from email.utils import formatdate
from typing import Any

import pytest

from senders.message_body import body_component, template_message
from senders.provider import (
    AsyncCloudApiClient,
    CampaignHaltError,
    ErrorClass,
    ProviderConfigError,
    SendResult,
    async_client_from_env,
)
from senders.simulator import CloudApiSimulator
from tests.senders.scripted_api import ACCEPTED, ScriptedApi, first_then_accept, meta_error

PHONE_NUMBER_ID = "1122334455667"
FAST = {"backoff_base": 0.001, "pair_seconds": 0.0, "messages_per_second": 1000}


def message(to: str, params: list[str] | None = None) -> dict[str, Any]:
    params = ["Giulia", "Omega 3"] if params is None else params
    return template_message(to, "riordino_integratori", "it", body_component(params))


def send_one(base_url: str, token: str, to: str, params: list[str] | None = None, **options: Any) -> SendResult:
    async def run() -> SendResult:
        async with AsyncCloudApiClient(base_url, token, PHONE_NUMBER_ID, **{**FAST, **options}) as client:
            return await client.send(message(to, params))

    return asyncio.run(run())


# -- the simulator's digit table ------------------------------------------------------


def test_accepted_posts_the_message_once(sim: CloudApiSimulator, token: str) -> None:
    result = send_one(sim.base_url, token, "+393331234501")
    assert result.outcome == "accepted" and result.wamid and result.wamid.startswith("wamid.")
    assert (result.attempts, result.error_class, result.http_status) == (1, None, 200)
    assert sim.requests == [message("+393331234501")]


@pytest.mark.parametrize(("suffix", "code"), [("29", 130429), ("56", 131056), ("99", 131000)])
def test_retry_class_is_retried_then_accepted(sim: CloudApiSimulator, token: str, suffix: str, code: int) -> None:
    result = send_one(sim.base_url, token, f"+3933312345{suffix}")
    assert (result.outcome, result.attempts, len(sim.requests)) == ("accepted", 2, 2)


def test_pair_rate_refusal_waits_at_least_the_pair_interval(sim: CloudApiSimulator, token: str) -> None:
    started = time.monotonic()
    result = send_one(sim.base_url, token, "+393331234556", pair_seconds=0.5)
    assert (result.outcome, result.attempts) == ("accepted", 2)
    assert time.monotonic() - started >= 0.5


def test_persistent_5xx_gives_up_after_max_attempts(sim: CloudApiSimulator, token: str) -> None:
    result = send_one(sim.base_url, token, "+393331234598", max_attempts=3)
    assert (result.outcome, result.error_code, result.http_status) == ("failed", 131000, 503)
    assert result.error_class is ErrorClass.RETRY
    assert result.attempts == 3 == len(sim.requests)


@pytest.mark.parametrize(
    ("to", "params", "code", "error_class"),
    [
        ("+393331234551", None, 131050, ErrorClass.OPT_OUT),
        ("+393331234501", ["only one"], 132000, ErrorClass.NO_RETRY),
        ("call me", None, 100, ErrorClass.NO_RETRY),
    ],
)
def test_permanent_refusals_are_sent_once(
    sim: CloudApiSimulator, token: str, to: str, params: list[str] | None, code: int, error_class: ErrorClass
) -> None:
    result = send_one(sim.base_url, token, to, params)
    assert (result.outcome, result.error_code, result.error_class) == ("failed", code, error_class)
    assert result.attempts == 1 == len(sim.requests)
    assert result.error_title and result.error_detail


def test_spam_rate_limit_halts(sim: CloudApiSimulator, token: str) -> None:
    with pytest.raises(CampaignHaltError) as caught:
        send_one(sim.base_url, token, "+393331234548")
    assert caught.value.error_code == 131048
    assert len(sim.requests) == 1


def test_bad_token_halts_and_stays_secret(landing, caplog: pytest.LogCaptureFixture) -> None:  # noqa: ANN001
    caplog.set_level(logging.DEBUG)
    secret = "EAAG-wrong-token-async-5a2b"
    with CloudApiSimulator(landing, token="the-right-one") as sim:

        async def run() -> tuple[str, CampaignHaltError]:
            async with AsyncCloudApiClient(sim.base_url, secret, PHONE_NUMBER_ID, **FAST) as client:
                with pytest.raises(CampaignHaltError) as caught:
                    await client.send(message("+393331234529"))
                return repr(client), caught.value

        client_repr, halt = asyncio.run(run())
        assert (halt.error_code, halt.http_status, len(sim.requests)) == (190, 401, 1)
    for text in (str(halt), repr(halt), client_repr, caplog.text):
        assert secret not in text


def test_retries_are_logged_without_the_token_or_the_number(
    sim: CloudApiSimulator, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = send_one(sim.base_url, token, "+393331234599")
    assert result.attempts == 2
    assert "attempt 1 failed (code=131000, http=500" in caplog.text
    assert token not in caplog.text and "+393331234599" not in caplog.text and "…599" in caplog.text


def test_read_timeout_is_unknown_and_sent_once(sim: CloudApiSimulator, token: str) -> None:
    result = send_one(sim.base_url, token, "+393331234597", timeout=0.2)  # answers after 0.6 s
    assert (result.outcome, result.wamid, result.error_code, result.attempts) == ("unknown", None, None, 1)
    assert result.error_class is ErrorClass.NO_RETRY
    assert len(sim.requests) == 1  # the simulator accepted it: a retry would send twice


def test_connection_refused_is_retried_then_failed(token: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = send_one(f"http://127.0.0.1:{port}", token, "+393331234501", max_attempts=3)
    assert (result.outcome, result.attempts, result.error_code) == ("failed", 3, None)
    assert (result.error_title, result.error_class) == ("connection error", ErrorClass.RETRY)


# -- answers the digit table lacks -----------------------------------------------------


@pytest.mark.parametrize(("http_status", "code"), [(400, 4), (400, 80007), (400, 131057), (502, 999)])
def test_rate_limits_and_5xx_are_retried(token: str, http_status: int, code: int) -> None:
    with ScriptedApi(first_then_accept(meta_error(http_status, code), meta_error(http_status, code))) as api:
        result = send_one(api.base_url, token, "+393331234501")
    assert (result.outcome, result.attempts, len(api.arrivals)) == ("accepted", 3, 3)


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        (131049, ErrorClass.MARKETING_LIMIT),
        (131026, ErrorClass.NO_RETRY),
        (131047, ErrorClass.NO_RETRY),
        (132001, ErrorClass.NO_RETRY),
        (132012, ErrorClass.NO_RETRY),
        (368, ErrorClass.NO_RETRY),  # a 4xx code not in the table
    ],
)
def test_refusals_that_must_not_be_retried(token: str, code: int, error_class: ErrorClass) -> None:
    with ScriptedApi(first_then_accept(meta_error(400, code))) as api:
        result = send_one(api.base_url, token, "+393331234501")
    assert (result.outcome, result.error_code, result.error_class) == ("failed", code, error_class)
    assert result.attempts == 1 == len(api.arrivals)


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_retry_after_is_honoured(token: str, form: str) -> None:
    def script(index: int, body: Any):  # noqa: ANN202
        if index == 0:
            # an HTTP date has whole seconds: two from now is at least one from now
            value = "1" if form == "seconds" else formatdate(time.time() + 2, usegmt=True)
            return meta_error(429, 130429, {"Retry-After": value})
        return ACCEPTED

    with ScriptedApi(script) as api:
        result = send_one(api.base_url, token, "+393331234501")
    assert (result.outcome, result.attempts) == ("accepted", 2)
    waited = api.arrivals[1] - api.arrivals[0]
    assert waited >= 0.95, f"retried {waited:.3f}s after a Retry-After of at least 1 s"


def test_retry_after_is_capped_by_backoff_max(token: str) -> None:
    with ScriptedApi(first_then_accept(meta_error(429, 130429, {"Retry-After": "3600"}))) as api:
        result = send_one(api.base_url, token, "+393331234501", backoff_max=0.3)
    assert (result.outcome, result.attempts) == ("accepted", 2)
    assert 0.29 <= api.arrivals[1] - api.arrivals[0] < 3


def test_halting_code_from_any_status_raises(token: str) -> None:
    with ScriptedApi(first_then_accept(meta_error(400, 190))) as api:
        with pytest.raises(CampaignHaltError) as caught:
            send_one(api.base_url, token, "+393331234501")
    assert caught.value.error_code == 190 and len(api.arrivals) == 1


# -- rates --------------------------------------------------------------------------


def test_throughput_limiter_holds_the_rate(sim: CloudApiSimulator, token: str) -> None:
    async def run() -> list[SendResult]:
        async with AsyncCloudApiClient(
            sim.base_url, token, PHONE_NUMBER_ID, messages_per_second=100, pair_seconds=0.0, max_in_flight=8
        ) as client:
            return await asyncio.gather(*(client.send(message(f"+3933300{n:05d}01")) for n in range(200)))

    started = time.monotonic()
    results = asyncio.run(run())
    elapsed = time.monotonic() - started
    assert [r.outcome for r in results] == ["accepted"] * 200
    assert elapsed >= 1.85, f"200 sends at 100/s took {elapsed:.2f}s"


def test_retries_go_through_the_limiter(token: str) -> None:
    # 20 sends at 10/s, each refused once: 40 requests need >= ~3.9 s at 10/s
    with ScriptedApi(lambda index, body: meta_error(400, 131000) if index < 20 else ACCEPTED) as api:

        async def run() -> list[SendResult]:
            async with AsyncCloudApiClient(
                api.base_url, token, PHONE_NUMBER_ID, messages_per_second=10, pair_seconds=0.0, backoff_base=0.001
            ) as client:
                return await asyncio.gather(*(client.send(message(f"+3933300{n:05d}01")) for n in range(20)))

        results = asyncio.run(run())
        span = api.arrivals[-1] - api.arrivals[0]
    assert sorted(r.attempts for r in results) == [2] * 20
    assert span >= 3.7, f"40 requests at 10/s spanned {span:.2f}s"


def test_pair_rate_spaces_sends_to_one_recipient(token: str) -> None:
    with ScriptedApi(lambda index, body: ACCEPTED) as api:

        async def run() -> list[SendResult]:
            # one warm connection, so arrival times carry no connection set-up
            async with AsyncCloudApiClient(
                api.base_url, token, PHONE_NUMBER_ID, pair_seconds=0.5, max_in_flight=1
            ) as client:
                await client.send(message("+393331234500"))
                same = [client.send(message("+393331234501")) for _ in range(3)]
                other = [client.send(message("+393331234502"))]
                return await asyncio.gather(*same, *other)

        results = asyncio.run(run())
        to_same = [at for at, body in zip(api.arrivals, api.bodies, strict=True) if body["to"] == "+393331234501"]
        to_other = [at for at, body in zip(api.arrivals, api.bodies, strict=True) if body["to"] == "+393331234502"]
    assert [r.outcome for r in results] == ["accepted"] * 4
    gaps = [later - earlier for earlier, later in zip(to_same, to_same[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.47, gaps
    assert to_other[0] < to_same[1]  # another recipient does not wait behind this one


def test_max_in_flight_bounds_concurrent_requests(token: str) -> None:
    with ScriptedApi(lambda index, body: ACCEPTED, delay=0.1) as api:

        async def run() -> list[SendResult]:
            async with AsyncCloudApiClient(
                api.base_url, token, PHONE_NUMBER_ID, max_in_flight=4, messages_per_second=1000, pair_seconds=0
            ) as client:
                return await asyncio.gather(*(client.send(message(f"+3933300{n:05d}01")) for n in range(24)))

        results = asyncio.run(run())
    assert len(results) == 24 and all(r.outcome == "accepted" for r in results)
    assert api.max_concurrent == 4


# -- configuration --------------------------------------------------------------------


@pytest.mark.parametrize("rate", [1001, 5000, 0, -3])
def test_rate_outside_metas_tiers_is_refused(token: str, rate: float) -> None:
    with pytest.raises(ValueError, match="messages_per_second.*80/s by default.*1,000/s"):
        AsyncCloudApiClient("http://127.0.0.1:9", token, PHONE_NUMBER_ID, messages_per_second=rate)


def test_async_client_from_env() -> None:
    env = {"THREADLINE_WHATSAPP_TOKEN": "tok-123", "THREADLINE_WHATSAPP_PHONE_NUMBER_ID": "42"}

    async def build(variables: dict[str, str], **options: Any) -> AsyncCloudApiClient:
        client = async_client_from_env(variables, **options)
        await client.aclose()
        return client

    live = asyncio.run(build(env))
    assert (live.base_url, live.messages_path, live.messages_per_second) == (
        "https://graph.facebook.com",
        "/v23.0/42/messages",
        80,
    )
    local = {
        **env,
        "THREADLINE_WHATSAPP_API_URL": "http://127.0.0.1:8765/",
        "THREADLINE_WHATSAPP_MESSAGES_PER_SECOND": "1000",
    }
    simulated = asyncio.run(build(local, max_in_flight=8))
    assert (simulated.base_url, simulated.messages_per_second, simulated.max_in_flight) == (
        "http://127.0.0.1:8765",
        1000.0,
        8,
    )
    assert "tok-123" not in repr(simulated)
    with pytest.raises(ProviderConfigError, match="THREADLINE_WHATSAPP_MESSAGES_PER_SECOND=2000.*tiers"):
        async_client_from_env({**env, "THREADLINE_WHATSAPP_MESSAGES_PER_SECOND": "2000"})
    with pytest.raises(ProviderConfigError, match="THREADLINE_WHATSAPP_MESSAGES_PER_SECOND must be a number"):
        async_client_from_env({**env, "THREADLINE_WHATSAPP_MESSAGES_PER_SECOND": "fast"})
    with pytest.raises(ProviderConfigError, match="THREADLINE_WHATSAPP_TOKEN") as caught:
        async_client_from_env({"THREADLINE_WHATSAPP_PHONE_NUMBER_ID": "42"})
    assert "tok-123" not in str(caught.value)


def test_refused_attempt_does_not_spend_the_pair_turn(sim: CloudApiSimulator, token: str) -> None:
    # 130429 means Meta sent nothing: the retry need not wait the (long) pair interval
    started = time.monotonic()
    result = send_one(sim.base_url, token, "+393331234529", pair_seconds=5.0)
    assert (result.outcome, result.attempts) == ("accepted", 2)
    assert time.monotonic() - started < 2.0


def test_pool_is_sized_for_the_rate(token: str) -> None:
    async def sized(**options: Any) -> int:
        async with AsyncCloudApiClient("http://127.0.0.1:9", token, PHONE_NUMBER_ID, **options) as client:
            return client.max_in_flight

    assert asyncio.run(sized()) == 20  # 80/s
    assert asyncio.run(sized(messages_per_second=1000)) == 250
    assert asyncio.run(sized(messages_per_second=1)) == 8
    assert asyncio.run(sized(max_in_flight=3)) == 3
    with pytest.raises(ValueError, match="max_in_flight"):
        AsyncCloudApiClient("http://127.0.0.1:9", token, PHONE_NUMBER_ID, max_in_flight=0)
