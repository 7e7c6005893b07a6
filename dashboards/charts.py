"""Shared chart pieces: day axes that show Italian calendar days as they are."""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import polars as pl

CHART_HEIGHT = 300
DAY_TIME_UNIT = "utcyearmonthdate"  # days are already local dates; show them unshifted
DAY_LABEL = "timeFormat(toDate(datum.value + 'T00:00:00'), '%d %b')"


def with_day_text(frame: pl.DataFrame, column: str = "day") -> pl.DataFrame:
    """Dates as ISO text (so the browser's time zone never moves a point to the previous day),
    plus a readable `day_label` for tooltips."""
    return frame.with_columns(
        pl.col(column).dt.strftime("%a %d %b %Y").alias("day_label"),
        pl.col(column).cast(pl.String),
    )


def day_x(title: str, field: str = "day") -> alt.X:
    """A continuous day axis, for lines."""
    return alt.X(
        f"{field}:T",
        timeUnit=DAY_TIME_UNIT,
        title=title,
        axis=alt.Axis(format="%d %b", labelAngle=0, labelOverlap=True),
    )


def day_band_x(days: pl.Series, title: str, field: str = "day") -> alt.X:
    """A day-per-band axis, for bars: every day from the first to the last, empty ones too."""
    present = [day for day in days.to_list() if isinstance(day, date)]
    domain: list[str] = []
    if present:
        first, last = min(present), max(present)
        domain = [str(first + timedelta(days=n)) for n in range((last - first).days + 1)]
    return alt.X(
        f"{field}:O",
        title=title,
        scale=alt.Scale(domain=domain) if domain else alt.Undefined,
        axis=alt.Axis(labelAngle=0, labelOverlap=True, labelExpr=DAY_LABEL),
    )


def day_tooltip() -> alt.Tooltip:
    """The day as text: a temporal tooltip would make Vega parse `day` into dates everywhere."""
    return alt.Tooltip("day_label:N", title="Day")
