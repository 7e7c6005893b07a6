"""Identity resolution through the real path (landing → ingest → dbt build): one person
across WhatsApp, Instagram (linked only by the shared inbox's contact), the CRM and the
shop is one contact; the business's own number links nobody; contact ids survive a
re-run with more data, merges recorded."""

from __future__ import annotations

import duckdb

from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.transform.build import build
from pipelines.warehouse import connect
from tests.test_first_response_known_case import inbound

SHOP_LANDLINE = "+39 02 3025 0606"  # vitalis-shop's own number (inboxes.csv)
SHOP_INSTAGRAM = "17841400000000106"  # vitalis-shop-instagram (inboxes.csv)
GIULIA_IGSID = "990000000000071"  # her Instagram-scoped id: no phone, no e-mail


def instagram_dm(mid: str, at_ms: int, text: str) -> dict:
    return {
        "object": "instagram",
        "entry": [
            {
                "id": SHOP_INSTAGRAM,
                "time": at_ms,
                "messaging": [
                    {
                        "sender": {"id": GIULIA_IGSID},
                        "recipient": {"id": SHOP_INSTAGRAM},
                        "timestamp": at_ms,
                        "message": {"mid": mid, "text": text},
                    }
                ],
            }
        ],
    }


def inbox_contact_links_instagram(contact_id: int, phone: str, igsid: str, at: str) -> dict:
    """An agent adds the Instagram profile to the WhatsApp contact of the shared inbox
    (Chatwoot's contact_updated, as pipelines/demo renders it)."""
    attributes = {"social_profiles": {"instagram": igsid, "facebook": ""}}
    return {
        "event": "contact_updated",
        "account": {"id": 1, "name": "Vitalis"},
        "id": contact_id,
        "name": "Giulia",
        "email": None,
        "phone_number": phone,
        "identifier": None,
        "additional_attributes": attributes,
        "custom_attributes": {},
        "changed_attributes": [
            {"additional_attributes": {"previous_value": {}, "current_value": attributes}},
            {"updated_at": {"previous_value": "2026-03-03T09:00:00.000Z", "current_value": at}},
        ],
    }


def order(order_id: int, customer_id: int, email: str, phone: str | None, at: str) -> dict:
    return {
        "id": order_id,
        "name": f"#{order_id}",
        "email": email,
        "phone": phone,
        "customer": {
            "id": customer_id,
            "email": email,
            "phone": None,
            "first_name": "Giulia",
            "last_name": "Rossi",
        },
        "created_at": at,
        "updated_at": at,
        "currency": "EUR",
        "total_price": "39.90",
        "financial_status": "paid",
        "line_items": [{"title": "Omega 3", "quantity": 1}],
        "buyer_accepts_marketing": True,
        "test": False,
    }


def crm_contact(contact_id: str, email: str, phone: str, at: str) -> dict:
    return {
        "id": contact_id,
        "createdAt": at,
        "updatedAt": at,
        "archived": False,
        "properties": {
            "email": email,
            "phone": phone,
            "firstname": "Giulia",
            "lastname": "Rossi",
            "lastmodifieddate": at,
        },
    }


def run(home) -> duckdb.DuckDBPyConnection:
    con = connect(home.warehouse)
    ingest_all(con, home)
    con.close()
    build(home.home, {"as_of": "2026-03-31 00:00:00"})
    return connect(home.warehouse, read_only=True)


def contact_of(con, node: str) -> str | None:
    row = con.execute(
        "select contact_id from intermediate.int_contact_ids where node = ?", [node]
    ).fetchone()
    return row[0] if row else None


