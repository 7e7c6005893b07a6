"""The send-time rules a campaign member must pass, right before the request.

The audience is streamed when the run starts; consent, the customer service window and
undeliverable numbers are read again from `ContactFacts` (the warehouse, through the
campaign asset's connection) for each batch of members right before it is decided
(`prefetch`, a few queries per batch), erasure from the tombstones file per member, so a
"no" said after the audience was built still wins. The order the rules are applied in
is documented in docs/campaigns.md and implemented by senders/run.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import phonenumbers
from phonenumbers import timezone as phone_timezones

from pipelines.privacy import tombstones
from senders.audience import AudienceMember
from senders.campaign import QuietHours, TemplateCategory, Variant

SERVICE_WINDOW = timedelta(hours=24)
UNDELIVERABLE = 131026

ConsentStates = Mapping[tuple[str, str], str]  # (purpose, channel) -> granted | denied


class ContactFacts(Protocol):
    """What the rules read about a member at send time."""

    def consent(self, member: AudienceMember) -> ConsentStates: ...

    def last_inbound_at(self, member: AudienceMember) -> datetime | None: ...

    def undeliverable_since(self, member: AudienceMember, since: datetime) -> bool: ...

    def prefetch(self, members: Sequence[AudienceMember]) -> None:
        """Read the facts of these members now, in a few queries, right before they are
        decided (a run calls it per batch); the reads above then answer from it."""
        ...


class SnapshotFacts:
    """The audience snapshot's own consent flag; no window, no message history (for
    callers without a warehouse)."""

    def consent(self, member: AudienceMember) -> ConsentStates:
        return {("marketing", "whatsapp"): "granted"} if member.marketing_consent else {}

    def last_inbound_at(self, member: AudienceMember) -> datetime | None:
        return None

    def undeliverable_since(self, member: AudienceMember, since: datetime) -> bool:
        return False

    def prefetch(self, members: Sequence[AudienceMember]) -> None:
        return None


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_catalog = current_database()"
            " and table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


@dataclass
class _Batch:
    """The facts of one batch of members, read together."""

    contact_ids: frozenset[str]
    consent: dict[str, dict[tuple[str, str], str]]
    last_inbound: dict[str, datetime]
    last_undeliverable: dict[str, datetime]


class WarehouseFacts:
    """Fresh reads of marts.dim_consent and marts.fct_messages.

    A run calls `prefetch` with each batch of members right before deciding them: three
    queries per batch (consent, last inbound, last 131026) instead of three per member, and
    still read at send time, not when the audience was built (a batch is sent within
    seconds of its read). A member outside the prefetched batch is read on its own."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.has_consent = _relation_exists(con, "marts", "dim_consent")
        self.has_messages = _relation_exists(con, "marts", "fct_messages")
        self._batch: _Batch | None = None
        self.queries = 0  # how many warehouse reads were made (the batching's measure)

    def prefetch(self, members: Sequence[AudienceMember]) -> None:
        ids = sorted({m.contact_id for m in members})
        consent: dict[str, dict[tuple[str, str], str]] = {}
        inbound: dict[str, datetime] = {}
        failed: dict[str, datetime] = {}
        if ids and self.has_consent:
            self.queries += 1
            for contact_id, purpose, channel, state in self.con.execute(
                "select contact_id, purpose, channel, state from marts.dim_consent"
                " where contact_id in (select unnest($ids)) and state is not null",
                {"ids": ids},
            ).fetchall():
                consent.setdefault(contact_id, {})[(purpose, channel)] = state
        if ids and self.has_messages:
            self.queries += 1
            for contact_id, moment in self.con.execute(
                "select contact_id, max(sent_at) from marts.fct_messages"
                " where contact_id in (select unnest($ids)) and channel = 'whatsapp' and direction = 'inbound'"
                " group by contact_id",
                {"ids": ids},
            ).fetchall():
                inbound[contact_id] = _utc(moment)  # type: ignore[assignment]
            self.queries += 1
            for contact_id, moment in self.con.execute(
                "select contact_id, max(sent_at) from marts.fct_messages"
                " where contact_id in (select unnest($ids)) and channel = 'whatsapp'"
                " and direction = 'outbound' and error_code = $code group by contact_id",
                {"ids": ids, "code": UNDELIVERABLE},
            ).fetchall():
                failed[contact_id] = _utc(moment)  # type: ignore[assignment]
        self._batch = _Batch(frozenset(ids), consent, inbound, failed)

    def _prefetched(self, member: AudienceMember) -> _Batch | None:
        batch = self._batch
        return batch if batch is not None and member.contact_id in batch.contact_ids else None

    def consent(self, member: AudienceMember) -> ConsentStates:
        if not self.has_consent:
            return SnapshotFacts().consent(member)
        batch = self._prefetched(member)
        if batch is not None:
            return batch.consent.get(member.contact_id, {})
        self.queries += 1
        rows = self.con.execute(
            "select purpose, channel, state from marts.dim_consent where contact_id = ? and state is not null",
            [member.contact_id],
        ).fetchall()
        return {(purpose, channel): state for purpose, channel, state in rows}

    def last_inbound_at(self, member: AudienceMember) -> datetime | None:
        if not self.has_messages:
            return None
        batch = self._prefetched(member)
        if batch is not None:
            return batch.last_inbound.get(member.contact_id)
        self.queries += 1
        (moment,) = self.con.execute(
            "select max(sent_at) from marts.fct_messages"
            " where contact_id = ? and channel = 'whatsapp' and direction = 'inbound'",
            [member.contact_id],
        ).fetchone()
        return _utc(moment)

    def undeliverable_since(self, member: AudienceMember, since: datetime) -> bool:
        if not self.has_messages:
            return False
        batch = self._prefetched(member)
        if batch is not None:
            last = batch.last_undeliverable.get(member.contact_id)
            return last is not None and last > since
        self.queries += 1
        (found,) = self.con.execute(
            "select count(*) from marts.fct_messages where contact_id = ? and channel = 'whatsapp'"
            " and direction = 'outbound' and error_code = ? and sent_at > ?",
            [member.contact_id, UNDELIVERABLE, since.astimezone(UTC).replace(tzinfo=None)],
        ).fetchone()
        return found > 0


