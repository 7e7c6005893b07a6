"""Conversation volume: conversations opened per day, and messages per day by who sent them."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.charts import CHART_HEIGHT, day_band_x, day_tooltip, with_day_text
from dashboards.formatting import format_count
from dashboards.queries import REPORT_TIMEZONE, Filters
from dashboards.snapshot import Snapshot, guarded, load

SPLITS = {"Channel": "channel", "Inbox": "inbox_id"}
DIRECTIONS = ["inbound", "outbound"]
SENDER_TYPES = ["customer", "operator", "bot", "automation", "campaign"]


@guarded
def render(snapshot: Snapshot, filters: Filters) -> None:
    st.header("Conversation volume")
    data = load(snapshot, queries.volume, filters)
    if data.conversations.is_empty() and data.messages.is_empty():
        st.info("No conversations or messages in the selected days, channels and inboxes.")
        return

    _kpi_tiles(data)
    left, right = st.columns(2)
    with left:
        st.subheader("Conversations opened per day")
        if data.conversations.is_empty():
            st.info("No conversations were opened in the selected range.")
        else:
            split = st.radio("Split by", list(SPLITS), horizontal=True, key="volume_split")
            st.altair_chart(_conversations_chart(data.conversations, split), width="stretch")
    with right:
        st.subheader("Messages per day")
        if data.messages.is_empty():
            st.info("No messages were sent or received in the selected range.")
        else:
            st.caption("Left bar inbound, right bar outbound; colours show who wrote them.")
            st.altair_chart(_messages_chart(data.messages), width="stretch")


def _kpi_tiles(data: queries.Volume) -> None:
    messages = data.messages
    by_direction = {
        direction: int(messages.filter(pl.col("direction") == direction)["messages"].sum())
        for direction in DIRECTIONS
    }
    human = int(
        messages.filter(
            (pl.col("direction") == "outbound") & (pl.col("sender_type") == "operator")
        )["messages"].sum()
    )
    tiles = st.columns(4)
    tiles[0].metric(
        "Conversations opened", format_count(int(data.conversations["conversations"].sum()))
    )
    tiles[1].metric("Inbound messages", format_count(by_direction["inbound"]))
    tiles[2].metric("Outbound messages", format_count(by_direction["outbound"]))
    tiles[3].metric(
        "Outbound by operators",
        format_count(human),
        help="Outbound messages written by a human operator (not bots, automations or campaigns).",
    )


def _conversations_chart(conversations: pl.DataFrame, split: str) -> alt.Chart:
    field = SPLITS[split]
    frame = with_day_text(
        conversations.group_by("day", field).agg(pl.col("conversations").sum()).sort("day", field)
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=day_band_x(conversations["day"], f"Day opened ({REPORT_TIMEZONE})"),
            y=alt.Y(
                "conversations:Q",
                title="Conversations opened",
                stack="zero",
                axis=alt.Axis(tickMinStep=1, format=",d"),
            ),
            color=alt.Color(f"{field}:N", title=split),
            tooltip=[
                day_tooltip(),
                alt.Tooltip(f"{field}:N", title=split),
                alt.Tooltip("conversations:Q", title="Conversations", format=","),
            ],
        )
        .properties(height=CHART_HEIGHT)
    )


def _messages_chart(messages: pl.DataFrame) -> alt.Chart:
    frame = with_day_text(messages).with_columns(
        pl.col("direction").str.to_titlecase().alias("Direction"),
        pl.col("sender_type").str.to_titlecase().alias("Sender"),
    )
    senders = [s.title() for s in SENDER_TYPES] + sorted(
        set(frame["Sender"].to_list()) - {s.title() for s in SENDER_TYPES}
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=day_band_x(messages["day"], f"Day sent ({REPORT_TIMEZONE})"),
            xOffset=alt.XOffset("Direction:N", sort=["Inbound", "Outbound"]),
            y=alt.Y(
                "messages:Q",
                title="Messages",
                stack="zero",
                axis=alt.Axis(tickMinStep=1, format=",d"),
            ),
            color=alt.Color("Sender:N", title="Sender", sort=senders),
            tooltip=[
                day_tooltip(),
                alt.Tooltip("Direction:N"),
                alt.Tooltip("Sender:N"),
                alt.Tooltip("messages:Q", title="Messages", format=","),
            ],
        )
        .properties(height=CHART_HEIGHT)
    )
