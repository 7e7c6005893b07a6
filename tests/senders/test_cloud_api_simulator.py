"""The Cloud API simulator over real HTTP: Meta's request checks, answers and status webhooks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipelines.landing import landed_files
from pipelines.settings import REPO_ROOT
from senders.provider import template_message
from senders.simulator import CloudApiSimulator

FIXTURES = json.loads(
    (Path(__file__).parent / "fixtures" / "whatsapp_message_status.json").read_text()
)
MESSAGES = "/v23.0/1122334455667/messages"
# keys Meta added after the fixture was captured (pricing `type` came with PMP, 2025-07-01)
NEWER_KEYS = {("pricing", "type")}


def post(sim: CloudApiSimulator, body: Any, token: str | None = "t0k", path: str = MESSAGES):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(sim.base_url + path, content=content, headers=headers, timeout=5)


def meta_body(to: str = "+39 333 123 4501", params: list[str] | None = None) -> dict[str, Any]:
    params = ["Giulia", "Magnesio Plus"] if params is None else params
    return template_message(to, "riordino_integratori", "it", params)


def assert_meta_error(response: httpx.Response, http_status: int, code: int) -> dict[str, Any]:
    assert response.status_code == http_status
    error = response.json()["error"]
    assert set(error) <= {"message", "type", "code", "error_subcode", "error_data", "fbtrace_id"}
    assert {"message", "type", "code", "fbtrace_id"} <= set(error)
    assert error["code"] == code
    assert error["type"] == "OAuthException"
    if "error_data" in error:
        assert set(error["error_data"]) == {"messaging_product", "details"}
    return error


def assert_shape(ours: Any, theirs: Any, where: str = "") -> None:
    """`ours` uses only keys and value types found at the same place in Meta's sample."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), where
        for key, value in ours.items():
            if (where.rsplit(".", 1)[-1], key) in NEWER_KEYS:
                continue
            assert key in theirs, f"{where}.{key} is not in Meta's sample"
            assert_shape(value, theirs[key], f"{where}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and ours, where
        for item in ours:
            assert_shape(item, theirs[0], f"{where}[]")
    else:
        assert type(ours) is type(theirs), f"{where}: {type(ours)} vs {type(theirs)}"


def landed_bodies(landing: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in landed_files(landing / "whatsapp")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def statuses_by_wamid(bodies: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for body in bodies:
        for entry in body["entry"]:
            for change in entry["changes"]:
                for status in change["value"]["statuses"]:
                    found.setdefault(status["id"], []).append(status)
    return found


def test_accepts_metas_template_body_and_answers_like_meta(sim: CloudApiSimulator) -> None:
    response = post(sim, meta_body())
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"messaging_product", "contacts", "messages"}
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": "+39 333 123 4501", "wa_id": "393331234501"}]
    (message,) = answer["messages"]
    assert set(message) == {"id", "message_status"}
    assert message["id"].startswith("wamid.") and message["message_status"] == "accepted"
    assert sim.requests == [meta_body()]
    assert post(sim, meta_body()).json()["messages"][0]["id"] != message["id"]


def test_missing_or_wrong_token_is_401_oauth(landing: Path) -> None:
    with CloudApiSimulator(landing, token="the-right-one") as sim:
        error = assert_meta_error(post(sim, meta_body(), token=None), 401, 190)
        assert "access token" in error["message"]
        assert_meta_error(post(sim, meta_body(), token="a-wrong-one"), 401, 190)
        assert post(sim, meta_body(), token="the-right-one").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        [],
        {**meta_body(), "messaging_product": "sms"},
        {**meta_body(), "type": "text"},
        {k: v for k, v in meta_body().items() if k != "to"},
        {**meta_body(), "to": "call me"},
        {**meta_body(), "template": {"name": "riordino_integratori"}},
        meta_body(params=["Giulia", ""]),
    ],
)
def test_malformed_bodies_are_code_100(sim: CloudApiSimulator, body: Any) -> None:
    assert_meta_error(post(sim, body), 400, 100)


