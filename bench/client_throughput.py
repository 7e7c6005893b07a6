"""Async Cloud API client throughput: the client alone against a simulator subprocess.

    python -m bench.client_throughput --messages 20000 --rate 1000

Starts `python -m senders.simulator` on 127.0.0.1 with a temporary THREADLINE_HOME,
then sends `--messages` template messages to distinct recipients (numbers ending in 01,
which the simulator accepts) through one `AsyncCloudApiClient` at `--rate` messages per
second, from `--workers` tasks sharing it (the client bounds requests in flight with
`--max-in-flight`). Stops the simulator with SIGTERM.

Prints accepted / other outcomes, messages/s sustained (all messages over the wall
time) and peak (the best whole second), p50/p99 latency of a send (limiter waits
included), the pair-rate limiter's recipients at the end (its memory bound), the
client process's peak RSS and CPU seconds of both sides, and the ratio of sustained to
the rate asked. Client and simulator share the machine's cores: read the figures as a
lower bound for the client alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from senders.message_body import body_component, template_message
from senders.provider import AsyncCloudApiClient

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
PHONE_NUMBER_ID = "1122334455667"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_simulator(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "senders.simulator", "--port", str(port), "--home", str(home)],
            cwd=REPO,
            env={**os.environ, "THREADLINE_HOME": str(home)},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"simulator exited at start; see {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("simulator did not listen within 20 s")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


async def send_all(base_url: str, messages: int, rate: float, workers: int, max_in_flight: int) -> dict[str, object]:
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    finished: list[float] = []
    pending = iter(range(messages))
    components = body_component(["Giulia", "Omega 3"])
    async with AsyncCloudApiClient(
        base_url, TOKEN, PHONE_NUMBER_ID, messages_per_second=rate, max_in_flight=max_in_flight, timeout=30
    ) as client:

        async def worker() -> None:
            for n in pending:
                body = template_message(f"+3933{n:07d}01", "riordino_integratori", "it", components)
                began = time.monotonic()
                result = await client.send(body)
                finished.append(time.monotonic())
                latencies.append(finished[-1] - began)
                outcomes[result.outcome] += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(workers)))
        elapsed = time.monotonic() - started
        remembered = client.remembered_recipients
    per_second = Counter(int(at - started) for at in finished)
    # the best whole second, not counting a partial last one
    whole = [count for second, count in per_second.items() if second < int(elapsed)] or list(per_second.values())
    latencies.sort()
    return {
        "outcomes": dict(outcomes),
        "elapsed": elapsed,
        "sustained": messages / elapsed,
        "peak": max(whole),
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "median_second": statistics.median(whole),
        "remembered": remembered,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=1000, help="messages_per_second of the client (<= 1000)")
    parser.add_argument("--workers", type=int, default=256, help="tasks sharing the client")
    parser.add_argument("--max-in-flight", type=int, default=16, help="requests in flight (the keep-alive pool)")
    args = parser.parse_args()
    if args.messages < 1 or args.workers < 1:
        parser.error("--messages and --workers must be at least 1")

    home = Path(tempfile.mkdtemp(prefix="threadline-bench-client-"))
    port = free_port()
    simulator = start_simulator(home, port, home / "simulator.log")
    try:
        figures = asyncio.run(
            send_all(f"http://127.0.0.1:{port}", args.messages, args.rate, args.workers, args.max_in_flight)
        )
        simulator_cpu = cpu_seconds(simulator.pid)
    finally:
        simulator.send_signal(signal.SIGTERM)
        try:
            simulator.wait(timeout=30)
        except subprocess.TimeoutExpired:
            simulator.kill()
            simulator.wait()
        shutil.rmtree(home, ignore_errors=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    sustained = float(figures["sustained"])  # type: ignore[arg-type]
    print(f"messages            {args.messages} at --rate {args.rate:g}/s, {args.workers} workers, "
          f"max_in_flight {args.max_in_flight}")
    print(f"outcomes            {figures['outcomes']}")
    print(f"wall time           {figures['elapsed']:.2f} s")
    print(f"sustained           {sustained:.0f} messages/s")
    print(f"peak second         {figures['peak']} messages (median second {figures['median_second']:g})")
    print(f"send latency        p50 {figures['p50'] * 1000:.1f} ms, p99 {figures['p99'] * 1000:.1f} ms")
    print(f"pair-rate memory    {figures['remembered']} recipients remembered at the end")
    print(f"client peak RSS     {usage.ru_maxrss / 1024:.0f} MiB")
    print(f"cpu seconds         client {usage.ru_utime + usage.ru_stime:.1f}, simulator {simulator_cpu:.1f}")
    print(f"ratio               {sustained / args.rate:.2f} of the rate asked")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
