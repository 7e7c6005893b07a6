"""One run of a campaign: policy, ledger reservation, send, record — member by member.

For each audience member, in order:

1. policy: no marketing consent -> `no_consent`; no phone -> `no_phone`; a phone that
   is not E.164 -> `invalid_phone`; an empty template variable -> `missing_variable`;
2. the ledger decides, in one transaction: the run already has the contact -> nothing;
   sent by this campaign within `resend_after_days` -> `sent_recently`; in the holdout
   (the member's flag, or hash(campaign_id, contact_id) under `holdout_percent`) ->
   `holdout`; else the row is reserved and committed;
3. the template is sent and the answer recorded (accepted / failed / unknown).

Rows a previous run left `reserved` become `unknown` first and are never resent. A
131048 or 190 answer stops the run (`CampaignRunStoppedError`, with the summary so far);
running the same run_id again resumes with the members not yet in the ledger.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from senders.audience import AudienceMember
from senders.campaign import Campaign
from senders.ledger import CAMPAIGN_HALTED, Decision, SendLedger, SendRow
from senders.provider import CampaignHaltError, SendResult

logger = logging.getLogger(__name__)

DEFAULT_VARIANT = "default"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class TemplateSender(Protocol):
    def send_template(
        self, to: str, template_name: str, language: str, body_params: list[str]
    ) -> SendResult: ...


@dataclass
class RunSummary:
    campaign_id: str
    run_id: str
    audience: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    accepted: int = 0
    failed: int = 0
    unknown: int = 0
    already_in_ledger: int = 0
    recovered_unknown: int = 0  # rows of earlier runs found `reserved` and marked unknown

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "skipped": dict(self.skipped)}


class CampaignRunStoppedError(RuntimeError):
    """The provider told us to stop (spam rate limit, invalid token); the summary so far."""

    def __init__(self, summary: RunSummary, cause: CampaignHaltError):
        super().__init__(f"campaign {summary.campaign_id} run {summary.run_id} stopped: {cause}")
        self.summary = summary
        self.error_code = cause.error_code


def in_holdout(campaign_id: str, contact_id: str, percent: float) -> bool:
    """Deterministic holdout assignment: the same contact is always in or out of a campaign's."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"{campaign_id}:{contact_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * 100 < percent


def policy_skip_reason(campaign: Campaign, member: AudienceMember) -> str | None:
    """Why the member must not be sent to, whatever the ledger says; None if eligible."""
    if not member.marketing_consent:
        return "no_consent"
    if not member.phone_e164:
        return "no_phone"
    if not _E164.match(member.phone_e164):
        return "invalid_phone"
    if any(_blank(member.variables.get(column)) for column in campaign.variables.values()):
        return "missing_variable"
    return None


def _blank(value: object) -> bool:
    return value is None or not str(value).strip()


def run_campaign(
    campaign: Campaign,
    audience: list[AudienceMember],
    ledger: SendLedger,
    client: TemplateSender,
    run_id: str,
    now: datetime,
) -> RunSummary:
    """Send `campaign` to `audience` as run `run_id` at `now` (timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("run_campaign needs a timezone-aware `now`")
    summary = RunSummary(campaign.campaign_id, run_id, audience=len(audience))
    summary.recovered_unknown = ledger.mark_reserved_as_unknown(campaign.campaign_id)
    if summary.recovered_unknown:
        logger.warning(
            "campaign %s: %d sends of an interrupted run marked unknown (not resent)",
            campaign.campaign_id,
            summary.recovered_unknown,
        )
    started = time.monotonic()
    for position, member in enumerate(audience):
        row = _row(campaign, run_id, member)
        reason = policy_skip_reason(campaign, member)
        if reason is not None:
            if ledger.record_skip(row, now=now, reason=reason):
                summary.skipped[reason] += 1
            else:
                summary.already_in_ledger += 1
            continue
        holdout = member.is_holdout or in_holdout(
            campaign.campaign_id, member.contact_id, campaign.holdout_percent
        )
        reservation = ledger.reserve(
            row, now=now, resend_after_days=campaign.resend_after_days, holdout=holdout
        )
        if reservation.decision is Decision.EXISTS:
            summary.already_in_ledger += 1
            continue
        if reservation.decision is Decision.SKIPPED:
            summary.skipped[reservation.skip_reason or "unknown"] += 1
            continue
        try:
            _send(campaign, member, row, ledger, client, summary, now, started)
        except CampaignRunStoppedError:
            _record_unreached(campaign, audience[position + 1 :], ledger, summary, run_id, now)
            raise
    logger.info("campaign %s run %s: %s", campaign.campaign_id, run_id, summary.as_dict())
    return summary


def _row(campaign: Campaign, run_id: str, member: AudienceMember) -> SendRow:
    return SendRow(
        campaign_id=campaign.campaign_id,
        run_id=run_id,
        contact_id=member.contact_id,
        phone=member.phone_e164,
        template_name=campaign.template.name,
        template_language=campaign.template.language,
        variant=DEFAULT_VARIANT,
    )


def _record_unreached(
    campaign: Campaign,
    members: list[AudienceMember],
    ledger: SendLedger,
    summary: RunSummary,
    run_id: str,
    now: datetime,
) -> None:
    """Every member after the halt gets a ledger row (skipped, campaign_halted), so the
    run's outcome is complete; resuming the same run decides them again."""
    for member in members:
        row = _row(campaign, run_id, member)
        if ledger.record_halted(row, now=now):
            summary.skipped[CAMPAIGN_HALTED] += 1


def _send(
    campaign: Campaign,
    member: AudienceMember,
    row: SendRow,
    ledger: SendLedger,
    client: TemplateSender,
    summary: RunSummary,
    now: datetime,
    started: float,
) -> None:
    """Send one reserved row and record the answer."""
    assert member.phone_e164 is not None
    try:
        result = client.send_template(
            member.phone_e164,
            campaign.template.name,
            campaign.template.language,
            campaign.body_params(member.variables),
        )
    except CampaignHaltError as halt:
        ledger.complete(row, "failed", error_code=halt.error_code, error_detail=halt.error_detail)
        summary.failed += 1
        logger.error("campaign %s stopped at contact %s: %s", row.campaign_id, row.contact_id, halt)
        raise CampaignRunStoppedError(summary, halt) from halt
    accepted = result.outcome == "accepted"
    ledger.complete(
        row,
        result.outcome,
        wamid=result.wamid,
        error_code=result.error_code,
        error_detail=result.error_detail or result.error_title,
        sent_at=now + timedelta(seconds=time.monotonic() - started) if accepted else None,
    )
    if accepted:
        summary.accepted += 1
    elif result.outcome == "failed":
        summary.failed += 1
        logger.warning(
            "campaign %s: send to contact %s failed (code=%s)",
            row.campaign_id,
            row.contact_id,
            result.error_code,
        )
    else:
        summary.unknown += 1
        logger.warning(
            "campaign %s: send to contact %s has an unknown outcome (%s); it will not be resent",
            row.campaign_id,
            row.contact_id,
            result.error_detail,
        )
