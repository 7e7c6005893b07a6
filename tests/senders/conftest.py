"""Shared pieces for the senders tests: a live simulator on loopback, a client, a campaign."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from senders.audience import AudienceMember
from senders.campaign import CAMPAIGNS_DIR, Campaign, load_campaign
from senders.ledger import SendLedger
from senders.provider import CloudApiClient
from senders.simulator import CloudApiSimulator

SEND_TIME = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
PHONE_NUMBER_ID = "1122334455667"


@pytest.fixture
def token() -> str:
    return "EAAG-test-secret-token-4f9c2e"


@pytest.fixture
def send_time() -> datetime:
    return SEND_TIME


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def sim(landing: Path) -> Iterator[CloudApiSimulator]:
    with CloudApiSimulator(
        landing, status_delay_seconds=0.05, clock=lambda: SEND_TIME, slow_response_seconds=0.6
    ) as simulator:
        yield simulator


@pytest.fixture
def client(sim: CloudApiSimulator, token: str) -> Iterator[CloudApiClient]:
    with CloudApiClient(
        sim.base_url, token, PHONE_NUMBER_ID, timeout=2.0, max_attempts=4, backoff_base=0.001, pair_seconds=0.05
    ) as cloud_api:
        yield cloud_api


@pytest.fixture
def campaign() -> Campaign:
    """The shipped repurchase reminder, without its holdout unless a test adds one."""
    shipped = load_campaign(CAMPAIGNS_DIR / "repurchase_reminder.yaml")
    return shipped.model_copy(update={"holdout_percent": 0.0})


@pytest.fixture
def member() -> Callable[..., AudienceMember]:
    """Build an audience member whose phone ends in `suffix` (the simulator's outcome rule)."""

    def build(
        contact_id: str,
        suffix: str = "01",
        *,
        consent: bool = True,
        phone: str | None = "",
        is_holdout: bool = False,
    ) -> AudienceMember:
        number = (
            f"+39333{zlib.crc32(contact_id.encode()) % 100000:05d}{suffix}"
            if phone == ""
            else phone
        )
        return AudienceMember(
            contact_id=contact_id,
            phone_e164=number,
            variables={"first_name": "Giulia", "last_product": "Magnesio Plus"},
            marketing_consent=consent,
            is_holdout=is_holdout,
        )

    return build


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[SendLedger]:
    """A real SQLite send ledger file under the test's THREADLINE_HOME/state."""
    with SendLedger(tmp_path / "state" / "send_ledger.sqlite") as opened:
        yield opened


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB warehouse with the relations the send-time rules read, empty: a test
    fills segments.repurchase_due, marts.dim_contacts, marts.dim_consent and
    marts.fct_messages with its own rows."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema marts")
    con.execute("create schema segments")
    con.execute(
        "create table segments.repurchase_due"
        " (contact_id varchar, first_name varchar, last_product varchar)"
    )
    con.execute(
        "create table marts.dim_contacts"
        " (contact_id varchar, phone_e164 varchar, marketing_consent boolean)"
    )
    con.execute(
        "create table marts.dim_consent"
        " (contact_id varchar, purpose varchar, channel varchar, state varchar)"
    )
    con.execute(
        "create table marts.fct_messages (contact_id varchar, channel varchar,"
        " direction varchar, sent_at timestamp, error_code integer)"
    )
    yield con
    con.close()
