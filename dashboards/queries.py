"""The dashboard's one query layer: every SQL statement the dashboard runs lives here.

Each public function takes the path of the serving DuckDB file (plus filters), opens
one fresh read-only connection for its batch of statements, lets DuckDB aggregate,
and returns polars DataFrames. Nothing here knows about Streamlit.

Timestamps in the contract are UTC; days are reported in the businesses' time zone
(`REPORT_TIMEZONE`), so "a day" means an Italian calendar day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

REPORT_TIMEZONE = "Europe/Rome"
ONE_HOUR_SECONDS = 3600


@dataclass(frozen=True)
class Filters:
    """What the sidebar selected. Empty `channels` / `inboxes` mean "all"."""

    start: date
    end: date  # inclusive
    channels: tuple[str, ...] = ()
    inboxes: tuple[str, ...] = ()

    def params(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "channels": list(self.channels),
            "inboxes": list(self.inboxes),
            "tz": REPORT_TIMEZONE,
        }


@dataclass(frozen=True)
class FilterOptions:
    channels: pl.DataFrame  # channel
    inboxes: pl.DataFrame  # inbox_id
    days: pl.DataFrame  # first_day, last_day (one row; nulls when there is no data)


@dataclass(frozen=True)
class ResponseTimes:
    kpis: pl.DataFrame  # one row, see RESPONSE_KPIS_SQL
    daily: pl.DataFrame  # day, series, is_total, answered, median/p90 (calendar and business)
    by_channel: pl.DataFrame  # channel, conversations, answered, unanswered, median/p90


@dataclass(frozen=True)
class Volume:
    conversations: pl.DataFrame  # day, channel, inbox_id, conversations
    messages: pl.DataFrame  # day, direction, sender_type, messages


@dataclass(frozen=True)
class CampaignFunnel:
    stages: pl.DataFrame  # position, stage, contacts
    skips: pl.DataFrame  # skip_reason, contacts
    failures: pl.DataFrame  # error_code, contacts


@contextmanager
def read_only(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh read-only connection, closed when the batch is done (the file may be replaced)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        yield con
    finally:
        con.close()


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> pl.DataFrame:
    relation = con.sql(sql, params=params)
    if relation is None:  # only statements that return nothing; every query here is a SELECT
        raise RuntimeError("query returned no relation")
    frame: pl.DataFrame = relation.pl()
    return frame


# ---------------------------------------------------------------------------- snapshot

RELATIONS_SQL = """
select table_schema || '.' || table_name as relation
from information_schema.tables
order by relation
"""


def relations(db: Path) -> pl.DataFrame:
    """Every `schema.table` in the snapshot (column: relation)."""
    with read_only(db) as con:
        return _frame(con, RELATIONS_SQL, {})


# ---------------------------------------------------------------------------- filters

CHANNELS_SQL = """
select distinct channel from marts.fct_conversations where channel is not null
order by channel
"""

INBOXES_SQL = """
select distinct inbox_id from marts.fct_conversations where inbox_id is not null
order by inbox_id
"""

DAYS_SQL = """
select
    min(opened_at::timestamptz at time zone $tz)::date as first_day,
    max(opened_at::timestamptz at time zone $tz)::date as last_day
from marts.fct_conversations
"""


def filter_options(db: Path) -> FilterOptions:
    """Channels, inboxes and the day range conversations cover, for the sidebar."""
    with read_only(db) as con:
        return FilterOptions(
            channels=_frame(con, CHANNELS_SQL, {}),
            inboxes=_frame(con, INBOXES_SQL, {}),
            days=_frame(con, DAYS_SQL, {"tz": REPORT_TIMEZONE}),
        )


# ---------------------------------------------------------------------------- first response

# Conversations opened on the selected local days, channels and inboxes. The UTC window
# around the local days lets DuckDB skip row groups before converting time zones.
CONVERSATIONS_CTE = """
with in_window as (
    select
        conversation_id,
        channel,
        inbox_id,
        (opened_at::timestamptz at time zone $tz)::date as opened_day,
        first_response_at,
        first_response_seconds::double as first_response_seconds,
        first_response_business_seconds::double as first_response_business_seconds
    from marts.fct_conversations
    where opened_at >= $start::timestamp - interval 1 day
      and opened_at < $end::timestamp + interval 2 day
),

conversations as (
    select *
    from in_window
    where opened_day between $start and $end
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], channel))
      and (len($inboxes::varchar[]) = 0 or list_contains($inboxes::varchar[], inbox_id))
)
"""

RESPONSE_KPIS_SQL = (
    CONVERSATIONS_CTE
    + f"""
