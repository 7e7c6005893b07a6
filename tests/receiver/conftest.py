"""Fixtures for the receiver tests: real receiver processes on loopback, each with its own home."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from receiver_harness import CHATWOOT_TOKEN, SECRET, VERIFY_TOKEN, Receiver  # noqa: E402

CONFIGURED = {
    "THREADLINE_META_APP_SECRET": SECRET,
    "THREADLINE_WEBHOOK_VERIFY_TOKEN": VERIFY_TOKEN,
    "THREADLINE_CHATWOOT_WEBHOOK_TOKEN": CHATWOOT_TOKEN,
    "THREADLINE_RECEIVER_MAX_BODY_BYTES": str(256 * 1024),
}
UNSET = {name: "" for name in CONFIGURED if "BODY" not in name}


@pytest.fixture
def start_receiver(tmp_path: Path) -> Iterator[Callable[..., Receiver]]:
    """Start receivers (configured unless told otherwise); every one is killed at teardown."""
    started: list[Receiver] = []

    def start(home: Path | None = None, **env: str) -> Receiver:
        receiver = Receiver(home or tmp_path / f"home{len(started)}", {**CONFIGURED, **env})
        started.append(receiver)
        return receiver.start()

    yield start
    for receiver in started:
        receiver.kill()


@pytest.fixture(scope="module")
def shared_receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    """One configured receiver for a whole module (tests that check nothing was written)."""
    receiver = Receiver(tmp_path_factory.mktemp("shared") / "home", dict(CONFIGURED)).start()
    yield receiver
    receiver.kill()
