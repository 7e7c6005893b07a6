"""The Cloud API client against the simulator: exact body, retries, give-ups, halts, secrecy."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from senders.provider import (
    GRAPH_API_URL,
    CampaignHaltError,
    CloudApiClient,
    ProviderConfigError,
    client_from_env,
)
from senders.simulator import CloudApiSimulator

PHONE_NUMBER_ID = "1122334455667"


def send(client: CloudApiClient, to: str, params: list[str] | None = None):
    return client.send_template(to, "riordino_integratori", "it", params or ["Giulia", "Omega 3"])


def test_posts_exactly_metas_body(client: CloudApiClient, sim: CloudApiSimulator) -> None:
    result = send(client, "+393331234501")
    assert result.outcome == "accepted" and result.wamid and result.wamid.startswith("wamid.")
    assert (result.http_status, result.attempts, result.error_code) == (200, 1, None)
    assert sim.requests == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "+393331234501",
            "type": "template",
            "template": {
                "name": "riordino_integratori",
                "language": {"code": "it"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "Giulia"},
                            {"type": "text", "text": "Omega 3"},
                        ],
                    }
                ],
            },
        }
    ]


@pytest.mark.parametrize("suffix", ["29", "56", "99"])
def test_retries_throttling_and_server_errors(
    client: CloudApiClient, sim: CloudApiSimulator, suffix: str
) -> None:
    result = send(client, f"+3933312345{suffix}")
    assert result.outcome == "accepted"
    assert result.attempts == 2
    assert len(sim.requests) == 2


def test_gives_up_after_max_attempts_on_persistent_5xx(
    client: CloudApiClient, sim: CloudApiSimulator
) -> None:
    result = send(client, "+393331234598")
    assert (result.outcome, result.error_code, result.http_status) == ("failed", 131000, 503)
    assert result.attempts == client.max_attempts == len(sim.requests)


@pytest.mark.parametrize(
    ("to", "params", "code"),
    [
        ("+393331234551", None, 131050),
        ("+393331234501", ["only one"], 132000),
        ("call me", None, 100),
    ],
)
def test_never_retries_permanent_errors(
    client: CloudApiClient, sim: CloudApiSimulator, to: str, params: list[str] | None, code: int
) -> None:
    result = send(client, to, params)
    assert (result.outcome, result.error_code, result.attempts) == ("failed", code, 1)
    assert result.error_detail and result.error_title
    assert len(sim.requests) == 1


def test_unknown_template_language_is_not_retried(
    client: CloudApiClient, sim: CloudApiSimulator
) -> None:
    result = client.send_template("+393331234501", "riordino_integratori", "en", ["a", "b"])
    assert (result.outcome, result.error_code, len(sim.requests)) == ("failed", 132001, 1)


def test_spam_rate_limit_halts(client: CloudApiClient, sim: CloudApiSimulator) -> None:
    with pytest.raises(CampaignHaltError) as caught:
        send(client, "+393331234548")
    assert caught.value.error_code == 131048
    assert len(sim.requests) == 1


def test_bad_token_halts_and_stays_secret(landing: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "EAAG-wrong-token-7d1e"
    with (
        CloudApiSimulator(landing, token="the-right-one") as sim,
        CloudApiClient(sim.base_url, secret, PHONE_NUMBER_ID, backoff_base=0.001) as client,
    ):
        with pytest.raises(CampaignHaltError) as caught:
            send(client, "+393331234501")
        assert (caught.value.error_code, caught.value.http_status) == (190, 401)
        assert len(sim.requests) == 1
    for text in (str(caught.value), repr(caught.value), repr(client), caplog.text):
        assert secret not in text


def test_read_timeout_is_unknown_and_not_retried(sim: CloudApiSimulator, token: str) -> None:
    with CloudApiClient(sim.base_url, token, PHONE_NUMBER_ID, timeout=0.2) as client:
        result = send(client, "+393331234597")  # the simulator answers after 0.6 s
    assert result.outcome == "unknown"
    assert result.wamid is None and result.error_code is None
    assert len(sim.requests) == 1  # it was accepted: a retry would send twice


def test_connection_refused_is_retried_then_failed(token: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with CloudApiClient(url, token, PHONE_NUMBER_ID, max_attempts=3, backoff_base=0.001) as client:
        result = send(client, "+393331234501")
    assert (result.outcome, result.attempts, result.error_code) == ("failed", 3, None)
    assert result.error_title == "connection error"


def test_client_from_env() -> None:
    env = {"THREADLINE_WHATSAPP_TOKEN": "tok-123", "THREADLINE_WHATSAPP_PHONE_NUMBER_ID": "42"}
    with client_from_env(env) as live:
        assert live.base_url == GRAPH_API_URL
        assert live.messages_path == "/v23.0/42/messages"
    local = {**env, "THREADLINE_WHATSAPP_API_URL": "http://127.0.0.1:8765/"}
    with client_from_env(local) as simulated:
        assert simulated.base_url == "http://127.0.0.1:8765"
        assert "tok-123" not in repr(simulated)
    with pytest.raises(ProviderConfigError, match="THREADLINE_WHATSAPP_PHONE_NUMBER_ID") as caught:
        client_from_env({"THREADLINE_WHATSAPP_TOKEN": "tok-123"})
    assert "tok-123" not in str(caught.value)
