"""The send ledger: one SQLite row per (campaign_id, run_id, contact_id), durable before any send.

Exactly-once works by reserving first:

1. `reserve` commits a `reserved` row (or a `skipped` one) BEFORE the HTTP call;
2. `complete` turns it into `accepted` (with the wamid), `failed` or `unknown`;
3. a row still `reserved` means the process died in between: the next run of the
   campaign calls `mark_reserved_as_unknown`, and since the row exists the contact is
   never sent to again in that run (nor, being a non-skipped row, within the window).

Statuses: reserved -> accepted | failed | unknown, or skipped (with skip_reason).

A member met in quiet hours is not in `sends` yet: it has a row in `holds` (with the
time it may go and what is needed to send it). Every transition out of a hold (reserve,
skip) deletes the hold in the same transaction that inserts the `sends` row, so a held
member resumes exactly once.
Timestamps are UTC ISO-8601 strings with microseconds, so they compare as text.
`sent_at` is the time Meta accepted the message (accepted rows only).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pipelines.settings import paths

SCHEMA_VERSION = 3
SCHEMA = """
create table if not exists sends (
    campaign_id       text not null,
    run_id            text not null,
    contact_id        text not null,
    phone             text,
    variant           text not null,
    is_holdout        integer not null default 0 check (is_holdout in (0, 1)),
    template_name     text not null,
    template_language text not null,
    status            text not null
        check (status in ('reserved', 'accepted', 'failed', 'unknown', 'skipped')),
    skip_reason       text check ((status = 'skipped') = (skip_reason is not null)),
    wamid             text unique,
    error_code        integer,
    error_detail      text,
    reserved_at       text not null,
    sent_at           text,
    updated_at        text not null,
    primary key (campaign_id, run_id, contact_id)
);
create index if not exists sends_by_contact
    on sends (campaign_id, contact_id, reserved_at);
create table if not exists holds (
    campaign_id text not null,
    run_id      text not null,
    contact_id  text not null,
    reason      text not null,
    not_before  text not null,
    member      text not null,
    held_at     text not null,
    primary key (campaign_id, run_id, contact_id)
);
-- wamids of sends taken back into a hold (131049): still Meta's messages, so
-- reconciliation never gives them to another row
create table if not exists retired_wamids (
    wamid       text primary key,
    campaign_id text not null,
    run_id      text not null,
    contact_id  text not null,
    reason      text not null,
    retired_at  text not null
);
"""
# columns added in schema version 2 (older ledgers get them on open)
ADDED_COLUMNS = {
    "inbox_id": "text",
    "template_category": "text",
    "in_service_window": "integer not null default 0",
    # schema version 3: which send of the member this is (a 131049 hold sends again)
    "attempt": "integer not null default 1",
}
# columns added to `holds` in schema version 3: how many sends a hold has already cost
# (131049 retries)
ADDED_HOLD_COLUMNS = {"attempts": "integer not null default 0"}
SECOND_INDEXES = """
create index if not exists sends_by_contact_only on sends (contact_id, reserved_at);
create index if not exists sends_by_phone on sends (phone, reserved_at);
create index if not exists sends_unknown on sends (campaign_id) where status = 'unknown';
-- partial indexes that keep the caps' counts bounded by the cap, not by the run's size
create index if not exists sends_outside_window on sends (inbox_id, reserved_at)
    where status in ('reserved', 'accepted', 'unknown') and in_service_window = 0;
create index if not exists sends_taken_by_run on sends (campaign_id, run_id)
    where status != 'skipped' or skip_reason = 'dry_run';
