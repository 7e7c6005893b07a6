"""Webhook receiver throughput: signed WhatsApp POSTs over loopback against the real server.

    python -m bench.receiver --seconds 10 --concurrency 64
    python -m bench.receiver --seconds 10 --concurrency 64 --client httpx --processes 2

Starts `python -m pipelines.receiver` on 127.0.0.1 with a temporary THREADLINE_HOME,
then a separate load-generator process (or several) posting realistic bodies (1-2 KB,
built from the WhatsApp fixtures, signed like Meta signs them) over keep-alive
connections, one request in flight per connection, until `--seconds` or `--max-requests`.
Then it stops the receiver with SIGTERM and counts the lines in the landed `.jsonl`
files, which must equal the number of 200 answers.

Prints requests, 200s, errors, requests per second, p50/p99 latency, fsyncs and bodies
per fsync, CPU seconds of each side, and the ratio to the 3,000 requests/s target.
The server and the load generator share the same machine (and its cores): read the
figures as a lower bound for the server alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import cast

import httpx

from pipelines.receiver.signature import meta_signature

TARGET_RPS = 3000
SECRET = "bench-app-secret"
REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(os.environ.get("THREADLINE_SHARED_DIR") or REPO.parent / "shared") / "fixtures" / "whatsapp-cloud-api"


# -- bodies --------------------------------------------------------------------------


def realistic_bodies(count: int = 256, seed: int = 5) -> list[bytes]:
    """WhatsApp webhook bodies of 1-2 KB: fixture entries batched as Meta batches them."""
    entries: list[object] = []
    for path in sorted(FIXTURES.glob("*.json")):
        for body in json.loads(path.read_text(encoding="utf-8")).values():
            if body.get("object") == "whatsapp_business_account":
                entries.extend(body["entry"])
    rng = random.Random(seed)
    bodies: list[bytes] = []
    while len(bodies) < count:
        batch = [rng.choice(entries)]
        encoded = b""
        while len(encoded) < 1000:
            batch.append(rng.choice(entries))
            document = {"object": "whatsapp_business_account", "entry": batch}
            encoded = json.dumps(document, separators=(",", ":")).encode()
        if len(encoded) <= 2000:
            bodies.append(encoded)
    return bodies


def raw_request(port: int, body: bytes) -> bytes:
    head = (
        f"POST /webhooks/meta HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "User-Agent: facebookexternalua\r\nContent-Type: application/json\r\n"
        f"X-Hub-Signature-256: {meta_signature(SECRET.encode(), body)}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


# -- load generators (run in child processes) ----------------------------------------


@dataclass
class LoadResult:
    sent: int = 0
    ok: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: array[float] = field(default_factory=lambda: array("d"))
    per_second: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def answered(self, status: int, latency: float, second: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == 200:
            self.ok += 1
            self.latencies.append(latency)
            self.per_second[second] = self.per_second.get(second, 0) + 1
        else:
            self.errors += 1


class _Budget:
    """Shared by every connection of one generator: stop at the deadline or the count."""

    def __init__(self, seconds: float, max_requests: int) -> None:
        self.started = time.perf_counter()
        self.deadline = self.started + seconds
        self.left = max_requests

    def take(self) -> bool:
        if self.left <= 0 or time.perf_counter() >= self.deadline:
            return False
        self.left -= 1
        return True


def _content_length(head: bytes) -> int:
    at = head.find(b"content-length:")
    if at < 0:
        return 0
    stop = head.find(b"\r\n", at)
    return int(head[at + 15 : stop if stop >= 0 else len(head)])


class _RawConnection(asyncio.Protocol):
    """One keep-alive connection; the next request goes out from data_received itself."""

    def __init__(self, load: _RawLoad) -> None:
        self.load = load
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.sent_at = 0.0
        self.in_flight = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.load.next_request(self)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            total = end + 4 + _content_length(head)
            if len(self.buffer) < total:
                return
            status = int(head[9:12])
            del self.buffer[:total]
            self.in_flight = False
            self.load.answered(self, status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.load.lost(self)


class _RawLoad:
    def __init__(self, port: int, requests: list[bytes], budget: _Budget) -> None:
        self.port = port
        self.requests = requests
        self.budget = budget
        self.result = LoadResult()
        self.open = 0
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.index = 0

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        self.open += 1
        try:
            transport, _ = await loop.create_connection(lambda: _RawConnection(self), "127.0.0.1", self.port)
            sock = transport.get_extra_info("socket")
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            self.result.errors += 1
            self._closed()

    def next_request(self, conn: _RawConnection) -> None:
        assert conn.transport is not None
        if not self.budget.take():
            conn.transport.close()
            return
        self.index = (self.index + 1) % len(self.requests)
        conn.in_flight = True
        conn.sent_at = time.perf_counter()
        self.result.sent += 1
        conn.transport.write(self.requests[self.index])

    def answered(self, conn: _RawConnection, status: int) -> None:
        now = time.perf_counter()
        self.result.answered(status, now - conn.sent_at, int(now - self.budget.started))
        self.next_request(conn)

    def lost(self, conn: _RawConnection) -> None:
        if conn.in_flight:
            self.result.errors += 1
            if time.perf_counter() < self.budget.deadline:
                asyncio.get_running_loop().create_task(self.connect())
        self._closed()

    def _closed(self) -> None:
        self.open -= 1
        if self.open <= 0 and not self.done.done():
            self.done.set_result(None)


async def _raw_main(
    port: int, requests: list[bytes], seconds: float, concurrency: int, max_requests: int
) -> LoadResult:
    load = _RawLoad(port, requests, _Budget(seconds, max_requests))
    await asyncio.gather(*(load.connect() for _ in range(concurrency)))
    await load.done
    load.result.seconds = time.perf_counter() - load.budget.started
    return load.result


async def _httpx_main(
    port: int, requests: list[bytes], seconds: float, concurrency: int, max_requests: int
) -> LoadResult:
    budget = _Budget(seconds, max_requests)
    result = LoadResult()
    url = f"http://127.0.0.1:{port}/webhooks/meta"
    prepared = []
    for raw in requests:
        head, body = raw.split(b"\r\n\r\n", 1)
        signature = next(
            line.split(b": ", 1)[1] for line in head.split(b"\r\n") if line.startswith(b"X-Hub-Signature-256")
        )
        prepared.append((body, {"X-Hub-Signature-256": signature.decode(), "Content-Type": "application/json"}))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:

        async def worker(offset: int) -> None:
            index = offset
            while budget.take():
                body, headers = prepared[index % len(prepared)]
                index += 1
                result.sent += 1
                started = time.perf_counter()
                try:
                    response = await client.post(url, content=body, headers=headers)
                except httpx.HTTPError:
                    result.errors += 1
                    continue
                now = time.perf_counter()
                result.answered(response.status_code, now - started, int(now - budget.started))

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
    result.seconds = time.perf_counter() - budget.started
    return result


def _generator_process(
    kind: str,
    port: int,
    requests: list[bytes],
    seconds: float,
    concurrency: int,
    max_requests: int,
    start_at: float,
    out: Connection,
) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    time.sleep(max(0.0, start_at - time.time()))
    main = _raw_main if kind == "raw" else _httpx_main
    result = asyncio.run(main(port, requests, seconds, concurrency, max_requests))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu_seconds = usage.ru_utime + usage.ru_stime
    out.send(result)
    out.close()


def run_load(
    kind: str, processes: int, port: int, requests: list[bytes], seconds: float, concurrency: int, max_requests: int
) -> list[LoadResult]:
    context = mp.get_context("spawn")
    start_at = time.time() + 1.5  # every process starts together, after its imports
    pipes, children = [], []
    for number in range(processes):
        share = concurrency // processes + (1 if number < concurrency % processes else 0)
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(
            target=_generator_process,
            args=(kind, port, requests, seconds, share, max_requests // processes, start_at, sender),
        )
        child.start()
        pipes.append(receiver)
        children.append(child)
    results = [pipe.recv() for pipe in pipes]
    for child in children:
        child.join()
    return results


# -- the receiver under test ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_receiver(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "THREADLINE_HOME": str(home), "THREADLINE_META_APP_SECRET": SECRET}
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pipelines.receiver",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"receiver exited at start; see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("receiver did not answer /healthz within 20 s")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def count_landed(folder: Path) -> tuple[int, int, int]:
    """(lines in .jsonl files, .jsonl files, .part files left) under `folder`."""
    lines = files = 0
    for path in folder.rglob("*.jsonl"):
        files += 1
        with open(path, "rb") as handle:
            lines += sum(1 for _ in handle)
    return lines, files, sum(1 for _ in folder.rglob("*.part"))


def fsync_probe(folder: Path, rounds: int = 50, size: int = 30_000) -> list[float]:
    """Sorted seconds of `rounds` append + fsync of `size` bytes: the disk's own floor."""
    probe = folder / "fsync-probe"
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    timings = []
    try:
        for _ in range(rounds):
            os.write(fd, b"x" * size)
            started = time.perf_counter()
            os.fsync(fd)
            timings.append(time.perf_counter() - started)
    finally:
        os.close(fd)
        probe.unlink()
    return sorted(timings)


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="raw: asyncio protocol over keep-alive sockets; httpx: AsyncClient",
    )
    parser.add_argument("--processes", type=int, default=1, help="load-generator processes")
    parser.add_argument(
        "--home", type=Path, default=None, help="default: a temporary folder, removed after a clean run"
    )
    args = parser.parse_args()

    temporary = args.home is None
    home = args.home or Path(tempfile.mkdtemp(prefix="threadline-bench-receiver-"))
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    bodies = realistic_bodies()
    requests = [raw_request(port, body) for body in bodies]
    log = home / "receiver.log"
    disk = fsync_probe(home)
    receiver = start_receiver(home, port, log)
    try:
        cpu_before = cpu_seconds(receiver.pid)
        results = run_load(
            args.client, args.processes, port, requests, args.seconds, args.concurrency, args.max_requests
        )
        server_cpu = cpu_seconds(receiver.pid) - cpu_before
        stats = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
    finally:
        receiver.send_signal(signal.SIGTERM)
        receiver.wait(timeout=60)
    landed, files, partial = count_landed(home / "landing" / "whatsapp")

    sent = sum(r.sent for r in results)
    ok = sum(r.ok for r in results)
    errors = sum(r.errors for r in results)
    seconds = max(r.seconds for r in results)
    latencies = sorted(x for r in results for x in r.latencies)
    per_second: dict[int, int] = {}
    for r in results:
        for second, n in r.per_second.items():
            per_second[second] = per_second.get(second, 0) + n
    full_seconds = [per_second.get(s, 0) for s in range(int(seconds))]
    rps = ok / seconds if seconds else 0.0
    fsyncs = stats["batch_fsyncs"]
    sizes = [len(b) for b in bodies]
    statuses: dict[int, int] = {}
    for r in results:
        for status, n in r.statuses.items():
            statuses[status] = statuses.get(status, 0) + n

    print(
        f"receiver bench: client={args.client} processes={args.processes} "
        f"concurrency={args.concurrency} seconds={args.seconds:g} cores={os.cpu_count()}"
    )
    print(
        f"  disk fsync       p50 {percentile(disk, 0.5) * 1000:.2f} ms, p90 "
        f"{percentile(disk, 0.9) * 1000:.2f} ms (30 KB append + fsync, before the run)"
    )
    print(
        f"  bodies           {len(bodies)} distinct, {min(sizes)}-{max(sizes)} bytes "
        f"(median {statistics.median(sizes):.0f})"
    )
    print(f"  requests sent    {sent}")
    print(f"  200 responses    {ok}   statuses {dict(sorted(statuses.items()))}")
    print(f"  errors           {errors}")
    print(f"  duration         {seconds:.2f} s")
    print(
        f"  requests/s       {rps:.0f} sustained (per full second: min "
        f"{min(full_seconds, default=0)}, max {max(full_seconds, default=0)})"
    )
    print(
        f"  latency          p50 {percentile(latencies, 0.50) * 1000:.2f} ms   "
        f"p99 {percentile(latencies, 0.99) * 1000:.2f} ms   "
        f"max {(latencies[-1] if latencies else 0) * 1000:.2f} ms"
    )
    print(
        f"  fsyncs           {fsyncs} acknowledging batches "
        f"({stats['other_fsyncs']} more for folders/rotation), "
        f"{stats['bodies'] / fsyncs if fsyncs else 0:.1f} bodies per fsync"
    )
    print(
        f"  cpu seconds      receiver {server_cpu:.1f}, load generator "
        f"{sum(r.cpu_seconds for r in results):.1f} (of {seconds * (os.cpu_count() or 1):.0f} "
        f"available)"
    )
    print(f"  landed           {landed} lines in {files} .jsonl files, {partial} .part left")
    print(f"  ratio to target  {rps / TARGET_RPS:.2f} x {TARGET_RPS}/s")
    if landed != ok or partial:
        print(
            f"  MISMATCH: {landed} landed lines vs {ok} answers 200 ({partial} .part files left); receiver log: {log}"
        )
        return 1
    print("  check            landed lines == 200 responses")
    if temporary:
        shutil.rmtree(home)
    return 0


if __name__ == "__main__":
    sys.exit(main())
