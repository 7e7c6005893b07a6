"""Data-layer cases from real shops and inboxes, through the real path (landing files in
the sources' own formats → ingest → dbt build → public marts).

Every input is written here by hand in the format the real system sends (Shopify Admin
REST orders, HubSpot CRM v3 objects, WhatsApp Cloud API webhook bodies, the canonical
import of FORMATS.md), never by the demo generator. All cases share one landing and one
dbt build (module-scoped fixture `warehouse`); their identifiers are disjoint, and each
case's files are named `caseN-*` so a test can check that none of its records was
quarantined before looking at the marts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import duckdb
import phonenumbers
import pytest

from pipelines.landing import write_jsonl
from pipelines.settings import Paths
from tests.built_warehouse import built_warehouse

AS_OF = "2026-03-31 00:00:00"


def utc(text: str) -> datetime:
    """An ISO-8601 time with offset as the naive UTC timestamp the warehouse stores."""
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def unix(text: str) -> str:
    """WhatsApp timestamps: a string of Unix seconds."""
    return str(int(datetime.fromisoformat(text).timestamp()))


# --- Shopify Admin REST orders ------------------------------------------------------


def shopify_order(
    order_id: int,
    at: str,
    customer: dict,
    *,
    email: str | None = None,
    phone: str | None = None,
    billing_phone: str | None = None,
    accepts_marketing: bool = False,
    title: str = "Omega 3 Forte 60 capsule",
) -> dict:
    """An order as GET /admin/api/2024-10/orders.json returns it (the fields we read and
    their neighbours). Without an e-mail Shopify sends `"email": ""`."""
    order = {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{order_id % 10000}",
        "order_number": order_id % 10000,
        "email": email or "",
        "contact_email": email,
        "phone": phone,
        "created_at": at,
        "updated_at": at,
        "processed_at": at,
        "cancelled_at": None,
        "cancel_reason": None,
        "currency": "EUR",
        "presentment_currency": "EUR",
        "total_price": "39.90",
        "subtotal_price": "32.70",
        "total_tax": "7.20",
        "financial_status": "paid",
        "fulfillment_status": None,
        "buyer_accepts_marketing": accepts_marketing,
        "tags": "",
        "test": False,
        "checkout_token": f"ct{order_id}",
        "cart_token": None,
        "source_name": "web",
        "line_items": [
            {
                "id": order_id * 10 + 1,
                "title": title,
                "quantity": 1,
                "price": "39.90",
                "sku": "VIT-OM3-60",
                "vendor": "Vitalis",
            }
        ],
        "customer": customer,
    }
    if billing_phone is not None:
        order["billing_address"] = {
            "first_name": customer.get("first_name"),
            "last_name": customer.get("last_name"),
            "address1": "Via Torino 12",
            "city": "Milano",
            "zip": "20123",
            "country_code": "IT",
            "phone": billing_phone,
        }
    return order


def shop_customer(customer_id: int, first: str, last: str, email: str | None = None) -> dict:
    """The `customer` of an order (a customer with no e-mail and no phone is common for
    orders entered at the counter or imported from a marketplace)."""
    return {
        "id": customer_id,
        "admin_graphql_api_id": f"gid://shopify/Customer/{customer_id}",
        "email": email,
        "phone": None,
        "first_name": first,
        "last_name": last,
        "state": "enabled" if email else "disabled",
        "verified_email": bool(email),
        "currency": "EUR",
        "tags": "",
        "created_at": "2025-11-20T09:00:00+01:00",
        "updated_at": "2026-03-01T09:00:00+01:00",
    }


# case 1: customers known only by customer.id
PAOLO = shop_customer(6940091514001, "Paolo", "Conti")
ELENA = shop_customer(6940091514002, "Elena", "Russo")
SOFIA = shop_customer(6940091514003, "Sofia", "Greco")
CASE1_ORDERS = [
    shopify_order(5810000001001, "2026-01-05T10:00:00+01:00", PAOLO),
    shopify_order(5810000001002, "2026-01-20T18:30:00+01:00", PAOLO),  # 15 days after
    shopify_order(5810000001003, "2026-02-25T09:15:00+01:00", PAOLO),  # 36 days after
    shopify_order(5810000001004, "2025-12-01T12:00:00+01:00", ELENA),
    shopify_order(5810000001005, "2026-01-10T12:00:00+01:00", ELENA),  # 40 days after
    shopify_order(5810000001006, "2026-03-20T16:00:00+01:00", ELENA),  # 69 days after; newest order
    # she ticked "accept marketing"; 27 whole days before AS_OF
    shopify_order(5810000001007, "2026-03-03T11:00:00+01:00", SOFIA, accepts_marketing=True, title="Magnesio"),
]

# case 5: a phone number written on the orders of 4 different customers
SHARED_LANDLINE = "02 8901 2345"  # another shop's landline, not in inboxes.csv
SHARED_LANDLINE_E164 = "+390289012345"
VITALIS_LANDLINE = "+39 02 3025 0606"  # vitalis-shop's own line (inboxes.csv)
CASE5A_CUSTOMERS = [
    (6940091515001, "Luisa", "Ferrari", "luisa.ferrari@example.it"),
    (6940091515002, "Davide", "Romano", "davide.romano@example.it"),
    (6940091515003, "Irene", "Colombo", "irene.colombo@example.it"),
    (6940091515004, "Matteo", "Ricci", "matteo.ricci@example.it"),
]
CASE5B_CUSTOMERS = [
    (6940091516001, "Giorgio", "Marino", "giorgio.marino@example.it"),
    (6940091516002, "Alessia", "Bruno", "alessia.bruno@example.it"),
    (6940091516003, "Nicola", "Gallo", "nicola.gallo@example.it"),
    (6940091516004, "Serena", "Costa", "serena.costa@example.it"),
]
CASE5A_ORDERS = [
    shopify_order(
        5810000005001 + i,
        f"2026-02-1{i}T15:00:00+01:00",
        shop_customer(cid, first, last, email),
        email=email,
        phone=SHARED_LANDLINE,  # the shop typed its own number where the customer left none
    )
    for i, (cid, first, last, email) in enumerate(CASE5A_CUSTOMERS)
]
CASE5B_ORDERS = [
    shopify_order(
        5810000006001 + i,
        f"2026-02-1{i}T16:00:00+01:00",
        shop_customer(cid, first, last, email),
        email=email,
        billing_phone=VITALIS_LANDLINE,
    )
    for i, (cid, first, last, email) in enumerate(CASE5B_CUSTOMERS)
]

# --- canonical import (case 2) --------------------------------------------------------

MARTA = "marta.galli@example.it"
CASE2_ROWS = [
    # a Freshdesk export: two tickets of the same customer, opened three minutes apart
    {
        "message_id": "fd-7001",
        "channel": "email",
        "direction": "inbound",
        "sender_type": "customer",
        "operator_id": "",
        "contact_email": MARTA,
        "contact_phone": "",
        "contact_name": "Marta Galli",
        "conversation_ref": "FD-5001",
        "sent_at": "2026-03-05T10:00:00+01:00",
        "body": "Buongiorno, il mio ordine #1042 non è ancora arrivato",
        "source": "freshdesk",
    },
    {
        "message_id": "fd-7002",
        "channel": "email",
        "direction": "inbound",
        "sender_type": "customer",
        "operator_id": "",
        "contact_email": MARTA,
        "contact_phone": "",
        "contact_name": "Marta Galli",
        "conversation_ref": "FD-5002",
        "sent_at": "2026-03-05T10:03:00+01:00",
        "body": "Altra cosa: vorrei cambiare l'indirizzo di fatturazione, grazie",
        "source": "freshdesk",
    },
    {
        "message_id": "fd-7003",
        "channel": "email",
        "direction": "outbound",
        "sender_type": "operator",
        "operator_id": "laura.fontana",
        "contact_email": MARTA,
        "contact_phone": "",
        "contact_name": "Marta Galli",
        "conversation_ref": "FD-5002",
        "sent_at": "2026-03-05T10:05:15+01:00",
        "body": "Fatto, l'indirizzo è aggiornato",
        "source": "freshdesk",
    },
    {
        "message_id": "fd-7004",
        "channel": "email",
        "direction": "outbound",
        "sender_type": "operator",
        "operator_id": "laura.fontana",
        "contact_email": MARTA,
        "contact_phone": "",
        "contact_name": "Marta Galli",
        "conversation_ref": "FD-5001",
        "sent_at": "2026-03-05T10:07:30+01:00",
        "body": "Il corriere lo consegna domani mattina",
        "source": "freshdesk",
    },
    # a WhatsApp history exported from another inbox tool
    {
        "message_id": "trengo-88-1",
        "channel": "whatsapp",
        "direction": "inbound",
        "sender_type": "customer",
        "operator_id": "",
        "contact_email": "",
        "contact_phone": "+39 349 555 0101",
        "contact_name": "Pietro Villa",
        "conversation_ref": "trengo-ticket-88",
        "sent_at": "2026-03-05T11:00:00+01:00",
        "body": "Avete ancora la vitamina D in gocce?",
        "source": "trengo",
    },
    {
        "message_id": "trengo-88-2",
        "channel": "whatsapp",
        "direction": "outbound",
        "sender_type": "operator",
        "operator_id": "laura.fontana",
        "contact_email": "",
        "contact_phone": "+39 349 555 0101",
        "contact_name": "Pietro Villa",
        "conversation_ref": "trengo-ticket-88",
        "sent_at": "2026-03-05T11:20:00+01:00",
        "body": "Sì, la spediamo oggi stesso",
        "source": "trengo",
    },
]


def canonical_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


# --- WhatsApp Cloud API webhook bodies -----------------------------------------------


def whatsapp_inbound(
    waba_id: str, phone_number_id: str, display: str, wa_id: str, name: str, wamid: str, at: str, body: str
) -> dict:
    """One inbound text message, as Meta posts it to the webhook."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": waba_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": display, "phone_number_id": phone_number_id},
                            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                            "messages": [
                                {
                                    "from": wa_id,
                                    "id": wamid,
                                    "timestamp": unix(at),
                                    "type": "text",
                                    "text": {"body": body},
                                }
                            ],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


