"""Unknown sends reconciled with the status webhooks, and status failures flowing back.

The webhook bodies are written by hand in Meta's shape, landed, ingested and staged by
a real `dbt build` of stg_whatsapp__statuses; the ledger is a real SQLite file; the
released 131049 hold is sent again through the simulator on loopback.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.settings import paths
from pipelines.transform.build import dbt
from pipelines.warehouse import connect
from senders.audience import AudienceMember
from senders.campaign import Campaign
from senders.ledger import SendLedger, SendRow
from senders.provider import CloudApiClient
from senders.reconcile import reconcile
from senders.run import SendRules, run_campaign
from senders.simulator import CloudApiSimulator

T = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
PHONE_NUMBER_ID = "1122334455667"
ERRORS = {
    131049: "This message was not delivered to maintain healthy ecosystem engagement.",
    131026: "Message undeliverable.",
    131050: "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages.",
}


def status(wamid: str, phone: str, state: str, at: datetime, code: int | None = None) -> dict:
    """One status webhook body as Meta posts it."""
    item: dict = {"id": wamid, "status": state, "timestamp": str(int(at.timestamp())), "recipient_id": phone[1:]}
    if code is None:
        item["pricing"] = {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "marketing"}
    else:
        item["errors"] = [
            {"code": code, "title": ERRORS[code], "message": ERRORS[code], "error_data": {"details": ERRORS[code]}}
        ]
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "390212345678", "phone_number_id": PHONE_NUMBER_ID},
        "statuses": [item],
    }
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [
        {"value": value, "field": "messages"}]}]}  # fmt: skip


def phone(n: int) -> str:
    return f"+3933300000{n:02d}"


def send_row(contact: str, n: int, campaign_id: str = "repurchase_reminder") -> SendRow:
    return SendRow(campaign_id, "run-1", contact, phone(n), "riordino_integratori", "it", template_category="MARKETING")


def test_unknown_rows_matched_and_failures_flow_back(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    campaign: Campaign,
    sim: CloudApiSimulator,
    client: CloudApiClient,
    member: Callable[..., AudienceMember],
) -> None:
    home = paths(tmp_path / "home").ensure()
    monkeypatch.setenv("THREADLINE_HOME", str(home.home))
    ledger = SendLedger(home.send_ledger)
    for contact, n in (("a", 1), ("b", 2), ("c", 3), ("g", 7)):  # killed between request and answer
        ledger.reserve(send_row(contact, n), now=T, resend_after_days=30)
    accepted = {"d": (4, "wamid.D"), "e": (5, "wamid.E"), "f": (6, "wamid.F")}
    for contact, (n, wamid) in accepted.items():
        ledger.reserve(send_row(contact, n), now=T, resend_after_days=30)
        ledger.complete(send_row(contact, n), "accepted", wamid=wamid, sent_at=T)
    other = send_row("h", 7, campaign_id="other_campaign")  # the same number, another campaign
    ledger.reserve(other, now=T, resend_after_days=30)
    ledger.complete(other, "accepted", wamid="wamid.H", sent_at=T)
    assert ledger.mark_reserved_as_unknown("repurchase_reminder") == 4

    s = timedelta(seconds=1)
    bodies = [
        status("wamid.A", phone(1), "sent", T + s),
        status("wamid.A", phone(1), "delivered", T + 5 * s),
        status("wamid.A", phone(1), "delivered", T + 5 * s),  # at least once: a duplicate
        status("wamid.C", phone(3), "sent", T + timedelta(hours=2)),  # too late to be c's
        status("wamid.H", phone(7), "sent", T + s),  # h's own message: not g's
        status("wamid.G", phone(7), "sent", T + 3 * s),
        status("wamid.D", phone(4), "failed", T + 2 * s, 131049),
        status("wamid.E", phone(5), "failed", T + 2 * s, 131026),
        status("wamid.F", phone(6), "failed", T + 2 * s, 131050),
    ]
    write_jsonl(home.landing / "whatsapp" / "2025-06-02" / "statuses.jsonl", bodies)
    con = connect(home.warehouse)
    ingest_all(con, home)
    con.close()
    dbt(["build", "--select", "stg_whatsapp__statuses"], home.home)

    with connect(home.warehouse, read_only=True) as warehouse:
        first = reconcile(ledger, warehouse, "repurchase_reminder")
        rows_after_first = ledger.rows()
        again = reconcile(ledger, warehouse, "repurchase_reminder")
    assert first == {
        "matched_by_recipient": 2,
        "still_unknown": 2,
        "marketing_limit_held": 1,
        "failed_131026": 1,
        "failed_131050": 1,
    }
    assert again == {"still_unknown": 2}  # replays change nothing
    assert ledger.rows() == rows_after_first
    by_contact = {(r["campaign_id"], r["contact_id"]): r for r in rows_after_first}
    mine = {c: by_contact.get(("repurchase_reminder", c)) for c in "abcdefg"}
    assert (mine["a"]["status"], mine["a"]["wamid"]) == ("accepted", "wamid.A")
    assert mine["a"]["sent_at"] == "2025-06-02T08:00:01.000000+00:00"
    assert (mine["g"]["status"], mine["g"]["wamid"]) == ("accepted", "wamid.G")
    assert mine["b"]["status"] == mine["c"]["status"] == "unknown"
    assert (mine["e"]["status"], mine["e"]["error_code"]) == ("failed", 131026)
    assert (mine["f"]["status"], mine["f"]["error_code"]) == ("failed", 131050)
    assert ledger.undeliverable_since(phone(5), T - timedelta(days=1))
    # 131049: on hold 24 h from the failure, out of the sends table (so of fct_campaign_sends)
    assert mine["d"] is None
    (hold,) = ledger.holds("repurchase_reminder")
    assert (hold["contact_id"], hold["reason"], hold["attempts"]) == ("d", "marketing_limit", 1)
    assert hold["not_before"] == "2025-06-03T08:00:02.000000+00:00"
    assert ledger.claimed_wamids(["wamid.D"]) == {"wamid.D"}  # never handed to another row

    # before its time the same run leaves it held; after it, the run sends it again
    d = member("d", "04")
    lookup = {"d": d}.get
    rules = SendRules(member_lookup=lookup)
    early = run_campaign(campaign, [], ledger, client, "run-2", T + timedelta(hours=23), rules)
    assert (early.released, sim.requests) == (0, [])
    later = run_campaign(campaign, [], ledger, client, "run-2", T + timedelta(hours=25), rules)
    assert (later.released, later.accepted) == (1, 1)
    assert [body["to"] for body in sim.requests] == [d.phone_e164]
    resent = next(r for r in ledger.rows() if r["contact_id"] == "d")
    assert (resent["run_id"], resent["status"], resent["attempt"]) == ("run-1", "accepted", 2)
    assert ledger.holds() == []
    ledger.close()
