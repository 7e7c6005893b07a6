"""The order segments (repurchase_due, rfm_tiers, dormant_customers) and the lifecycle
stage, through the real path: Shopify Admin REST orders and WhatsApp `user_preferences`
webhooks landed as the connector and the receiver land them → ingest → `dbt build` with
`as_of` pinned → the segments' members, intervals, tiers and stages.

Six customers of the supplements shop (vitalis-shop), all orders at 10:00 UTC except
Luca's (11:00), as_of 2026-11-24 12:00 UTC:

- Giulia orders Omega 3 every 20 days (last 20 days ago): due by her own rhythm at day
  20, where the 30-day default would wait;
- Luca orders the same way but never consented: in no marketing segment;
- Marco orders Omega 3 every 45 days (last 45 days ago): due by his own rhythm;
- Anna ordered Omega 3 once, 20 days ago: due by the product's rhythm (three customers
  reorder it, median gap 20 days);
- Sara ordered Magnesio once, 30 days ago: nobody reorders it, due by the default window;
- Paolo ordered Collagene twice, the last 200 days ago: dormant, the reactivation audience.

Consent is a WhatsApp "resume" (the user's explicit opt-in in WhatsApp), never a checkout
tick, so it stays a grant whatever else the consent rules learn.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest

from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.settings import paths
from pipelines.transform.build import dbt
from pipelines.warehouse import connect
from tests.test_data_layer_cases import shopify_order

AS_OF = datetime(2026, 11, 24, 12, 0)
# vitalis-shop's WhatsApp number (inboxes.csv)
WABA, PNID, DISPLAY = "102290129340006", "106540352242006", "390230250606"
SEGMENTS = ("repurchase_due", "rfm_tiers", "dormant_customers", "lifecycle_stage")
OMEGA, MAGNESIO, COLLAGENE = "Omega 3 Ultra 90 perle", "Magnesio e Potassio 30 bustine", "Collagene Marino 300 g"

# name -> (customer id, wa_id, consents, [(days before as_of at 10:00 UTC, title, total)])
CUSTOMERS: dict[str, tuple[int, str, bool, list[tuple[int, str, str]]]] = {
    "Giulia": (7100000000001, "393331110001", True, [(d, OMEGA, "39.90") for d in (80, 60, 40, 20)]),
    "Luca": (7100000000002, "393331110002", False, [(d, OMEGA, "39.90") for d in (80, 60, 40, 20)]),
    "Marco": (7100000000003, "393331110003", True, [(d, OMEGA, "39.90") for d in (135, 90, 45)]),
    "Anna": (7100000000004, "393331110004", True, [(20, OMEGA, "39.90")]),
    "Sara": (7100000000005, "393331110005", True, [(30, MAGNESIO, "39.90")]),
    "Paolo": (7100000000006, "393331110006", True, [(d, COLLAGENE, "120.00") for d in (290, 200)]),
}


def iso(moment: datetime) -> str:
    """A UTC moment as Shopify writes it, in the shop's time zone (+01:00 in winter)."""
    return (moment + timedelta(hours=1)).isoformat() + "+01:00"


def orders() -> list[dict]:
    out = []
    for number, (name, (customer_id, wa_id, _, placed)) in enumerate(CUSTOMERS.items()):
        email = f"{name.lower()}@example.it"
        customer = {
            "id": customer_id,
            "email": email,
            "phone": "+" + wa_id,
            "first_name": name,
            "last_name": "Test",
            "state": "enabled",
            "verified_email": True,
            "currency": "EUR",
            "tags": "",
            "created_at": "2026-01-10T09:00:00+01:00",
            "updated_at": "2026-01-10T09:00:00+01:00",
        }
        for index, (days, title, total) in enumerate(placed):
            at = AS_OF.replace(hour=11 if name == "Luca" else 10) - timedelta(days=days)
            order = shopify_order(
                5820000000000 + number * 100 + index, iso(at), customer, email=email, phone="+" + wa_id, title=title
            )
            order["total_price"] = total
            order["line_items"][0]["price"] = total
            out.append(order)
    return out