def _utc(moment: datetime | None) -> datetime | None:
    """Warehouse timestamps are naive UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def erased_checker(state: Path | None) -> Callable[[str], bool]:
    """Whether a phone number is tombstoned under `state` (re-read when the file changes)."""
    if state is None:
        return lambda phone: False
    return lambda phone: tombstones.for_state(state).mentions(phone)


def consent_reason(category: TemplateCategory, consent: ConsentStates) -> str | None:
    """MARKETING needs marketing consent on WhatsApp granted now; UTILITY and
    AUTHENTICATION need none, but a `service` denial on WhatsApp blocks them."""
    if category is TemplateCategory.MARKETING:
        return None if consent.get(("marketing", "whatsapp")) == "granted" else "no_consent"
    return "no_consent" if consent.get(("service", "whatsapp")) == "denied" else None


_REFERENCE_DAYS = (datetime(2025, 1, 15, 12, tzinfo=UTC), datetime(2025, 7, 15, 12, tzinfo=UTC))


@lru_cache(maxsize=4096)
def _phone_zone(phone: str) -> str | None:
    """The number's zone when all the zones its prefix may be in keep the same clock
    (Italy and the Vatican); None when unknown or ambiguous (the US, Brazil)."""
    try:
        zones = phone_timezones.time_zones_for_number(phonenumbers.parse(phone, None))
    except phonenumbers.NumberParseException:
        return None
    try:
        clocks = {tuple(day.astimezone(ZoneInfo(z)).utcoffset() for day in _REFERENCE_DAYS) for z in zones}
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return zones[0] if len(clocks) == 1 else None


def local_zone(phone: str, fallback: str) -> ZoneInfo:
    """The contact's time zone: the phone number's, when its country (or area) has one;
    else `fallback` (the campaign's schedule time zone)."""
    try:
        return ZoneInfo(_phone_zone(phone) or fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_until(quiet: QuietHours, now: datetime, zone: ZoneInfo) -> datetime | None:
    """When quiet hours end, if `now` is inside them in `zone`; None when sending is allowed."""
    local = now.astimezone(zone)
    start, end, clock = _clock(quiet.start), _clock(quiet.end), local.time()
    inside = start <= clock < end if start < end else clock >= start or clock < end
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)


def assign_variant(campaign_id: str, contact_id: str, variants: list[Variant]) -> Variant | None:
    """Deterministic A/B assignment by hash, like the holdout (but independent of it)."""
    if not variants:
        return None
    digest = hashlib.sha256(f"variant:{campaign_id}:{contact_id}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") / 2**64 * 100
    total = 0.0
    for variant in variants:
        total += variant.percent
        if bucket < total:
            return variant
    return variants[-1]