"""
# statuses that mean a message was (or may have been) sent
SENT_STATUSES = "('reserved', 'accepted', 'unknown')"

FinalStatus = Literal["accepted", "failed", "unknown"]
SENT_RECENTLY = "sent_recently"
HOLDOUT = "holdout"
FREQUENCY_CAP = "frequency_cap"
AUDIENCE_LIMIT = "audience_limit"
MESSAGING_LIMIT = "messaging_limit"
DRY_RUN = "dry_run"
MARKETING_LIMIT_HOLD = "marketing_limit"  # 131049: Meta's per-user marketing cap, try in 24 h
MARKETING_LIMIT_CODE = 131049
ALREADY_HELD = "already_held"  # held by an earlier run of the same campaign
# a member the run did not reach because the provider halted it (131048, 190)
CAMPAIGN_HALTED = "campaign_halted"


class LedgerError(RuntimeError):
    """The ledger was asked for a transition it cannot make."""


class Decision(StrEnum):
    SEND = "send"  # reserved: the caller sends now, then calls complete()
    SKIPPED = "skipped"  # recorded as skipped (sent recently, holdout)
    EXISTS = "exists"  # this run already has a row for the contact: do nothing
    HELD = "held"  # not now (quiet hours): in `holds` until `not_before`


@dataclass(frozen=True)
class SendRow:
    """The identity and content of one audience member's row in one run."""

    campaign_id: str
    run_id: str
    contact_id: str
    phone: str | None
    template_name: str
    template_language: str
    variant: str = "default"
    inbox_id: str | None = None
    template_category: str | None = None
    in_service_window: bool = False


@dataclass(frozen=True)
class Caps:
    """The limits `reserve` checks across the ledger, in one transaction with the insert."""

    frequency_max: int | None = None  # sends of this category to the contact...
    frequency_days: int = 0  # ...in this many days, all campaigns
    audience_limit: int | None = None  # sends in this run
    messaging_limit: int | None = None  # unique recipients outside the window, 24 h, inbox


@dataclass(frozen=True)
class Hold:
    """Why and until when a member waits, and the member (JSON) to send it later."""

    reason: str
    not_before: datetime
    member: str


@dataclass(frozen=True)
class Reservation:
    decision: Decision
    skip_reason: str | None = None


def utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: the ledger needs timezone-aware times")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _now() -> str:
    return utc_iso(datetime.now(UTC))


