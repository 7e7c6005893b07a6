"""Split demo landing data into what came first and what arrives later.

The feeds of the day-partitioned sources sit in a folder per UTC day of arrival
(`whatsapp/2026-11-24/`, ...). `set_aside_newest_days` moves the files of the newest of those
folders out of landing/ until they hold a given share of the bytes, and returns the moves to
undo: the benchmark and the incremental-build test build on the rest first, then put
the increment back and build again, as if the newest days had just arrived.
"""

from __future__ import annotations

from pathlib import Path

# sources whose feeds arrive in a folder per UTC day (generate.py)
DAY_FOLDERS = ("whatsapp", "chatwoot", "instagram", "messenger", "webchat", "email", "calls")


def landing_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".part"))


def set_aside_newest_days(landing: Path, aside: Path, share: float) -> list[tuple[Path, Path]]:
    """Move the files of the newest day folders from `landing` to `aside`, newest day
    first, until they hold `share` of landing's bytes (at least one file); returns the
    (original, moved) pairs."""
    by_day: dict[str, list[Path]] = {}
    for source in DAY_FOLDERS:
        for folder in (landing / source).glob("20*-*-*"):
            by_day.setdefault(folder.name, []).extend(landing_files(folder))
    total = sum(p.stat().st_size for p in landing_files(landing))
    moved: list[tuple[Path, Path]] = []
    taken = 0
    for day in sorted(by_day, reverse=True):
        for path in by_day[day]:
            if moved and taken >= share * total:
                return moved
            target = aside / path.relative_to(landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            taken += path.stat().st_size
            path.rename(target)
            moved.append((path, target))
    return moved


def put_back(moved: list[tuple[Path, Path]]) -> None:
    """Undo `set_aside_newest_days`: the increment lands."""
    for original, aside in moved:
        original.parent.mkdir(parents=True, exist_ok=True)
        aside.rename(original)


def put_back_everything(landing: Path, aside: Path) -> None:
    """Return whatever a run cut short left in `aside` to `landing`."""
    for path in landing_files(aside):
        back = landing / path.relative_to(aside)
        if not back.exists():
            back.parent.mkdir(parents=True, exist_ok=True)
            path.rename(back)
