"""Campaign runs end to end: simulator over loopback, SQLite ledger file, exactly-once."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest import send_ledger
from pipelines.settings import REPO_ROOT
from senders.audience import AudienceMember
from senders.campaign import Campaign
from senders.ledger import SendLedger
from senders.provider import CloudApiClient
from senders.run import CampaignRunStoppedError, in_holdout, run_campaign
from senders.simulator import CloudApiSimulator

MemberFactory = Callable[..., AudienceMember]


def sends_per_phone(sim: CloudApiSimulator) -> Counter[str | None]:
    return Counter(body["to"] for body in sim.requests)


@pytest.fixture
def ledger(tmp_path: Path):
    with SendLedger(tmp_path / "state" / "send_ledger.sqlite") as opened:
        yield opened


def test_each_eligible_member_once_and_reruns_send_nothing(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    send_time: datetime,
) -> None:
    audience = [member(f"c{i}", f"{i:02d}") for i in range(1, 11)] + [member("c29", "29")]
    first = run_campaign(campaign, audience, ledger, client, "run-1", send_time)
    assert (first.audience, first.accepted, first.failed, first.unknown) == (11, 11, 0, 0)
    per_phone = sends_per_phone(sim)
    assert per_phone[audience[-1].phone_e164] == 2  # the 429 was retried
    assert all(per_phone[m.phone_e164] == 1 for m in audience[:-1])

    again = run_campaign(campaign, audience, ledger, client, "run-1", send_time)
    assert (again.already_in_ledger, again.accepted, sum(again.skipped.values())) == (11, 0, 0)
    next_day = run_campaign(campaign, audience, ledger, client, "run-2", send_time + timedelta(1))
    assert next_day.skipped == {"sent_recently": 11} and next_day.accepted == 0
    assert sends_per_phone(sim) == per_phone

    after_window = run_campaign(
        campaign, audience, ledger, client, "run-3", send_time + timedelta(31)
    )
    assert after_window.accepted == 11

    rows = ledger.rows(campaign.campaign_id)
    accepted = [r for r in rows if r["status"] == "accepted"]
    assert len(accepted) == 22 and len({r["wamid"] for r in accepted}) == 22
    assert all(r["sent_at"] >= r["reserved_at"] for r in accepted)


def test_policy_skips_are_recorded_with_reasons(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    send_time: datetime,
) -> None:
    audience = [
        member("ok", "01"),
        member("no-consent", "02", consent=False),
        member("no-phone", phone=None),
        member("bad-phone", phone="333 123"),
        member("flagged-holdout", "03", is_holdout=True),
        AudienceMember("no-name", "+393331234504", {"last_product": "Omega 3"}, True),
    ]
    summary = run_campaign(campaign, audience, ledger, client, "run-1", send_time)
    assert summary.accepted == 1
    assert summary.skipped == {
        "no_consent": 1,
        "no_phone": 1,
        "invalid_phone": 1,
        "holdout": 1,
        "missing_variable": 1,
    }
    assert [body["to"] for body in sim.requests] == [audience[0].phone_e164]
    by_contact = {r["contact_id"]: r for r in ledger.rows()}
    assert by_contact["no-consent"]["status"] == "skipped"
    assert by_contact["flagged-holdout"]["is_holdout"] is True
    assert by_contact["ok"]["is_holdout"] is False


def test_hash_holdout_is_deterministic(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    send_time: datetime,
) -> None:
    with_holdout = campaign.model_copy(update={"holdout_percent": 20.0})
    audience = [member(f"c{i:03d}", "01") for i in range(60)]
    summary = run_campaign(with_holdout, audience, ledger, client, "run-1", send_time)
    expected = {
        m.contact_id for m in audience if in_holdout(campaign.campaign_id, m.contact_id, 20)
    }
    assert 0 < len(expected) < 30
    held = {r["contact_id"] for r in ledger.rows() if r["skip_reason"] == "holdout"}
    assert held == expected and summary.skipped["holdout"] == len(expected)
    assert summary.accepted == len(sim.requests) == 60 - len(expected)
    later = run_campaign(with_holdout, audience, ledger, client, "run-2", send_time + timedelta(40))
    assert {
        r["contact_id"] for r in ledger.rows() if r["run_id"] == "run-2" and r["is_holdout"]
    } == held
    assert later.accepted == 60 - len(expected)


CRASHING_RUN = """
import sys
from datetime import datetime, UTC
from pathlib import Path
from senders.audience import AudienceMember
from senders.campaign import CAMPAIGNS_DIR, load_campaign
from senders.ledger import SendLedger
from senders.provider import CloudApiClient
from senders.run import run_campaign

