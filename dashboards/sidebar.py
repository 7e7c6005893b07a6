"""The sidebar: which snapshot is shown, and the date range / channel / inbox filters."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from dashboards import queries
from dashboards.queries import REPORT_TIMEZONE, Filters
from dashboards.snapshot import Snapshot, SnapshotError, clear_cache, load

DEFAULT_DAYS = 30


def render(snapshot: Snapshot) -> Filters:
    """Draw the sidebar and return the filters it selects."""
    with st.sidebar:
        st.header("Filters")
        try:
            options = load(snapshot, queries.filter_options)
        except SnapshotError as exc:
            st.warning(str(exc))
            options = None

        first_day, last_day = _day_bounds(options)
        picked = st.date_input(
            f"Days ({REPORT_TIMEZONE})",
            value=(max(first_day, last_day - timedelta(days=DEFAULT_DAYS - 1)), last_day),
            min_value=first_day,
            max_value=last_day,
            format="DD/MM/YYYY",
            key="date_range",
            help="Conversations by the day they were opened, messages by the day they were sent.",
        )
        start, end = _range(picked, last_day)

        channels = st.multiselect(
            "Channels",
            _values(options.channels["channel"].to_list() if options else []),
            placeholder="All channels",
            key="channels",
        )
        inboxes = st.multiselect(
            "Inboxes",
            _values(options.inboxes["inbox_id"].to_list() if options else []),
            placeholder="All inboxes",
            key="inboxes",
            help="Messages are matched to an inbox through their conversation.",
        )

        st.divider()
        st.caption(
            f"Snapshot published {snapshot.published_at:%d %b %Y, %H:%M} UTC. "
            "Figures refresh when the pipeline publishes a new one."
        )
        st.button("Reload data", key="reload", on_click=clear_cache)
    return Filters(start=start, end=end, channels=tuple(channels), inboxes=tuple(inboxes))


def _day_bounds(options: queries.FilterOptions | None) -> tuple[date, date]:
    """First and last day with conversations; the last 30 days up to today when there are none."""
    if options is not None and options.days.height:
        first, last = options.days.row(0)
        if first is not None and last is not None:
            return first, last
    today = date.today()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def _range(picked: object, last_day: date) -> tuple[date, date]:
    """The date_input value as (start, end); a half-picked range runs to the last day."""
    if isinstance(picked, date):
        return picked, picked
    if isinstance(picked, tuple | list) and picked:
        start = picked[0]
        end = picked[1] if len(picked) > 1 else last_day
        return start, end
    return last_day, last_day


def _values(items: list[str | None]) -> list[str]:
    return [item for item in items if item is not None]
