"""Durable connector cursors: one JSON file, `state/cursors.json`, one entry per stream.

Each `put` re-reads the file under an exclusive lock (`cursors.json.lock`), replaces one
stream's entry and writes the whole file to `cursors.json.part`, fsyncs it and renames
it over the old one: a crash leaves the old file or the new one, never half of one, and
two connectors running at once never undo each other's progress.

A connector calls `put` only after the landing file holding the records the cursor
covers has been written, so a cursor never runs ahead of what landed.

`Watermark` is the cursor of an `updated_at`-style stream: the newest version seen, and
which record versions near it were already landed, so that re-reading an overlap window
(`updated_at >= newest - overlap`, which catches late-indexed changes and records
sharing the boundary timestamp) lands nothing twice.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.settings import Paths

FILE_NAME = "cursors.json"


class CursorStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_paths(cls, paths: Paths) -> CursorStore:
        return cls(paths.state / FILE_NAME)

    def get(self, stream: str) -> dict[str, Any] | None:
        value = self._read().get(stream)
        return value if isinstance(value, dict) else None

    def put(self, stream: str, value: dict[str, Any]) -> None:
        with self._locked():
            everything = self._read()
            everything[stream] = value
            self._write(everything)

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        loaded = json.loads(text) if text.strip() else {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{self.path} does not hold a JSON object")
        return loaded

    def _write(self, everything: dict[str, Any]) -> None:
        partial = self.path.with_name(self.path.name + ".part")
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(everything, handle, ensure_ascii=False, sort_keys=True, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass
class Watermark:
    """Newest version seen (epoch ms) plus the versions landed within `overlap_ms` of it."""

    overlap_ms: int
    high_ms: int | None = None
    recent: dict[str, int] = field(default_factory=dict)

    def query_from_ms(self) -> int | None:
        """Where the next incremental query starts (inclusive), or None for a full export."""
        return None if self.high_ms is None else max(0, self.high_ms - self.overlap_ms)

    def is_new(self, record_id: str, version_ms: int | None) -> bool:
        if version_ms is None:
            return True
        landed = self.recent.get(record_id)
        return landed is None or version_ms > landed

    def note(self, landed: Iterable[tuple[str, int | None]]) -> None:
        """Remember versions that are now in landing files."""
        for record_id, version_ms in landed:
            if version_ms is None:
                continue
            if self.high_ms is None or version_ms > self.high_ms:
                self.high_ms = version_ms
            if version_ms > self.recent.get(record_id, -1):
                self.recent[record_id] = version_ms
        floor = self.query_from_ms()
        if floor is not None:
            self.recent = {k: v for k, v in self.recent.items() if v >= floor}

    def to_json(self) -> dict[str, Any]:
        return {"high_ms": self.high_ms, "recent": dict(sorted(self.recent.items()))}

    @classmethod
    def from_json(cls, value: dict[str, Any] | None, overlap_ms: int) -> Watermark:
        if not value:
            return cls(overlap_ms)
        high = value.get("high_ms")
        recent = value.get("recent") or {}
        return cls(
            overlap_ms,
            int(high) if high is not None else None,
            {str(k): int(v) for k, v in recent.items()},
        )
