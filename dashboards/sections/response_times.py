"""First response time: KPI tiles, median and p90 per day and channel, a per-channel table."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.charts import CHART_HEIGHT, day_tooltip, day_x, with_day_text
from dashboards.formatting import duration_unit, format_count, format_duration, format_share
from dashboards.queries import REPORT_TIMEZONE, Filters
from dashboards.snapshot import Snapshot, guarded, load

CALENDAR = "Calendar time"
BUSINESS = "Business hours"


@guarded
def render(snapshot: Snapshot, filters: Filters) -> None:
    st.header("First response time")
    st.caption(
        "From the customer message that opened a conversation to the first reply written by "
        "a human operator; bot, automation and campaign messages do not count. "
        "Business hours count only time inside the inbox's opening hours."
    )
    data = load(snapshot, queries.response_times, filters)
    kpis = data.kpis.row(0, named=True)
    if not kpis["conversations"]:
        st.info("No conversations were opened in the selected days, channels and inboxes.")
        return

    _kpi_tiles(kpis)

    if data.daily.is_empty():
        st.info("None of these conversations has been answered yet, so there is nothing to chart.")
        return
    clock = st.radio("Measure time in", [CALENDAR, BUSINESS], horizontal=True, key="response_clock")
    suffix = "_business_seconds" if clock == BUSINESS else "_seconds"
    daily = _series_to_chart(data.daily)
    left, right = st.columns(2)
    with left:
        st.altair_chart(
            _daily_line(daily, f"median{suffix}", "Median first response"), width="stretch"
        )
    with right:
        st.altair_chart(_daily_line(daily, f"p90{suffix}", "P90 first response"), width="stretch")

    st.subheader("By channel")
    st.dataframe(_by_channel_table(data.by_channel), hide_index=True, width="stretch")


def _kpi_tiles(kpis: dict[str, object]) -> None:
    def seconds(name: str) -> float | None:
        value = kpis[name]
        return float(value) if isinstance(value, int | float) else None

    def count(name: str) -> int:
        value = kpis[name]
        return int(value) if isinstance(value, int | float) else 0

    top = st.columns(4)
    top[0].metric(
        "Median first response",
        format_duration(seconds("median_seconds")),
        help="Half of the answered conversations got a first human reply within this time.",
        border=True,
    )
    top[1].metric(
        "P90 first response",
        format_duration(seconds("p90_seconds")),
        help="Nine in ten answered conversations got a first human reply within this time.",
        border=True,
    )
    top[2].metric(
        "Answered within 1 h",
        format_share(count("answered_within_1h"), count("conversations")),
        help="Share of all conversations opened in the range (unanswered ones included) "
        "whose first human reply came within 60 minutes.",
        border=True,
    )
    top[3].metric(
        "Unanswered",
        format_count(count("unanswered")),
        help="Conversations with no human reply yet.",
        border=True,
    )
    bottom = st.columns(4)
    bottom[0].metric("Median (business hours)", format_duration(seconds("median_business_seconds")))
    bottom[1].metric("P90 (business hours)", format_duration(seconds("p90_business_seconds")))
    bottom[2].metric(
        "Answered",
        format_count(count("answered")),
        help=f"Of {format_count(count('conversations'))} conversations opened in the range.",
    )


def _series_to_chart(daily: pl.DataFrame) -> pl.DataFrame:
    """Per-channel lines, plus an 'All channels' line when there is more than one channel."""
    channels = daily.filter(~pl.col("is_total"))["series"].n_unique()
    shown = daily if channels > 1 else daily.filter(~pl.col("is_total"))
    return with_day_text(shown)


def _daily_line(daily: pl.DataFrame, column: str, title: str) -> alt.LayerChart:
    largest = daily[column].max()
    unit, per_unit = duration_unit(float(largest) if isinstance(largest, int | float) else None)
    frame = daily.select(
        "day",
        "day_label",
        "series",
        "is_total",
        "answered",
        (pl.col(column) / per_unit).alias("value"),
        pl.Series("shown", [format_duration(v) for v in daily[column].to_list()]),
    )
    base = alt.Chart(frame).encode(
        x=day_x(f"Day opened ({REPORT_TIMEZONE})"),
        y=alt.Y("value:Q", title=f"{title} ({unit})", scale=alt.Scale(zero=True)),
        color=alt.Color("series:N", title="Channel"),
        strokeDash=alt.StrokeDash("is_total:N", legend=None, sort="ascending"),
        tooltip=[
            day_tooltip(),
            alt.Tooltip("series:N", title="Channel"),
            alt.Tooltip("shown:N", title=title),
            alt.Tooltip("answered:Q", title="Answered conversations", format=","),
        ],
    )
    return (base.mark_line() + base.mark_point(filled=True, size=40)).properties(
        title=title, height=CHART_HEIGHT
    )


def _by_channel_table(by_channel: pl.DataFrame) -> pl.DataFrame:
    def durations(column: str) -> pl.Series:
        values = [format_duration(v) for v in by_channel[column].to_list()]
        return pl.Series(values, dtype=pl.String)

    return pl.DataFrame(
        {
            "Channel": by_channel["channel"],
            "Conversations": by_channel["conversations"],
            "Answered": by_channel["answered"],
            "Unanswered": by_channel["unanswered"],
            "Median": durations("median_seconds"),
            "P90": durations("p90_seconds"),
            "Median (business hours)": durations("median_business_seconds"),
            "P90 (business hours)": durations("p90_business_seconds"),
        }
    )
