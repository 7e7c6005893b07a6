"""Issue 10's "done when" for consent, through the real path (landing files as the
receiver and the Shopify connector write them → ingest → dbt build → segments).

Three customers of a shop, each with an order 30 days before the builds (so they are
due to repurchase) and a WhatsApp marketing "resume" (an explicit opt-in; Anna, who
never opts out, shows that this makes them members). At 10:00 UTC
Giulia writes "STOP", Marco "Basta messaggi grazie", and Anna "basta così grazie, va
bene l'ordine" (no opt-out). Built at 10:05, Giulia and Marco are in no segment whose
YAML says `meta.purpose: marketing` (read from dbt's manifest, so segments added later
are covered too); Anna still is. Then a checkout tick (Giulia) and an order with
"accept marketing" (Marco) after the STOP leave them out; then Giulia's "START" and
Marco's user_preferences resume bring their consent back.

Every input is written by hand in the source's own format: Cloud API webhook bodies
(messages and user_preferences), Shopify Admin REST orders and abandoned checkouts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.settings import DBT_PROJECT_DIR, Paths, paths
from pipelines.transform.build import dbt
from pipelines.warehouse import connect

WABA_ID = "102290129340001"
PHONE_NUMBER_ID = "106540352242001"  # arredi-navigli in models/seeds/inboxes.csv
DISPLAY_NUMBER = "390289730101"

GIULIA = {"wa_id": "393471112201", "name": "Giulia Rossi", "customer_id": 7940091514201}
MARCO = {"wa_id": "393471112202", "name": "Marco Bianchi", "customer_id": 7940091514202}
ANNA = {"wa_id": "393471112203", "name": "Anna Verdi", "customer_id": 7940091514203}
PEOPLE = (GIULIA, MARCO, ANNA)


def unix(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def _envelope(field: str, value: dict) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": field, "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": PHONE_NUMBER_ID},
            **value,
        }}]}],
    }


def text_message(person: dict, wamid: str, at: str, body: str) -> dict:
    """An inbound text message webhook, as the Cloud API posts it."""
    return _envelope("messages", {
        "contacts": [{"profile": {"name": person["name"]}, "wa_id": person["wa_id"]}],
        "messages": [{
            "from": person["wa_id"], "id": wamid, "timestamp": str(unix(at)),
            "type": "text", "text": {"body": body},
        }],
    })


def marketing_preference(person: dict, at: str, value: str) -> dict:
    """A user_preferences webhook (the user stopped or resumed marketing messages)."""
    detail = {"resume": "User requested to resume marketing messages",
              "stop": "User requested to stop marketing messages"}[value]
    return _envelope("user_preferences", {
        "contacts": [{"profile": {"name": person["name"]}, "wa_id": person["wa_id"]}],
        "user_preferences": [{
            "wa_id": person["wa_id"], "detail": detail, "category": "marketing_messages",
            "value": value, "timestamp": unix(at),
        }],
    })


def _customer(person: dict) -> dict:
    first, last = person["name"].split()
    return {
        "id": person["customer_id"], "email": None, "phone": None,
        "first_name": first, "last_name": last, "state": "disabled",
        "created_at": "2026-01-10T09:00:00+01:00", "updated_at": "2026-10-25T11:00:00+01:00",
    }


def _phone(person: dict) -> str:
    digits = person["wa_id"]
    return f"+39 {digits[2:5]} {digits[5:8]} {digits[8:]}"


def shopify_order(person: dict, order_id: int, at: str, accepts_marketing: bool) -> dict:
    """An order as GET /admin/api/2024-10/orders.json returns it (the fields we read)."""
    return {
        "id": order_id, "name": f"#{order_id % 10000}", "email": "", "phone": _phone(person),
        "created_at": at, "updated_at": at, "processed_at": at, "cancelled_at": None,
        "currency": "EUR", "total_price": "39.90", "subtotal_price": "32.70", "total_tax": "7.20",
        "financial_status": "paid", "fulfillment_status": None,
        "buyer_accepts_marketing": accepts_marketing, "test": False,
        "line_items": [{"id": order_id * 10, "title": "Omega 3 Forte", "quantity": 1, "price": "39.90"}],
        "customer": _customer(person),
    }


def abandoned_checkout(person: dict, checkout_id: int, at: str) -> dict:
    """An abandoned checkout (checkouts.json) whose buyer ticked "accept marketing"."""
    return {
        "id": checkout_id, "token": f"tok{checkout_id}", "cart_token": f"cart{checkout_id}",
        "email": None, "phone": _phone(person), "created_at": at, "updated_at": at,
        "completed_at": None, "currency": "EUR", "total_price": "24.50",
        "buyer_accepts_marketing": True,
        "abandoned_checkout_url": f"https://shop.example/checkouts/{checkout_id}/recover",
        "line_items": [{"title": "Magnesio", "quantity": 1, "price": "24.50"}],
        "customer": _customer(person),
    }


def hubspot_contact(person: dict, crm_id: str, at: str, properties: dict[str, str]) -> dict:
    """A contact as GET /crm/v3/objects/contacts returns it (property values are strings)."""
    first, last = person["name"].split()
    return {
        "id": crm_id,
        "properties": {"firstname": first, "lastname": last, "phone": _phone(person),
                       "hs_object_id": crm_id, "lastmodifieddate": at, **properties},
        "createdAt": "2026-06-01T08:00:00.000Z", "updatedAt": at, "archived": False,
    }


def land_webhooks(home: Paths, name: str, bodies: list[dict]) -> None:
    """Bodies as the receiver lands them: one compact JSON body a line, in a day folder."""
    lines = [json.dumps(b, separators=(",", ":")) for b in bodies]
    write_jsonl(home.landing / "whatsapp" / "2026-11-24" / f"recv-test-{name}.jsonl", lines)


def build_at(home: Paths, as_of: str) -> None:
    con = connect(home.warehouse)
    try:
        ingest_all(con, home)
        rejected = con.execute("select count(*) from raw.rejected_records").fetchone()[0]
    finally:
        con.close()
    assert rejected == 0
    # every model and data test (the marketing_consent_granted test of each marketing
    # segment included); the unit tests use no landed data and run elsewhere
    dbt(["build", "--exclude", "test_type:unit"], home.home, {"as_of": as_of})


def marketing_segments() -> list[str]:
    """Every segment model whose YAML meta says purpose: marketing (dbt's manifest)."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith("segments/")
        and (node["config"].get("meta") or {}).get("purpose") == "marketing"
    )