class SendLedger:
    """The campaign send ledger at `path` (default: paths().send_ledger)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths().send_ledger
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("pragma journal_mode = wal")
        # WAL + NORMAL: a commit is in the WAL file (the OS's page cache) before it
        # returns, so it survives the process being killed (SIGKILL) at any moment; only a
        # power loss or OS crash can lose the last commits (FULL would fsync each one)
        self._conn.execute("pragma synchronous = normal")
        self._conn.executescript(SCHEMA)
        present = {r[1] for r in self._conn.execute("pragma table_info(sends)")}
        for column, kind in ADDED_COLUMNS.items():
            if column not in present:
                self._conn.execute(f"alter table sends add column {column} {kind}")
        present = {r[1] for r in self._conn.execute("pragma table_info(holds)")}
        for column, kind in ADDED_HOLD_COLUMNS.items():
            if column not in present:
                self._conn.execute(f"alter table holds add column {column} {kind}")
        self._conn.executescript(SECOND_INDEXES)
        self._conn.execute(f"pragma user_version = {SCHEMA_VERSION}")

    def __repr__(self) -> str:
        return f"SendLedger({str(self.path)!r})"

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the database lock up front."""
        self._conn.execute("begin immediate")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("rollback")
            raise
        self._conn.execute("commit")

    def reserve(
        self,
        row: SendRow,
        *,
        now: datetime,
        resend_after_days: int,
        holdout: bool = False,
        caps: Caps | None = None,
        hold: Hold | None = None,
        dry_run: bool = False,
    ) -> Reservation:
        """Decide and durably record, in one transaction, whether `row`'s contact is sent to.

        In order: EXISTS if this run already has the contact; SKIPPED `already_held` if
        an earlier run of the campaign holds it; `sent_recently` if the campaign has a
        non-skipped row for the contact reserved in the last `resend_after_days`;
        `holdout`; then `caps`: `frequency_cap`, `audience_limit`, `messaging_limit`;
        then HELD if `hold` is given (quiet hours); `dry_run` (skipped) for a dry run;
        else SEND, with the row committed as `reserved` before this returns.
        """
        caps = caps or Caps()
        with self._transaction() as conn:
            _clear_halted(conn, row)
            if _exists(conn, row):
                _drop_hold(conn, row)
                return Reservation(Decision.EXISTS)
            own_hold = conn.execute(
                "select reason, not_before from holds where campaign_id = ? and run_id = ? and contact_id = ?",
                (row.campaign_id, row.run_id, row.contact_id),
            ).fetchone()
            if own_hold is not None and own_hold["not_before"] > utc_iso(now) and not dry_run:
                return Reservation(Decision.HELD, own_hold["reason"])
            held_elsewhere = conn.execute(
                "select 1 from holds where campaign_id = ? and contact_id = ? and run_id != ?",
                (row.campaign_id, row.contact_id, row.run_id),
            ).fetchone()
            reason = ALREADY_HELD if held_elsewhere else _cap_reason(conn, row, now, resend_after_days, caps)
            if reason is None and holdout:
                _insert(conn, row, now, "skipped", HOLDOUT, is_holdout=True)
                return Reservation(Decision.SKIPPED, HOLDOUT)
            if reason is not None:
                _insert(conn, row, now, "skipped", reason)
                return Reservation(Decision.SKIPPED, reason)
            if hold is not None and not dry_run:
                conn.execute(
                    "insert into holds (campaign_id, run_id, contact_id, reason, not_before,"
                    " member, held_at) values (?, ?, ?, ?, ?, ?, ?)"
                    " on conflict do update set reason = excluded.reason,"
                    " not_before = excluded.not_before, member = excluded.member",
                    (
                        row.campaign_id,
                        row.run_id,
                        row.contact_id,
                        hold.reason,
                        utc_iso(hold.not_before),
                        hold.member,
                        utc_iso(now),
                    ),
                )
                return Reservation(Decision.HELD, hold.reason)
            if dry_run:
                _insert(conn, row, now, "skipped", DRY_RUN)
                return Reservation(Decision.SKIPPED, DRY_RUN)
            _insert(conn, row, now, "reserved", None)
            return Reservation(Decision.SEND)

    def due_holds(self, campaign_id: str, now: datetime) -> list[dict[str, Any]]:
        """The campaign's held members whose time has come (any run), oldest first."""
        return [
            dict(record)
            for record in self._conn.execute(
                "select * from holds where campaign_id = ? and not_before <= ? order by not_before, run_id, contact_id",
                (campaign_id, utc_iso(now)),
            )
        ]

    def holds(self, campaign_id: str | None = None) -> list[dict[str, Any]]:
        query, params = "select * from holds", ()
        if campaign_id is not None:
            query, params = query + " where campaign_id = ?", (campaign_id,)
        return [dict(r) for r in self._conn.execute(query + " order by run_id, contact_id", params)]

    def undeliverable_since(self, phone: str, since: datetime) -> bool:
        """Whether a send to `phone` failed with 131026 (not on WhatsApp) after `since`."""
        found = self._conn.execute(
            "select 1 from sends where phone = ? and error_code = 131026 and reserved_at > ? limit 1",
            (phone, utc_iso(since)),
        ).fetchone()
        return found is not None

    def record_skip(self, row: SendRow, *, now: datetime, reason: str) -> bool:
        """Record a member skipped by policy (no consent, no phone...); False if already there."""
        with self._transaction() as conn:
            _clear_halted(conn, row)
            if _exists(conn, row):
                _drop_hold(conn, row)
                return False
            _insert(conn, row, now, "skipped", reason)
            return True

    def record_halted(self, row: SendRow, *, now: datetime) -> bool:
        """Record a member the run did not reach because the provider halted it (skipped,
        `campaign_halted`); the same run resumed decides it again. False if already there."""
        return self.record_skip(row, now=now, reason=CAMPAIGN_HALTED)

    def complete(
        self,
        row: SendRow,
        status: FinalStatus,
        *,
        wamid: str | None = None,
        error_code: int | None = None,
        error_detail: str | None = None,
        sent_at: datetime | None = None,
    ) -> None:
        """Record the answer to a reserved send (an `unknown` row may still learn the truth)."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "update sends set status = ?, wamid = ?, error_code = ?,"
                " error_detail = ?, sent_at = ?, updated_at = ?"
                " where campaign_id = ? and run_id = ? and contact_id = ?"
                " and status in ('reserved', 'unknown')",
                (
                    status,
                    wamid,
                    error_code,
                    error_detail,
                    utc_iso(sent_at) if sent_at else None,
                    _now(),
                    row.campaign_id,
                    row.run_id,
                    row.contact_id,
                ),
            )
            if cursor.rowcount != 1:
                raise LedgerError(
                    f"no reserved row for campaign={row.campaign_id} run={row.run_id} contact={row.contact_id}"
                )

    def record_halted_many(self, rows: list[SendRow], *, now: datetime) -> int:
        """`record_halted` for many members in one transaction (the rest of a halted
        run's audience); returns how many rows were written."""
        written = 0
        with self._transaction() as conn:
            for row in rows:
                _clear_halted(conn, row)
                if _exists(conn, row):
                    _drop_hold(conn, row)
                    continue
                _insert(conn, row, now, "skipped", CAMPAIGN_HALTED)
                written += 1
        return written

    def hold_for_marketing_limit(
        self,
        row: SendRow,
        *,
        member: str | None,
        now: datetime,
        retry_after: timedelta,
        max_attempts: int,
        error_detail: str | None = None,
        wamid: str | None = None,
    ) -> bool:
        """A 131049 answer (synchronous, or a failed status for the row's `wamid`): the
        member goes back on hold `marketing_limit` until `now + retry_after`, unless
        this was its `max_attempts`-th send, which is final (failed 131049). The sends
        row is taken out in the same transaction (held members have no sends row); its
        wamid, if any, is kept in retired_wamids so reconciliation never hands it to
        another row. Returns True when held; False when final or the row is gone."""
        with self._transaction() as conn:
            found = conn.execute(
                "select attempt, wamid, phone from sends where campaign_id = ? and run_id = ? and contact_id = ?"
                " and status in ('reserved', 'unknown', 'accepted')"
                + (" and wamid = ?" if wamid is not None else ""),
                (row.campaign_id, row.run_id, row.contact_id, *((wamid,) if wamid is not None else ())),
            ).fetchone()
            if found is None:
                return False
            key = (row.campaign_id, row.run_id, row.contact_id)
            if found["attempt"] >= max_attempts:
                conn.execute(
                    "update sends set status = 'failed', error_code = ?, error_detail = ?, updated_at = ?"
                    " where campaign_id = ? and run_id = ? and contact_id = ?",
                    (MARKETING_LIMIT_CODE, error_detail, _now(), *key),
                )
                return False
            if found["wamid"]:
                conn.execute(
                    "insert or ignore into retired_wamids values (?, ?, ?, ?, ?, ?)",
                    (found["wamid"], *key, MARKETING_LIMIT_HOLD, _now()),
                )
            conn.execute("delete from sends where campaign_id = ? and run_id = ? and contact_id = ?", key)
            held_member = member or json.dumps(
                {"contact_id": row.contact_id, "phone_e164": found["phone"], "variables": None}, sort_keys=True
            )
            conn.execute(
                "insert into holds (campaign_id, run_id, contact_id, reason, not_before, member, held_at,"
                " attempts) values (?, ?, ?, ?, ?, ?, ?, ?)"
                " on conflict do update set reason = excluded.reason, not_before = excluded.not_before,"
                " member = excluded.member, attempts = excluded.attempts",
                (*key, MARKETING_LIMIT_HOLD, utc_iso(now + retry_after), held_member, utc_iso(now), found["attempt"]),
            )
            return True

    # -- reconciliation (senders/reconcile.py) --------------------------------------------

    def unknown_rows(self, campaign_id: str | None = None) -> list[dict[str, Any]]:
        """The rows whose request's outcome is not known, oldest reservation first."""
        query = "select * from sends where status = 'unknown'"
        params: tuple[str, ...] = ()
        if campaign_id is not None:
            query, params = query + " and campaign_id = ?", (campaign_id,)
        return [dict(r) for r in self._conn.execute(query + " order by reserved_at, contact_id", params)]

    def claimed_wamids(self, wamids: list[str]) -> set[str]:
        """Which of `wamids` belong to a ledger row already (or to a send taken back into a hold)."""
        claimed: set[str] = set()
        for start in range(0, len(wamids), 500):
            chunk = wamids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for table in ("sends", "retired_wamids"):
                query = f"select wamid from {table} where wamid in ({marks})"
                claimed.update(wamid for (wamid,) in self._conn.execute(query, chunk))
        return claimed

    def resolve_unknown(
        self, campaign_id: str, run_id: str, contact_id: str, *, wamid: str, sent_at: datetime | None, how: str
    ) -> bool:
        """An `unknown` row learns it was accepted as `wamid` (from the status webhooks);
        False when the row is no longer unknown or the wamid is another row's."""
        with self._transaction() as conn:
            taken = conn.execute(
                "select 1 from sends where wamid = ? union all select 1 from retired_wamids where wamid = ?",
                (wamid, wamid),
            ).fetchone()
            if taken:
                return False
            cursor = conn.execute(
                "update sends set status = 'accepted', wamid = ?, sent_at = coalesce(?, sent_at),"
                " error_detail = ?, updated_at = ?"
                " where campaign_id = ? and run_id = ? and contact_id = ? and status = 'unknown'",
                (wamid, utc_iso(sent_at) if sent_at else None, how, _now(), campaign_id, run_id, contact_id),
            )
            return cursor.rowcount == 1

    def resolve_own_wamid(self, campaign_id: str, run_id: str, contact_id: str, *, sent_at: datetime | None) -> bool:
        """An `unknown` row that has its wamid (Meta answered; recording it was cut short)
        and whose message has status webhooks: it was accepted."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "update sends set status = 'accepted', sent_at = coalesce(sent_at, ?),"
                " error_detail = 'reconciled: its message has status webhooks', updated_at = ?"
                " where campaign_id = ? and run_id = ? and contact_id = ? and status = 'unknown' and wamid is not null",
                (utc_iso(sent_at) if sent_at else None, _now(), campaign_id, run_id, contact_id),
            )
            return cursor.rowcount == 1

    def accepted_row_for(self, wamid: str) -> dict[str, Any] | None:
        found = self._conn.execute("select * from sends where wamid = ?", (wamid,)).fetchone()
        return dict(found) if found else None

    def record_status_failure(self, wamid: str, error_code: int, error_detail: str | None) -> bool:
        """A failed status webhook for an accepted send (131026 undeliverable, 131050
        opted out): the row becomes failed with the code, so the send-time rules (and
        the warehouse) see it; False when no accepted row has this wamid."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "update sends set status = 'failed', error_code = ?, error_detail = ?, updated_at = ?"
                " where wamid = ? and status = 'accepted'",
                (error_code, error_detail, _now(), wamid),
            )
            return cursor.rowcount == 1

    def mark_reserved_as_unknown(self, campaign_id: str) -> int:
        """Rows left `reserved` by a run that died mid-send become `unknown`; returns how many."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "update sends set status = 'unknown', updated_at = ?,"
                " error_detail = 'run ended between reservation and answer; never resent'"
                " where campaign_id = ? and status = 'reserved'",
                (_now(), campaign_id),
            )
            return cursor.rowcount

    def rows(self, campaign_id: str | None = None) -> list[dict[str, Any]]:
        """Every row (of one campaign, if given) as a dict, for loading into the warehouse."""
        query = "select * from sends"
        params: tuple[str, ...] = ()
        if campaign_id is not None:
            query += " where campaign_id = ?"
            params = (campaign_id,)
        query += " order by campaign_id, run_id, contact_id"
        return [
            {**dict(record), "is_holdout": bool(record["is_holdout"])} for record in self._conn.execute(query, params)
        ]

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SendLedger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _clear_halted(conn: sqlite3.Connection, row: SendRow) -> None:
    """A member left unsent by a halted run is still to be decided when the run resumes."""
    conn.execute(
        "delete from sends where campaign_id = ? and run_id = ? and contact_id = ?"
        " and status = 'skipped' and skip_reason = ?",
        (row.campaign_id, row.run_id, row.contact_id, CAMPAIGN_HALTED),
    )


def _cap_reason(
    conn: sqlite3.Connection, row: SendRow, now: datetime, resend_after_days: int, caps: Caps
) -> str | None:
    """The first ledger rule that stops the send (sent recently, the caps), or None."""
    if resend_after_days > 0:
        cutoff = utc_iso(now - timedelta(days=resend_after_days))
        recent = conn.execute(
            "select 1 from sends where campaign_id = ? and contact_id = ?"
            " and status != 'skipped' and reserved_at > ? limit 1",
            (row.campaign_id, row.contact_id, cutoff),
        ).fetchone()
        if recent:
            return SENT_RECENTLY
    if caps.frequency_max is not None:
        (count,) = conn.execute(
            f"select count(*) from sends where contact_id = ? and status in {SENT_STATUSES}"
            " and coalesce(template_category, 'MARKETING') = ? and reserved_at > ?",
            (row.contact_id, row.template_category or "MARKETING", utc_iso(now - timedelta(days=caps.frequency_days))),
        ).fetchone()
        if count >= caps.frequency_max:
            return FREQUENCY_CAP
    if caps.audience_limit is not None:
        (count,) = conn.execute(
            "select count(*) from sends where campaign_id = ? and run_id = ?"
            f" and (status != 'skipped' or skip_reason = '{DRY_RUN}')",
            (row.campaign_id, row.run_id),
        ).fetchone()
        if count >= caps.audience_limit:
            return AUDIENCE_LIMIT
    if caps.messaging_limit is not None and not row.in_service_window:
        outside = (
            " from sends where inbox_id = ? and status in ('reserved', 'accepted', 'unknown')"
            " and in_service_window = 0 and reserved_at > ?"
        )
        params = (row.inbox_id, utc_iso(now - timedelta(hours=24)))
        counted = conn.execute(f"select 1 {outside} and phone = ? limit 1", (*params, row.phone)).fetchone()
        if not counted:
            (count,) = conn.execute(f"select count(distinct phone) {outside}", params).fetchone()
            if count >= caps.messaging_limit:
                return MESSAGING_LIMIT
    return None


def _drop_hold(conn: sqlite3.Connection, row: SendRow) -> None:
    conn.execute(
        "delete from holds where campaign_id = ? and run_id = ? and contact_id = ?",
        (row.campaign_id, row.run_id, row.contact_id),
    )


def _exists(conn: sqlite3.Connection, row: SendRow) -> bool:
    found = conn.execute(
        "select 1 from sends where campaign_id = ? and run_id = ? and contact_id = ?",
        (row.campaign_id, row.run_id, row.contact_id),
    ).fetchone()
    return found is not None


def _insert(
    conn: sqlite3.Connection,
    row: SendRow,
    now: datetime,
    status: str,
    skip_reason: str | None,
    *,
    is_holdout: bool = False,
) -> None:
    held = conn.execute(
        "select attempts from holds where campaign_id = ? and run_id = ? and contact_id = ?",
        (row.campaign_id, row.run_id, row.contact_id),
    ).fetchone()
    _drop_hold(conn, row)
    conn.execute(
        "insert into sends (campaign_id, run_id, contact_id, phone, variant, is_holdout,"
        " template_name, template_language, status, skip_reason, reserved_at, updated_at,"
        " inbox_id, template_category, in_service_window, attempt)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.campaign_id,
            row.run_id,
            row.contact_id,
            row.phone,
            row.variant,
            int(is_holdout),
            row.template_name,
            row.template_language,
            status,
            skip_reason,
            utc_iso(now),
            _now(),
            row.inbox_id,
            row.template_category,
            int(row.in_service_window),
            (held["attempts"] if held else 0) + 1,
        ),
    )
