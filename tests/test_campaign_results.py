"""What a campaign earned, through the real path: campaign YAML files, a send ledger
(SQLite, the senders' own schema, rows written by hand), Meta status webhooks with
`pricing`, Shopify orders and a WhatsApp reply → ingest → dbt build →
marts.fct_campaign_sends, kpi_campaign_funnel, kpi_campaign_skips,
kpi_campaign_failures, fct_message_costs and kpi_messaging_cost_daily.

Campaign spring_offer (goal: an order within 5 days; uplift newcombe_wilson at 0.95),
run spring_offer:2026-03-10, sent 2026-03-10 09:00 UTC:
- variant a: A1..A5 delivered (IT numbers, marketing, type regular); A1 orders after 2
  days, A2 after 4, A3 after 6 (outside the 5-day goal, inside the default 7); A6 was
  accepted and then failed 131026. Measured 6, converted 2.
- variant b: B1..B4 delivered (B4 a German number); B1, B2, B3 order within 5 days.
  Measured 4, converted 3.
- holdout: H1..H5 (skipped holdout); H1 orders after 3 days. Measured 5, converted 1.
- skipped: S1 no_consent (a), S2 sent_recently (b); HELD1 is held (holds table): no row.
Campaign service_followup (utility, goal: a reply within 2 days), run
service_followup:2026-03-12: U1 delivered free (free_customer_service) and replies after
an hour; U2 delivered, type regular (charged at the utility price).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from math import sqrt
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.ingest.campaign_configs import read_campaigns
from pipelines.landing import write_jsonl
from pipelines.settings import Paths
from senders.campaign import CampaignConfigError
from senders.ledger import SendLedger
from tests.built_warehouse import built_warehouse

AS_OF = "2026-03-31 00:00:00"
PHONE_NUMBER_ID = "106540352242006"  # vitalis-shop (models/seeds/inboxes.csv)
SPRING = "spring_offer"
SPRING_RUN = "spring_offer:2026-03-10"
SERVICE = "service_followup"
SERVICE_RUN = "service_followup:2026-03-12"
SENT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
SERVICE_SENT = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)

# the rate card's illustrative prices (models/seeds/messaging_rate_card.csv)
IT_MARKETING = Decimal("0.0691")
DE_MARKETING = Decimal("0.1365")
IT_UTILITY = Decimal("0.0300")

SPRING_YAML = """\
campaign_id: spring_offer
segment: repurchase_due
inbox_id: vitalis-shop
template: {name: offerta_primavera, language: it}
variables: {1: first_name}
schedule: {cron: "0 10 * * *", timezone: Europe/Rome}
resend_after_days: 30
holdout_percent: 20
variants:
  - {name: a, percent: 50}
  - {name: b, percent: 50}