def contact_of(con, person: dict) -> str:
    return con.execute(
        "select contact_id from marts.dim_contacts where phone_e164 = ?", ["+" + person["wa_id"]]
    ).fetchone()[0]


def segment_members(home: Paths) -> dict[str, set[str]]:
    con = connect(home.warehouse)
    try:
        return {
            name: {row[0] for row in con.execute(f'select contact_id from segments."{name}"').fetchall()}
            for name in marketing_segments()
        }
    finally:
        con.close()


def consent_of(home: Paths, person: dict) -> dict[str, object]:
    con = connect(home.warehouse)
    try:
        contact = contact_of(con, person)
        whatsapp = con.execute(
            "select state, source, since from marts.dim_consent "
            "where contact_id = ? and purpose = 'marketing' and channel = 'whatsapp'", [contact]
        ).fetchone()
        email = con.execute(
            "select state from marts.dim_consent "
            "where contact_id = ? and purpose = 'marketing' and channel = 'email'", [contact]
        ).fetchone()
        flag = con.execute(
            "select marketing_consent from marts.dim_contacts where contact_id = ?", [contact]
        ).fetchone()[0]
    finally:
        con.close()
    return {"contact_id": contact, "whatsapp": whatsapp, "email": email and email[0],
            "marketing_consent": flag}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Paths]:
    yield paths(Path(tmp_path_factory.mktemp("consent")) / "home").ensure()


@pytest.fixture(scope="module")
def story(home: Paths) -> dict[str, dict]:
    """The three builds, each step's segments and consent kept for the tests below."""
    steps: dict[str, dict] = {}

    def snapshot(step: str) -> None:
        steps[step] = {
            "segments": segment_members(home),
            **{p["name"]: consent_of(home, p) for p in PEOPLE},
        }

    # 30 days before the builds: an order each, then a WhatsApp opt-in (resume)
    orders = [shopify_order(p, 5910000002000 + i, "2026-10-25T11:00:00+01:00", False)
              for i, p in enumerate(PEOPLE)]
    write_jsonl(home.landing / "shopify" / "orders" / "2026-10-25" / "page-1.jsonl", orders)
    land_webhooks(home, "resume", [marketing_preference(p, "2026-11-01T09:00:00+00:00", "resume")
                                   for p in PEOPLE])
    # Anna: a newsletter form's e-mail checkbox, then an e-mail opt-out in the CRM (which
    # also records her WhatsApp consent, a property the business created)
    form = home.landing / "consent" / "2026-11-20" / "newsletter.csv"
    form.parent.mkdir(parents=True, exist_ok=True)
    form.write_text(
        "submission_id,phone,email,purpose,channel,state,occurred_at,form_name,wording\n"
        f"nl-77,{_phone(ANNA)},,marketing,email,granted,2026-11-20T18:00:00+01:00,newsletter,"
        "\"Iscrivimi alla newsletter\"\n",
        encoding="utf-8",
    )
    write_jsonl(home.landing / "hubspot" / "contacts" / "2026-11-21" / "page-1.jsonl", [
        hubspot_contact(ANNA, "80311", "2026-11-21T09:00:00.000Z", {
            "hs_email_optout": "true",
            "whatsapp_marketing_consent": "granted",
            "whatsapp_marketing_consent_date": "2026-11-02T10:00:00.000Z",
        }),
    ])

    # 10:00 UTC: two opt-outs and a sentence that only looks like one
    land_webhooks(home, "stop", [
        text_message(GIULIA, "wamid.CONSENT.G1", "2026-11-24T10:00:00+00:00", "STOP"),
        text_message(MARCO, "wamid.CONSENT.M1", "2026-11-24T10:00:00+00:00", "Basta messaggi grazie"),
        text_message(ANNA, "wamid.CONSENT.A1", "2026-11-24T10:00:00+00:00",
                     "basta così grazie, va bene l'ordine"),
    ])
    build_at(home, "2026-11-24 10:05:00")
    snapshot("after_stop")

    # 10:30: a checkout tick (Giulia) and an order accepting marketing (Marco)
    write_jsonl(home.landing / "shopify" / "checkouts" / "2026-11-24" / "page-1.jsonl",
                [abandoned_checkout(GIULIA, 39100000001, "2026-11-24T11:30:00+01:00")])
    write_jsonl(home.landing / "shopify" / "orders" / "2026-11-24" / "page-1.jsonl",
                [shopify_order(MARCO, 5910000002100, "2026-11-24T11:30:00+01:00", True)])
    build_at(home, "2026-11-24 10:35:00")
    snapshot("after_tick")

    # 11:00: Giulia writes START; Marco resumes marketing messages in WhatsApp
    land_webhooks(home, "start", [
        text_message(GIULIA, "wamid.CONSENT.G2", "2026-11-24T11:00:00+00:00", "START"),
        marketing_preference(MARCO, "2026-11-24T11:00:00+00:00", "resume"),
    ])
    build_at(home, "2026-11-24 11:05:00")
    snapshot("after_start")
    return steps


