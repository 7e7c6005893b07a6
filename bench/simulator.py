"""Cloud API simulator throughput: template sends from an httpx.AsyncClient over loopback.

    python -m bench.simulator --seconds 10 --concurrency 64

Starts `python -m senders.simulator` on a free port with a temporary THREADLINE_HOME
and a send log, throughput and pair rate off (the limits are what a bench of the
sender measures against, not what this one measures), then posts valid template
messages (each to a new recipient, digits that take the plain "accepted" path) with
`--concurrency` requests in flight over keep-alive connections until `--seconds`.
Prints requests, 200s, other answers, requests per second and p50/p99 latency, and
checks that the send log has one line per 200.

The load generator and the simulator share the machine's cores: read the figure as
a lower bound for the simulator alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from pipelines.settings import REPO_ROOT
from senders.message_body import body_component, template_message

MESSAGES = "/v23.0/1122334455667/messages"


async def _load(base_url: str, seconds: float, concurrency: int) -> tuple[int, int, list[float]]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    ok = other = 0
    latencies: list[float] = []
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds
    headers = {"Authorization": "Bearer bench-token"}
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as client:

        async def worker() -> None:
            nonlocal ok, other
            while time.perf_counter() < deadline:
                n = next(counter)
                to = f"+3933{n:08d}01"
                body = template_message(
                    to, "riordino_integratori", "it", body_component(["Giulia", "Magnesio Plus"])
                )
                start = time.perf_counter()
                response = await client.post(MESSAGES, json=body, headers=headers)
                latencies.append(time.perf_counter() - start)
                if response.status_code == 200:
                    ok += 1
                else:
                    other += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok, other, latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.simulator", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-simulator-") as home:
        send_log = Path(home) / "sends.jsonl"
        command = [
            sys.executable, "-m", "senders.simulator", "--port", "0", "--home", home,
            "--send-log", str(send_log), "--messages-per-second", "off", "--pair-seconds", "0",
            "--status-delay", "1",
        ]
        environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        with subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True) as server:
            try:
                assert server.stdout is not None
                base_url = server.stdout.readline().split(" on ")[1].split(",")[0]
                started = time.perf_counter()
                ok, other, latencies = asyncio.run(_load(base_url, args.seconds, args.concurrency))
                elapsed = time.perf_counter() - started
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=60)
            finally:
                server.kill()
        logged = sum(1 for _ in send_log.open())
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] if latencies else 0.0
    print(f"requests        {ok + other}")
    print(f"200 accepted    {ok}  (send log lines {logged})")
    print(f"other answers   {other}")
    print(f"requests/s      {(ok + other) / elapsed:,.0f}  (concurrency {args.concurrency})")
    print(f"latency p50/p99 {statistics.median(latencies) * 1000:.1f} / {p99 * 1000:.1f} ms")
    return 0 if logged == ok and other == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
