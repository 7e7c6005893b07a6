"""A small serving snapshot with hand-written rows whose KPIs are known in advance.

Conversations opened 2025-03-03 .. 2025-03-07 (Europe/Rome days), in range by default:

    calendar first responses (s), answered: 60 120 300 600 900 1800 3600 7200
        median = (600 + 900) / 2 = 750 s = 12.5 min
        p90    = 3600 + 0.3 * (7200 - 3600) = 4680 s = 78 min
    business first responses (s): 60 120 300 300 600 900 1800 3600
        median = (300 + 600) / 2 = 450 s = 7.5 min
        p90    = 1800 + 0.3 * (3600 - 1800) = 2340 s = 39 min
    unanswered: 2  -> 10 conversations, 7 answered within 1 h = 70.0%

instagram alone: calendar 300, 7200 and one unanswered -> median 3750 s = 62.5 min.
One older conversation (2025-01-10) lies outside the default 30-day range.

Campaign `spring-sale` (newest): audience 10, skipped 2 (no_consent, quiet_hours),
sent 8, delivered 5, read 3, failed 2 (131026, 131049).
Campaign `cart-reminder`: audience 3, skipped 0, sent 3, delivered 2, read 1, failed 1.

Segments: `repurchase_due` (marketing; c01 c02 c03 now, 2 on 2025-03-05 and 3 on
2025-03-06) and `vip_customers` (service; c02 c05): 1 in both, Jaccard 1 / 4 = 0.25.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

APP_PATH = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"

SCHEMA = """
create schema marts;

create table marts.dim_contacts (
    contact_id varchar, display_name varchar, phone_e164 varchar, email varchar,
    country_code varchar, first_seen_at timestamp, last_seen_at timestamp,
    lifecycle_stage varchar, marketing_consent boolean, consent_updated_at timestamp
);

create table marts.fct_conversations (
    conversation_id varchar, contact_id varchar, channel varchar, inbox_id varchar,
    opened_at timestamp, first_response_at timestamp, first_response_seconds bigint,
    first_response_business_seconds bigint, resolved_at timestamp,
    resolution_seconds bigint, assignee_id varchar, labels varchar[],
    inbound_count integer, outbound_count integer, reopened_count integer,
    resolved_on_first_contact boolean
);

create table marts.fct_messages (
    message_id varchar, contact_id varchar, conversation_id varchar, channel varchar,
    direction varchar, sender_type varchar, operator_id varchar, sent_at timestamp,
    message_type varchar, body varchar, status varchar, error_code varchar,
    pricing_category varchar, is_billable boolean
);

create schema segments;

create table segments.segment_catalog (
    segment_name varchar, description varchar, owner varchar, purpose varchar,
    channel varchar, template_columns varchar, columns varchar, relation_name varchar,
    sql_file varchar, yaml_file varchar, members bigint, last_evaluated_at timestamp,
    built_at timestamp
);

create table segments.segment_sizes_daily (
    segment_name varchar, day date, members bigint, entered bigint, exited bigint
);

create table segments.segment_overlap (
    segment_a varchar, segment_b varchar, members_a bigint, members_b bigint,
    both_members bigint, jaccard double
);

create table segments.repurchase_due as
select * from (values ('c01', 'Anna'), ('c02', 'Bruno'), ('c03', 'Carla')) t(contact_id, first_name);

create table segments.vip_customers as
select * from (values ('c02', 4), ('c05', 6)) t(contact_id, orders);