select
    count(*) as conversations,
    count(first_response_at) as answered,
    count(*) - count(first_response_at) as unanswered,
    count(*) filter (
        where first_response_at is not null and first_response_seconds <= {ONE_HOUR_SECONDS}
    ) as answered_within_1h,
    quantile_cont(first_response_seconds, 0.5) as median_seconds,
    quantile_cont(first_response_seconds, 0.9) as p90_seconds,
    quantile_cont(first_response_business_seconds, 0.5) as median_business_seconds,
    quantile_cont(first_response_business_seconds, 0.9) as p90_business_seconds
from conversations
"""
)

RESPONSE_DAILY_SQL = (
    CONVERSATIONS_CTE
    + """
select
    opened_day as day,
    case when grouping(channel) = 1 then 'All channels' else coalesce(channel, 'unknown') end
        as series,
    grouping(channel) = 1 as is_total,
    count(first_response_at) as answered,
    quantile_cont(first_response_seconds, 0.5) as median_seconds,
    quantile_cont(first_response_seconds, 0.9) as p90_seconds,
    quantile_cont(first_response_business_seconds, 0.5) as median_business_seconds,
    quantile_cont(first_response_business_seconds, 0.9) as p90_business_seconds
from conversations
group by grouping sets ((opened_day, channel), (opened_day))
having count(first_response_at) > 0
order by day, is_total desc, series
"""
)

RESPONSE_BY_CHANNEL_SQL = (
    CONVERSATIONS_CTE
    + """
select
    coalesce(channel, 'unknown') as channel,
    count(*) as conversations,
    count(first_response_at) as answered,
    count(*) - count(first_response_at) as unanswered,
    quantile_cont(first_response_seconds, 0.5) as median_seconds,
    quantile_cont(first_response_seconds, 0.9) as p90_seconds,
    quantile_cont(first_response_business_seconds, 0.5) as median_business_seconds,
    quantile_cont(first_response_business_seconds, 0.9) as p90_business_seconds
from conversations
group by all
order by conversations desc, channel
"""
)


def response_times(db: Path, filters: Filters) -> ResponseTimes:
    """First-response KPIs for the range, per day (per channel and overall) and per channel."""
    params = filters.params()
    with read_only(db) as con:
        return ResponseTimes(
            kpis=_frame(con, RESPONSE_KPIS_SQL, params),
            daily=_frame(con, RESPONSE_DAILY_SQL, params),
            by_channel=_frame(con, RESPONSE_BY_CHANNEL_SQL, params),
        )


# ---------------------------------------------------------------------------- volume

CONVERSATIONS_DAILY_SQL = (
    CONVERSATIONS_CTE
    + """
select
    opened_day as day,
    coalesce(channel, 'unknown') as channel,
    coalesce(inbox_id, 'unknown') as inbox_id,
    count(*) as conversations
from conversations
group by all
order by day, channel, inbox_id
"""
)

# Messages carry no inbox: with an inbox filter, only messages of conversations in those
# inboxes count (campaign messages outside any conversation then drop out).
MESSAGES_DAILY_SQL = """
with in_window as (
    select
        conversation_id,
        channel,
        direction,
        sender_type,
        (sent_at::timestamptz at time zone $tz)::date as sent_day
    from marts.fct_messages
    where sent_at >= $start::timestamp - interval 1 day
      and sent_at < $end::timestamp + interval 2 day
),

inbox_conversations as (
    select conversation_id
    from marts.fct_conversations
    where list_contains($inboxes::varchar[], inbox_id)
),

messages as (
    select *
    from in_window
    where sent_day between $start and $end
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], channel))
      and (
          len($inboxes::varchar[]) = 0
          or conversation_id in (select conversation_id from inbox_conversations)
      )
)

select
    sent_day as day,
    coalesce(direction, 'unknown') as direction,
    coalesce(sender_type, 'unknown') as sender_type,
    count(*) as messages
from messages
group by all
order by day, direction, sender_type
"""


def volume(db: Path, filters: Filters) -> Volume:
    """Conversations opened per day (channel, inbox) and messages per day (direction, sender)."""
    params = filters.params()
    with read_only(db) as con:
        return Volume(
            conversations=_frame(con, CONVERSATIONS_DAILY_SQL, params),
            messages=_frame(con, MESSAGES_DAILY_SQL, params),
        )


# ---------------------------------------------------------------------------- campaigns

CAMPAIGNS_SQL = """
select
    campaign_id,
    count(distinct run_id) as runs,
    count(*) as audience,
    min(sent_at) as first_sent_at,
    max(sent_at) as last_sent_at
from marts.fct_campaign_sends
where campaign_id is not null
group by campaign_id
order by last_sent_at desc nulls last, campaign_id
"""

CAMPAIGN_RUNS_SQL = """
select run_id, count(*) as audience, min(sent_at) as first_sent_at
from marts.fct_campaign_sends
where campaign_id = $campaign_id and run_id is not null
group by run_id
order by first_sent_at desc nulls last, run_id
"""

CAMPAIGN_SENDS_CTE = """
with sends as (
    select *
    from marts.fct_campaign_sends
    where campaign_id = $campaign_id
      and ($run_id::varchar is null or run_id = $run_id::varchar)
)
"""

CAMPAIGN_STAGES_SQL = (
    CAMPAIGN_SENDS_CTE
    + """,

