"""Split demo landing data into what came first and what arrives later.

The feeds of the day-partitioned sources sit in a folder per UTC day of arrival
(`whatsapp/2026-11-24/`, ...). `set_aside_newest_days` moves the newest of those folders
out of landing/ until they hold a given share of the bytes, and returns the moves to
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
    """Move the newest day folders from `landing` to `aside` until they hold `share` of
    landing's bytes (at least one day); returns the (original, moved) pairs."""
    days: dict[str, list[Path]] = {}
    for source in DAY_FOLDERS:
        for folder in (landing / source).glob("20*-*-*"):
            days.setdefault(folder.name, []).append(folder)
    total = sum(p.stat().st_size for p in landing_files(landing))
    moved: list[tuple[Path, Path]] = []
    taken = 0
    for day in sorted(days, reverse=True):
        if moved and taken >= share * total:
            break
        for folder in days[day]:
            target = aside / folder.relative_to(landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            taken += sum(p.stat().st_size for p in landing_files(folder))
            folder.rename(target)
            moved.append((folder, target))
    return moved


def put_back(moved: list[tuple[Path, Path]]) -> None:
    """Undo `set_aside_newest_days`: the increment lands."""
    for original, aside in moved:
        original.parent.mkdir(parents=True, exist_ok=True)
        aside.rename(original)


def put_back_everything(landing: Path, aside: Path) -> None:
    """Return whatever a run cut short left in `aside` to `landing`."""
    for folder in sorted(aside.glob("*/20*-*-*")):
        back = landing / folder.relative_to(aside)
        if not back.exists():
            back.parent.mkdir(parents=True, exist_ok=True)
            folder.rename(back)