create table marts.fct_campaign_sends (
    campaign_id varchar, run_id varchar, contact_id varchar, variant varchar,
    is_holdout boolean, template_name varchar, message_id varchar, final_status varchar,
    error_code varchar, skip_reason varchar, sent_at timestamp, delivered_at timestamp,
    read_at timestamp, replied_at timestamp, converted_at timestamp, opted_out_at timestamp
);
"""

# id, contact, channel, inbox, opened_at (UTC), calendar seconds, business seconds
CONVERSATIONS: list[tuple[str, str, str, str, str, int | None, int | None]] = [
    ("cv01", "c01", "whatsapp", "arredi-navigli", "2025-03-03 08:00", 60, 60),
    ("cv02", "c02", "whatsapp", "arredi-navigli", "2025-03-03 09:30", 120, 120),
    ("cv03", "c03", "instagram", "vitalis-shop", "2025-03-04 10:00", 300, 300),
    ("cv04", "c04", "whatsapp", "vitalis-shop", "2025-03-04 23:30", 600, 300),  # Rome: 03-05
    ("cv05", "c05", "whatsapp", "arredi-navigli", "2025-03-05 11:00", 900, 600),
    ("cv06", "c06", "whatsapp", "vitalis-shop", "2025-03-05 15:00", 1800, 900),
    ("cv07", "c07", "whatsapp", "arredi-navigli", "2025-03-06 12:00", 3600, 1800),
    ("cv08", "c08", "instagram", "vitalis-shop", "2025-03-06 16:00", 7200, 3600),
    ("cv09", "c09", "whatsapp", "arredi-navigli", "2025-03-07 10:00", None, None),
    ("cv10", "c10", "instagram", "vitalis-shop", "2025-03-07 17:00", None, None),
    ("cv00", "c01", "whatsapp", "arredi-navigli", "2025-01-10 10:00", 100000, 50000),
]

# message id, conversation, channel, direction, sender_type, sent_at (UTC)
MESSAGES: list[tuple[str, str | None, str, str, str, str]] = [
    ("m01", "cv01", "whatsapp", "inbound", "customer", "2025-03-03 08:00"),
    ("m02", "cv01", "whatsapp", "outbound", "bot", "2025-03-03 08:00"),
    ("m03", "cv01", "whatsapp", "outbound", "operator", "2025-03-03 08:01"),
    ("m04", "cv02", "whatsapp", "inbound", "customer", "2025-03-03 09:30"),
    ("m05", "cv02", "whatsapp", "outbound", "operator", "2025-03-03 09:32"),
    ("m06", "cv03", "instagram", "inbound", "customer", "2025-03-04 10:00"),
    ("m07", "cv03", "instagram", "outbound", "operator", "2025-03-04 10:05"),
    ("m08", "cv05", "whatsapp", "inbound", "customer", "2025-03-05 11:00"),
    ("m09", "cv05", "whatsapp", "inbound", "customer", "2025-03-05 11:01"),
    ("m10", "cv05", "whatsapp", "outbound", "operator", "2025-03-05 11:15"),
    ("m11", None, "whatsapp", "outbound", "campaign", "2025-03-06 09:00"),
    ("m12", "cv09", "whatsapp", "inbound", "customer", "2025-03-07 10:00"),
]

SEND_START = datetime(2025, 3, 6, 9, 0)


def _send(
    campaign: str,
    run: str,
    contact: str,
    status: str,
    *,
    delivered: bool = False,
    read: bool = False,
    error: str | None = None,
    skip: str | None = None,
    start: datetime = SEND_START,
) -> tuple[object, ...]:
    return (
        campaign,
        run,
        contact,
        "A",
        False,
        f"{campaign}_v1",
        None if skip else f"wamid.{campaign}.{contact}",
        status,
        error,
        skip,
        None if skip else start,
        start + timedelta(minutes=1) if delivered else None,
        start + timedelta(minutes=5) if read else None,
        None,
        None,
        None,
    )


EARLIER = SEND_START - timedelta(days=2)


CAMPAIGN_SENDS: list[tuple[object, ...]] = [
    _send("spring-sale", "run-2", "c01", "read", delivered=True, read=True),
    _send("spring-sale", "run-2", "c02", "read", delivered=True, read=True),
    _send("spring-sale", "run-2", "c03", "read", read=True),  # read implies delivered
    _send("spring-sale", "run-2", "c04", "delivered", delivered=True),
    _send("spring-sale", "run-2", "c05", "delivered", delivered=True),
    _send("spring-sale", "run-2", "c06", "sent"),
    _send("spring-sale", "run-2", "c07", "failed", error="131026"),
    _send("spring-sale", "run-2", "c08", "failed", error="131049"),
    _send("spring-sale", "run-2", "c09", "skipped", skip="no_consent"),
    _send("spring-sale", "run-2", "c10", "skipped", skip="quiet_hours"),
    _send("cart-reminder", "run-1", "c01", "read", delivered=True, read=True, start=EARLIER),
    _send("cart-reminder", "run-1", "c02", "delivered", delivered=True, start=EARLIER),
    _send("cart-reminder", "run-1", "c03", "failed", error="131047", start=EARLIER),
]


def _ts(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def build_serving_db(path: Path) -> Path:
    """Write the snapshot above to `path` (a DuckDB file) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA)
        for contact in sorted({row[1] for row in CONVERSATIONS}):
            con.execute(
                "insert into marts.dim_contacts values "
                "(?, ?, ?, ?, 'IT', ?, ?, 'customer', true, ?)",
                [
                    contact,
                    f"Cliente {contact}",
                    f"+39333000{contact[1:]}",
                    f"{contact}@example.it",
                    _ts("2025-01-01 09:00"),
                    _ts("2025-03-07 17:00"),
                    _ts("2025-01-01 09:00"),
                ],
            )
        for cid, contact, channel, inbox, opened, seconds, business in CONVERSATIONS:
            opened_at = _ts(opened)
            answered = opened_at + timedelta(seconds=seconds) if seconds is not None else None
            con.execute(
                "insert into marts.fct_conversations values "
                "(?, ?, ?, ?, ?, ?, ?, ?, null, null, 'op1', ['sales'], 1, ?, 0, false)",
                [
                    cid,
                    contact,
                    channel,
                    inbox,
                    opened_at,
                    answered,
                    seconds,
                    business,
                    0 if answered is None else 1,
                ],
            )
        for mid, conv, channel, direction, sender, sent in MESSAGES:
            con.execute(
                "insert into marts.fct_messages values "
                "(?, 'c01', ?, ?, ?, ?, null, ?, 'text', 'ciao', 'delivered', null, null, false)",
                [mid, conv, channel, direction, sender, _ts(sent)],
            )
        con.executemany(
            "insert into marts.fct_campaign_sends values "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            CAMPAIGN_SENDS,
        )
        _segments(con)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def _segments(con: duckdb.DuckDBPyConnection) -> None:
    evaluated = _ts("2025-03-06 09:00")
    con.executemany(
        "insert into segments.segment_catalog values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("repurchase_due", "Customers due to reorder.", "marketing", "marketing", "whatsapp",
             "first_name", "contact_id,first_name", "segments.repurchase_due",
             "models/segments/repurchase_due.sql", "models/segments/repurchase_due.yml", 3, evaluated, evaluated),
            ("vip_customers", "Customers with many orders.", "support", "service", None,
             "orders", "contact_id,orders", "segments.vip_customers",
             "models/segments/vip_customers.sql", "models/segments/vip_customers.yml", 2, evaluated, evaluated),
        ],
    )  # fmt: skip
    con.executemany(
        "insert into segments.segment_sizes_daily values (?, ?, ?, ?, ?)",
        [
            ("repurchase_due", _ts("2025-03-05 00:00").date(), 2, 2, 0),
            ("repurchase_due", _ts("2025-03-06 00:00").date(), 3, 1, 0),
            ("vip_customers", _ts("2025-03-06 00:00").date(), 2, 2, 0),
        ],
    )
    con.executemany(
        "insert into segments.segment_overlap values (?, ?, ?, ?, ?, ?)",
        [("repurchase_due", "vip_customers", 3, 2, 1, 0.25), ("vip_customers", "repurchase_due", 2, 3, 1, 0.25)],
    )