def resume(wa_id: str, name: str, at: datetime) -> dict:
    """The user's own "resume marketing messages" in WhatsApp, as Meta posts it."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": DISPLAY, "phone_number_id": PNID},
                            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                            "user_preferences": [
                                {
                                    "wa_id": wa_id,
                                    "detail": "User requested to resume marketing messages",
                                    "category": "marketing_messages",
                                    "value": "resume",
                                    "timestamp": int(at.replace(tzinfo=UTC).timestamp()),
                                }
                            ],
                        },
                        "field": "user_preferences",
                    }
                ],
            }
        ],
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    home = paths(tmp_path_factory.mktemp("segments_orders") / "home").ensure()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("THREADLINE_HOME", str(home.home))
        write_jsonl(home.landing / "shopify" / "orders" / "2026-11-24" / "seg-orders-page-1.jsonl", orders())
        at = AS_OF - timedelta(days=4)
        bodies = [resume(wa_id, name, at) for name, (_, wa_id, ok, _) in CUSTOMERS.items() if ok]
        write_jsonl(home.landing / "whatsapp" / at.date().isoformat() / "seg-orders-recv.jsonl", bodies)
        with connect(home.warehouse) as con:
            ingest_all(con, home)
        # the segments and everything upstream of them, with their tests
        dbt(
            ["build", "--indirect-selection", "cautious", "--select", *(f"+{segment}" for segment in SEGMENTS)],
            home.home,
            {"as_of": AS_OF.isoformat(sep=" ")},
        )
        con = connect(home.warehouse, read_only=True)
        yield con
        con.close()


def by_name(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return {row[names.index("first_name")]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_nothing_rejected(warehouse):
    assert (
        warehouse.execute("select file, reason from raw.rejected_records where file like '%seg-orders%'").fetchall()
        == []
    )
    assert warehouse.execute("select count(*) from marts.fct_orders").fetchone()[0] == 15


def test_repurchase_due_follows_each_customers_rhythm(warehouse):
    due = by_name(warehouse, "select * from segments.repurchase_due")
    assert set(due) == {"Giulia", "Marco", "Anna", "Sara"}  # Luca: no consent; Paolo: 200 days
    got = {n: (r["interval_source"], float(r["interval_days"]), r["days_since_last_order"]) for n, r in due.items()}
    assert got == {
        "Giulia": ("own_rhythm", 20.0, 20),  # reminded at day 20, not at 30
        "Marco": ("own_rhythm", 45.0, 45),
        "Anna": ("product", 20.0, 20),  # Omega 3: Giulia, Luca, Marco reorder it, median 20
        "Sara": ("default", 30.0, 30),
    }
    assert due["Giulia"]["expected_next_order_at"] == AS_OF.replace(hour=10)
    assert due["Giulia"]["last_product"] == OMEGA and due["Sara"]["last_product"] == MAGNESIO


def test_rfm_tiers(warehouse):
    rfm = by_name(warehouse, "select * from segments.rfm_tiers")
    assert {n: (r["rfm_code"], r["rfm_tier"]) for n, r in rfm.items()} == {
        # recency 20 days (shared by three: the lowest quintile they reach, 3), 4 orders
        "Giulia": ("343", "loyal"),
        "Luca": ("343", "loyal"),
        "Marco": ("132", "at_risk"),
        "Anna": ("311", "potential"),
        "Sara": ("211", "hibernating"),
        "Paolo": ("125", "at_risk"),
    }
    assert rfm["Paolo"]["monetary_eur"] == Decimal("240.00") and rfm["Giulia"]["frequency"] == 4


def test_dormant_customers_and_lifecycle(warehouse):
    dormant = by_name(warehouse, "select * from segments.dormant_customers")
    assert list(dormant) == ["Paolo"]
    paolo = dormant["Paolo"]
    assert (paolo["days_dormant"], paolo["days_since_last_order"]) == (200, 200)
    assert (paolo["favourite_product"], paolo["total_spent_eur"]) == (COLLAGENE, Decimal("240.00"))

    stages = dict(warehouse.execute("select first_name, lifecycle_stage from segments.lifecycle_stage").fetchall())
    assert stages == {
        "Giulia": "repeat_customer",
        "Luca": "repeat_customer",
        "Marco": "repeat_customer",
        "Anna": "customer",
        "Sara": "customer",
        "Paolo": "dormant",
    }
    in_dim = dict(warehouse.execute("select first_name, lifecycle_stage from marts.dim_contacts").fetchall())
    assert in_dim == stages