# case 3: a number the business added in Meta but nobody added to inboxes.csv
UNCONFIGURED_PNID = "109999000000001"
CASE3_WAMID = "wamid.HBgMMzkzMzU2NjY3Nzg4FQIAEhgUM0FDQVNFMy1VTkNPTkZJR1VSRUQA"
CASE3_AT = "2026-03-12T08:30:00+00:00"
CASE3_BODY = whatsapp_inbound(
    "102290129349999",
    UNCONFIGURED_PNID,
    "390245678900",
    "393356667788",
    "Federica Gallo",
    CASE3_WAMID,
    CASE3_AT,
    "Buongiorno, siete aperti sabato?",
)

# case 4: a wa_id that libphonenumber (9.0.x) calls invalid: +39 300 is not an assigned
# Italian mobile range in its metadata, yet WhatsApp delivered the message from it
INVALID_WA_ID = "393001234567"
CASE4_WAMID = "wamid.HBgMMzkzMDAxMjM0NTY3FQIAEhgUM0FDQVNFNC1JTlZBTElELU5VTUJFUgA="
CASE4_BODY = whatsapp_inbound(
    "102290129340001",  # arredi-navigli (inboxes.csv)
    "106540352242001",
    "390289730101",
    INVALID_WA_ID,
    "Sara Marino",
    CASE4_WAMID,
    "2026-03-13T09:45:00+00:00",
    "Buongiorno, è arrivato il preventivo per la cucina?",
)

