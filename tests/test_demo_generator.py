"""The demo generator writes real-shaped, internally consistent, deterministic landing files."""

from __future__ import annotations

import calendar
import csv
import json
import os
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

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
            str(p.relative_to(landing)): p.read_bytes() for p in sorted(landing.rglob("*.jsonl"))
        }

    first, second = tmp_path / "a", tmp_path / "b"
    generate(first, seed=11, contacts=120, days=21, end_date=END)
    generate(second, seed=11, contacts=120, days=21, end_date=END, workers=2)
    assert snapshot(first) == snapshot(second)  # in parallel or not
    assert len(snapshot(first)) > 10
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
    inbox_by_id = {int(row["chatwoot_inbox_id"]): row for row in INBOXES if row["chatwoot_inbox_id"]}
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
    stamps += [e["created_at"] for e in defaults.cw if e["event"] != "message_created"]
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
