"""Segments: every segment of the dbt project (segments.segment_catalog), its size over
time, its overlap with another segment, and its members. A segment added to
models/segments/ appears here after the next build, with no change to this page."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.charts import CHART_HEIGHT, day_x, with_day_text
from dashboards.formatting import MISSING, format_count
from dashboards.snapshot import Snapshot, guarded, load

CATALOG_COLUMNS = {
    "segment_name": "Segment",
    "description": "Description",
    "owner": "Owner",
    "purpose": "Purpose",
    "members": "Members",
    "last_evaluated_at": "Last evaluated (UTC)",
}


@guarded
def render(snapshot: Snapshot) -> None:
    st.header("Segments")
    st.caption(
        "Who is in each segment now and how that changed, from every build's membership "
        "history. Marketing segments hold only contacts whose marketing consent is granted."
    )
    catalog = load(snapshot, queries.segment_catalog)
    if catalog.is_empty():
        st.info("The project has no segment yet: add one under models/segments/ (README, \"Adding a segment\").")
        return
    # a plain table (a handful of rows): every segment readable at a glance, text in the page
    listed = catalog.select(list(CATALOG_COLUMNS)).with_columns(
        pl.col("members").map_elements(format_count, return_dtype=pl.String),
        pl.col("last_evaluated_at").dt.strftime("%d %b %Y %H:%M").fill_null(MISSING),
        pl.col("description").fill_null(""),
    )
    st.table(listed.rename(CATALOG_COLUMNS).to_pandas().set_index("Segment"))

    names = catalog["segment_name"].to_list()
    picker, other_picker = st.columns(2)
    segment = picker.selectbox("Segment", names, key="segment")
    if segment is None:
        return
    others = [name for name in names if name != segment]
    other = other_picker.selectbox("Overlap with", others, key="segment_other") if others else None

    sizes = load(snapshot, queries.segment_sizes, segment)
    chart, overlap = st.columns([3, 2])
    with chart:
        st.subheader("Members by day")
        if sizes.is_empty():
            st.info("This segment has not been evaluated by a build yet.")
        else:
            st.altair_chart(_sizes_chart(sizes), width="stretch")
    with overlap:
        st.subheader("Overlap")
        if other is None:
            st.info("There is no other segment to compare with.")
        else:
            _overlap_tiles(load(snapshot, queries.segment_overlap, segment, other), segment, other)

    st.subheader("Members")
    members = load(snapshot, queries.segment_members, segment)
    st.caption(
        f"The first {queries.SEGMENT_MEMBERS_LIMIT} members by contact id, "
        "with every column the segment exposes."
    )
    st.dataframe(members, hide_index=True, width="stretch")


def _sizes_chart(sizes: pl.DataFrame) -> alt.Chart:
    frame = with_day_text(sizes)
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=day_x("Day (UTC)"),
            y=alt.Y("members:Q", title="Members", scale=alt.Scale(domainMin=0), axis=alt.Axis(tickMinStep=1)),
            tooltip=[
                alt.Tooltip("day_label:N", title="Day"),
                alt.Tooltip("members:Q", title="Members", format=","),
                alt.Tooltip("entered:Q", title="Entered", format=","),
                alt.Tooltip("exited:Q", title="Exited", format=","),
            ],
        )
        .properties(height=CHART_HEIGHT)
    )


def _overlap_tiles(overlap: pl.DataFrame, segment: str, other: str) -> None:
    row = overlap.row(0, named=True) if overlap.height else {}
    jaccard = row.get("jaccard")
    first, second = st.columns(2)
    first.metric(f"In {segment}", format_count(row.get("members_a")), border=True)
    second.metric(f"In {other}", format_count(row.get("members_b")), border=True)
    first.metric("In both", format_count(row.get("both_members")), border=True)
    second.metric(
        "Jaccard index",
        MISSING if jaccard is None else f"{jaccard:.2f}",
        help="In both / in either",
        border=True,
    )
