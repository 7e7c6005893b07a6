"""Landing API pages as files, and reading the timestamps APIs answer with."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.landing import write_jsonl


class PageWriter:
    """Writes one landing file per page of one run: `<folder>/<run>-<page>.jsonl`.

    The run id starts with the UTC start time, so files sort in landing order.
    """

    def __init__(self, folder: Path, run_id: str) -> None:
        self.folder = folder
        self.run_id = run_id
        self.files = 0
        self.records = 0

    def write(self, records: Sequence[dict[str, Any]]) -> Path | None:
        if not records:
            return None
        self.files += 1
        path = self.folder / f"{self.run_id}-{self.files:05d}.jsonl"
        write_jsonl(path, records)
        self.records += len(records)
        return path


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]


def iso_to_ms(value: object) -> int | None:
    """An ISO-8601 timestamp (`Z` or an offset; naive means UTC) or epoch ms as epoch ms."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(round(parsed.timestamp() * 1000))


def seconds_to_ms(value: object) -> int | None:
    """Unix seconds (int, float or numeric string) as epoch ms."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(round(float(str(value)) * 1000))
    except ValueError:
        return iso_to_ms(value)


def ms_to_iso(ms: int) -> str:
    """Epoch ms as ISO-8601 UTC with seconds precision (rounded down)."""
    return datetime.fromtimestamp(ms // 1000, tz=UTC).isoformat()