base_url, ledger_path, members = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
campaign = load_campaign(CAMPAIGNS_DIR / "repurchase_reminder.yaml")
campaign = campaign.model_copy(update={"holdout_percent": 0.0})
audience = [
    AudienceMember(f"c-{phone[-2:]}", phone, {"first_name": "A", "last_product": "B"}, True)
    for phone in members
]
client = CloudApiClient(base_url, "crash-test-token", "1122334455667", timeout=30)
run_campaign(campaign, audience, SendLedger(ledger_path), client, "run-1",
             datetime(2025, 6, 2, 8, tzinfo=UTC), max_in_flight=1)
"""


def test_a_run_killed_mid_send_leaves_unknown_never_resent(
    campaign: Campaign, tmp_path: Path, landing: Path, token: str, send_time: datetime
) -> None:
    ledger_path = tmp_path / "state" / "send_ledger.sqlite"
    phones = ["+393331234501", "+393331234597", "+393331234502"]  # ...97 answers slowly
    with CloudApiSimulator(landing, slow_response_seconds=10.0) as sim:
        process = subprocess.Popen(
            [sys.executable, "-c", CRASHING_RUN, sim.base_url, str(ledger_path), *phones],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        deadline = time.monotonic() + 15
        while len(sim.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.kill()  # dies while Meta (the simulator) is accepting the second message
        process.wait(timeout=10)
        assert len(sim.requests) == 2

        with SendLedger(ledger_path) as ledger:
            assert {r["contact_id"]: r["status"] for r in ledger.rows()} == {
                "c-01": "accepted",
                "c-97": "reserved",
            }
            audience = [
                AudienceMember(f"c-{p[-2:]}", p, {"first_name": "A", "last_product": "B"}, True)
                for p in phones
            ]
            with CloudApiClient(sim.base_url, token, "1122334455667") as client:
                resumed = run_campaign(campaign, audience, ledger, client, "run-1", send_time)
                assert (resumed.recovered_unknown, resumed.already_in_ledger) == (1, 2)
                assert resumed.accepted == 1  # only c-02, never reached before the crash
                fresh = run_campaign(campaign, audience, ledger, client, "run-2", send_time)
                assert fresh.skipped == {"sent_recently": 3}
            statuses = {
                r["contact_id"]: r["status"] for r in ledger.rows() if r["run_id"] == "run-1"
            }
        assert statuses == {"c-01": "accepted", "c-97": "unknown", "c-02": "accepted"}
        assert sends_per_phone(sim) == {phone: 1 for phone in phones}


def test_timeout_is_unknown_and_not_resent(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    sim: CloudApiSimulator,
    token: str,
    send_time: datetime,
) -> None:
    audience = [member("slow", "97"), member("fine", "01")]
    with CloudApiClient(sim.base_url, token, "1122334455667", timeout=0.2) as impatient:
        summary = run_campaign(campaign, audience, ledger, impatient, "run-1", send_time)
        assert (summary.unknown, summary.accepted) == (1, 1)
        rerun = run_campaign(campaign, audience, ledger, impatient, "run-1", send_time)
    assert rerun.already_in_ledger == 2
    assert sends_per_phone(sim)[audience[0].phone_e164] == 1
    assert next(r for r in ledger.rows() if r["contact_id"] == "slow")["status"] == "unknown"


def test_spam_limit_stops_the_run_and_the_same_run_id_resumes(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    send_time: datetime,
) -> None:
    audience = [member("a", "01"), member("spam", "48"), member("b", "02"), member("c", "51")]
    with pytest.raises(CampaignRunStoppedError) as caught:  # one request at a time
        run_campaign(campaign, audience, ledger, client, "run-1", send_time, max_in_flight=1)
    assert caught.value.error_code == 131048
    assert (caught.value.summary.accepted, caught.value.summary.failed) == (1, 1)
    assert len(sim.requests) == 2  # b and c were not attempted
    # ...but they have their ledger rows: the run's outcome is complete
    assert caught.value.summary.skipped == {"campaign_halted": 2}
    halted = {r["contact_id"]: (r["status"], r["skip_reason"]) for r in ledger.rows()}
    assert halted["b"] == halted["c"] == ("skipped", "campaign_halted")

    resumed = run_campaign(campaign, audience, ledger, client, "run-1", send_time)
    assert (resumed.already_in_ledger, resumed.accepted, resumed.failed) == (2, 1, 1)
    errors = {r["contact_id"]: r["error_code"] for r in ledger.rows()}
    assert errors == {"a": None, "spam": 131048, "b": None, "c": 131050}


def test_the_token_never_reaches_logs_or_errors(
    campaign: Campaign,
    member: MemberFactory,
    tmp_path: Path,
    landing: Path,
    caplog: pytest.LogCaptureFixture,
    send_time: datetime,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "EAAG-super-secret-0xC0FFEE"
    audience = [member("a", "29"), member("b", "99"), member("c", "51"), member("d", "01")]
    with (
        CloudApiSimulator(landing, token="only-the-real-one") as sim,
        SendLedger(tmp_path / "ledger.sqlite") as ledger,
        CloudApiClient(sim.base_url, secret, "1122334455667", backoff_base=0.001) as client,
        pytest.raises(CampaignRunStoppedError) as caught,
    ):
        run_campaign(campaign, audience, ledger, client, "run-1", send_time)
    assert caught.value.error_code == 190
    texts = [caplog.text, str(caught.value), repr(caught.value), repr(client), repr(ledger)]
    texts.append(str(caught.value.__cause__))
    with SendLedger(tmp_path / "ledger.sqlite") as reopened:
        texts.append(json.dumps(reopened.rows()))
    assert all(secret not in text for text in texts)
    assert "HTTP Request: POST" in caplog.text  # the logs were captured at all


def test_ledger_loads_into_the_warehouse(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    tmp_path: Path,
    send_time: datetime,
) -> None:
    """The ingest side (pipelines.ingest.send_ledger) reads what the ledger writes."""
    audience = [member("a", "01"), member("b", "13"), member("c", "51"), member("d", consent=False)]
    run_campaign(campaign, audience, ledger, client, "run-1", send_time)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        assert send_ledger.sync(con, ledger.path) == 4
        loaded = con.execute(
            "select contact_id, status, skip_reason, error_code, is_holdout, wamid is not null"
            " from raw.campaign_sends order by contact_id"
        ).fetchall()
    assert loaded == [
        ("a", "accepted", None, None, False, True),
        ("b", "accepted", None, None, False, True),  # fails later, in a status webhook
        ("c", "failed", None, 131050, False, False),
        ("d", "skipped", "no_consent", None, False, False),
    ]


def test_a_halt_with_requests_in_flight_records_them_and_stops_new_ones(
    campaign: Campaign,
    member: MemberFactory,
    ledger: SendLedger,
    client: CloudApiClient,
    sim: CloudApiSimulator,
    send_time: datetime,
) -> None:
    audience = [member(f"m{i:02d}", "48" if i == 10 else f"{i % 9 + 1:02d}") for i in range(40)]
    with pytest.raises(CampaignRunStoppedError) as caught:
        run_campaign(campaign, audience, ledger, client, "run-1", send_time, max_in_flight=4)
    stopped = caught.value.summary
    requested = len(sim.requests)
    assert 11 <= requested <= 11 + 4  # the ones in flight finished; none started after
    assert stopped.accepted + stopped.failed == requested
    assert stopped.skipped["campaign_halted"] == 40 - requested
    assert len(ledger.rows()) == 40  # every member has its row

    resumed = run_campaign(campaign, audience, ledger, client, "run-1", send_time, max_in_flight=4)
    assert (resumed.already_in_ledger, resumed.accepted) == (requested, 40 - requested)
    assert sends_per_phone(sim) == {m.phone_e164: 1 for m in audience}
    assert {r["status"] for r in ledger.rows()} == {"accepted", "failed"}