def test_template_checks(sim: CloudApiSimulator) -> None:
    unknown = template_message("+393331234501", "nope", "it", ["a"])
    assert_meta_error(post(sim, unknown), 404, 132001)
    wrong_language = template_message("+393331234501", "riordino_integratori", "en", ["a", "b"])
    assert_meta_error(post(sim, wrong_language), 404, 132001)
    error = assert_meta_error(post(sim, meta_body(params=["Giulia"])), 400, 132000)
    assert "(1)" in error["error_data"]["details"] and "(2)" in error["error_data"]["details"]
    paused = template_message("+393331234501", "promo_estate", "it", ["a", "b"])
    assert_meta_error(post(sim, paused), 400, 132015)
    assert not landed_files(sim.landing_dir)


def test_recipient_rules(sim: CloudApiSimulator) -> None:
    assert_meta_error(post(sim, meta_body("+393331234529")), 429, 130429)
    assert post(sim, meta_body("+393331234529")).status_code == 200
    assert_meta_error(post(sim, meta_body("+393331234556")), 400, 131056)
    assert post(sim, meta_body("+393331234556")).status_code == 200
    for _ in range(2):
        assert_meta_error(post(sim, meta_body("+393331234551")), 400, 131050)
        assert_meta_error(post(sim, meta_body("+393331234548")), 400, 131048)
        assert_meta_error(post(sim, meta_body("+393331234598")), 503, 131000)


def test_status_webhooks_look_like_metas(sim: CloudApiSimulator, send_time: datetime) -> None:
    wamids = {
        suffix: post(sim, meta_body(f"+3933312345{suffix}")).json()["messages"][0]["id"]
        for suffix in ("01", "13", "49", "50", "85")
    }
    sim.flush()
    bodies = landed_bodies(sim.landing_dir)
    for body in bodies:
        (status,) = body["entry"][0]["changes"][0]["value"]["statuses"]
        assert_shape(body, FIXTURES[status["status"]])
        value = body["entry"][0]["changes"][0]["value"]
        assert body["entry"][0]["changes"][0]["field"] == "messages"
        assert value["metadata"]["phone_number_id"] == "1122334455667"
        assert status["timestamp"].isdigit()

    statuses = statuses_by_wamid(bodies)
    sent_at = int(send_time.timestamp())
    happy = {s["status"]: s for s in statuses[wamids["01"]]}
    assert set(happy) == {"sent", "delivered", "read"}
    assert int(happy["sent"]["timestamp"]) == sent_at + 1
    assert int(happy["delivered"]["timestamp"]) == sent_at + 5
    assert 120 <= int(happy["read"]["timestamp"]) - sent_at <= 7200
    for name in ("sent", "delivered"):
        assert happy[name]["pricing"] == {
            "billable": True,
            "pricing_model": "PMP",
            "type": "regular",
            "category": "marketing",
        }
    assert "pricing" not in happy["read"]
    assert happy["sent"]["recipient_id"] == "393331234501"

    for suffix, code in (("13", 131026), ("49", 131049), ("50", 131050)):
        (failed,) = statuses[wamids[suffix]]
        assert failed["status"] == "failed"
        assert failed["errors"][0]["code"] == code
        assert set(failed["errors"][0]) == set(
            FIXTURES["failed"]["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"][0]
        )
    assert [s["status"] for s in statuses[wamids["85"]]] == ["sent", "delivered"]


def test_webhooks_land_by_event_day_atomically(landing: Path) -> None:
    late_evening = datetime(2025, 6, 2, 23, 59, 58, tzinfo=UTC)
    with CloudApiSimulator(landing, status_delay_seconds=0.05, clock=lambda: late_evening) as sim:
        post(sim, meta_body("+393331234501"))
        deadline = time.monotonic() + 5
        while len(sim.written_files) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)  # written by the background thread after status_delay_seconds
        days = sorted(path.parent.name for path in sim.written_files)
    assert days == ["2025-06-02", "2025-06-03"]  # sent 23:59:59, delivered and read after 0:00
    for path in sim.written_files:
        assert path.parent.parent == landing / "whatsapp"
        assert path.name.startswith("sim-") and path.suffix == ".jsonl"
    assert not list(landing.rglob("*.part"))