totals as (
    select
        count(*) as audience,
        count(*) filter (where skip_reason is not null) as skipped,
        count(*) filter (where message_id is not null) as sent,
        count(*) filter (
            where delivered_at is not null or final_status in ('delivered', 'read')
        ) as delivered,
        count(*) filter (where read_at is not null or final_status = 'read') as "read",
        count(*) filter (where final_status = 'failed') as failed
    from sends
)

select 1 as position, 'Audience' as stage, audience as contacts from totals
union all select 2, 'Skipped', skipped from totals
union all select 3, 'Sent', sent from totals
union all select 4, 'Delivered', delivered from totals
union all select 5, 'Read', "read" from totals
union all select 6, 'Failed', failed from totals
order by position
"""
)

CAMPAIGN_SKIPS_SQL = (
    CAMPAIGN_SENDS_CTE
    + """
select skip_reason, count(*) as contacts
from sends
where skip_reason is not null
group by skip_reason
order by contacts desc, skip_reason
"""
)

CAMPAIGN_FAILURES_SQL = (
    CAMPAIGN_SENDS_CTE
    + """
select coalesce(error_code::varchar, 'unknown') as error_code, count(*) as contacts
from sends
where final_status = 'failed'
group by all
order by contacts desc, error_code
"""
)


def campaigns(db: Path) -> pl.DataFrame:
    """Campaigns, newest send first: campaign_id, runs, audience, first/last_sent_at."""
    with read_only(db) as con:
        return _frame(con, CAMPAIGNS_SQL, {})


def campaign_runs(db: Path, campaign_id: str) -> pl.DataFrame:
    """Runs of one campaign, newest first: run_id, audience, first_sent_at."""
    with read_only(db) as con:
        return _frame(con, CAMPAIGN_RUNS_SQL, {"campaign_id": campaign_id})


def campaign_funnel(db: Path, campaign_id: str, run_id: str | None = None) -> CampaignFunnel:
    """Audience → sent → delivered → read (plus skipped and failed) for a campaign or one run."""
    params = {"campaign_id": campaign_id, "run_id": run_id}
    with read_only(db) as con:
        return CampaignFunnel(
            stages=_frame(con, CAMPAIGN_STAGES_SQL, params),
            skips=_frame(con, CAMPAIGN_SKIPS_SQL, params),
            failures=_frame(con, CAMPAIGN_FAILURES_SQL, params),
        )


# ---------------------------------------------------------------------------- segments

SEGMENT_CATALOG_SQL = """
select segment_name, description, owner, purpose, channel, template_columns, members,
       last_evaluated_at, relation_name
from segments.segment_catalog
order by segment_name
"""

SEGMENT_SIZES_SQL = """
select day, members, entered, exited
from segments.segment_sizes_daily
where segment_name = $segment
order by day
"""

SEGMENT_OVERLAP_SQL = """
select members_a, members_b, both_members, jaccard
from segments.segment_overlap
where segment_a = $segment_a and segment_b = $segment_b
"""

SEGMENT_MEMBERS_LIMIT = 500


def segment_catalog(db: Path) -> pl.DataFrame:
    """Every segment of the project (segments.segment_catalog), by name."""
    with read_only(db) as con:
        return _frame(con, SEGMENT_CATALOG_SQL, {})


def segment_sizes(db: Path, segment: str) -> pl.DataFrame:
    """Members at the end of each UTC day, and the day's entries and exits, of one segment."""
    with read_only(db) as con:
        return _frame(con, SEGMENT_SIZES_SQL, {"segment": segment})


def segment_overlap(db: Path, segment_a: str, segment_b: str) -> pl.DataFrame:
    """Members of each of two segments now, of both, and the Jaccard index (one row)."""
    with read_only(db) as con:
        return _frame(con, SEGMENT_OVERLAP_SQL, {"segment_a": segment_a, "segment_b": segment_b})


def segment_members(db: Path, segment: str, limit: int = SEGMENT_MEMBERS_LIMIT) -> pl.DataFrame:
    """The first `limit` members of a segment of the catalog, every column it exposes
    (no rows for a name the catalog does not have)."""
    with read_only(db) as con:
        found = con.execute(
            "select relation_name from segments.segment_catalog where segment_name = ?", [segment]
        ).fetchall()
        if not found:
            return pl.DataFrame({"contact_id": []}, schema={"contact_id": pl.String})
        relation = ".".join('"' + part.replace('"', '""') + '"' for part in found[0][0].split("."))
        return _frame(con, f"select * from {relation} order by contact_id limit $limit", {"limit": limit})