# case 6: Meta's "errors" messages webhook: a system- or app-level problem, no message
CASE6_PNID = "106540352242002"  # palestra-fisiofit (inboxes.csv)
CASE6_BODY = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "102290129340002",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "390519840202", "phone_number_id": CASE6_PNID},
                        "errors": [
                            {
                                "code": 131000,
                                "title": "Something went wrong",
                                "message": "Something went wrong",
                                "error_data": {"details": "Unsupported webhook payload"},
                                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# --- HubSpot CRM v3 objects ------------------------------------------------------------


def hubspot_contact(contact_id: str, first: str, last: str, email: str, phone: str, at: str) -> dict:
    """A contact as GET /crm/v3/objects/contacts?properties=... returns it."""
    return {
        "id": contact_id,
        "properties": {
            "createdate": at,
            "email": email,
            "firstname": first,
            "hs_object_id": contact_id,
            "lastmodifieddate": at,
            "lastname": last,
            "phone": phone,
            "mobilephone": None,
            "lifecyclestage": "lead",
        },
        "createdAt": at,
        "updatedAt": at,
        "archived": False,
    }


CASE4_CRM_ID = "90210"
CASE4_DEAL_ID = "31001"
CASE4_CONTACT = hubspot_contact(
    CASE4_CRM_ID, "Sara", "Marino", "sara.marino@example.it", "+39 300 123 4567", "2026-03-02T14:00:00.000Z"
)
CASE4_DEAL = {
    "id": CASE4_DEAL_ID,
    "properties": {
        "amount": "8500",
        "closedate": "2026-04-30T00:00:00.000Z",
        "createdate": "2026-03-02T14:05:00.000Z",
        "dealname": "Cucina su misura Marino",
        "dealstage": "appointmentscheduled",
        "hs_lastmodifieddate": "2026-03-02T14:05:00.000Z",
        "hs_object_id": CASE4_DEAL_ID,
        "pipeline": "default",
    },
    "createdAt": "2026-03-02T14:05:00.000Z",
    "updatedAt": "2026-03-02T14:05:00.000Z",
    "archived": False,
    "associations": {"contacts": {"results": [{"id": CASE4_CRM_ID, "type": "deal_to_contact"}]}},
}

CASE7_EMAIL = "chiara.ferri@example.it"
CASE7_CONTACT = hubspot_contact("90211", "Chiara", "Ferri", CASE7_EMAIL, "+39 328 444 5566", "2026-02-20T10:30:00.000Z")


# --- one landing, one build ----------------------------------------------------------


def land(home: Paths) -> None:
    landing = home.landing
    write_jsonl(landing / "shopify" / "orders" / "2026-03-21" / "case1-customer-id-only.jsonl", CASE1_ORDERS)
    write_jsonl(landing / "shopify" / "orders" / "2026-03-21" / "case5-shared-phone.jsonl", CASE5A_ORDERS)
    write_jsonl(landing / "shopify" / "orders" / "2026-03-21" / "case5-business-phone.jsonl", CASE5B_ORDERS)
    canonical = landing / "canonical" / "2026-03-06" / "case2-helpdesk-export.csv"
    canonical.parent.mkdir(parents=True, exist_ok=True)
    canonical.write_text(canonical_csv(CASE2_ROWS), encoding="utf-8")
    write_jsonl(landing / "whatsapp" / "2026-03-12" / "case3-recv.jsonl", [CASE3_BODY])
    write_jsonl(landing / "whatsapp" / "2026-03-13" / "case4-recv.jsonl", [CASE4_BODY])
    write_jsonl(landing / "hubspot" / "contacts" / "2026-03-13" / "case4-page-1.jsonl", [CASE4_CONTACT])
    write_jsonl(landing / "hubspot" / "deals" / "2026-03-13" / "case4-page-1.jsonl", [CASE4_DEAL])
    write_jsonl(landing / "whatsapp" / "2026-03-14" / "case6-recv.jsonl", [CASE6_BODY])
    write_jsonl(landing / "hubspot" / "contacts" / "2026-03-14" / "case7-page-1.jsonl", [CASE7_CONTACT])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    with built_warehouse(tmp_path_factory.mktemp("data_layer_cases"), land, AS_OF) as con:
        yield con


def assert_nothing_rejected(con: duckdb.DuckDBPyConnection, case: str) -> None:
    rows = con.execute(
        "select file, line_no, reason from raw.rejected_records where file like ?", [f"%/{case}-%"]
    ).fetchall()
    assert rows == [], f"the {case} input itself was quarantined: {rows}"


def health_rows(con: duckdb.DuckDBPyConnection, check_name: str) -> list[tuple[str, int]]:
    return con.execute("select subject, records from marts.data_health where check_name = ?", [check_name]).fetchall()


def contact_of_email(con: duckdb.DuckDBPyConnection, email: str) -> str:
    rows = con.execute("select contact_id from marts.dim_contacts where email = ?", [email]).fetchall()
    assert len(rows) == 1, f"{email}: {rows}"
    return rows[0][0]


# --- the cases -------------------------------------------------------------------------


def repurchase_by_customer(orders: list[dict]) -> dict[int, tuple[int, int, float]]:
    """kpi_repurchase computed here, independently, on the landed orders: a person is a
    Shopify customer id (every landed order has a distinct-per-person one)."""
    placed = [(o["customer"]["id"], utc(o["created_at"])) for o in orders]
    newest = max(at for _, at in placed)
    result = {}
    for days in (30, 60, 90):
        window = timedelta(days=days)
        eligible = [(who, at) for who, at in placed if at <= newest - window]
        repurchased = sum(
            1 for who, at in eligible if any(w == who and at < later <= at + window for w, later in placed)
        )
        if eligible:
            result[days] = (len(eligible), repurchased, repurchased / len(eligible))
    return result


def test_orders_known_only_by_shopify_customer_id(warehouse):
    """A shop whose orders come from the counter and a marketplace: Shopify names the
    customer only by `customer.id` (no e-mail, no phone anywhere on the order). Each
    order still belongs to a contact, one per customer id; repurchase rates count
    them, and a customer who ticked "accept marketing" is due for the reminder."""
    con = warehouse
    assert_nothing_rejected(con, "case1")
    ids = [str(o["id"]) for o in CASE1_ORDERS]
    contacts = dict(
        con.execute(
            "select order_id, contact_id from marts.fct_orders where order_id in (select unnest(?))", [ids]
        ).fetchall()
    )
    assert sorted(contacts) == sorted(ids)
    assert all(contacts[i] is not None for i in ids), f"orders without a contact: {contacts}"
    paolo = {contacts[i] for i in ids[0:3]}
    elena = {contacts[i] for i in ids[3:6]}
    sofia = {contacts[ids[6]]}
    assert len(paolo) == len(elena) == 1, "the orders of one customer id are one contact"
    assert len(paolo | elena | sofia) == 3, "different customer ids are different contacts"

    # the repurchase rate over every order of the build (cases 1 and 5: all have a
    # contact), computed independently
    expected = repurchase_by_customer(CASE1_ORDERS + CASE5A_ORDERS + CASE5B_ORDERS)
    assert expected[90] == (1, 1, 1.0) and expected[60] == (3, 2, 2 / 3)  # the input is as intended
    kpi = {
        days: (eligible, repurchased, rate)
        for days, eligible, repurchased, rate in con.execute(
            "select window_days, eligible_orders, repurchased_orders, repurchase_rate from marts.kpi_repurchase"
        ).fetchall()
    }
    assert kpi.keys() == expected.keys()
    for days, (eligible, repurchased, rate) in expected.items():
        assert kpi[days][:2] == (eligible, repurchased), f"window {days}: {kpi[days]} != {expected[days]}"
        assert kpi[days][2] == pytest.approx(rate)

    # Sofia's only order, with marketing accepted, was 27 whole days before as_of
    due = con.execute("select contact_id, last_order_id, days_since_last_order from segments.repurchase_due").fetchall()
    assert due == [(contacts[ids[6]], ids[6], 27)]


def test_canonical_import_by_channel_and_conversation_ref(warehouse):
    """A help-desk history exported from Freshdesk (and a WhatsApp history from
    Trengo) through the canonical import, with no inbox_id column: the rows say their
    `channel` and `conversation_ref`. Two tickets of the same customer opened three
    minutes apart are two conversations, each with its own first response."""
    con = warehouse
    assert_nothing_rejected(con, "case2")
    ids = [row["message_id"] for row in CASE2_ROWS]
    messages = {
        row[0]: row[1:]
        for row in con.execute(
            "select message_id, channel, contact_id, conversation_id from marts.fct_messages"
            " where message_id in (select unnest(?))",
            [ids],
        ).fetchall()
    }
    assert sorted(messages) == sorted(ids)
    assert {m: messages[m][0] for m in ids} == {
        "fd-7001": "email",
        "fd-7002": "email",
        "fd-7003": "email",
        "fd-7004": "email",
        "trengo-88-1": "whatsapp",
        "trengo-88-2": "whatsapp",
    }
    marta = messages["fd-7001"][1]
    assert marta is not None and {messages[m][1] for m in ids[:4]} == {marta}

    # a ticket's messages are one conversation; the two tickets are two
    ticket_1 = {messages["fd-7001"][2], messages["fd-7004"][2]}
    ticket_2 = {messages["fd-7002"][2], messages["fd-7003"][2]}
    assert len(ticket_1) == len(ticket_2) == 1 and None not in ticket_1 | ticket_2, messages
    assert ticket_1 != ticket_2, "two conversation_ref values are two conversations"

    conversations = con.execute(
        "select opened_at, first_response_at, first_response_seconds, inbound_count, outbound_count"
        " from marts.fct_conversations where contact_id = ? order by opened_at",
        [marta],
    ).fetchall()
    assert conversations == [
        # FD-5001: written 10:00:00, answered 10:07:30 (Rome)
        (utc("2026-03-05T10:00:00+01:00"), utc("2026-03-05T10:07:30+01:00"), 450, 1, 1),
        # FD-5002: written 10:03:00, answered 10:05:15 (Rome)
        (utc("2026-03-05T10:03:00+01:00"), utc("2026-03-05T10:05:15+01:00"), 135, 1, 1),
    ]

    pietro = messages["trengo-88-1"][1]
    assert pietro is not None and messages["trengo-88-2"][1] == pietro
    assert con.execute(
        "select channel, first_response_seconds from marts.fct_conversations where contact_id = ?", [pietro]
    ).fetchall() == [("whatsapp", 1200)]


def test_whatsapp_number_not_in_inboxes_seed(warehouse):
    """The business added a second WhatsApp number in Meta's WhatsApp Manager and the
    webhook delivers its messages, but nobody added the number to inboxes.csv. Its
    messages are still WhatsApp messages of a contact in a conversation, and the gap in
    the configuration shows up in data_health."""
    con = warehouse
    assert_nothing_rejected(con, "case3")
    rows = con.execute(
        "select channel, contact_id, conversation_id, direction, sent_at from marts.fct_messages where message_id = ?",
        [CASE3_WAMID],
    ).fetchall()
    assert len(rows) == 1
    channel, contact_id, conversation_id, direction, sent_at = rows[0]
    assert (channel, direction, sent_at) == ("whatsapp", "inbound", utc(CASE3_AT))
    assert contact_id is not None
    assert conversation_id is not None
    conversation = con.execute(
        "select contact_id, opened_at, inbound_count, first_response_at from marts.fct_conversations"
        " where conversation_id = ?",
        [conversation_id],
    ).fetchall()
    assert conversation == [(contact_id, utc(CASE3_AT), 1, None)]

    unconfigured = health_rows(con, "unconfigured_inbox")
    assert any(UNCONFIGURED_PNID in subject and records >= 1 for subject, records in unconfigured), unconfigured


def test_whatsapp_number_phonenumbers_calls_invalid(warehouse):
    """A customer writes on WhatsApp from +39 300 123 4567, a range libphonenumber does
    not know (so it calls the number invalid), while WhatsApp delivered the message
    from it. The CRM has the same number typed "+39 300 123 4567" on her HubSpot
    contact, with a deal. The message has a contact, and it is the CRM contact's."""
    assert not phonenumbers.is_valid_number(phonenumbers.parse("+" + INVALID_WA_ID))
    con = warehouse
    assert_nothing_rejected(con, "case4")
    rows = con.execute("select contact_id from marts.fct_messages where message_id = ?", [CASE4_WAMID]).fetchall()
    assert len(rows) == 1
    contact_id = rows[0][0]
    assert contact_id is not None, "a message WhatsApp delivered has a contact"

    crm = con.execute(
        "select distinct contact_id from marts.fct_timeline where source = 'hubspot' and ref_id = ?",
        [CASE4_DEAL_ID],
    ).fetchall()
    assert crm == [(contact_id,)], "the HubSpot contact with the same number is the same contact"
    assert contact_of_email(con, "sara.marino@example.it") == contact_id


def test_phone_number_written_on_orders_of_many_customers(warehouse):
    """Staff type a shop's number as the phone of customers who gave none. (a) A number
    on the orders of 4 customers (4 customer ids, 4 e-mails) that is no inbox of ours:
    it links nobody, each order keeps its customer's contact, and the number is listed
    as a suspected shared identifier. (b) vitalis-shop's own line (inboxes.csv), typed
    as Shopify shows it: each order still has its customer's contact."""
    con = warehouse
    assert_nothing_rejected(con, "case5")
    shared = dict(
        con.execute(
            "select order_id, contact_id from marts.fct_orders where order_id in (select unnest(?))",
            [[str(o["id"]) for o in CASE5A_ORDERS]],
        ).fetchall()
    )
    assert len(shared) == 4
    assert len(set(shared.values())) == 4, f"a shared phone merged customers: {shared}"
    for order in CASE5A_ORDERS:
        assert shared[str(order["id"])] == contact_of_email(con, order["email"])

    suspects = [row[0] for row in con.execute("select node from marts.suspected_shared_identifiers").fetchall()]
    assert f"phone:{SHARED_LANDLINE_E164}" in suspects
    flagged = health_rows(con, "suspected_shared_identifier")
    assert any(SHARED_LANDLINE_E164[1:] in subject and records >= 1 for subject, records in flagged), flagged

    business = dict(
        con.execute(
            "select order_id, contact_id from marts.fct_orders where order_id in (select unnest(?))",
            [[str(o["id"]) for o in CASE5B_ORDERS]],
        ).fetchall()
    )
    assert len(business) == 4
    for order in CASE5B_ORDERS:
        got = business[str(order["id"])]
        assert got is not None, f"order {order['id']} lost its contact to the shop's own number"
        assert got == contact_of_email(con, order["email"])
    assert len(set(business.values())) == 4


def test_whatsapp_webhook_value_errors(warehouse):
    """Meta posts an "errors" messages webhook: `value.errors` with no message (a
    system- or app-level problem kept the update from being delivered). It is a fact
    to see, not noise: it lands in fct_webhook_errors and in data_health."""
    con = warehouse
    assert_nothing_rejected(con, "case6")
    rows = con.execute(
        "select error_code, error_title, phone_number_id, occurred_at from marts.fct_webhook_errors"
        " where phone_number_id = ?",
        [CASE6_PNID],
    ).fetchall()
    assert len(rows) == 1, rows
    error_code, error_title, phone_number_id, occurred_at = rows[0]
    assert (error_code, error_title, phone_number_id) == (131000, "Something went wrong", CASE6_PNID)
    assert isinstance(occurred_at, datetime)
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'fct_webhook_errors'"
        ).fetchall()
    )
    assert types["error_code"] in ("INTEGER", "BIGINT")
    assert types["occurred_at"].startswith("TIMESTAMP")

    errors = health_rows(con, "webhook_error")
    assert errors and all(records >= 1 for _, records in errors), errors


def test_crm_contact_seen_nowhere_else_has_its_name(warehouse):
    """A lead entered in HubSpot (firstname, lastname, e-mail, phone) who has not yet
    written or ordered anywhere: the contact list shows her name."""
    con = warehouse
    assert_nothing_rejected(con, "case7")
    rows = con.execute("select display_name from marts.dim_contacts where email = ?", [CASE7_EMAIL]).fetchall()
    assert rows == [("Chiara Ferri",)]
