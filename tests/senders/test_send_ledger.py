"""The SQLite send ledger on a real file: reservations, windows, transitions, durability."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.settings import Paths
from senders.ledger import Decision, LedgerError, SendLedger, SendRow

NOW = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def row(contact_id: str = "c1", run_id: str = "run-1") -> SendRow:
    return SendRow(
        campaign_id="repurchase_reminder",
        run_id=run_id,
        contact_id=contact_id,
        phone="+393331234501",
        template_name="riordino_integratori",
        template_language="it",
    )


@pytest.fixture
def ledger(tmp_path: Path):
    with SendLedger(tmp_path / "state" / "send_ledger.sqlite") as opened:
        yield opened


def reserve(ledger: SendLedger, send_row: SendRow, now: datetime = NOW, holdout: bool = False):
    return ledger.reserve(send_row, now=now, resend_after_days=30, holdout=holdout)


def test_reservation_is_committed_before_the_send(ledger: SendLedger) -> None:
    assert reserve(ledger, row()).decision is Decision.SEND
    with closing(sqlite3.connect(ledger.path)) as other_process:
        (status,) = other_process.execute("select status from sends").fetchone()
        (mode,) = other_process.execute("pragma journal_mode").fetchone()
    assert (status, mode) == ("reserved", "wal")


def test_same_run_is_never_reserved_twice(ledger: SendLedger) -> None:
    reserve(ledger, row())
    assert reserve(ledger, row()).decision is Decision.EXISTS
    assert not ledger.record_skip(row(), now=NOW, reason="no_consent")
    assert len(ledger.rows()) == 1


def test_resend_window(ledger: SendLedger) -> None:
    reserve(ledger, row())
    ledger.complete(row(), "accepted", wamid="wamid.A", sent_at=NOW)
    soon = reserve(ledger, row(run_id="run-2"), NOW + timedelta(days=29))
    assert (soon.decision, soon.skip_reason) == (Decision.SKIPPED, "sent_recently")
    later = reserve(ledger, row(run_id="run-3"), NOW + timedelta(days=30))
    assert later.decision is Decision.SEND
    other_campaign = SendRow(**{**row(run_id="run-2").__dict__, "campaign_id": "other"})
    assert reserve(ledger, other_campaign, NOW + timedelta(days=1)).decision is Decision.SEND


def test_skipped_rows_do_not_count_as_sends(ledger: SendLedger) -> None:
    assert ledger.record_skip(row(), now=NOW, reason="no_consent")
    holdout = reserve(ledger, row(run_id="run-2"), holdout=True)
    assert (holdout.decision, holdout.skip_reason) == (Decision.SKIPPED, "holdout")
    assert reserve(ledger, row(run_id="run-3")).decision is Decision.SEND
    by_run = {r["run_id"]: r for r in ledger.rows()}
    assert by_run["run-1"]["skip_reason"] == "no_consent" and not by_run["run-1"]["is_holdout"]
    assert by_run["run-2"]["is_holdout"] is True


def test_failed_and_unknown_sends_block_the_window(ledger: SendLedger) -> None:
    reserve(ledger, row("c1"))
    ledger.complete(row("c1"), "failed", error_code=131026, error_detail="undeliverable")
    reserve(ledger, row("c2"))
    assert ledger.mark_reserved_as_unknown("repurchase_reminder") == 1
    for contact in ("c1", "c2"):
        decision = reserve(ledger, row(contact, "run-2"), NOW + timedelta(hours=1))
        assert decision.skip_reason == "sent_recently"


def test_transitions(ledger: SendLedger) -> None:
    with pytest.raises(LedgerError):
        ledger.complete(row(), "accepted", wamid="wamid.X", sent_at=NOW)  # never reserved
    reserve(ledger, row())
    ledger.mark_reserved_as_unknown("repurchase_reminder")
    # an unknown row may still learn the truth (another process finishing late)
    ledger.complete(row(), "accepted", wamid="wamid.X", sent_at=NOW + timedelta(seconds=1))
    with pytest.raises(LedgerError):
        ledger.complete(row(), "failed", error_code=1)
    (final,) = ledger.rows()
    assert final["status"] == "accepted" and final["wamid"] == "wamid.X"
    assert final["reserved_at"] == "2025-06-02T08:00:00.000000+00:00"
    assert final["sent_at"] == "2025-06-02T08:00:01.000000+00:00"


def test_schema_refuses_impossible_rows(ledger: SendLedger) -> None:
    reserve(ledger, row())
    with closing(sqlite3.connect(ledger.path)) as raw, pytest.raises(sqlite3.IntegrityError):
        raw.execute("update sends set status = 'skipped'")  # skipped needs a reason
    with pytest.raises(ValueError, match="naive"):
        ledger.reserve(row("c2"), now=datetime(2025, 6, 2), resend_after_days=30)


def test_rows_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with SendLedger(path) as first:
        reserve(first, row())
    with SendLedger(path) as second:
        assert [r["status"] for r in second.rows()] == ["reserved"]
        assert set(second.rows()[0]) == {
            "campaign_id",
            "run_id",
            "contact_id",
            "phone",
            "variant",
            "is_holdout",
            "template_name",
            "template_language",
            "status",
            "skip_reason",
            "wamid",
            "error_code",
            "error_detail",
            "reserved_at",
            "sent_at",
            "updated_at",
            "inbox_id",
            "template_category",
            "in_service_window",
            "attempt",
        }


def test_default_location_follows_threadline_home(home: Paths) -> None:
    with SendLedger() as ledger:
        assert ledger.path == home.send_ledger
        reserve(ledger, row())
    assert home.send_ledger.exists()