goal: {type: order, within_days: 5}
uplift: {method: newcombe_wilson, confidence: 0.95}
"""

SERVICE_YAML = """\
campaign_id: service_followup
segment: repurchase_due
inbox_id: vitalis-shop
template: {name: conferma_spedizione, language: it}
schedule: {cron: "0 9 * * *"}
resend_after_days: 7
goal: {type: reply, within_days: 2}
"""


def phone(number: int, country: str = "39") -> str:
    return f"+{country}3331{number:06d}" if country == "39" else f"+{country}1512{number:07d}"


# member -> (variant, is_holdout, status, skip_reason, phone, days to an order or None, amount)
MEMBERS: dict[str, tuple] = {
    "A1": ("a", False, "accepted", None, phone(1), 2, "39.90"),
    "A2": ("a", False, "accepted", None, phone(2), 4, "59.00"),
    "A3": ("a", False, "accepted", None, phone(3), 6, "45.00"),
    "A4": ("a", False, "accepted", None, phone(4), None, None),
    "A5": ("a", False, "accepted", None, phone(5), None, None),
    "A6": ("a", False, "accepted", None, phone(6), None, None),
    "B1": ("b", False, "accepted", None, phone(11), 1, "20.00"),
    "B2": ("b", False, "accepted", None, phone(12), 3, "24.50"),
    "B3": ("b", False, "accepted", None, phone(13), 4, "31.00"),
    "B4": ("b", False, "accepted", None, phone(14, "49"), None, None),
    "H1": ("a", True, "skipped", "holdout", phone(21), 3, "39.90"),
    "H2": ("b", True, "skipped", "holdout", phone(22), None, None),
    "H3": ("a", True, "skipped", "holdout", phone(23), None, None),
    "H4": ("b", True, "skipped", "holdout", phone(24), None, None),
    "H5": ("a", True, "skipped", "holdout", phone(25), None, None),
    "S1": ("a", False, "skipped", "no_consent", phone(31), None, None),
    "S2": ("b", False, "skipped", "sent_recently", phone(32), 1, "15.00"),
}
FAILED = {"A6"}
SERVICE_MEMBERS = {"U1": phone(41), "U2": phone(42)}


def iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def unix(at: datetime) -> str:
    return str(int(at.timestamp()))


def wamid(member: str) -> str:
    return f"wamid.HBgMMzkzMzMx{member}AA=="


# --- the send ledger ------------------------------------------------------------------


def write_ledger(path: Path) -> None:
    """The senders' own schema (SendLedger creates it), rows inserted as the sender
    leaves them after a run: accepted with a wamid, or skipped with a reason."""
    with SendLedger(path):
        pass
    rows = []
    for member, (variant, holdout, status, reason, number, _, _) in MEMBERS.items():
        sent = status == "accepted"
        rows.append((SPRING, SPRING_RUN, member, number, variant, int(holdout), "offerta_primavera", "it",
                     status, reason, wamid(member) if sent else None, iso(SENT), iso(SENT) if sent else None,
                     iso(SENT), "vitalis-shop", "MARKETING"))
    for member, number in SERVICE_MEMBERS.items():
        rows.append((SERVICE, SERVICE_RUN, member, number, "default", 0, "conferma_spedizione", "it",
                     "accepted", None, wamid(member), iso(SERVICE_SENT), iso(SERVICE_SENT),
                     iso(SERVICE_SENT), "vitalis-shop", "UTILITY"))
    with closing(sqlite3.connect(path)) as db, db:
        db.executemany(
            "insert into sends (campaign_id, run_id, contact_id, phone, variant, is_holdout, template_name, "
            "template_language, status, skip_reason, wamid, reserved_at, sent_at, updated_at, inbox_id, "
            "template_category) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        member = {"contact_id": "HELD1", "phone": phone(51), "variables": {"first_name": "Ada"}}
        db.execute(
            "insert into holds (campaign_id, run_id, contact_id, reason, not_before, member, held_at)"
                " values (?, ?, ?, 'quiet_hours', ?, ?, ?)",
            (SPRING, SPRING_RUN, "HELD1", iso(SENT + timedelta(hours=12)), json.dumps(member), iso(SENT)),
        )


# --- Meta status webhooks --------------------------------------------------------------


def status_body(statuses: list[dict]) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340006", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "390230250606", "phone_number_id": PHONE_NUMBER_ID},
            "statuses": statuses,
        }}]}],
    }


def status(member: str, number: str, state: str, at: datetime, pricing: dict | None = None,
           errors: list[dict] | None = None) -> dict:
    """One item of value.statuses[] (API v24+: no `conversation` outside free entry points)."""
    item: dict = {"id": wamid(member), "status": state, "timestamp": unix(at), "recipient_id": number[1:]}
    if pricing is not None:
        item["pricing"] = pricing
    if errors is not None:
        item["errors"] = errors
    return item


def pricing(category: str, kind: str) -> dict:
    return {"billable": kind == "regular", "pricing_model": "PMP", "type": kind, "category": category}


UNDELIVERABLE = [{
    "code": 131026,
    "title": "Message undeliverable.",
    "message": "Message undeliverable.",
    "error_data": {"details": "Message Undeliverable."},
    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
}]


def spring_statuses() -> list[dict]:
    items = []
    for member, (_, _, state, _, number, _, _) in MEMBERS.items():
        if state != "accepted":
            continue
        items.append(status(member, number, "sent", SENT + timedelta(seconds=2), pricing("marketing", "regular")))
        if member in FAILED:
            items.append(status(member, number, "failed", SENT + timedelta(seconds=5), errors=UNDELIVERABLE))
            continue
        items.append(status(member, number, "delivered", SENT + timedelta(seconds=4), pricing("marketing", "regular")))
        if member == "A4":
            items.append(status(member, number, "read", SENT + timedelta(minutes=30)))
    return items


def service_statuses() -> list[dict]:
    u1, u2 = SERVICE_MEMBERS["U1"], SERVICE_MEMBERS["U2"]
    at = SERVICE_SENT + timedelta(seconds=3)
    return [
        status("U1", u1, "sent", at, pricing("utility", "free_customer_service")),
        status("U1", u1, "delivered", at, pricing("utility", "free_customer_service")),
        status("U2", u2, "sent", at, pricing("utility", "regular")),
        status("U2", u2, "delivered", at, pricing("utility", "regular")),
    ]


def reply_body(number: str, at: datetime) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340006", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "390230250606", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Ugo Neri"}, "wa_id": number[1:]}],
            "messages": [{"from": number[1:], "id": "wamid.reply.U1", "timestamp": unix(at),
                          "type": "text", "text": {"body": "Grazie, tutto arrivato!"}}],
        }}]}],
    }


# --- Shopify orders --------------------------------------------------------------------


def shopify_order(order_id: int, at: datetime, number: str, amount: str) -> dict:
    """An order as GET /admin/api/2024-10/orders.json returns it (the fields we read)."""
    stamp = at.astimezone(UTC).isoformat()
    return {
        "id": order_id, "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{order_id % 10000}", "order_number": order_id % 10000, "email": "", "phone": number,
        "created_at": stamp, "updated_at": stamp, "processed_at": stamp, "cancelled_at": None,
        "currency": "EUR", "total_price": amount, "subtotal_price": amount, "total_tax": "0.00",
        "financial_status": "paid", "fulfillment_status": None, "buyer_accepts_marketing": True,
        "test": False, "tags": "", "source_name": "web",
        "line_items": [{"id": order_id * 10, "title": "Omega 3 Forte", "quantity": 1, "price": amount}],
        "customer": {"id": 7000000000000 + order_id % 1000, "email": None, "phone": number,
                     "first_name": "Cliente", "last_name": str(order_id % 1000), "state": "disabled",
                     "created_at": "2025-11-20T09:00:00+01:00", "updated_at": "2026-03-01T09:00:00+01:00"},
    }


def orders() -> list[dict]:
    out = []
    for position, (_, _, _, _, number, days, amount) in enumerate(MEMBERS.values()):
        if days is not None:
            out.append(shopify_order(5820000000000 + position, SENT + timedelta(days=days, hours=1), number, amount))
    return out


def land(home: Paths, campaigns: Path) -> None:
    campaigns.mkdir(parents=True, exist_ok=True)
    (campaigns / "spring_offer.yaml").write_text(SPRING_YAML, encoding="utf-8")
    (campaigns / "service_followup.yaml").write_text(SERVICE_YAML, encoding="utf-8")
    write_ledger(home.send_ledger)
    bodies = [status_body(spring_statuses()), status_body(service_statuses()),
              reply_body(SERVICE_MEMBERS["U1"], SERVICE_SENT + timedelta(hours=1))]
    write_jsonl(home.landing / "whatsapp" / "2026-03-12" / "recv-results.jsonl",
                [json.dumps(b, separators=(",", ":")) for b in bodies])
    write_jsonl(home.landing / "shopify" / "orders" / "2026-03-20" / "page-1.jsonl", orders())


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("campaign_results")
    campaigns = root / "campaigns"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("THREADLINE_CAMPAIGNS_DIR", str(campaigns))
        with built_warehouse(root, lambda home: land(home, campaigns), AS_OF) as con:
            yield con


# --- the interval, by hand -------------------------------------------------------------

Z = {0.90: 1.6448536269514722, 0.95: 1.959963984540054, 0.99: 2.5758293035489004}


def wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def newcombe(x1: int, n1: int, x2: int, n2: int, confidence: float) -> tuple[float, float]:
    """Newcombe (1998) method 10: the hybrid score interval of p1 - p2."""
    z = Z[confidence]
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    return (p1 - p2 - sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            p1 - p2 + sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def test_the_formula_matches_newcombes_worked_example() -> None:
    # Newcombe (1998), Table II, 56/70 - 48/80: method 10 gives 0.0524 to 0.3339
    lower, upper = newcombe(56, 70, 48, 80, 0.95)
    assert (round(lower, 4), round(upper, 4)) == (0.0524, 0.3339)


# --- the tests -------------------------------------------------------------------------


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_campaign_configs_reach_the_warehouse(warehouse: duckdb.DuckDBPyConnection) -> None:
    configs = {r["campaign_id"]: r for r in rows(warehouse, f"select * from {staging_relation(warehouse)}")}
    assert configs[SPRING]["goal_type"] == "order" and configs[SPRING]["goal_within_days"] == 5
    assert configs[SPRING]["uplift_method"] == "newcombe_wilson" and configs[SPRING]["uplift_confidence"] == 0.95
    assert configs[SERVICE]["goal_type"] == "reply" and configs[SERVICE]["goal_within_days"] == 2
    assert configs[SERVICE]["uplift_confidence"] == 0.95  # not in the file: the default


def staging_relation(con: duckdb.DuckDBPyConnection) -> str:
    schema = con.execute(
        "select table_schema from information_schema.tables where table_name = 'stg_senders__campaigns'"
    ).fetchone()[0]
    return f"{schema}.stg_senders__campaigns"


def test_sends_convert_by_the_campaigns_goal_and_window(warehouse: duckdb.DuckDBPyConnection) -> None:
    sends = {r["audience_contact_id"]: r for r in rows(warehouse, "select * from marts.fct_campaign_sends")}
    assert "HELD1" not in sends  # still held: the holds table is not the ledger's sends
    assert len(sends) == len(MEMBERS) + len(SERVICE_MEMBERS)
    converted = {member for member, r in sends.items() if r["converted_at"] is not None}
    # A3 ordered after 6 days (outside spring_offer's 5); S2 was skipped (not measured)
    assert converted == {"A1", "A2", "B1", "B2", "B3", "H1", "U1"}
    assert sends["A1"]["converted_at"] == (SENT + timedelta(days=2, hours=1)).replace(tzinfo=None)
    assert sends["U1"]["converted_at"] == (SERVICE_SENT + timedelta(hours=1)).replace(tzinfo=None)
    assert sends["A1"]["revenue_attributed"] == Decimal("39.90")
    assert sends["H1"]["revenue_attributed"] == Decimal("39.90")
    assert sends["A3"]["revenue_attributed"] is None and sends["U1"]["revenue_attributed"] is None
    assert sends["H1"]["measured_from"] == SENT.replace(tzinfo=None)
    assert sends["S1"]["measured_from"] is None
    assert sends["A6"]["final_status"] == "failed" and sends["A6"]["error_code"] == 131026


def test_cost_is_delivered_billable_messages_times_the_rate(warehouse: duckdb.DuckDBPyConnection) -> None:
    sends = {r["audience_contact_id"]: r for r in rows(warehouse, "select * from marts.fct_campaign_sends")}
    assert sends["A1"]["cost"] == IT_MARKETING and sends["A1"]["is_charged"]
    assert sends["B4"]["cost"] == DE_MARKETING  # a German number: Germany's price
    assert sends["A6"]["cost"] == 0 and not sends["A6"]["is_charged"]  # failed: never delivered
    assert sends["U1"]["cost"] == 0 and sends["U1"]["pricing_type"] == "free_customer_service"
    assert sends["U2"]["cost"] == IT_UTILITY
    assert sends["H1"]["cost"] == 0
    daily = rows(warehouse, "select * from marts.kpi_messaging_cost_daily where inbox_id = 'vitalis-shop' order by day")
    by_category = {(r["day"].isoformat(), r["pricing_category"]): r for r in daily}
    marketing = by_category[("2026-03-10", "marketing")]
    assert marketing["billable_messages"] == 9  # A1-A5, B1-B4; A6 failed
    assert marketing["cost"] == 8 * IT_MARKETING + DE_MARKETING
    utility = by_category[("2026-03-12", "utility")]
    assert utility["billable_messages"] == 1 and utility["cost"] == IT_UTILITY  # U1 was free


def test_funnel_per_variant_with_uplift_against_the_holdout(warehouse: duckdb.DuckDBPyConnection) -> None:
    funnel = {r["variant"]: r for r in rows(
        warehouse, f"select * from marts.kpi_campaign_funnel where campaign_id = '{SPRING}' and run_id = '{SPRING_RUN}'"
    )}
    assert set(funnel) == {"a", "b", "holdout"}
    a, b, holdout = funnel["a"], funnel["b"], funnel["holdout"]
    assert (a["audience"], a["skipped"], a["measured"], a["sent"], a["delivered"], a["read"]) == (7, 1, 6, 6, 5, 1)
    assert (a["converted"], a["failed"], a["unknown"]) == (2, 1, 0)
    assert (b["audience"], b["skipped"], b["measured"], b["delivered"], b["converted"]) == (5, 1, 4, 4, 3)
    assert (holdout["audience"], holdout["measured"], holdout["converted"], holdout["sent"]) == (5, 5, 1, 0)
    assert a["conversion_rate"] == pytest.approx(2 / 6) and b["conversion_rate"] == pytest.approx(3 / 4)
    for row, (x, n) in ((a, (2, 6)), (b, (3, 4))):
        lower, upper = newcombe(x, n, 1, 5, 0.95)
        assert row["holdout_measured"] == 5 and row["holdout_converted"] == 1
        assert row["uplift"] == pytest.approx(x / n - 1 / 5)
        assert row["uplift_lower"] == pytest.approx(lower, abs=1e-6)
        assert row["uplift_upper"] == pytest.approx(upper, abs=1e-6)
        assert row["uplift_method"] == "newcombe_wilson" and row["uplift_confidence"] == 0.95
    assert holdout["uplift"] is None and holdout["uplift_lower"] is None
    assert a["revenue_attributed"] == Decimal("39.90") + Decimal("59.00")
    assert b["revenue_attributed"] == Decimal("20.00") + Decimal("24.50") + Decimal("31.00")
    assert a["cost"] == 5 * IT_MARKETING and a["charged_messages"] == 5
    assert b["cost"] == 3 * IT_MARKETING + DE_MARKETING
    assert holdout["cost"] == 0

    service = rows(warehouse, f"select * from marts.kpi_campaign_funnel where campaign_id = '{SERVICE}'")
    assert len(service) == 1 and service[0]["variant"] == "default"
    assert service[0]["converted"] == 1 and service[0]["conversion_rate"] == pytest.approx(1 / 2)
    assert service[0]["uplift"] is None  # no holdout, no uplift
    assert service[0]["cost"] == IT_UTILITY


def test_skips_and_failures_with_metas_titles(warehouse: duckdb.DuckDBPyConnection) -> None:
    skips = rows(warehouse, f"select variant, skip_reason, members from marts.kpi_campaign_skips "
                            f"where campaign_id = '{SPRING}' order by variant, skip_reason")
    assert [(r["variant"], r["skip_reason"], r["members"]) for r in skips] == [
        ("a", "no_consent", 1), ("b", "sent_recently", 1), ("holdout", "holdout", 5)]
    failures = rows(warehouse, "select * from marts.kpi_campaign_failures")
    assert len(failures) == 1
    failure = failures[0]
    assert (failure["campaign_id"], failure["run_id"], failure["variant"]) == (SPRING, SPRING_RUN, "a")
    assert failure["error_code"] == 131026 and failure["members"] == 1
    assert failure["error_title"] == "Message undeliverable"
    assert "retry" in failure["what_to_do"]


def test_a_campaign_file_with_an_unknown_method_names_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(SPRING_YAML.replace("newcombe_wilson", "bootstrap"), encoding="utf-8")
    with pytest.raises(CampaignConfigError, match=r"bad\.yaml: uplift\.method: .*newcombe_wilson"):
        read_campaigns(tmp_path)


def test_two_files_with_one_campaign_id_are_refused(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(SPRING_YAML, encoding="utf-8")
    (tmp_path / "two.yaml").write_text(SPRING_YAML, encoding="utf-8")
    with pytest.raises(CampaignConfigError, match="two.yaml: campaign_id 'spring_offer' is also the id of one.yaml"):
        read_campaigns(tmp_path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"uplift": {"method": "newcombe_wilson", "confidence": 0.8}},
         r"uplift\.confidence: .*0\.8 is not one of 0\.9, 0\.95, 0\.99"),
        ({"goal": {"type": "visit"}}, r"goal\.type: .*'order', 'appointment', 'won_deal' or 'reply'"),
        ({"goal": {"type": "order", "within_days": 0}}, r"goal\.within_days: .*greater than or equal to 1"),
        ({"variants": [{"name": "holdout", "percent": 100}]}, r"may not be named 'holdout'.*rename it"),
    ],
)
def test_goal_and_uplift_are_validated_with_the_key_and_the_fix(tmp_path: Path, change: dict, message: str) -> None:
    document = {**yaml.safe_load(SPRING_YAML), **change}
    (tmp_path / "spring_offer.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(CampaignConfigError, match=r"spring_offer\.yaml: " + ".*" + message):
        read_campaigns(tmp_path)


def test_a_campaign_without_goal_or_uplift_gets_the_defaults(tmp_path: Path) -> None:
    text = "\n".join(line for line in SPRING_YAML.splitlines() if not line.startswith(("goal", "uplift")))
    (tmp_path / "spring_offer.yaml").write_text(text, encoding="utf-8")
    row = read_campaigns(tmp_path).row(0, named=True)
    assert (row["goal_type"], row["goal_within_days"]) == ("order", None)  # window: the dbt var
    assert (row["uplift_method"], row["uplift_confidence"]) == ("newcombe_wilson", 0.95)
