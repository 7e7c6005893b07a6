"""The simulator as a faithful stand-in: throughput and pair rate, seeded faults (5xx,
timeouts, slow answers, drops after accepting, lost/duplicated/reordered webhooks),
PMP pricing types, and signed status webhooks to the real receiver. Real HTTP on
loopback throughout."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipelines.landing import landed_files
from pipelines.settings import REPO_ROOT
from senders.message_body import body_component, template_message
from senders.simulator import CloudApiSimulator
from senders.simulator_faults import Faults
from senders.simulator_limits import Limits
from senders.simulator_send_log import read_send_log

MESSAGES = "/v23.0/1122334455667/messages"
AUTH = {"Authorization": "Bearer t"}
SEND_TIME = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def body(to: str, template: str = "riordino_integratori") -> dict[str, Any]:
    params = ["Giulia", "Magnesio Plus"] if template == "riordino_integratori" else ["Ada", "A-1", "10:00"]
    return template_message(to, template, "it", body_component(params))


def post(sim: CloudApiSimulator, to: str, timeout: float = 5.0, **kwargs: Any) -> httpx.Response:
    return httpx.post(sim.base_url + MESSAGES, json=body(to, **kwargs), headers=AUTH, timeout=timeout)


def statuses(landing: Path) -> list[dict[str, Any]]:
    found = []
    for path in landed_files(landing):
        for line in path.read_text().splitlines():
            document = json.loads(line)
            for change in document["entry"][0]["changes"]:
                found += change["value"].get("statuses", [])
    return found


# -- throughput and pair rate -----------------------------------------------------------


def test_throughput_above_the_limit_is_429_130429_with_retry_after(tmp_path: Path) -> None:
    with CloudApiSimulator(tmp_path, messages_per_second=1) as sim:
        assert post(sim, "+393330000101").status_code == 200
        over = post(sim, "+393330000201")
        assert over.status_code == 429 and over.json()["error"]["code"] == 130429
        assert int(over.headers["Retry-After"]) == 1
        # another phone number has its own window
        other = httpx.post(sim.base_url + "/v23.0/999/messages", json=body("+393330000301"), headers=AUTH)
        assert other.status_code == 200
        time.sleep(1.05)
        assert post(sim, "+393330000201").status_code == 200  # the window moved on
    assert [s["to"] for s in sim.sends] == ["+393330000101", "+393330000301", "+393330000201"]


def test_the_throughput_window_is_one_second_per_phone_number() -> None:
    limits = Limits(messages_per_second=80)
    assert all(limits.throughput_retry_after("p", now=10.0 + n / 1000) is None for n in range(80))
    assert limits.throughput_retry_after("p", now=10.5) == 1
    assert limits.throughput_retry_after("q", now=10.5) is None
    assert limits.throughput_retry_after("p", now=11.0005) is None  # the first one left the window
    assert Limits(messages_per_second=None).throughput_retry_after("p") is None


def test_pair_rate_refuses_a_second_message_to_the_same_number(tmp_path: Path) -> None:
    with CloudApiSimulator(tmp_path, pair_seconds=1.5) as sim:
        assert post(sim, "+39 333 000 0101").status_code == 200
        again = post(sim, "+393330000101")
        assert again.status_code == 400 and again.json()["error"]["code"] == 131056
        assert post(sim, "+393330000201").status_code == 200  # another recipient is fine
        time.sleep(1.55)
        assert post(sim, "+393330000101").status_code == 200
        assert sim.limits.recent_recipients == 1  # only the last 1.5 s are remembered
        time.sleep(1.55)
        sim.limits.pair_blocked("nobody")
        assert sim.limits.recent_recipients == 0


def test_limits_are_checked_in_range() -> None:
    with pytest.raises(ValueError, match="1..1000"):
        CloudApiSimulator(Path("/tmp/unused"), messages_per_second=1001)


def test_the_digit_table_still_holds_with_limits_on(tmp_path: Path) -> None:
    """56 answers 131056 on its first attempt (the table); a retry is then accepted
    because a refused attempt never counts for the pair rate."""
    with CloudApiSimulator(tmp_path, messages_per_second=80, pair_seconds=6) as sim:
        assert post(sim, "+393331234556").json()["error"]["code"] == 131056
        assert post(sim, "+393331234556").status_code == 200
        assert post(sim, "+393331234556").json()["error"]["code"] == 131056  # now the pair rate


# -- request faults -----------------------------------------------------------------------


def test_server_errors_are_500_or_503_131000_and_not_accepted(tmp_path: Path) -> None:
    with CloudApiSimulator(tmp_path, faults=Faults(server_errors=1.0)) as sim:
        answers = [post(sim, f"+39333000{n:04d}01") for n in range(20)]
    assert {a.status_code for a in answers} == {500, 503}
    assert {a.json()["error"]["code"] for a in answers} == {131000}
    assert sim.sends == [] and statuses(tmp_path) == []


def test_a_timeout_holds_the_request_then_closes_without_accepting(tmp_path: Path) -> None:
    with CloudApiSimulator(tmp_path, faults=Faults(timeouts=1.0, timeout_seconds=0.6)) as sim:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            post(sim, "+393330000101", timeout=0.2)
        with pytest.raises(httpx.RemoteProtocolError):  # a patient client: closed, no answer
            post(sim, "+393330000201", timeout=5)
        assert time.monotonic() - started >= 0.6
    assert sim.sends == [] and statuses(tmp_path) == []


def test_a_slow_answer_comes_late_and_is_accepted(tmp_path: Path) -> None:
    with CloudApiSimulator(tmp_path, faults=Faults(slow=1.0, slow_seconds=0.4)) as sim:
        started = time.monotonic()
        answer = post(sim, "+393330000101")
        assert time.monotonic() - started >= 0.4
        assert answer.status_code == 200
        assert [s["wamid"] for s in sim.sends] == [answer.json()["messages"][0]["id"]]


def test_a_drop_after_accepting_logs_the_send_and_schedules_webhooks(tmp_path: Path) -> None:
    log = tmp_path / "sends.jsonl"
    with CloudApiSimulator(tmp_path / "landing", faults=Faults(drops=1.0), send_log=log,
                           clock=lambda: SEND_TIME) as sim:
        with pytest.raises(httpx.RemoteProtocolError):
            post(sim, "+393330000101")
        sim.flush()
    (logged,) = list(read_send_log(log))
    assert logged["to"] == "+393330000101" and logged["answered"] is False
    assert {s["status"] for s in statuses(tmp_path / "landing")} == {"sent", "delivered", "read"}
    assert {s["id"] for s in statuses(tmp_path / "landing")} == {logged["wamid"]}


def outcomes(tmp_path: Path, faults: Faults, recipients: list[str]) -> list[str]:
    with CloudApiSimulator(tmp_path, faults=faults) as sim:
        found = []
        for to in recipients:
            try:
                found.append(str(post(sim, to, timeout=0.3).status_code))
            except httpx.TimeoutException:
                found.append("timeout")
            except httpx.RemoteProtocolError:
                found.append("dropped")
    return found


def test_faults_are_seeded_and_reproducible(tmp_path: Path) -> None:
    mixed = Faults(server_errors=0.25, timeouts=0.1, drops=0.25, timeout_seconds=0.5, seed=7)
    recipients = [f"+39333{n:07d}01" for n in range(40)]
    first = outcomes(tmp_path / "a", mixed, recipients)
    assert first == outcomes(tmp_path / "b", mixed, recipients)
    assert {"200", "dropped", "timeout"} <= set(first) and set(first) & {"500", "503"}
    reseeded = Faults.from_json({"seed": 8}, base=mixed)
    assert outcomes(tmp_path / "c", reseeded, recipients) != first


def test_faults_are_set_in_python_and_over_http(tmp_path: Path) -> None:
    with CloudApiSimulator(tmp_path) as sim:
        assert post(sim, "+393330000101").status_code == 200
        sim.set_faults(server_errors=1.0)
        assert post(sim, "+393330000201").status_code in (500, 503)
        sim.set_faults(Faults())
        assert post(sim, "+393330000301").status_code == 200
        admin = httpx.post(sim.base_url + "/_simulator/faults", json={"server_errors": 1.0, "seed": 3})
        assert admin.json()["faults"]["server_errors"] == 1.0 and sim.faults.seed == 3
        assert post(sim, "+393330000401").status_code in (500, 503)
        bad = httpx.post(sim.base_url + "/_simulator/faults", json={"server_errors": 1.5})
        assert bad.status_code == 400 and "share" in bad.json()["error"]
        total = httpx.post(sim.base_url + "/_simulator/faults", json={"drops": 0.6, "timeouts": 0.6})
        assert total.status_code == 400 and "at most 1" in total.json()["error"]
        sends = httpx.get(sim.base_url + "/_simulator/sends").json()["sends"]
        assert [s["to"] for s in sends] == ["+393330000101", "+393330000301"]


# -- webhook faults ------------------------------------------------------------------------


def test_webhooks_lost_duplicated_and_reordered(tmp_path: Path) -> None:
    def delivered(faults: Faults, where: Path) -> list[str]:
        with CloudApiSimulator(where, faults=faults, clock=lambda: SEND_TIME) as sim:
            post(sim, "+393330000101")
        ordered = sorted(landed_files(where))
        return [s["status"] for path in ordered for s in statuses_of(path)]

    assert delivered(Faults(), tmp_path / "plain") == ["sent", "delivered", "read"]
    assert delivered(Faults(webhooks_lost=1.0), tmp_path / "lost") == []
    assert delivered(Faults(webhooks_duplicated=1.0), tmp_path / "dup") == [
        "sent", "sent", "delivered", "delivered", "read", "read"
    ]
    # reordered: newest first, in one file (same event day), so the order is the file's
    assert delivered(Faults(webhooks_reordered=1.0), tmp_path / "reordered") == ["read", "delivered", "sent"]
    some = [
        len(delivered(Faults(webhooks_lost=0.5, seed=seed), tmp_path / f"half{seed}")) for seed in range(6)
    ]
    assert min(some) < 3 and max(some) > 0


def statuses_of(path: Path) -> list[dict[str, Any]]:
    return [
        status
        for line in path.read_text().splitlines()
        for status in json.loads(line)["entry"][0]["changes"][0]["value"]["statuses"]
    ]


# -- pricing -------------------------------------------------------------------------------


def test_pricing_types_follow_the_service_and_entry_point_windows(tmp_path: Path) -> None:
    with CloudApiSimulator(tmp_path, clock=lambda: SEND_TIME) as sim:
        sim.note_inbound("+393330000101", SEND_TIME - timedelta(hours=3))
        post(sim, "+393330000101", template="conferma_appuntamento")  # utility, window open
        post(sim, "+393330000101", template="riordino_integratori")  # marketing, window open
        sim.note_inbound("393330000201", SEND_TIME - timedelta(hours=25))
        post(sim, "+393330000201", template="conferma_appuntamento")  # window closed
        sim.note_inbound("393330000301", SEND_TIME - timedelta(hours=50), entry_point=True)
        post(sim, "+393330000301", template="riordino_integratori")  # free entry point (72 h)
        noted = httpx.post(
            sim.base_url + "/_simulator/inbound",
            json={"wa_id": "393330000401", "at": (SEND_TIME - timedelta(hours=1)).isoformat()},
        )
        assert noted.status_code == 200
        post(sim, "+393330000401", template="conferma_appuntamento")
        post(sim, "+393330000501", template="riordino_integratori")  # never wrote: regular
        bad = httpx.post(sim.base_url + "/_simulator/inbound", json={"wa_id": "1", "at": "2025-06-02T08:00"})
        assert bad.status_code == 400 and "offset" in bad.json()["error"]
    pricing = {
        (s["recipient_id"], s["pricing"]["category"]): s["pricing"]
        for s in statuses(tmp_path)
        if s["status"] == "sent"
    }
    assert pricing[("393330000101", "utility")] == {
        "billable": False, "pricing_model": "PMP", "category": "utility", "type": "free_customer_service"
    }
    assert pricing[("393330000101", "marketing")]["type"] == "regular"
    assert pricing[("393330000101", "marketing")]["billable"] is True
    assert pricing[("393330000201", "utility")]["type"] == "regular"
    assert pricing[("393330000301", "marketing")] == {
        "billable": False, "pricing_model": "PMP", "category": "marketing", "type": "free_entry_point"
    }
    assert pricing[("393330000401", "utility")]["type"] == "free_customer_service"
    assert pricing[("393330000501", "marketing")]["type"] == "regular"


# -- signed webhooks to the real receiver ---------------------------------------------------

SECRET = "sim-test-app-secret-3e7d"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_receiver(home: Path, port: int, secret: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "THREADLINE_HOME": str(home),
        "THREADLINE_META_APP_SECRET": secret,
        "THREADLINE_RECEIVER_ROTATE_SECONDS": "0.2",
    }
    home.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "pipelines.receiver", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(home / "receiver.log").open("ab"),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"the receiver did not start: {(home / 'receiver.log').read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def received(home: Path, deadline_seconds: float, want: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + deadline_seconds
    while True:
        found = [
            json.loads(line)
            for path in landed_files(home / "landing" / "whatsapp")
            for line in path.read_text().splitlines()
        ]
        if len(found) >= want or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_signed_webhooks_reach_the_receiver_and_are_retried_while_it_is_down(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/webhooks/meta"
    with CloudApiSimulator(tmp_path / "sim", status_delay_seconds=0.05, webhook_url=url,
                           app_secret=SECRET, clock=lambda: SEND_TIME) as sim:
        wamid = post(sim, "+393330000101").json()["messages"][0]["id"]
        time.sleep(0.5)  # delivered to nobody yet: the receiver is down, the sink retries
        receiver = start_receiver(tmp_path / "receiver", port, SECRET)
        try:
            bodies = received(tmp_path / "receiver", 30, want=3)
        finally:
            stop(receiver)
    assert sorted(b["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] for b in bodies) == [
        "delivered", "read", "sent"
    ]
    assert {b["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] for b in bodies} == {wamid}
    assert landed_files(tmp_path / "sim") == []  # nothing written by the simulator itself


def test_a_wrong_secret_is_refused_by_the_receiver(tmp_path: Path) -> None:
    port = free_port()
    receiver = start_receiver(tmp_path / "receiver", port, SECRET)
    try:
        url = f"http://127.0.0.1:{port}/webhooks/meta"
        with CloudApiSimulator(tmp_path / "sim", status_delay_seconds=0.05, webhook_url=url,
                               app_secret="not-the-secret", clock=lambda: SEND_TIME) as sim:
            post(sim, "+393330000101")
            time.sleep(1.0)
            sink = sim._sink
            assert sink.delivered == 0 and sink.attempts >= 2  # type: ignore[attr-defined]
            sink._grace = 0.2  # type: ignore[attr-defined]  (do not wait for a refusal to end)
        assert received(tmp_path / "receiver", 0.5, want=1) == []
    finally:
        stop(receiver)


def test_a_webhook_url_needs_the_secret(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="app secret"):
        CloudApiSimulator(tmp_path, webhook_url="http://127.0.0.1:9/webhooks/meta")
