"""Phone calls on a business line (our own format), one CSV per UTC day:

    call_id,direction,caller,callee,started_at,duration_seconds,answered,operator_id,inbox_id

`direction` is inbound or outbound; for inbound calls `callee` is the business's line, for
outbound calls `caller` is. Numbers are E.164 as the switchboard reports them, except the few
it passes on as dialled (national, no prefix) and withheld callers (`anonymous`).
`started_at` is ISO 8601 with the Rome offset; `answered` is true/false; `operator_id` is the
Chatwoot user id of who answered (empty when nobody did); `inbox_id` is inboxes.csv's.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from .hours import DAY, iso_rome, utc_day

HEADER = (
    "call_id",
    "direction",
    "caller",
    "callee",
    "started_at",
    "duration_seconds",
    "answered",
    "operator_id",
    "inbox_id",
)
PER_FILE = 5000


@dataclass(slots=True)
class Call:
    ts: int
    direction: str
    caller: str
    callee: str
    duration: int
    answered: bool
    operator_id: str
    inbox_id: str
    call_id: str = ""

    def row(self) -> tuple[str, ...]:
        return (
            self.call_id,
            self.direction,
            self.caller,
            self.callee,
            iso_rome(self.ts),
            str(self.duration),
            "true" if self.answered else "false",
            self.operator_id,
            self.inbox_id,
        )


def write_csv(path: Path, calls: list[Call]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(call.row() for call in calls)
    partial = path.with_name(path.name + ".part")
    with open(partial, "w", encoding="utf-8", newline="") as handle:
        handle.write(buffer.getvalue())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def write_daily(folder: Path, shard_no: int, calls: list[Call]) -> int:
    files = 0
    ordered = sorted(calls, key=lambda c: (c.ts, c.call_id))
    for day, group in groupby(ordered, key=lambda c: utc_day(c.ts // DAY)):
        batch = list(group)
        for chunk_no, start in enumerate(range(0, len(batch), PER_FILE)):
            write_csv(
                folder / day / f"demo-{shard_no * 1000 + chunk_no:04d}.csv",
                batch[start : start + PER_FILE],
            )
            files += 1
    return files
