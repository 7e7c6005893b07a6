"""A real receiver process on loopback for the receiver tests, and helpers to read landing/."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from pipelines.receiver.signature import meta_signature

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("THREADLINE_SHARED_DIR") or REPO_ROOT.parent / "shared")
FIXTURES = SHARED / "fixtures" / "whatsapp-cloud-api"

SECRET = "test-app-secret-9c1f"
VERIFY_TOKEN = "verify-token-7a2b"
CHATWOOT_TOKEN = "chatwoot-token-51de"


def sign(body: bytes, secret: str = SECRET) -> str:
    return meta_signature(secret.encode(), body)


def fixture_bodies() -> list[tuple[str, bytes]]:
    """Every case of every WhatsApp fixture file, encoded compactly as Meta posts it."""
    cases = []
    for path in sorted(FIXTURES.glob("*.json")):
        for name, body in json.loads(path.read_text(encoding="utf-8")).items():
            cases.append((f"{path.stem}:{name}", json.dumps(body, separators=(",", ":")).encode()))
    return cases


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Receiver:
    """`python -m pipelines.receiver` in a subprocess, with its own THREADLINE_HOME."""

    home: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def log(self) -> Path:
        return self.home / "receiver.log"

    def start(self) -> Receiver:
        self.home.mkdir(parents=True, exist_ok=True)
        if self.client.is_closed:
            self.client = httpx.Client(timeout=10)
        self.port = free_port()
        env = {**os.environ, "THREADLINE_HOME": str(self.home), **self.env}
        with open(self.log, "ab") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pipelines.receiver", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                cwd=REPO_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"receiver exited at start:\n{self.log.read_text()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.03)
        self.kill()
        raise RuntimeError("receiver did not answer /healthz in 20 s")

    def stop(self) -> None:
        """SIGTERM, as a service manager would; fails unless the shutdown was clean.

        uvicorn re-raises the signal once it has shut down, so the exit status is -SIGTERM.
        """
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.process = None
        self.client.close()
        assert code in (0, -signal.SIGTERM), f"exit {code}:\n{self.log.read_text()}"
        assert "receiver stopped:" in self.log.read_text().rsplit("Started server", 1)[-1]

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        self.client.close()

    def stats(self) -> dict[str, int]:
        stats: dict[str, int] = self.client.get(self.url + "/healthz").json()
        return stats

    def post_meta(self, body: bytes, signature: str | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        headers["X-Hub-Signature-256"] = sign(body) if signature is None else signature
        return self.client.post(self.url + "/webhooks/meta", content=body, headers=headers)


def landed_lines(folder: Path, include_partial: bool = True) -> list[bytes]:
    """Every line (without its newline) of the landing files under `folder`."""
    patterns = ["*.jsonl", "*.jsonl.part"] if include_partial else ["*.jsonl"]
    lines: list[bytes] = []
    for pattern in patterns:
        for path in sorted(folder.rglob(pattern)):
            data = path.read_bytes()
            assert data == b"" or data.endswith(b"\n"), f"{path.name} ends in a partial line"
            lines.extend(data.split(b"\n")[:-1])
    return lines


def tree_sizes(folder: Path) -> dict[str, int]:
    """Every file under `folder` with its size: equal snapshots mean nothing was written."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}
