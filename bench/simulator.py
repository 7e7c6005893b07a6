"""Cloud API simulator throughput: template sends from an httpx.AsyncClient over loopback.

    python -m bench.simulator --seconds 10 --concurrency 64
    python -m bench.simulator --seconds 10 --concurrency 64 --clients 4 --processes 4
    python -m bench.simulator --seconds 10 --concurrency 64 --client raw

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
import json
import multiprocessing
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


async def _load(
    base_url: str, seconds: float, concurrency: int, clients: int
) -> tuple[int, int, list[float]]:
    """`concurrency` requests in flight, spread over `clients` AsyncClients (one
    connection per request in flight)."""
    per_client = max(1, concurrency // clients)
    limits = httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client)
    ok = other = 0
    latencies: list[float] = []
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds
    headers = {"Authorization": "Bearer bench-token"}
    pool = [httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) for _ in range(clients)]

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal ok, other
        while time.perf_counter() < deadline:
            to = f"+3933{next(counter):08d}01"  # "01": the plain accepted path
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

    try:
        await asyncio.gather(*(worker(pool[n % clients]) for n in range(per_client * clients)))
    finally:
        for client in pool:
            await client.aclose()
    return ok, other, latencies


async def _load_raw(base_url: str, seconds: float, concurrency: int) -> tuple[int, int, list[float]]:
    """The same requests from bare asyncio streams, one keep-alive connection per
    request in flight: a client far cheaper than httpx, to see the simulator's own limit."""
    host, port = base_url.removeprefix("http://").split(":")
    ok = other = 0
    latencies: list[float] = []
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds

    async def connection() -> None:
        nonlocal ok, other
        reader, writer = await asyncio.open_connection(host, int(port))
        while time.perf_counter() < deadline:
            to = f"+3933{next(counter):08d}01"
            body = json.dumps(
                template_message(to, "riordino_integratori", "it", body_component(["Giulia", "Magnesio Plus"]))
            ).encode()
            start = time.perf_counter()
            writer.write(
                f"POST {MESSAGES} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer bench-token\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
            )
            await writer.drain()
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if status == 200:
                ok += 1
            else:
                other += 1
        writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return ok, other, latencies


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load_process(args: tuple[str, float, int, int, str]) -> tuple[int, int, list[float]]:
    base_url, seconds, concurrency, clients, kind = args
    if kind == "raw":
        return asyncio.run(_load_raw(base_url, seconds, concurrency))
    return asyncio.run(_load(base_url, seconds, concurrency, clients))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.simulator", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight")
    parser.add_argument(
        "--clients",
        type=int,
        default=1,
        help="AsyncClients sharing the requests in flight (httpcore's pool slows down "
        "with many connections per client; 8 clients x 8 measures the server instead)",
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="load-generator processes sharing the concurrency"
    )
    parser.add_argument(
        "--client",
        choices=["httpx", "raw"],
        default="httpx",
        help="httpx.AsyncClient (what the sender uses) or bare asyncio streams (the simulator's own limit)",
    )
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
                cpu_before = _cpu_seconds(server.pid)
                started = time.perf_counter()
                share = (
                    base_url, args.seconds, max(1, args.concurrency // args.processes), args.clients, args.client
                )
                if args.processes == 1:
                    results = [_load_process(share)]
                else:
                    with multiprocessing.Pool(args.processes) as pool:
                        results = pool.map(_load_process, [share] * args.processes)
                elapsed = time.perf_counter() - started
                server_cpu = _cpu_seconds(server.pid) - cpu_before
                ok = sum(r[0] for r in results)
                other = sum(r[1] for r in results)
                latencies = [latency for r in results for latency in r[2]]
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
    print(
        f"requests/s      {(ok + other) / elapsed:,.0f}  "
        f"(concurrency {args.concurrency}, client {args.client}, {args.clients} client(s) "
        f"x {args.processes} process(es))"
    )
    print(f"simulator CPU   {server_cpu:.2f} s: {(ok + other) / max(server_cpu, 1e-9):,.0f} requests per CPU-second")
    print(f"latency p50/p99 {statistics.median(latencies) * 1000:.1f} / {p99 * 1000:.1f} ms")
    return 0 if logged == ok and other == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
