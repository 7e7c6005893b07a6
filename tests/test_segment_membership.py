"""Segment membership history across runs: a test-only segment (contacts with an order
that is not cancelled) in a copy of the project, three builds with changed Shopify
orders give the exact entries and exits at each run's as_of (the run's start: no var
pinned, so dbt's partial parsing is kept between runs); `dbt build --full-refresh`
leaves the history as it was; a deleted warehouse rebuilt from landing/ and state/ gets
it back; a segment removed from the project has its open memberships closed.

Inputs are orders as the Shopify Admin API returns them (tests/test_data_layer_cases.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.settings import Paths
from pipelines.transform.build import dbt
from pipelines.warehouse import connect
from tests.segment_project import SHOPPERS_SQL, SHOPPERS_YAML, add_segment, copy_project, remove_segment
from tests.test_data_layer_cases import shop_customer, shopify_order

PAOLO = shop_customer(7100000000001, "Paolo", "Conti")
ELENA = shop_customer(7100000000002, "Elena", "Russo")
MARCO = shop_customer(7100000000003, "Marco", "Galli")
SELECT = ["--select", "+test_shoppers", "--indirect-selection", "cautious"]


def land_orders(home: Paths, day: str, orders: list[dict]) -> None:
    write_jsonl(home.landing / "shopify" / "orders" / day / f"orders-{day}.jsonl", orders)


def build(home: Paths, project: Path, *args: str, command: str = "run") -> datetime:
    """Ingest and run the segment and what it reads (`dbt run`: the tests are another
    file's business, and the suite's time is short); returns the as_of it was evaluated at."""
    with connect(home.warehouse) as con:
        ingest_all(con, home)
    dbt([command, *SELECT, *args], home.home, project_dir=project)
    return evaluations(home)[-1][0]


def history(home: Paths, segment: str = "test_shoppers") -> list[tuple]:
    """(first name, entered_at, exited_at) per stay, by the name of the shop customer."""
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(
            """
            select distinct s.first_name, h.entered_at, h.exited_at
            from segments.segment_membership_history h
            join (
                select contact_id, json_extract_string(payload, '$.customer.first_name') as first_name
                from raw.shopify_orders r
                join marts.fct_orders o on o.order_id = json_extract_string(r.payload, '$.id')
            ) s using (contact_id)
            where h.segment_name = ?
            order by all
            """,
            [segment],
        ).fetchall()


def evaluations(home: Paths) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(
            "select as_of, members, entered, exited from segments.segment_evaluations "
            "where segment_name = 'test_shoppers' order by as_of"
        ).fetchall()


def cancelled(order: dict, at: str) -> dict:
    return {**order, "cancelled_at": at, "updated_at": at, "cancel_reason": "customer"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = copy_project(tmp_path / "models")
    add_segment(copy, "test_shoppers", SHOPPERS_SQL, SHOPPERS_YAML)
    return copy


def test_entries_and_exits_across_runs_full_refresh_and_rebuild(home: Paths, project: Path) -> None:
    elena_first = shopify_order(7200000001, "2026-03-20T10:00:00+01:00", ELENA)
    land_orders(home, "2026-03-21", [shopify_order(7200000000, "2026-03-20T09:00:00+01:00", PAOLO), elena_first])
    run1 = build(home, project, command="build")
    assert history(home) == [("Elena", run1, None), ("Paolo", run1, None)]

    # Elena cancels her only order, Marco orders for the first time
    land_orders(home, "2026-03-22", [
        cancelled(elena_first, "2026-03-22T18:00:00+01:00"),
        shopify_order(7200000002, "2026-03-22T11:00:00+01:00", MARCO),
    ])  # fmt: skip
    run2 = build(home, project)
    # Elena orders again: a new stay
    land_orders(home, "2026-03-23", [shopify_order(7200000003, "2026-03-23T12:00:00+01:00", ELENA)])
    run3 = build(home, project)
    expected = [
        ("Elena", run1, run2),
        ("Elena", run3, None),
        ("Marco", run2, None),
        ("Paolo", run1, None),
    ]
    assert history(home) == expected
    assert evaluations(home) == [(run1, 2, 2, 0), (run2, 2, 1, 1), (run3, 3, 1, 0)]

    # a full refresh rebuilds every model, never the history: one more evaluation, no change
    run4 = build(home, project, "--full-refresh")
    assert history(home) == expected
    assert evaluations(home) == [(run1, 2, 2, 0), (run2, 2, 1, 1), (run3, 3, 1, 0), (run4, 3, 0, 0)]

    # the warehouse deleted: rebuilt from landing/ and state/, the history comes back
    home.warehouse.unlink()
    run5 = build(home, project, command="build")
    assert history(home) == expected
    assert evaluations(home)[:4] == [(run1, 2, 2, 0), (run2, 2, 1, 1), (run3, 3, 1, 0), (run4, 3, 0, 0)]
    assert evaluations(home)[4] == (run5, 3, 0, 0)

    # the segment renamed: the old one is no longer in the project, its open memberships
    # close at the next run that evaluates a segment (the new one, here)
    remove_segment(project, "test_shoppers")
    add_segment(project, "test_buyers", SHOPPERS_SQL, SHOPPERS_YAML.replace("test_shoppers", "test_buyers"))
    dbt(["run", "--select", "test_buyers"], home.home, project_dir=project)
    run6 = evaluations(home)[-1][0]
    assert evaluations(home)[-1] == (run6, 0, 0, 3)
    assert history(home, "test_buyers") == [("Elena", run6, None), ("Marco", run6, None), ("Paolo", run6, None)]
    assert history(home) == [
        ("Elena", run1, run2),
        ("Elena", run3, run6),
        ("Marco", run2, run6),
        ("Paolo", run1, run6),
    ]
