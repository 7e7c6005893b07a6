"""The query layer against the fixture snapshot: known medians, p90s, counts and funnels."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from dashboards import queries
from dashboards.formatting import format_duration, format_share
from dashboards.queries import Filters

RANGE = Filters(start=date(2025, 3, 3), end=date(2025, 3, 7))


def test_filter_options_list_channels_inboxes_and_days(serving_db: Path) -> None:
    options = queries.filter_options(serving_db)

    assert options.channels["channel"].to_list() == ["instagram", "whatsapp"]
    assert options.inboxes["inbox_id"].to_list() == ["arredi-navigli", "vitalis-shop"]
    assert options.days.row(0) == (date(2025, 1, 10), date(2025, 3, 7))


def test_response_kpis_are_the_known_quantiles(serving_db: Path) -> None:
    kpis = queries.response_times(serving_db, RANGE).kpis.row(0, named=True)

    assert kpis["conversations"] == 10
    assert kpis["answered"] == 8
    assert kpis["unanswered"] == 2
    assert kpis["answered_within_1h"] == 7
    assert kpis["median_seconds"] == pytest.approx(750)
    assert kpis["p90_seconds"] == pytest.approx(4680)
    assert kpis["median_business_seconds"] == pytest.approx(450)
    assert kpis["p90_business_seconds"] == pytest.approx(2340)


def test_channel_and_inbox_filters_narrow_the_kpis(serving_db: Path) -> None:
    instagram = Filters(RANGE.start, RANGE.end, channels=("instagram",))
    kpis = queries.response_times(serving_db, instagram).kpis.row(0, named=True)
    assert (kpis["conversations"], kpis["unanswered"]) == (3, 1)
    assert kpis["median_seconds"] == pytest.approx(3750)

    arredi = Filters(RANGE.start, RANGE.end, inboxes=("arredi-navigli",))
    kpis = queries.response_times(serving_db, arredi).kpis.row(0, named=True)
    assert (kpis["conversations"], kpis["answered"]) == (5, 4)  # 60, 120, 900, 3600
    assert kpis["median_seconds"] == pytest.approx(510)


def test_daily_series_use_italian_days_and_add_an_all_channels_line(serving_db: Path) -> None:
    daily = queries.response_times(serving_db, RANGE).daily

    # cv04 opened 2025-03-04 23:30 UTC, which is 00:30 on the 5th in Rome.
    march_5 = daily.filter((pl.col("day") == date(2025, 3, 5)) & (pl.col("series") == "whatsapp"))
    assert march_5["answered"].to_list() == [3]
    assert march_5["median_seconds"].to_list() == [pytest.approx(900)]
    march_6 = daily.filter(pl.col("day") == date(2025, 3, 6)).sort("series")
    assert march_6["series"].to_list() == ["All channels", "instagram", "whatsapp"]
    assert march_6["median_seconds"].to_list() == [pytest.approx(5400), 7200, 3600]
    # 2025-03-07 has only unanswered conversations: no point to draw.
    assert date(2025, 3, 7) not in daily["day"].to_list()


def test_old_conversations_fall_outside_the_range(serving_db: Path) -> None:
    january = Filters(start=date(2025, 1, 1), end=date(2025, 1, 31))
    kpis = queries.response_times(serving_db, january).kpis.row(0, named=True)
    assert (kpis["conversations"], kpis["median_seconds"]) == (1, pytest.approx(100000))


def test_volume_counts_conversations_and_messages(serving_db: Path) -> None:
    data = queries.volume(serving_db, RANGE)

    assert data.conversations["conversations"].sum() == 10
    per_day = data.conversations.group_by("day").agg(pl.col("conversations").sum()).sort("day")
    assert per_day["conversations"].to_list() == [2, 1, 3, 2, 2]
    by_direction = dict(
        data.messages.group_by("direction").agg(pl.col("messages").sum()).iter_rows()
    )
    assert by_direction == {"inbound": 6, "outbound": 6}

    vitalis = Filters(RANGE.start, RANGE.end, inboxes=("vitalis-shop",))
    messages = queries.volume(serving_db, vitalis).messages
    assert messages["messages"].sum() == 2  # only cv03; the campaign message has no inbox


def test_campaign_funnel_counts(serving_db: Path) -> None:
    newest_first = queries.campaigns(serving_db)["campaign_id"].to_list()
    assert newest_first == ["spring-sale", "cart-reminder"]

    funnel = queries.campaign_funnel(serving_db, "spring-sale")
    assert dict(funnel.stages.select("stage", "contacts").iter_rows()) == {
        "Audience": 10,
        "Skipped": 2,
        "Sent": 8,
        "Delivered": 5,
        "Read": 3,
        "Failed": 2,
    }
    assert dict(funnel.skips.iter_rows()) == {"no_consent": 1, "quiet_hours": 1}
    assert dict(funnel.failures.iter_rows()) == {"131026": 1, "131049": 1}

    one_run = queries.campaign_funnel(serving_db, "spring-sale", "run-2")
    assert one_run.stages.equals(funnel.stages)
    other_run = queries.campaign_funnel(serving_db, "spring-sale", "run-does-not-exist")
    assert other_run.stages["contacts"].sum() == 0


def test_formatting() -> None:
    assert format_duration(None) == "—"
    assert format_duration(42) == "42 s"
    assert format_duration(750) == "12.5 min"
    assert format_duration(4680.000000001) == "78 min"
    assert format_duration(9000) == "2.5 h"
    assert format_duration(216000) == "2.5 d"
    assert format_share(7, 10) == "70.0%"
    assert format_share(1, 0) == "—"
