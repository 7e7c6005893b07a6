"""What a 200 promises: the body is in a landing file even if the receiver is killed -9."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from receiver_harness import Receiver, fixture_bodies, landed_lines, sign

from pipelines.landing import landed_files
from pipelines.receiver.durable_log import writer_id

Start = Callable[..., Receiver]


def _unique_body(template: dict[str, Any], number: int) -> bytes:
    document = json.loads(json.dumps(template))
    document["entry"][0]["id"] = f"kill-{number}"
    document["entry"].extend(template["entry"] * 2)  # ~1.5 KB, like a small Meta batch
    return json.dumps(document, separators=(",", ":")).encode()


def _post_until_stopped(url: str, first: int, acked: list[int], stop: threading.Event) -> None:
    template = json.loads(fixture_bodies()[0][1])
    number = first
    with httpx.Client(timeout=5) as client:
        while not stop.is_set():
            body = _unique_body(template, number)
            try:
                answer = client.post(url, content=body, headers={"X-Hub-Signature-256": sign(body)})
            except httpx.HTTPError:
                return  # the receiver is gone
            if answer.status_code == 200:
                acked.append(number)
            number += 1


def test_kill_9_while_posting_loses_no_acknowledged_body(start_receiver: Start) -> None:
    receiver = start_receiver()
    acked: list[int] = []
    stop = threading.Event()
    clients = [
        threading.Thread(target=_post_until_stopped,
                         args=(receiver.url + "/webhooks/meta", n * 1_000_000, acked, stop))
        for n in range(12)
    ]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 5
    while len(acked) < 300 and time.monotonic() < deadline:
        time.sleep(0.02)
    receiver.kill()  # SIGKILL mid-stream: no shutdown, no rotation
    stop.set()
    for client in clients:
        client.join(timeout=10)
    acknowledged = set(acked)
    assert len(acknowledged) >= 100
    left = list((receiver.landing / "whatsapp").rglob("*.jsonl.part"))
    assert left, "the killed receiver had an open .part file"

    receiver.start()  # recovers the .part files of the killed process
    assert not list((receiver.landing / "whatsapp").rglob(left[0].name))
    receiver.stop()

    assert not list(receiver.landing.rglob("*.part"))
    lines = landed_lines(receiver.landing / "whatsapp", include_partial=False)
    landed = [int(json.loads(line)["entry"][0]["id"].removeprefix("kill-")) for line in lines]
    assert len(landed) == len(set(landed)), "a body landed twice"
    missing = acknowledged - set(landed)
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged bodies lost"
    # bodies written but never answered (in flight at the kill) may land too: at least once
    assert len(landed) >= len(acknowledged)


def test_start_recovers_partial_lines_of_a_dead_receiver(start_receiver: Start) -> None:
    home = start_receiver().home
    day = home / "landing" / "whatsapp" / "2025-06-02"
    day.mkdir(parents=True)
    complete = [b'{"object":"whatsapp_business_account","entry":[],"n":%d}' % n for n in range(3)]
    dead = day / "recv-otherhost-4242-20250602T080000Z-000007.jsonl.part"
    dead.write_bytes(b"\n".join(complete) + b'\n{"object":"whatsapp_business_acc')
    only_partial = day / "recv-otherhost-4242-20250602T080000Z-000008.jsonl.part"
    only_partial.write_bytes(b'{"object":"whatsapp_busi')
    foreign = day / "shopify-export-0001.jsonl.part"  # another writer's, not the receiver's
    foreign.write_bytes(b'{"half":')

    receiver = start_receiver(home=home)
    recovered = day / "recv-otherhost-4242-20250602T080000Z-000007.jsonl"
    assert recovered.read_bytes() == b"\n".join(complete) + b"\n"
    assert not dead.exists() and not only_partial.exists()
    assert foreign.read_bytes() == b'{"half":'
    assert "recovered 1 .part files" in receiver.log.read_text()
    receiver.stop()


def test_rotation_leaves_only_complete_files(start_receiver: Start) -> None:
    receiver = start_receiver(THREADLINE_RECEIVER_ROTATE_SECONDS="0.3",
                              THREADLINE_RECEIVER_ROTATE_BYTES="6000")
    bodies = [body for _, body in fixture_bodies()]
    for body in bodies:
        assert receiver.post_meta(body).status_code == 200
    folder = receiver.landing / "whatsapp"
    deadline = time.monotonic() + 5  # past rotate_seconds the last file completes by itself
    while list(folder.rglob("*.part")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(folder.rglob("*.part"))
    files = landed_files(folder)
    assert len(files) >= 3
    for path in files:
        data = path.read_bytes()
        assert data.endswith(b"\n")
        assert all(json.loads(line) for line in data.split(b"\n")[:-1])
    assert sorted(landed_lines(folder, include_partial=False)) == sorted(bodies)
    assert receiver.stats()["files_completed"] == len(files)
    receiver.stop()


def test_file_names_carry_host_pid_and_sequence() -> None:
    host, pid, started = writer_id().rsplit("-", 2)
    assert host and pid.isdigit() and started.endswith("Z")
