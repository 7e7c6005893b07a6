"""The demo generator writes real-shaped, internally consistent, deterministic landing files."""

from __future__ import annotations

import calendar
import csv
import json
import mailbox
import os
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from pipelines.demo import generate
from pipelines.demo.__main__ import main
from pipelines.settings import DBT_PROJECT_DIR

END = date(2026, 11, 24)
END_TS = calendar.timegm(END.timetuple()) + 86399
ROME = ZoneInfo("Europe/Rome")
# Real webhook bodies collected by pywa (see the folder's README); shapes to conform to.
FIXTURES = Path(os.environ.get("WHATSAPP_FIXTURES", "/work/shared/fixtures/whatsapp-cloud-api"))
with open(DBT_PROJECT_DIR / "seeds" / "inboxes.csv", encoding="utf-8") as _seed:
    INBOXES = list(csv.DictReader(_seed))


# ------------------------------------------------------------------ loading
class Landed:
    def __init__(self, home: Path, counts: dict[str, int]) -> None:
        self.home = home
        self.counts = counts
        landing = home / "landing"
        self.wa_lines: list[str] = []
        self.wa_files: list[Path] = sorted((landing / "whatsapp").rglob("*.jsonl"))
        for path in self.wa_files:
            self.wa_lines.extend(path.read_text(encoding="utf-8").splitlines())
        self.bodies = [json.loads(line) for line in self.wa_lines]
        self.cw_files = sorted((landing / "chatwoot").rglob("*.jsonl"))
        self.cw = [
            json.loads(line)
            for path in self.cw_files
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
        self.order_files = sorted((landing / "shopify" / "orders").glob("*.jsonl"))
        self.orders = [
            json.loads(line)
            for path in self.order_files
            for line in path.read_text(encoding="utf-8").splitlines()
        ]

    def changes(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [
            (entry, change)
            for b in self.bodies
            for entry in b["entry"]
            for change in entry["changes"]
        ]

    def messages(self) -> list[dict[str, Any]]:
        return [m for _, c in self.changes() for m in c["value"].get("messages", [])]

    def statuses(self) -> list[dict[str, Any]]:
        return [s for _, c in self.changes() for s in c["value"].get("statuses", [])]


@pytest.fixture(scope="module")
def defaults(tmp_path_factory: pytest.TempPathFactory) -> Landed:
    home = tmp_path_factory.mktemp("defaults")
    return Landed(home, generate(home, seed=7, contacts=600, days=90, end_date=END))


def _fixture_items(kind: str) -> tuple[set[str], set[str]]:
    """Union of keys of `kind` items (messages/statuses) and of value keys in the fixtures."""
    item_keys: set[str] = set()
    value_keys: set[str] = set()
    for path in FIXTURES.glob("*.json"):
        for body in json.loads(path.read_text(encoding="utf-8")).values():
            for entry in body["entry"]:
                for change in entry["changes"]:
                    value = change["value"]
                    if kind in value:
                        value_keys |= set(value)
                        for item in value[kind]:
                            item_keys |= set(item)
    return item_keys, value_keys


# ------------------------------------------------------------------ determinism
def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    def snapshot(home: Path) -> dict[str, bytes]:
        landing = home / "landing"
        return {
            str(p.relative_to(landing)): p.read_bytes()
            for p in sorted(landing.rglob("*"))
            if p.is_file()
        }

    first, second = tmp_path / "a", tmp_path / "b"
    generate(first, seed=11, contacts=120, days=21, end_date=END)
    generate(second, seed=11, contacts=120, days=21, end_date=END, workers=2)
    assert snapshot(first) == snapshot(second)  # in parallel or not
    assert len(snapshot(first)) > 10
    kinds = {name.split("/")[0] for name in snapshot(first)}
    assert {"instagram", "messenger", "email", "webchat", "calls", "hubspot", "calendar"} <= kinds
    assert {name for name in snapshot(first) if name.startswith("shopify/checkouts/")}
    generate(first, seed=12, contacts=20, days=60, end_date=END)
    assert snapshot(first) != snapshot(second)
    # Re-running overwrites the same names and leaves nothing of the other run behind.
    generate(first, seed=11, contacts=120, days=21, end_date=END)
    assert snapshot(first) == snapshot(second)
    assert not list((first / "landing").rglob("*.part"))


def test_cli_prints_a_one_line_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--seed", "3", "--contacts", "40", "--days", "10", "--end-date", "2026-11-24",
            "--home", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "webhook_events=" in out[0] and "chatwoot_events=" in out[0]
    for kind in (
        "instagram_bodies=",
        "messenger_bodies=",
        "email_messages=",
        "webchat_events=",
        "calls=",
        "hubspot_contact_records=",
        "hubspot_deal_records=",
        "shopify_checkouts=",
        "calendar_events=",
        "chatwoot_contact_links=",
    ):
        assert kind in out[0]
    assert list((tmp_path / "landing" / "whatsapp").rglob("demo-*.jsonl"))


# ------------------------------------------------------------------ WhatsApp shapes
def test_whatsapp_bodies_have_the_envelope_and_keys_the_fixtures_have(defaults: Landed) -> None:
    if not FIXTURES.is_dir():
        pytest.skip(f"no WhatsApp fixtures at {FIXTURES}")
    message_keys, message_value_keys = _fixture_items("messages")
    status_keys, status_value_keys = _fixture_items("statuses")
    pref_keys, pref_value_keys = _fixture_items("user_preferences")
    by_waba = {row["waba_id"]: row for row in INBOXES}
    for body in defaults.bodies:
        assert set(body) == {"object", "entry"} and body["object"] == "whatsapp_business_account"
        for entry in body["entry"]:
            assert set(entry) == {"id", "changes"}
            inbox = by_waba[entry["id"]]
            for change in entry["changes"]:
                assert set(change) == {"value", "field"}
                value = change["value"]
                assert value["messaging_product"] == "whatsapp"
                assert value["metadata"] == {
                    "display_phone_number": inbox["whatsapp_display_phone_number"],
                    "phone_number_id": inbox["whatsapp_phone_number_id"],
                }
                if "messages" in value:
                    assert change["field"] == "messages"
                    assert set(value) <= message_value_keys
                    (contact,) = value["contacts"]
                    assert set(contact) == {"profile", "wa_id"} and contact["profile"]["name"]
                    for message in value["messages"]:
                        assert set(message) <= message_keys
                        assert message["from"] == contact["wa_id"]
                        assert message["id"].startswith("wamid.HBg")
                        assert message["timestamp"].isdigit()
                        assert message["type"] in message
                elif "statuses" in value:
                    assert change["field"] == "messages"
                    assert set(value) <= status_value_keys
                    for status in value["statuses"]:
                        assert set(status) <= status_keys
                        assert status["timestamp"].isdigit()
                        assert status["status"] in {"sent", "delivered", "read", "failed"}
                        assert re.fullmatch(r"\d{10,13}", status["recipient_id"])
                else:
                    assert change["field"] == "user_preferences"
                    assert set(value) <= pref_value_keys
                    for pref in value["user_preferences"]:
                        assert set(pref) <= pref_keys
                        assert isinstance(pref["timestamp"], int)
                        assert pref["category"] == "marketing_messages"
                        assert pref["value"] in {"stop", "resume"}


def test_whatsapp_covers_the_message_kinds_the_pipeline_meets(defaults: Landed) -> None:
    messages = defaults.messages()
    kinds = Counter(m["type"] for m in messages)
    assert kinds["text"] > kinds["interactive"] > 0 and kinds["button"] > 0 and kinds["image"] > 0
    interactive = Counter(m["interactive"]["type"] for m in messages if m["type"] == "interactive")
    assert interactive["button_reply"] > 0 and interactive["list_reply"] > 0
    assert all(m["image"]["caption"] for m in messages if m["type"] == "image")
    buttons = [m for m in messages if m["type"] == "button"]
    assert all(m["context"]["id"].startswith("wamid.") and m["button"]["payload"] for m in buttons)
    referrals = [m["referral"] for m in messages if "referral" in m]
    assert referrals and all(r["source_type"] == "ad" and r["source_id"] for r in referrals)
    assert any("ctwa_clid" in r for r in referrals) and any("ctwa_clid" not in r for r in referrals)
    italian = sum(m["from"].startswith("39") for m in messages) / len(messages)
    assert 0.9 < italian < 1.0

    statuses = defaults.statuses()
    assert {s["status"] for s in statuses} == {"sent", "delivered", "read", "failed"}
    codes = {e["code"] for s in statuses for e in s.get("errors", [])}
    assert codes == {131026, 131047, 131049, 131050}
    priced = [s["pricing"] for s in statuses if "pricing" in s]
    assert {p["type"] for p in priced} == {"regular", "free_customer_service", "free_entry_point"}
    assert {p["category"] for p in priced} == {"service", "utility", "marketing"}
    assert all(p["pricing_model"] == "PMP" for p in priced)
    prefs = [p for _, c in defaults.changes() for p in c["value"].get("user_preferences", [])]
    assert {p["value"] for p in prefs} == {"stop", "resume"}
    # Batching: several messages, statuses or changes in one body.
    assert any(len(c["value"].get("messages", [])) > 1 for _, c in defaults.changes())
    assert any(len(c["value"].get("statuses", [])) > 1 for _, c in defaults.changes())
    assert any(len(e["changes"]) > 1 for b in defaults.bodies for e in b["entry"])


# ------------------------------------------------------------------ consistency
def _outbound_from_chatwoot(landed: Landed) -> dict[str, dict[str, Any]]:
    return {
        e["source_id"]: e
        for e in landed.cw
        if e["event"] == "message_created" and e["message_type"] == "outgoing" and e["source_id"]
    }


def test_statuses_reference_outbound_wamids_and_follow_the_ladder(defaults: Landed) -> None:
    inbound = {m["id"] for m in defaults.messages()}
    outbound = _outbound_from_chatwoot(defaults)
    by_message: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for status in defaults.statuses():
        by_message[status["id"]][status["status"]].append(status)
    assert set(by_message) == set(outbound)
    assert not set(by_message) & inbound
    for wamid, seen in by_message.items():
        if "failed" in seen:
            assert set(seen) == {"failed"}
            assert seen["failed"][0]["errors"][0]["error_data"]["details"]
            continue
        sent = int(seen["sent"][0]["timestamp"])
        assert "pricing" in seen["sent"][0]
        if "delivered" in seen:
            assert int(seen["delivered"][0]["timestamp"]) >= sent
            assert "pricing" in seen["delivered"][0]
        if "read" in seen:
            read = int(seen["read"][0]["timestamp"])
            assert read >= sent
            if "delivered" in seen:
                assert read >= int(seen["delivered"][0]["timestamp"])
                assert "pricing" not in seen["read"][0]
            else:
                assert "pricing" in seen["read"][0]  # delivered and read together
        recipient = {s["recipient_id"] for group in seen.values() for s in group}
        assert recipient == {outbound[wamid]["conversation"]["contact_inbox"]["source_id"]}


def test_statuses_sometimes_arrive_out_of_order(defaults: Landed) -> None:
    order: dict[tuple[str, str], int] = {}
    for position, body in enumerate(defaults.bodies):
        for entry in body["entry"]:
            for change in entry["changes"]:
                for status in change["value"].get("statuses", []):
                    order.setdefault((status["id"], status["status"]), position)
    late = [
        w
        for (w, s), pos in order.items()
        if s == "delivered" and order.get((w, "read"), 10**9) < pos
    ]
    assert late
    read_only = {w for (w, s) in order if s == "read"} - {w for (w, s) in order if s == "delivered"}
    assert read_only


def test_chatwoot_mirrors_every_whatsapp_message(defaults: Landed) -> None:
    inbound = {m["id"]: m for m in defaults.messages()}
    created = [e for e in defaults.cw if e["event"] == "message_created"]
    incoming = {e["source_id"]: e for e in created if e["message_type"] == "incoming"}
    assert set(incoming) == set(inbound)
    inbox_by_id = {
        int(row["chatwoot_inbox_id"]): row for row in INBOXES if row["chatwoot_inbox_id"]
    }
    for source_id, event in incoming.items():
        sender = event["sender"]
        assert "type" not in sender
        assert sender["phone_number"] == "+" + inbound[source_id]["from"]
        assert event["conversation"]["contact_inbox"]["source_id"] == inbound[source_id]["from"]
    senders = Counter(
        (e["sender"] or {}).get("type") for e in created if e["message_type"] == "outgoing"
    )
    assert senders["user"] > senders["agent_bot"] > 0 and senders[None] > 0
    notes = [e for e in created if e["private"]]
    assert notes and all(e["source_id"] is None and e["sender"]["type"] == "user" for e in notes)
    bots = [e for e in created if (e["sender"] or {}).get("type") == "agent_bot"]
    assert any("Ti rispondiamo al più presto" in e["content"] for e in bots)
    human = {e["content"] for e in created if (e["sender"] or {}).get("type") == "user"}
    assert not human & {e["content"] for e in bots}  # a bot never sounds like an operator
    for event in defaults.cw:
        if event["event"] == "contact_updated":
            continue  # contact events carry no inbox (see the cross-channel tests)
        inbox_id = event["inbox"]["id"] if "inbox" in event else event["inbox_id"]
        assert inbox_id in inbox_by_id
        assert event["event"] in {"message_created", "conversation_created", "conversation_updated",
                                  "conversation_status_changed"}  # fmt: skip
    updates = [e for e in defaults.cw if e["event"] == "conversation_updated"]
    attrs = {key for e in updates for change in e["changed_attributes"] for key in change}
    assert attrs == {"label_list", "assignee_id", "status"}
    user_ids = {e["sender"]["id"] for e in created if (e["sender"] or {}).get("type") == "user"}
    assert 12 <= len(user_ids) <= 24


def test_conversations_tell_the_stories_kpis_need(defaults: Landed) -> None:
    by_conv: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in defaults.cw:
        conv_id = event["conversation"]["id"] if "conversation" in event else event["id"]
        by_conv[conv_id].append(event)
    fast = slow_next_day = never = bot_first = transfers = reopened = 0
    for events in by_conv.values():
        messages = [e for e in events if e["event"] == "message_created" and not e["private"]]
        incoming = [e for e in messages if e["message_type"] == "incoming"]
        human = [e for e in messages if (e["sender"] or {}).get("type") == "user"]
        if incoming:
            opened = datetime.fromisoformat(incoming[0]["created_at"])
            if not human:
                never += 1
            else:
                wait = datetime.fromisoformat(human[0]["created_at"]) - opened
                fast += wait < timedelta(minutes=15)
                slow_next_day += wait > timedelta(hours=12)
                bots = [e for e in messages if (e["sender"] or {}).get("type") == "agent_bot"]
                bot_first += bool(bots) and bots[0]["created_at"] < human[0]["created_at"]
        assignees = [
            change["assignee_id"]["current_value"]
            for e in events if e["event"] == "conversation_updated"
            for change in e["changed_attributes"] if "assignee_id" in change
        ]  # fmt: skip
        transfers += len(set(assignees)) > 1
        reopened += any(
            change.get("status", {}).get("current_value") == "open"
            for e in events if e["event"] == "conversation_updated"
            for change in e["changed_attributes"]
        )  # fmt: skip
    assert fast > 50 and slow_next_day > 20 and never > 10
    assert bot_first > 20 and transfers > 10 and reopened > 5
    labels = {label for e in defaults.cw for label in e.get("labels", [])}
    assert {"preventivo-cucina", "consegna", "urgente", "prova-gratuita", "acquirente"} <= labels


def test_a_friday_evening_message_is_answered_monday_morning(defaults: Landed) -> None:
    """17:xx Friday in Rome → first human reply the next Monday between 09:00 and 09:10."""
    first: dict[int, dict[str, str]] = {}
    for e in defaults.cw:
        if e["event"] != "message_created" or e["private"]:
            continue
        slot = first.setdefault(e["conversation"]["id"], {})
        if e["message_type"] == "incoming":
            slot.setdefault("in", e["created_at"])
        elif (e["sender"] or {}).get("type") == "user" and "in" in slot:
            slot.setdefault("out", e["created_at"])
    monday_nine = 0
    for slot in first.values():
        if "out" not in slot:
            continue
        asked = datetime.fromisoformat(slot["in"]).astimezone(ROME)
        answered = datetime.fromisoformat(slot["out"]).astimezone(ROME)
        if asked.weekday() == 4 and asked.hour >= 17 and answered.weekday() == 0:
            monday_nine += answered.hour == 9 and answered.minute < 10
    assert monday_nine >= 1


def test_nothing_happens_after_the_end_date(defaults: Landed) -> None:
    start_ts = calendar.timegm((END - timedelta(days=90)).timetuple())
    stamps = [int(m["timestamp"]) for m in defaults.messages()]
    stamps += [int(s["timestamp"]) for s in defaults.statuses()]
    stamps += [
        p["timestamp"]
        for _, c in defaults.changes()
        for p in c["value"].get("user_preferences", [])
    ]
    stamps += [int(datetime.fromisoformat(e["created_at"]).timestamp())
               for e in defaults.cw if e["event"] == "message_created"]  # fmt: skip
    stamps += [
        e["created_at"]
        for e in defaults.cw
        if e["event"] not in ("message_created", "contact_updated")
    ]
    for order in defaults.orders:
        for key in ("created_at", "updated_at", "processed_at", "cancelled_at"):
            if order[key]:
                stamps.append(int(datetime.fromisoformat(order[key]).timestamp()))
    assert stamps and start_ts <= min(stamps) and max(stamps) <= END_TS
    days = {p.parent.name for p in defaults.wa_files + defaults.cw_files}
    assert max(days) <= END.isoformat()


# ------------------------------------------------------------------ untidiness
def test_about_three_percent_of_bodies_are_delivered_twice(defaults: Landed) -> None:
    repeats = Counter(defaults.wa_lines)
    duplicated = sum(count - 1 for count in repeats.values())
    assert duplicated == defaults.counts["whatsapp_duplicate_bodies"]
    assert 0.015 < duplicated / len(defaults.wa_lines) < 0.05
    files_of: dict[str, set[Path]] = defaultdict(set)
    for path in defaults.wa_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if repeats[line] > 1:
                files_of[line].add(path)
    assert any(len(files) > 1 for files in files_of.values())  # some retries land in a later file
    assert all(len(p.read_text(encoding="utf-8").splitlines()) <= 5000
               for p in defaults.wa_files + defaults.cw_files + defaults.order_files)  # fmt: skip


# ------------------------------------------------------------------ shops
def _digits(phone: str) -> str:
    """Enough normalisation for the test: digits only, no 00 prefix, Italian mobiles get 39."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("00"):
        digits = digits[2:]
    if len(digits) == 10 and digits.startswith("3"):
        digits = "39" + digits
    return digits


def test_repurchase_due_segment_is_not_empty_with_the_defaults(defaults: Landed) -> None:
    latest: dict[int, dict[str, Any]] = {}
    for order in defaults.orders:
        if "vitalis" not in order["order_status_url"]:
            continue
        known = latest.get(order["id"])
        if known is None or order["updated_at"] > known["updated_at"]:
            latest[order["id"]] = order
    last_order: dict[int, dict[str, Any]] = {}
    for order in latest.values():
        if order["cancelled_at"]:
            continue
        customer = order["customer"]["id"]
        if customer not in last_order or order["created_at"] > last_order[customer]["created_at"]:
            last_order[customer] = order
    due = [
        o for o in last_order.values()
        if 25 <= (END - datetime.fromisoformat(o["created_at"]).date()).days <= 35
        and o["buyer_accepts_marketing"]
    ]  # fmt: skip
    assert len(due) >= 15


def test_orders_are_real_shopify_shapes_and_phones_match_whatsapp(defaults: Landed) -> None:
    versions = Counter(o["id"] for o in defaults.orders)
    assert any(count > 1 for count in versions.values())  # updated orders land again
    wa_ids = {m["from"] for m in defaults.messages()}
    matched = 0
    for order in defaults.orders:
        assert order["currency"] == "EUR" and order["test"] is False
        assert (
            re.fullmatch(r"#\d{4,5}", order["name"])
            and order["name"] == f"#{order['order_number']}"
        )
        assert re.fullmatch(r"\d+\.\d\d", order["total_price"])
        assert re.search(r"[+-]0[12]:00$", order["created_at"])
        shipping = sum(float(line["price"]) for line in order["shipping_lines"])
        assert abs(float(order["subtotal_price"]) + shipping - float(order["total_price"])) < 0.005
        assert {"id", "title", "quantity", "price", "sku"} <= set(order["line_items"][0])
        phone = _digits(order["shipping_address"]["phone"])
        matched += phone in wa_ids
    assert matched > 50
    typed = {o["shipping_address"]["phone"] for o in defaults.orders}
    assert any(p.startswith("+39 ") for p in typed) and any(p.startswith("0039") for p in typed)
    assert any(re.fullmatch(r"3\d\d \d{7}", p) for p in typed)


# ------------------------------------------------------------------ the other channels
class Others:
    """The landing files of the channels beyond WhatsApp, each read with its standard parser."""

    def __init__(self, landed: Landed) -> None:
        landing = landed.home / "landing"
        self.landing = landing

        def jsonl(pattern: str) -> list[dict[str, Any]]:
            return [
                json.loads(line)
                for path in sorted(landing.glob(pattern))
                for line in path.read_text(encoding="utf-8").splitlines()
            ]

        self.ig_lines = [
            line
            for path in sorted(landing.glob("instagram/*/demo-*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
        self.instagram = [json.loads(line) for line in self.ig_lines]
        self.messenger = jsonl("messenger/*/demo-*.jsonl")
        self.webchat = jsonl("webchat/*/demo-*.jsonl")
        self.hs_contacts = jsonl("hubspot/contacts/demo-*.jsonl")
        self.hs_deals = jsonl("hubspot/deals/demo-*.jsonl")
        self.checkouts = jsonl("shopify/checkouts/demo-*.jsonl")
        self.mbox_files = sorted(landing.glob("email/*/demo-*.mbox"))
        self.mails: list[EmailMessage] = []
        for path in self.mbox_files:
            box = mailbox.mbox(
                path, factory=lambda f: BytesParser(policy=policy.default).parse(f), create=False
            )
            self.mails.extend(box)
            box.close()
        self.call_files = sorted(landing.glob("calls/*/demo-*.csv"))
        self.calls: list[dict[str, str]] = []
        for path in self.call_files:
            with open(path, newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                assert reader.fieldnames == [
                    "call_id",
                    "direction",
                    "caller",
                    "callee",
                    "started_at",
                    "duration_seconds",
                    "answered",
                    "operator_id",
                    "inbox_id",
                ]
                self.calls.extend(reader)
        self.calendars = {
            path.name: Calendar.from_ical(path.read_bytes())
            for path in sorted(landing.glob("calendar/demo-*.ics"))
        }
        self.events = [e for cal in self.calendars.values() for e in cal.walk("VEVENT")]


@pytest.fixture(scope="module")
def others(defaults: Landed) -> Others:
    return Others(defaults)


def _inbox_ids(channel: str, column: str) -> set[str]:
    return {row[column] for row in INBOXES if row["channel"] == channel}


def _first_whatsapp_message(landed: Landed) -> dict[str, int]:
    first: dict[str, int] = {}
    for message in landed.messages():
        ts = int(message["timestamp"])
        first[message["from"]] = min(ts, first.get(message["from"], ts))
    return first


def _address(value: str) -> str:
    return value.strip().lower()


def test_meta_bodies_have_the_messenger_platform_shape(others: Others) -> None:
    for bodies, obj, accounts in (
        (others.instagram, "instagram", _inbox_ids("instagram", "instagram_account_id")),
        (others.messenger, "page", _inbox_ids("messenger", "facebook_page_id")),
    ):
        assert bodies
        kinds: Counter[str] = Counter()
        for body in bodies:
            assert body["object"] == obj and set(body) == {"object", "entry"}
            (entry,) = body["entry"]
            assert entry["id"] in accounts and isinstance(entry["time"], int)
            (item,) = entry["messaging"]
            kind = next(k for k in ("message", "read", "delivery", "reaction") if k in item)
            kinds[kind + ("_echo" if item.get("message", {}).get("is_echo") else "")] += 1
            business = entry["id"]
            if item.get("message", {}).get("is_echo"):
                assert item["sender"]["id"] == business and item["recipient"]["id"] != business
            else:
                assert item["recipient"]["id"] == business and item["sender"]["id"] != business
            if kind != "delivery":
                assert 10**12 < item["timestamp"] <= entry["time"]
            if kind == "message" and not item["message"].get("is_echo"):
                assert item["message"]["mid"] and (
                    "text" in item["message"] or "attachments" in item["message"]
                )
        assert kinds["message"] > kinds["message_echo"] > 0 and kinds["read"] > 0
        if obj == "page":
            assert kinds["delivery"] > 0
            assert all(
                set(b["entry"][0]["messaging"][0]["read"]) == {"watermark"}
                for b in bodies
                if "read" in b["entry"][0]["messaging"][0]
            )
        else:
            assert kinds["delivery"] == 0 and kinds["reaction"] > 0
            echoes = {
                b["entry"][0]["messaging"][0]["message"]["mid"]
                for b in bodies
                if b["entry"][0]["messaging"][0].get("message", {}).get("is_echo")
            }
            reads = [
                b["entry"][0]["messaging"][0]["read"]
                for b in bodies
                if "read" in b["entry"][0]["messaging"][0]
            ]
            assert reads and all(r["mid"] in echoes for r in reads)
    repeats = Counter(others.ig_lines)
    assert any(count > 1 for count in repeats.values())  # some bodies are delivered twice


def test_instagram_users_are_linked_to_phones_through_the_shared_inbox(
    defaults: Landed, others: Others
) -> None:
    links = [e for e in defaults.cw if e["event"] == "contact_updated"]
    assert links
    igsid_first: dict[str, int] = {}
    for body in others.instagram:
        item = body["entry"][0]["messaging"][0]
        if "message" in item and not item["message"].get("is_echo"):
            ts = item["timestamp"] // 1000
            user = item["sender"]["id"]
            igsid_first[user] = min(ts, igsid_first.get(user, ts))
    first_wa = _first_whatsapp_message(defaults)
    linked = 0
    for event in links:
        assert event["phone_number"].startswith("+") and event["id"] >= 1
        assert "inbox" not in event and event["changed_attributes"]
        igsid = event["additional_attributes"].get("social_profiles", {}).get("instagram")
        if not igsid:
            continue
        wa_id = event["phone_number"][1:]
        assert igsid in igsid_first and wa_id in first_wa
        assert igsid_first[igsid] < first_wa[wa_id]  # they wrote on Instagram first
        linked += 1
    assert linked >= 5
    psids = {b["entry"][0]["messaging"][0]["sender"]["id"] for b in others.messenger}
    facebook = [
        e["additional_attributes"]["social_profiles"]["facebook"]
        for e in links
        if e["additional_attributes"].get("social_profiles", {}).get("facebook")
    ]
    assert facebook and set(facebook) <= psids  # Messenger PSIDs are linked the same way
    # After the link, the contact in that person's conversations carries the IGSID too.
    linked_phones = {
        e["phone_number"]
        for e in links
        if e["additional_attributes"].get("social_profiles", {}).get("instagram")
    }
    senders = [
        e["conversation"]["meta"]["sender"]
        for e in defaults.cw
        if e["event"] == "message_created"
        and e["conversation"]["meta"]["sender"]["phone_number"] in linked_phones
    ]
    assert any(
        s["additional_attributes"].get("social_profiles", {}).get("instagram") for s in senders
    )


def test_emails_are_rfc5322_threads_that_match_shops_and_crm(
    defaults: Landed, others: Others
) -> None:
    mails = others.mails
    assert len(mails) > 100 and all(len(mailbox.mbox(p)) <= 6 for p in others.mbox_files)
    business = _inbox_ids("email", "email_address")
    ids = {m["Message-ID"] for m in mails}
    assert len(ids) == len(mails)
    replies = [m for m in mails if m["In-Reply-To"]]
    assert replies and all(m["In-Reply-To"] in ids for m in replies)
    assert all(m["References"].split()[-1] == m["In-Reply-To"] for m in replies)
    quoting = [m for m in replies if m.get_content_type() == "text/plain"]
    assert all(
        re.search(
            r"^Il giorno \w{3} \d{1,2} \w{3} \d{4} alle \d\d:\d\d .*ha scritto:$",
            m.get_content(),
            re.M,
        )
        for m in quoting
    )
    assert all("\n> " in m.get_content() for m in quoting)
    assert any(m.get_content_type() == "text/html" and not m.is_multipart() for m in mails)
    from_business = [m for m in mails if m["From"].addresses[0].addr_spec in business]
    assert from_business and all(
        m["To"].addresses[0].addr_spec not in business for m in from_business
    )
    senders: dict[str, set[str]] = defaultdict(set)
    for m in mails:
        address = m["From"].addresses[0]
        senders[_address(address.addr_spec)].add(address.display_name)
    assert any(a.startswith("info@") for a in senders) and any(
        a.startswith("noreply@") for a in senders
    )
    family = [a for a in senders if a.startswith("famiglia.")]
    assert family and any(len({n for n in senders[a] if n}) >= 2 for a in family)
    shop_emails = {_address(o["email"]) for o in defaults.orders}
    assert len(set(senders) & shop_emails) >= 10
    crm = {
        _address(c["properties"]["email"]) for c in others.hs_contacts if c["properties"]["email"]
    }
    assert len(set(senders) & crm) >= 5
    # The estate agent's portal leads: a no-reply notice carrying the lead's e-mail.
    portal = [m for m in mails if m["From"].addresses[0].addr_spec == "noreply@immobiliare.it"]
    assert portal and all(m["Reply-To"] and "Telefono:" in m.get_content() for m in portal)


def test_webchat_events_follow_our_format(others: Others) -> None:
    sites = _inbox_ids("webchat", "webchat_site_id")
    assert others.webchat
    kinds = Counter(e["type"] for e in others.webchat)
    assert set(kinds) == {"message", "session_started", "visitor_identified", "session_closed"}
    for event in others.webchat:
        assert event["site_id"] in sites and event["visitor"]["id"] and event["session_id"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00", event["sent_at"])
        if event["type"] == "message":
            assert event["direction"] in {"inbound", "outbound"} and event["text"]
            assert event["sender"]["type"] in {"visitor", "operator", "bot"}
            assert (event["direction"] == "inbound") == (event["sender"]["type"] == "visitor")
        else:
            assert not {"direction", "sender", "text"} & set(event)
    identified = [e["visitor"] for e in others.webchat if e["type"] == "visitor_identified"]
    assert identified and all(v["name"] and ("email" in v or "phone" in v) for v in identified)
    assert any("email" in v for v in identified) and any("phone" in v for v in identified)
    operators = [e for e in others.webchat if e.get("sender", {}).get("type") == "operator"]
    assert operators and all(e["sender"]["id"] and e["sender"]["name"] for e in operators)


def test_calls_on_the_dental_line(defaults: Landed, others: Others) -> None:
    line = _inbox_ids("phone", "phone_line")
    inboxes = {row["inbox_id"] for row in INBOXES if row["channel"] == "phone"}
    calls = others.calls
    assert calls and len({c["call_id"] for c in calls}) == len(calls)
    for call in calls:
        assert call["inbox_id"] in inboxes and call["answered"] in {"true", "false"}
        ours = call["callee"] if call["direction"] == "inbound" else call["caller"]
        assert ours in line
        assert re.search(r"[+-]0[12]:00$", call["started_at"])
        assert (call["answered"] == "true") == bool(call["operator_id"])
        assert call["answered"] == "true" or call["duration_seconds"] == "0"
    missed = {
        (c["caller"]) for c in calls if c["direction"] == "inbound" and c["answered"] == "false"
    }
    called_back = [c for c in calls if c["direction"] == "outbound" and c["callee"] in missed]
    assert called_back
    wa_ids = {m["from"] for m in defaults.messages()}
    assert sum(_digits(c["caller"]) in wa_ids for c in calls) >= 3
    assert any(not c["caller"].startswith("+") for c in calls)  # as the switchboard passed it


def test_hubspot_objects_are_crm_v3_versions(others: Others) -> None:
    contacts, deals = others.hs_contacts, others.hs_deals
    assert contacts and deals
    for record in contacts + deals:
        assert set(record) >= {"id", "properties", "createdAt", "updatedAt", "archived"}
        assert record["archived"] is False and record["id"].isdigit()
        props = record["properties"]
        assert props["hs_object_id"] == record["id"]
        assert all(v is None or isinstance(v, str) for v in props.values())
    for contact in contacts:
        assert contact["properties"]["lastmodifieddate"] == contact["updatedAt"]
        assert set(contact["properties"]) >= {
            "email",
            "phone",
            "mobilephone",
            "firstname",
            "lastname",
            "lifecyclestage",
            "hs_whatsapp_phone_number",
            "createdate",
        }
    contact_ids = {c["id"] for c in contacts}
    stages: dict[str, list[str]] = defaultdict(list)
    for deal in deals:
        props = deal["properties"]
        assert props["hs_lastmodifieddate"] == deal["updatedAt"] and props["pipeline"]
        assert props["dealname"] and props["amount"].isdigit()
        results = deal["associations"]["contacts"]["results"]
        assert results and all(
            r["id"] in contact_ids and r["type"] == "deal_to_contact" for r in results
        )
        stages[deal["id"]].append(props["dealstage"])
    assert any(len(set(s)) > 1 for s in stages.values())  # stage changes land as versions
    assert {"appointmentscheduled", "closedwon", "closedlost"} <= {
        s for v in stages.values() for s in v
    }
    emails = [c["properties"]["email"] for c in contacts if c["properties"]["email"]]
    assert any(e != e.strip() for e in emails) and any(e != e.lower() for e in emails)
    phones = {c["properties"]["phone"] for c in contacts if c["properties"]["phone"]}
    assert any(p.startswith("+39") for p in phones) and any(
        re.fullmatch(r"3\d+", p) for p in phones
    )
    lifecycle = defaultdict(set)
    for c in contacts:
        lifecycle[c["id"]].add(c["properties"]["lifecyclestage"])
    assert any({"lead", "opportunity"} <= s for s in lifecycle.values())


def test_abandoned_checkouts_some_recovered_some_after_a_whatsapp_reminder(
    defaults: Landed, others: Others
) -> None:
    checkouts = others.checkouts
    assert checkouts
    first_version: dict[int, dict[str, Any]] = {}
    for checkout in checkouts:
        assert {
            "id",
            "token",
            "cart_token",
            "email",
            "phone",
            "customer",
            "created_at",
            "updated_at",
            "completed_at",
            "abandoned_checkout_url",
            "total_price",
            "line_items",
            "buyer_accepts_marketing",
        } <= set(checkout)
        assert checkout["token"] in checkout["abandoned_checkout_url"]
        assert re.fullmatch(r"\d+\.\d\d", checkout["total_price"]) and checkout["line_items"]
        first_version.setdefault(checkout["id"], checkout)
    assert all(c["completed_at"] is None for c in first_version.values())
    orders = {o["checkout_token"]: o for o in defaults.orders}
    recovered = unrecovered = 0
    for checkout in first_version.values():
        created = datetime.fromisoformat(checkout["created_at"])
        order = orders.get(checkout["token"])
        if order is not None:
            gap = datetime.fromisoformat(order["created_at"]) - created
            assert timedelta(0) < gap <= timedelta(days=3)
            assert order["customer"]["id"] == checkout["customer"]["id"]
            recovered += 1
        else:
            unrecovered += 1
    assert recovered >= 5 and unrecovered >= 3
    reminders = [
        e
        for e in defaults.cw
        if e["event"] == "message_created"
        and e["additional_attributes"].get("template_params", {}).get("name")
        == "carrello_abbandonato"
    ]
    assert reminders and all(e["sender"] is None for e in reminders)  # an automation
    urls = {c["abandoned_checkout_url"]: c for c in first_version.values()}
    after_reminder = 0
    for event in reminders:
        checkout = urls[event["additional_attributes"]["template_params"]["processed_params"]["2"]]
        order = orders.get(checkout["token"])
        if order is not None and order["created_at"] > event["created_at"]:
            after_reminder += 1
    assert after_reminder >= 2


def _calendar_phone(event: Any) -> str | None:
    match = re.search(r"Tel: ([^\n]+)", str(event.get("DESCRIPTION", "")))
    return _digits(match.group(1)) if match else None


def test_calendars_have_appointments_that_follow_whatsapp_leads(
    defaults: Landed, others: Others
) -> None:
    booking = {
        row["business_id"]
        for row in INBOXES
        if row["vertical"] in ("dental_clinic", "gym", "language_school")
    }
    assert set(others.calendars) == {f"demo-{b}.ics" for b in booking}
    statuses: Counter[str] = Counter()
    for event in others.events:
        for key in (
            "UID",
            "DTSTART",
            "DTEND",
            "SUMMARY",
            "DESCRIPTION",
            "STATUS",
            "SEQUENCE",
            "LAST-MODIFIED",
            "CREATED",
            "DTSTAMP",
        ):
            assert key in event
        assert event["DTSTART"].params["TZID"] == "Europe/Rome"
        assert event.decoded("DTEND") > event.decoded("DTSTART")
        assert re.fullmatch(r".+ - .+", str(event["SUMMARY"]))
        assert event.decoded("LAST-MODIFIED") >= event.decoded("CREATED")
        statuses[str(event["STATUS"])] += 1
    assert statuses["CANCELLED"] > 0 and statuses["CONFIRMED"] > statuses["CANCELLED"]
    assert any(int(event["SEQUENCE"]) > 0 for event in others.events)
    assert any("Email: " in str(event["DESCRIPTION"]) for event in others.events)
    first_wa = _first_whatsapp_message(defaults)
    followed = 0
    for event in others.events:
        phone = _calendar_phone(event)
        created = event.decoded("CREATED").timestamp()
        if phone in first_wa and first_wa[phone] <= created <= first_wa[phone] + 7 * 86400:
            followed += 1
    assert followed >= 40  # lead → appointment, measurable by phone


def test_click_to_whatsapp_leads_book_or_order_within_seven_days(
    defaults: Landed, others: Others
) -> None:
    clicked: dict[str, int] = {}
    for message in defaults.messages():
        if "referral" in message:
            clicked.setdefault(message["from"], int(message["timestamp"]))
    outcomes: dict[str, list[float]] = defaultdict(list)
    for event in others.events:
        phone = _calendar_phone(event)
        if phone:
            outcomes[phone].append(event.decoded("CREATED").timestamp())
    for order in defaults.orders:
        phone = _digits(order["shipping_address"]["phone"])
        outcomes[phone].append(datetime.fromisoformat(order["created_at"]).timestamp())
    converted = sum(
        any(ts < t <= ts + 7 * 86400 for t in outcomes.get(wa_id, ()))
        for wa_id, ts in clicked.items()
    )
    assert converted >= 10


def test_people_show_up_on_several_channels(defaults: Landed, others: Others) -> None:
    """Resolved by phone and e-mail the way the ingest side can: WhatsApp, calls, calendars,
    HubSpot, Shopify, Instagram (through the Chatwoot link), e-mail, web chat."""
    sources: dict[str, set[str]] = defaultdict(set)
    email_to_phone: dict[str, str] = {}
    for message in defaults.messages():
        sources[message["from"]].add("whatsapp")
    for event in defaults.cw:
        if event["event"] == "contact_updated":
            phone = event["phone_number"][1:]
            if event["email"]:
                email_to_phone[_address(event["email"])] = phone
            if event["additional_attributes"].get("social_profiles", {}).get("instagram"):
                sources[phone].add("instagram")
    for call in others.calls:
        sources[_digits(call["caller"] if call["direction"] == "inbound" else call["callee"])].add(
            "calls"
        )
    for event in others.events:
        phone = _calendar_phone(event)
        if phone:
            sources[phone].add("calendar")
    for contact in others.hs_contacts:
        for key in ("phone", "mobilephone", "hs_whatsapp_phone_number"):
            if contact["properties"][key]:
                sources[_digits(contact["properties"][key])].add("hubspot")
        if contact["properties"]["email"]:
            email_to_phone.setdefault(_address(contact["properties"]["email"]), "")
    for order in defaults.orders:
        sources[_digits(order["shipping_address"]["phone"])].add("shopify")
        if order["customer"]["phone"]:
            email_to_phone.setdefault(_address(order["email"]), order["customer"]["phone"][1:])
    for mail in others.mails:
        phone = email_to_phone.get(_address(mail["From"].addresses[0].addr_spec))
        if phone:
            sources[phone].add("email")
    for event in others.webchat:
        if event["type"] == "visitor_identified" and "phone" in event["visitor"]:
            sources[_digits(event["visitor"]["phone"])].add("webchat")
    several = [phone for phone, seen in sources.items() if "whatsapp" in seen and len(seen) >= 2]
    assert len(several) >= 120
    assert {"instagram", "calls", "calendar", "hubspot", "shopify", "email"} <= {
        s for phone in several for s in sources[phone]
    }
    assert defaults.counts["people_on_two_sources_or_more"] >= len(several) // 2


def test_new_sources_stay_small_and_in_the_window(defaults: Landed, others: Others) -> None:
    counts = defaults.counts
    new = (
        counts["instagram_bodies"]
        + counts["messenger_bodies"]
        + counts["email_messages"]
        + counts["webchat_events"]
        + counts["calls"]
        + counts["hubspot_contact_records"]
        + counts["hubspot_deal_records"]
        + counts["shopify_checkout_records"]
        + counts["calendar_events"]
    )
    total = new + counts["whatsapp_bodies"] + counts["chatwoot_events"]
    assert 0.03 < new / (total + counts["shopify_order_records"]) <= 0.15
    start_ts = calendar.timegm((END - timedelta(days=90)).timetuple())
    stamps: list[float] = []
    for body in others.instagram + others.messenger:
        item = body["entry"][0]["messaging"][0]
        stamps += [
            body["entry"][0]["time"] / 1000,
            item.get("timestamp", item.get("delivery", {}).get("watermark", 0)) / 1000,
        ]
    stamps += [m["Date"].datetime.timestamp() for m in others.mails]
    stamps += [datetime.fromisoformat(e["sent_at"]).timestamp() for e in others.webchat]
    stamps += [datetime.fromisoformat(c["started_at"]).timestamp() for c in others.calls]
    for record in others.hs_contacts + others.hs_deals:
        stamps += [
            datetime.fromisoformat(record[k]).timestamp() for k in ("createdAt", "updatedAt")
        ]
    for checkout in others.checkouts:
        stamps += [
            datetime.fromisoformat(checkout[k]).timestamp() for k in ("created_at", "updated_at")
        ]
    for event in others.events:  # appointments booked by the end may fall after it
        stamps += [event.decoded(k).timestamp() for k in ("CREATED", "LAST-MODIFIED", "DTSTAMP")]
    assert stamps and start_ts <= min(stamps) and max(stamps) <= END_TS + 1
    days = {p.parent.name for p in others.mbox_files + others.call_files}
    days |= {
        p.parent.name
        for p in others.landing.glob("*/*/demo-*.jsonl")
        if p.parent.parent.name in ("instagram", "messenger", "webchat")
    }
    assert max(days) <= END.isoformat()
