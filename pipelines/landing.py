"""Writing landing files so that no reader ever sees half a file.

Every writer (the demo generator, the webhook receiver, connectors, the Cloud API
simulator) writes `<name>.jsonl.part`, flushes and fsyncs it, then renames it to
`<name>.jsonl`. Ingest only ever lists `*.jsonl`, so a file still being written is
invisible to it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

LANDED_SUFFIX = ".jsonl"
PARTIAL_SUFFIX = ".jsonl.part"


def write_jsonl(path: Path, records: Iterable[object]) -> Path:
    """Atomically write one JSON document per line to `path` (which must end in .jsonl)."""
    if not path.name.endswith(LANDED_SUFFIX):
        raise ValueError(f"landing files end in {LANDED_SUFFIX}: {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name[: -len(LANDED_SUFFIX)] + PARTIAL_SUFFIX)
    with open(partial, "w", encoding="utf-8") as handle:
        for record in records:
            text = record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)
            handle.write(text.replace("\n", " ") if isinstance(record, str) else text)
            handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return path


def landed_files(folder: Path) -> list[Path]:
    """Complete landing files under `folder`, in a stable order."""
    if not folder.exists():
        return []
    return sorted(p for p in folder.rglob(f"*{LANDED_SUFFIX}") if p.is_file())