def test_duplicated_out_of_order_webhooks_for_77(sim: CloudApiSimulator) -> None:
    wamid = post(sim, meta_body("+393331234577")).json()["messages"][0]["id"]
    sim.flush()
    order = [s["status"] for s in statuses_by_wamid(landed_bodies(sim.landing_dir))[wamid]]
    assert order == ["read", "read", "delivered", "delivered", "sent", "sent"]


def test_conversation_object_only_before_v24(sim: CloudApiSimulator) -> None:
    old = post(sim, meta_body("+393331234501")).json()["messages"][0]["id"]
    new_path = "/v24.0/1122334455667/messages"
    new = post(sim, meta_body("+393331234502"), path=new_path).json()["messages"][0]["id"]
    sim.flush()
    statuses = statuses_by_wamid(landed_bodies(sim.landing_dir))
    old_sent = next(s for s in statuses[old] if s["status"] == "sent")
    assert old_sent["conversation"]["origin"] == {"type": "marketing"}
    assert old_sent["conversation"]["expiration_timestamp"].isdigit()
    assert all("conversation" not in s for s in statuses[new])


def test_cli_serves_and_flushes_on_sigterm(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "senders.simulator", "--port", "0", "--home", str(tmp_path)]
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    with subprocess.Popen(
        command, cwd=REPO_ROOT, env=environment, stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            banner = process.stdout.readline()
            base_url = banner.split(" on ")[1].split(",")[0]
            response = httpx.post(
                f"{base_url}{MESSAGES}", json=meta_body(), headers={"Authorization": "Bearer x"}
            )
            assert response.status_code == 200
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
        finally:
            process.kill()
    assert len(landed_bodies(tmp_path / "landing")) == 3


def test_cli_flags_send_log_pair_rate_and_admin_endpoints(tmp_path: Path) -> None:
    """A simulator in another process: the send log is readable while it runs, the pair
    rate and throughput flags apply, the admin endpoints answer."""
    send_log = tmp_path / "sends.jsonl"
    command = [
        sys.executable, "-m", "senders.simulator", "--port", "0", "--home", str(tmp_path),
        "--send-log", str(send_log), "--pair-seconds", "30", "--messages-per-second", "2",
        "--faults", '{"webhooks_lost": 1.0}', "--seed", "3",
    ]
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    with subprocess.Popen(
        command, cwd=REPO_ROOT, env=environment, stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().split(" on ")[1].split(",")[0]
            auth = {"Authorization": "Bearer x"}
            first = httpx.post(f"{base_url}{MESSAGES}", json=meta_body("+393330000101"), headers=auth)
            assert first.status_code == 200
            wamid = first.json()["messages"][0]["id"]
            lines = [json.loads(line) for line in send_log.read_text().splitlines()]
            assert lines == [
                {
                    "wamid": wamid,
                    "to": "+393330000101",
                    "wa_id": "393330000101",
                    "template_name": "riordino_integratori",
                    "template_language": "it",
                    "phone_number_id": "1122334455667",
                    "accepted_at": lines[0]["accepted_at"],
                    "answered": True,
                }
            ]
            assert datetime.fromisoformat(lines[0]["accepted_at"]).tzinfo is not None
            again = httpx.post(f"{base_url}{MESSAGES}", json=meta_body("+393330000101"), headers=auth)
            assert_meta_error(again, 400, 131056)
            over = httpx.post(f"{base_url}{MESSAGES}", json=meta_body("+393330000201"), headers=auth)
            assert_meta_error(over, 429, 130429)
            assert int(over.headers["Retry-After"]) >= 1
            sends = httpx.get(f"{base_url}/_simulator/sends").json()["sends"]
            assert [send["wamid"] for send in sends] == [wamid]
            faults = httpx.get(f"{base_url}/_simulator/faults").json()["faults"]
            assert faults["webhooks_lost"] == 1.0 and faults["seed"] == 3
            changed = httpx.post(f"{base_url}/_simulator/faults", json={"drops": 0.5})
            assert changed.json()["faults"]["drops"] == 0.5
            assert changed.json()["faults"]["webhooks_lost"] == 0.0
            refused = httpx.post(f"{base_url}/_simulator/faults", json={"drop": 0.5})
            assert refused.status_code == 400 and "unknown fault fields" in refused.json()["error"]
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
        finally:
            process.kill()
    assert landed_bodies(tmp_path / "landing") == []  # every webhook lost