def test_there_are_marketing_segments_to_check(story: dict[str, dict]) -> None:
    assert "repurchase_due" in story["after_stop"]["segments"]


@pytest.mark.parametrize("step", ["after_stop", "after_tick"])
def test_stop_and_basta_leave_every_marketing_segment(story: dict[str, dict], step: str) -> None:
    state = story[step]
    for person in (GIULIA, MARCO):
        contact = state[person["name"]]["contact_id"]
        assert state[person["name"]]["marketing_consent"] is False
        assert state[person["name"]]["whatsapp"][0] == "denied"
        for segment, members in state["segments"].items():
            assert contact not in members, f"{person['name']} still in {segment} at {step}"


def test_a_sentence_with_basta_is_no_opt_out(story: dict[str, dict]) -> None:
    anna = story["after_stop"]["Anna Verdi"]
    assert anna["marketing_consent"] is True
    assert anna["contact_id"] in story["after_stop"]["segments"]["repurchase_due"]


def test_an_email_opt_out_leaves_whatsapp_alone(story: dict[str, dict], home: Paths) -> None:
    anna = story["after_stop"]["Anna Verdi"]
    assert anna["email"] == "denied"  # the CRM's hs_email_optout, after the form's checkbox
    assert anna["whatsapp"][:2] == ("granted", "hubspot")  # her latest explicit WhatsApp statement
    con = connect(home.warehouse)
    try:
        events = con.execute(
            "select source, channel, state, evidence from marts.fct_consent_events "
            "where contact_id = ? and source in ('form', 'hubspot') order by occurred_at",
            [anna["contact_id"]],
        ).fetchall()
    finally:
        con.close()
    assert events == [
        ("hubspot", "whatsapp", "granted", "whatsapp_marketing_consent = granted"),
        ("form", "email", "granted", 'newsletter: granted "Iscrivimi alla newsletter"'),
        ("hubspot", "email", "denied", "hs_email_optout = true"),
    ]


def test_the_stop_is_on_record_with_its_message(story: dict[str, dict], home: Paths) -> None:
    giulia = story["after_stop"]["Giulia Rossi"]
    assert giulia["whatsapp"][1] == "message"
    assert giulia["whatsapp"][2] == datetime(2026, 11, 24, 10, 0, tzinfo=UTC).replace(tzinfo=None)
    con = connect(home.warehouse)
    try:
        rows = con.execute(
            "select state, evidence_record_id, evidence from marts.fct_consent_events "
            "where contact_id = ? and source = 'message'", [giulia["contact_id"]]
        ).fetchall()
        timeline = con.execute(
            "select event_type, channel from marts.fct_timeline "
            "where contact_id = ? and ref_id = 'wamid.CONSENT.G1' and event_type like 'consent%'",
            [giulia["contact_id"]],
        ).fetchall()
    finally:
        con.close()
    assert ("denied", "wamid.CONSENT.G1", '"STOP" (keyword: stop)') in rows
    assert timeline == [("consent_denied", "whatsapp")]


def test_a_tick_after_the_stop_grants_email_not_whatsapp(story: dict[str, dict]) -> None:
    for person in (GIULIA, MARCO):
        state = story["after_tick"][person["name"]]
        assert state["email"] == "granted"
        assert state["whatsapp"][0] == "denied"


def test_an_explicit_opt_in_brings_them_back(story: dict[str, dict]) -> None:
    after = story["after_start"]
    giulia, marco = after["Giulia Rossi"], after["Marco Bianchi"]
    assert giulia["whatsapp"][:2] == ("granted", "message")
    assert giulia["marketing_consent"] is True
    assert giulia["contact_id"] in after["segments"]["repurchase_due"]
    # Marco ordered again at 10:30, so he is not due; his consent is back all the same
    assert marco["whatsapp"][:2] == ("granted", "whatsapp")
    assert marco["marketing_consent"] is True
