"""Campaign funnel: audience → sent → delivered → read, with skips and failures explained."""

from __future__ import annotations

from datetime import datetime

import altair as alt
import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.charts import CHART_HEIGHT
from dashboards.formatting import format_count, format_share
from dashboards.snapshot import Snapshot, guarded, load

ALL_RUNS = "All runs"
STAGE_COLOURS = {
    "Audience": "#4c78a8",
    "Skipped": "#9d9d9d",
    "Sent": "#4c78a8",
    "Delivered": "#54a24b",
    "Read": "#2e7d32",
    "Failed": "#e45756",
}
SHARE_OF_SENT = ("Delivered", "Read", "Failed")


@guarded
def render(snapshot: Snapshot) -> None:
    st.header("Campaign funnel")
    st.caption(
        "Every audience member of the selected campaign, whatever the sidebar filters say: "
        "skipped contacts were never messaged (consent, policy, holdout); the rest were sent."
    )
    campaigns = load(snapshot, queries.campaigns)
    if campaigns.is_empty():
        st.info("No campaign has been run yet, so there is no funnel to show.")
        return

    labels = {row["campaign_id"]: _campaign_label(row) for row in campaigns.iter_rows(named=True)}
    picker, run_picker = st.columns([2, 1])
    campaign_id = picker.selectbox(
        "Campaign", list(labels), format_func=labels.__getitem__, key="campaign"
    )
    if campaign_id is None:
        return
    runs = load(snapshot, queries.campaign_runs, campaign_id)
    run_id = None
    if runs.height > 1:
        chosen = run_picker.selectbox(
            "Run", [ALL_RUNS, *runs["run_id"].to_list()], key=f"campaign_run_{campaign_id}"
        )
        run_id = None if chosen == ALL_RUNS else chosen

    funnel = load(snapshot, queries.campaign_funnel, campaign_id, run_id)
    counts = dict(zip(funnel.stages["stage"], funnel.stages["contacts"], strict=True))
    if not counts.get("Audience"):
        st.info("This campaign run has no audience members.")
        return

    _stage_tiles(counts)
    chart, table = st.columns([3, 2])
    chart.altair_chart(_funnel_chart(funnel.stages, counts["Audience"]), width="stretch")
    table.dataframe(_stage_table(funnel.stages, counts), hide_index=True, width="stretch")

    skips, failures = st.columns(2)
    with skips:
        st.subheader("Skipped, by reason")
        if funnel.skips.is_empty():
            st.info("No audience member was skipped.")
        else:
            st.dataframe(
                funnel.skips.rename({"skip_reason": "Reason", "contacts": "Contacts"}),
                hide_index=True,
                width="stretch",
            )
    with failures:
        st.subheader("Failed, by error code")
        if funnel.failures.is_empty():
            st.info("No message failed.")
        else:
            st.dataframe(
                funnel.failures.rename({"error_code": "Error code", "contacts": "Contacts"}),
                hide_index=True,
                width="stretch",
            )


def _campaign_label(row: dict[str, object]) -> str:
    last = row["last_sent_at"]
    when = f", last sent {last:%d %b %Y}" if isinstance(last, datetime) else ", not sent yet"
    audience = row["audience"]
    size = format_count(audience if isinstance(audience, int) else None)
    return f"{row['campaign_id']} ({size} contacts{when})"


def _stage_tiles(counts: dict[str, int]) -> None:
    tiles = st.columns(6)
    sent = counts["Sent"]
    for tile, stage in zip(tiles, STAGE_COLOURS, strict=True):
        share = (
            format_share(counts[stage], sent)
            if stage in SHARE_OF_SENT
            else format_share(counts[stage], counts["Audience"])
        )
        base = "sent" if stage in SHARE_OF_SENT else "audience"
        tile.metric(stage, format_count(counts[stage]), help=f"{share} of {base}", border=True)


def _funnel_chart(stages: pl.DataFrame, audience: int) -> alt.LayerChart:
    frame = stages.with_columns(
        pl.Series("share", [format_share(c, audience) for c in stages["contacts"].to_list()])
    )
    order = frame["stage"].to_list()
    base = alt.Chart(frame).encode(
        y=alt.Y("stage:N", sort=order, title=None),
        x=alt.X(
            "contacts:Q",
            title="Contacts",
            scale=alt.Scale(domainMin=0),
            axis=alt.Axis(tickMinStep=1, format=",d"),
        ),
        tooltip=[
            alt.Tooltip("stage:N", title="Stage"),
            alt.Tooltip("contacts:Q", title="Contacts", format=","),
            alt.Tooltip("share:N", title="Of audience"),
        ],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "stage:N",
            scale=alt.Scale(domain=list(STAGE_COLOURS), range=list(STAGE_COLOURS.values())),
            legend=None,
        )
    )
    labels = base.mark_text(align="left", dx=4).encode(text=alt.Text("contacts:Q", format=","))
    return (bars + labels).properties(height=CHART_HEIGHT)


def _stage_table(stages: pl.DataFrame, counts: dict[str, int]) -> pl.DataFrame:
    rows = stages["stage"].to_list()
    return pl.DataFrame(
        {
            "Stage": rows,
            "Contacts": [format_count(counts[s]) for s in rows],
            "Of audience": [format_share(counts[s], counts["Audience"]) for s in rows],
            "Of sent": [
                format_share(counts[s], counts["Sent"]) if s in SHARE_OF_SENT else "" for s in rows
            ],
        }
    )
