"""The KPI marts on generated demo data (landing → ingest → dbt build), checked against
computations in Python from the facts they summarize: SLA breaches recomputed from the
conversations and the seed thresholds, daily counts adding up to the breach list, the
end-of-day backlogs of the last day, recovered carts, lead conversion by ad."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from pipelines.demo import generate
from pipelines.ingest.sources import ingest_all
from pipelines.settings import DBT_PROJECT_DIR, paths
from pipelines.transform.build import build
from pipelines.warehouse import connect


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    home = tmp_path_factory.mktemp("kpi")
    generate(home=home, seed=11, contacts=200, days=60, end_date=date(2026, 11, 24))
    p = paths(home).ensure()
    con = connect(p.warehouse)
    ingest_all(con, p)
    con.close()
    build(home, {"as_of": "2026-11-24 23:00:00"})
    con = connect(p.warehouse, read_only=True)
    yield con
    con.close()


def _thresholds() -> dict[str, dict[str, int]]:
    with (Path(DBT_PROJECT_DIR) / "seeds" / "sla_policies.csv").open(encoding="utf-8") as f:
        return {row.pop("inbox_id"): {k: int(v) for k, v in row.items()} for row in csv.DictReader(f)}


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_answered_breaches_match_the_thresholds(warehouse):
    policies = _thresholds()

    def limit(inbox: str, kind: str) -> int:
        return policies.get(inbox, policies["*"])[f"{kind}_business_seconds"]

    conversations = _rows(warehouse, "select * from marts.fct_conversations")
    expected = {
        (c["conversation_id"], "first_response")
        for c in conversations
        if c["first_response_business_seconds"] is not None
        and c["first_response_business_seconds"] > limit(c["inbox_id"], "first_response")
    } | {
        (c["conversation_id"], "resolution")
        for c in conversations
        if c["resolution_business_seconds"] is not None
        and c["resolution_business_seconds"] > limit(c["inbox_id"], "resolution")
    }
    turns = _rows(warehouse, "select * from marts.fct_reply_times where turn_number > 1")
    expected_next = {
        (t["conversation_id"], t["turn_number"])
        for t in turns
        if t["reply_business_seconds"] is not None
        and t["reply_business_seconds"] > limit(t["inbox_id"], "next_response")
    }
    closed = _rows(warehouse, "select * from marts.fct_sla_breaches where not is_open")
    assert {(b["conversation_id"], b["kind"]) for b in closed if b["kind"] != "next_response"} == expected
    assert {(b["conversation_id"], b["turn_number"]) for b in closed if b["kind"] == "next_response"} == expected_next
    assert expected, "the demo data has late first responses"


def test_open_breaches_are_unanswered_and_past_due(warehouse):
    rows = _rows(
        warehouse,
        """
        select b.*, c.first_response_at, c.resolved_at, n.newest
        from marts.fct_sla_breaches b
        join marts.fct_conversations c using (conversation_id)
        cross join (select max(newest_event_at) as newest from marts.fct_conversation_open_periods) n
        where b.is_open
        """,
    )
    assert any(r["kind"] == "first_response" for r in rows), "the demo leaves some customers waiting"
    for r in rows:
        assert r["measured_until"] == r["newest"] and r["due_at"] <= r["newest"]
        if r["kind"] == "first_response":
            assert r["first_response_at"] is None
        if r["kind"] == "resolution":
            assert r["resolved_at"] is None


def test_daily_breach_counts_add_up_to_the_breach_list(warehouse):
    daily = warehouse.execute(
        "select sum(first_response_sla_breaches), sum(next_response_sla_breaches),"
        " sum(resolution_sla_breaches), sum(sla_breaches_open) from marts.kpi_support_daily"
    ).fetchone()
    listed = warehouse.execute(
        "select count(*) filter (kind = 'first_response'), count(*) filter (kind = 'next_response'),"
        " count(*) filter (kind = 'resolution'), count(*) filter (is_open) from marts.fct_sla_breaches"
    ).fetchone()
    assert daily == listed
    operators = warehouse.execute("select sum(sla_breaches) from marts.kpi_operator_daily").fetchone()[0]
    attributed = warehouse.execute(
        "select count(*) from marts.fct_sla_breaches where operator_id is not null"
    ).fetchone()[0]
    assert operators == attributed


def test_backlog_of_the_last_day_is_what_is_still_open(warehouse):
    # the last day ends after the newest event: what is open then is what is open now
    last = dict(
        warehouse.execute(
            "select inbox_id, max(day) from marts.kpi_support_daily group by inbox_id"
        ).fetchall()
    )
    still_open = _rows(
        warehouse,
        """
        select p.inbox_id, c.conversation_id, c.first_response_at
        from marts.fct_conversation_open_periods p
        join marts.fct_conversations c using (conversation_id)
        where p.closed_at is null
        """,
    )
    backlog = {
        r["inbox_id"]: r
        for r in _rows(
            warehouse,
            "select * from marts.kpi_support_daily k where day = (select max(day) from"
            " marts.kpi_support_daily l where l.inbox_id = k.inbox_id)",
        )
    }
    assert set(backlog) == set(last)
    for inbox, row in backlog.items():
        mine = [r for r in still_open if r["inbox_id"] == inbox]
        assert row["open_backlog_end_of_day"] == len(mine)
        assert row["unanswered_backlog_end_of_day"] == sum(r["first_response_at"] is None for r in mine)
    assert sum(r["open_backlog_end_of_day"] for r in backlog.values()) > 0


def test_recovered_carts_and_their_rate(warehouse):
    checkouts = _rows(
        warehouse,
        """
        select c.checkout_token, c.created_at, ci.contact_id
        from staging.stg_shopify__checkouts c
        left join raw.phone_numbers p on p.kind = 'typed' and p.raw_value = c.phone_raw and p.is_valid
        left join intermediate.int_contact_ids ci
          on ci.node = coalesce('phone:' || p.phone_e164, 'email:' || lower(trim(c.email)))
        """,
    )
    orders = _rows(
        warehouse,
        "select order_id, contact_id, checkout_token, ordered_at, status, is_recovered_cart from marts.fct_orders",
    )
    window = timedelta(days=3)

    def recovers(o: dict, c: dict) -> bool:
        same_token = o["checkout_token"] is not None and o["checkout_token"] == c["checkout_token"]
        same_contact = o["contact_id"] is not None and o["contact_id"] == c["contact_id"]
        return same_token or (same_contact and c["created_at"] < o["ordered_at"] <= c["created_at"] + window)

    expected = {
        o["order_id"] for o in orders if o["status"] != "cancelled" and any(recovers(o, c) for c in checkouts)
    }
    assert {o["order_id"] for o in orders if o["is_recovered_cart"]} == expected
    assert expected, "the demo data has recovered carts"

    newest = max([c["created_at"] for c in checkouts] + [o["ordered_at"] for o in orders if o["status"] != "cancelled"])
    eligible = [c for c in checkouts if c["created_at"] <= newest - window]
    recovered = [c for c in eligible if any(o["status"] != "cancelled" and recovers(o, c) for o in orders)]
    kpi = warehouse.execute("select sum(abandoned_checkouts), sum(recovered) from marts.kpi_cart_recovery").fetchone()
    assert kpi == (len(eligible), len(recovered))


def test_lead_conversion_by_ad_adds_up(warehouse):
    per_lead = warehouse.execute(
        "select count(*), count(*) filter (is_converted), count(*) filter (ad_id is not null)"
        " from marts.kpi_lead_conversion"
    ).fetchone()
    daily = warehouse.execute(
        "select sum(leads), sum(converted), sum(leads) filter (ad_source_id <> 'organic')"
        " from marts.kpi_lead_conversion_daily"
    ).fetchone()
    assert daily == per_lead
    assert per_lead[2] > 0, "the demo data has leads from ads"
