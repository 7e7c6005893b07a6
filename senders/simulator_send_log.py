"""The simulator's own send log: one JSON line per message it accepted.

Every accepted message (including one whose connection is then dropped before the
answer, see the `drops` fault) is appended as one line, written with a single
`os.write` on a file opened with O_APPEND, so a line is on disk (in the OS) as soon as
the simulator has decided to accept, and a reader in another process never sees half
a line unless it races the very write (skip a last line without "\\n"):

    {"wamid": "wamid.SIM…", "to": "+393331234567", "wa_id": "393331234567",
     "template_name": "riordino_integratori", "template_language": "it",
     "phone_number_id": "1122334455667", "accepted_at": "2026-12-02T17:40:01.123456+00:00",
     "answered": true}

`accepted_at` is the wall clock (UTC) of the simulator process, not the simulated
clock; `answered` is false for a message accepted and then dropped without an answer
(the sender never learns its wamid). Lines are in acceptance order.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class SendLog:
    """Appends accepted sends to `path` (when given) and keeps them in memory."""

    def __init__(self, path: Path | None = None, keep: int = 1_000_000) -> None:
        self.path = Path(path) if path is not None else None
        self._keep = keep
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []
        self._fd: int | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def record(
        self,
        *,
        wamid: str,
        to: str,
        wa_id: str,
        template_name: str,
        template_language: str,
        phone_number_id: str,
        answered: bool,
    ) -> dict[str, Any]:
        entry = {
            "wamid": wamid,
            "to": to,
            "wa_id": wa_id,
            "template_name": template_name,
            "template_language": template_language,
            "phone_number_id": phone_number_id,
            "accepted_at": datetime.now(UTC).isoformat(),
            "answered": answered,
        }
        line = (json.dumps(entry, separators=(",", ":")) + "\n").encode()
        with self._lock:
            if self._fd is not None:
                os.write(self._fd, line)
            self._entries.append(entry)
            if len(self._entries) > self._keep:
                del self._entries[: len(self._entries) - self._keep]
        return entry

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The sends kept in memory (the newest `keep`), in acceptance order."""
        with self._lock:
            return list(self._entries)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def read_send_log(path: Path) -> Iterator[dict[str, Any]]:
    """The complete lines of a send log (a last line still being written is skipped)."""
    with Path(path).open("rb") as handle:
        for line in handle:
            if line.endswith(b"\n") and line.strip():
                yield json.loads(line)
