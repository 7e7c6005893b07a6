"""Exactly once under SIGKILL: the campaign run (a subprocess, `python -m
senders.campaign_cli`) is killed at random moments while it sends to the simulator with
faults on, restarted each time with the same run id, then run to the end.

Faults on: seeded server errors (500/503), slow answers, timeouts and drops (accepted,
then the connection closed with no answer), plus the digit table's slow, 5xx, 429 and
131050 numbers. Counted in the simulator's own record (its requests, and its send log:
one line per accepted message, appended before the answer): no member got two messages, a reserved-then-killed send
was never tried again, every accepted message has its ledger row (accepted with that
wamid, or unknown), and every member ends with exactly one final status.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from pipelines.settings import REPO_ROOT
from senders.ledger import SendLedger
from senders.simulator import CloudApiSimulator
from senders.simulator_faults import Faults

KILLS = 22
MAX_ATTEMPTS = 3
# suffix -> how the simulator answers (senders/simulator.py): 97 slow (longer than the
# client's timeout: accepted by Meta, the answer lost), 99 first a 500, 98 always 503,
# 29 first a 429, 51 always 131050, 13 accepted then failed 131026, others accepted
SUFFIXES = ["01", "02", "03", "97", "99", "98", "29", "51", "13", "04", "05", "97"]


def write_audience(path: Path, size: int) -> list[dict]:
    members = []
    for i in range(size):
        suffix = SUFFIXES[i % len(SUFFIXES)]
        members.append({
            "contact_id": f"k{i:04d}",
            "phone_e164": f"+39347{i:05d}{suffix}",
            "variables": {"first_name": "Giulia", "last_product": "Magnesio Plus"},
            "marketing_consent": i % 17 != 5,  # a few without consent: skipped
        })
    path.write_text("".join(json.dumps(m) + "\n" for m in members), encoding="utf-8")
    return members


def accepted_by_simulator(send_log: Path) -> dict[str, list[str]]:
    """Recipient -> the wamids the simulator accepted for it, from its send log file."""
    accepted: dict[str, list[str]] = defaultdict(list)
    for line in send_log.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        accepted[entry["to"]].append(entry["wamid"])
    return accepted


def test_killed_runs_send_each_member_at_most_once(tmp_path: Path) -> None:
    rng = random.Random(20261202)
    audience_path, ledger_path = tmp_path / "audience.jsonl", tmp_path / "state" / "ledger.sqlite"
    # each kill may leave up to --max-in-flight members reserved (unknown, never resent):
    # 22 kills must not use up the audience before the last one
    members = write_audience(audience_path, 600)
    landing = tmp_path / "landing"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "THREADLINE_WHATSAPP_TOKEN": "kill-test-token"}
    send_log = tmp_path / "simulator-sends.jsonl"
    faults = Faults(
        server_errors=0.08, slow=0.1, timeouts=0.04, drops=0.06, slow_seconds=0.2, timeout_seconds=0.5, seed=11
    )
    with CloudApiSimulator(
        landing, status_delay_seconds=0.05, slow_response_seconds=0.5, send_log=send_log, faults=faults
    ) as sim:
        command = [
            sys.executable, "-m", "senders.campaign_cli",
            "--campaign", "repurchase_reminder", "--audience", str(audience_path),
            "--ledger", str(ledger_path), "--base-url", sim.base_url,
            "--phone-number-id", "1122334455667", "--run-id", "run-1",
            "--now", "2025-06-02T08:00:00+00:00", "--max-in-flight", "8",
            "--timeout", "0.3", "--max-attempts", str(MAX_ATTEMPTS), "--backoff-base", "0.02",
            "--messages-per-second", "1000", "--pair-seconds", "0.05",
        ]  # fmt: skip
        driver = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("kill_driver.py")), *command[3:]],
            cwd=REPO_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line.strip()) for line in driver.stdout], daemon=True).start()
        assert lines.get(timeout=60) == "ready"
        kills, timings = 0, []
        started = time.monotonic()
        try:
            while kills < KILLS:
                before = len(sim.requests)
                driver.stdin.write("run\n")
                driver.stdin.flush()
                pid = int(lines.get(timeout=10))
                wanted = before + rng.randint(1, 8)
                went = time.monotonic()
                while len(sim.requests) < wanted and lines.empty() and time.monotonic() < went + 20:
                    time.sleep(0.002)
                time.sleep(rng.uniform(0, 0.03))  # somewhere among reserve, request, answer, record
                timings.append(round(time.monotonic() - went, 3))
                if not lines.empty():
                    break  # it finished before the kill: the audience is done
                os.kill(pid, signal.SIGKILL)
                assert lines.get(timeout=10) == f"exit {-signal.SIGKILL}"
                kills += 1
            driver.stdin.write("run\n")  # and now to the end, uninterrupted
            driver.stdin.flush()
            lines.get(timeout=10)
            outputs = [lines.get(timeout=60)]
            while not outputs[-1].startswith("exit"):
                outputs.append(lines.get(timeout=60))
            assert outputs[-1] == "exit 0", outputs
        finally:
            driver.stdin.close()
            driver.wait(timeout=10)
        elapsed = time.monotonic() - started
        print(f"{kills} kills in {elapsed:.1f} s, waits {timings}, final run {outputs[0]}")
        # a request cut off by a kill before its body arrived is no message
        requests = Counter(body["to"] for body in sim.requests if isinstance(body, dict))
    assert kills == KILLS, f"the run finished after {kills} kills: the kills came too late ({timings})"
    accepted = accepted_by_simulator(send_log)

    with SendLedger(ledger_path) as ledger:
        rows = ledger.rows()
        holds = ledger.holds()
    by_contact = {r["contact_id"]: r for r in rows}
    # every member ends with exactly one final status, none left reserved or held
    assert len(rows) == len(by_contact) == len(members) and holds == []
    assert {r["status"] for r in rows} <= {"accepted", "failed", "skipped", "unknown"}
    for member in members:
        row = by_contact[member["contact_id"]]
        messages = accepted.get(member["phone_e164"], [])
        # at most once, in the simulator's own record
        assert len(messages) <= 1, (member, messages)
        # a request is only ever retried within one attempt's retries, never after a kill
        assert requests[member["phone_e164"]] <= MAX_ATTEMPTS
        if row["status"] == "accepted":
            assert messages == [row["wamid"]]
        elif messages:  # Meta has it, the ledger never heard: it must be unknown, not resent
            assert row["status"] == "unknown", row
        if row["status"] == "skipped":
            assert row["skip_reason"] and requests[member["phone_e164"]] == 0
        if row["status"] == "failed":
            assert row["error_code"] is not None and not messages
    statuses = Counter(r["status"] for r in rows)
    assert statuses["accepted"] > 30 and statuses["unknown"] > 0 and statuses["skipped"] > 0
    assert elapsed < 60, timings