def test_one_person_across_channels_and_guards(home):
    # Giulia writes on WhatsApp from +39 347 111 2233
    luca_whatsapp = inbound("wamid.l2", "2026-03-10T09:01:00+00:00", "Sono Luca, l'ordine 9002?")
    luca_whatsapp["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = "393480000009"
    luca_whatsapp["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = "393480000009"
    write_jsonl(
        home.landing / "whatsapp" / "d" / "a.jsonl",
        [
            inbound("wamid.g1", "2026-03-03T09:00:00+00:00", "Ciao, avete l'omega 3?"),
            luca_whatsapp,
        ],
    )
    # she also writes to the shop on Instagram, where only her Instagram id is known; an
    # agent of the shared inbox adds that profile to her WhatsApp contact
    write_jsonl(
        home.landing / "instagram" / "d" / "a.jsonl",
        [instagram_dm("ig.g1", 1772787600000, "Avete anche la vitamina D?")],  # 2026-03-06 09:00Z
    )
    write_jsonl(
        home.landing / "chatwoot" / "d" / "contacts.jsonl",
        [inbox_contact_links_instagram(42, "+393471112233", GIULIA_IGSID, "2026-03-06T10:00:00.000Z")],
    )
    # the CRM has her with that phone typed differently and her e-mail
    write_jsonl(
        home.landing / "hubspot" / "contacts" / "a.jsonl",
        [crm_contact("501", " Giulia.Rossi@Example.it ", "347 111 2233", "2026-03-01T10:00:00Z")],
    )
    # she orders on the shop with her e-mail only; two other customers typed the shop's
    # own number as their phone, and a family address is used by two people
    write_jsonl(
        home.landing / "shopify" / "orders" / "a.jsonl",
        [
            order(9001, 71, "giulia.rossi@example.it", None, "2026-03-04T10:00:00+01:00"),
            order(9002, 72, "luca@example.it", SHOP_LANDLINE, "2026-03-05T10:00:00+01:00"),
            order(9003, 73, "anna@example.it", SHOP_LANDLINE, "2026-03-06T10:00:00+01:00"),
            order(
                9004,
                74,
                "famiglia.bianchi@example.it",
                "+39 333 000 0001",
                "2026-03-06T11:00:00+01:00",
            ),
            order(
                9005,
                75,
                "famiglia.bianchi@example.it",
                "+39 333 000 0002",
                "2026-03-06T12:00:00+01:00",
            ),
            order(9006, 76, "info@example.it", None, "2026-03-07T12:00:00+01:00"),
            order(9007, 77, "info@example.it", None, "2026-03-07T13:00:00+01:00"),
        ],
    )
    con = run(home)
    giulia = {
        contact_of(con, n)
        for n in (
            "phone:+393471112233",
            "email:giulia.rossi@example.it",
            "hubspot:501",
            "shopify:71",
            f"instagram:{GIULIA_IGSID}",
            "chatwoot:1:42",
        )
    }
    giulia_messages = dict(
        con.execute(
            "select message_id, contact_id from marts.fct_messages where message_id in ('wamid.g1', 'ig.g1')"
        ).fetchall()
    )
    giulia_channels = {
        r[0]
        for r in con.execute(
            "select distinct channel from marts.fct_timeline"
            " where contact_id = ? and event_type like 'message_%'",
            [giulia_messages.get("wamid.g1")],
        ).fetchall()
    }
    luca, anna = contact_of(con, "email:luca@example.it"), contact_of(con, "email:anna@example.it")
    bianchi = {contact_of(con, "phone:+393330000001"), contact_of(con, "phone:+393330000002")}
    generic = {contact_of(con, "shopify:76"), contact_of(con, "shopify:77")}
    order_contacts = dict(
        con.execute("select order_id, contact_id from marts.fct_orders").fetchall()
    )
    message_contact = con.execute(
        "select contact_id from marts.fct_messages where message_id = 'wamid.g1'"
    ).fetchone()[0]
    first_ids = dict(
        con.execute("select node, contact_id from intermediate.int_contact_ids").fetchall()
    )
    con.close()

    assert len(giulia) == 1 and None not in giulia, "WhatsApp, Instagram, CRM and shop are one person"
    giulia_id = giulia.pop()
    assert order_contacts["9001"] == message_contact == giulia_id
    assert giulia_messages == {"wamid.g1": giulia_id, "ig.g1": giulia_id}
    assert {"whatsapp", "instagram"} <= giulia_channels
    assert luca != anna, "the shop's own number must not merge two customers"
    assert len(bianchi) == 2, "an e-mail shared by two phones links nobody"
    assert len(generic) == 2, "info@ links nobody"

    # more data: in the shared inbox Luca's WhatsApp contact gives his e-mail — his shop
    # contact and his WhatsApp contact merge; nobody else is renamed
    assert first_ids["phone:+393480000009"] != first_ids["email:luca@example.it"]
    write_jsonl(
        home.landing / "chatwoot" / "d" / "c.jsonl",
        [
            {
                "event": "message_created",
                "id": 77,
                "content": "luca@example.it",
                "created_at": "2026-03-10T09:05:00Z",
                "message_type": "incoming",
                "private": False,
                "source_id": "wamid.l3",
                "sender": {
                    "id": 5,
                    "name": "Luca",
                    "phone_number": "+393480000009",
                    "email": "luca@example.it",
                },
                "inbox": {"id": 16, "name": "Vitalis"},
                "account": {"id": 1},
                "conversation": {
                    "id": 900,
                    "inbox_id": 16,
                    "contact_inbox": {"source_id": "393480000009"},
                    "meta": {
                        "sender": {
                            "id": 5,
                            "name": "Luca",
                            "phone_number": "+393480000009",
                            "email": "luca@example.it",
                        }
                    },
                },
            }
        ],
    )
    con = run(home)
    second_ids = dict(
        con.execute("select node, contact_id from intermediate.int_contact_ids").fetchall()
    )
    merges = con.execute(
        "select merged_contact_id, into_contact_id from marts.contact_merges"
    ).fetchall()
    contacts = con.execute("select count(*) from marts.dim_contacts").fetchone()[0]
    con.close()

    giulia_after = {
        second_ids[n]
        for n in ("phone:+393471112233", f"instagram:{GIULIA_IGSID}", "hubspot:501", "shopify:71")
    }
    renamed = {n for n in first_ids if second_ids.get(n) != first_ids[n]}
    assert giulia_after == {giulia_id}, "more data never renames a contact that did not merge"
    assert second_ids["phone:+393480000009"] == second_ids["email:luca@example.it"]
    assert len(merges) == 1
    merged, into = merges[0]
    # the shop contact (seen on 5 March) survives, the WhatsApp one (10 March) merges into it
    assert (merged, into) == (first_ids["phone:+393480000009"], first_ids["email:luca@example.it"])
    # only identifiers of the merged contact moved
    assert {first_ids[n] for n in renamed} <= {merged}
    assert contacts == len(set(second_ids.values()))
