"""How numbers read on the dashboard: counts, shares and durations, in English."""

from __future__ import annotations

MISSING = "—"
MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0


def format_count(value: int | float | None) -> str:
    """1234 -> '1,234'."""
    if value is None:
        return MISSING
    return f"{int(value):,}"


def format_share(part: int | float | None, whole: int | float | None) -> str:
    """7 of 10 -> '70.0%'; nothing to divide -> '—'."""
    if part is None or not whole:
        return MISSING
    return f"{100.0 * part / whole:.1f}%"


def _trimmed(value: float) -> str:
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def format_duration(seconds: float | None) -> str:
    """45 -> '45 s', 750 -> '12.5 min', 4680 -> '78 min', 9000 -> '2.5 h', 216000 -> '2.5 d'."""
    if seconds is None:
        return MISSING
    if seconds < MINUTE:
        return f"{seconds:.0f} s"
    if seconds < 2 * HOUR:
        return f"{_trimmed(seconds / MINUTE)} min"
    if seconds < 2 * DAY:
        return f"{_trimmed(seconds / HOUR)} h"
    return f"{_trimmed(seconds / DAY)} d"


def duration_unit(largest_seconds: float | None) -> tuple[str, float]:
    """The chart unit for durations up to `largest_seconds`: (name, seconds per unit)."""
    if largest_seconds is not None and largest_seconds >= 3 * DAY:
        return "days", DAY
    if largest_seconds is not None and largest_seconds >= 3 * HOUR:
        return "hours", HOUR
    return "minutes", MINUTE
