"""One run of a campaign: send-time rules, ledger reservation, send, record.

For each audience member, right before its request (docs/campaigns.md lists the rules):

1. rules read fresh per batch of members (senders/policy.py): `no_phone`, `invalid_phone`,
   `erased` (tombstoned number), `no_consent` (consent for the template's category on
   WhatsApp now, not the audience snapshot's), `missing_variable`, `undeliverable`
   (131026 before), `global_control` (MARKETING only) -> skipped;
2. the ledger decides, in one transaction: the run already has the contact -> nothing;
   an earlier run holds it -> `already_held`; sent by this campaign within
   `resend_after_days` -> `sent_recently`; `holdout`; `frequency_cap`; `audience_limit`;
   `messaging_limit`; in quiet hours -> held (not final) until they end; dry run ->
   skipped `dry_run`; else the row is reserved and committed;
3. the template is sent and the answer recorded (accepted / failed / unknown; 131049
   holds the member 24 h, at most twice; 131050 is an opt-out).

**Concurrency.** Requests are many in flight (asyncio, at most `max_in_flight`), but
every decision and every ledger write happens on the event loop's one thread, in
order, for each member: reserve (committed) -> request -> complete. A slot is taken
before the reservation, so a reserved row always has its request under way; a process
killed at any moment leaves rows `reserved` (request perhaps sent), never a request
without its row. The audience is an iterator (senders/audience.py `iter_audience`),
consumed in batches of `batch_size`: memory does not grow with its size.

A run first turns rows a previous run left `reserved` into `unknown` (never resent),
matches `unknown` rows to the status webhooks when it is given a reconciler
(senders/reconcile.py), then releases the campaign's held members whose time has come
(of any run, under that run's id), with every rule checked again. A 131048 or 190
answer stops the run: no new request starts, those in flight are recorded, the members
not reached are recorded `campaign_halted` and `CampaignRunStoppedError` carries the
summary; running the same run_id again resumes with them.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from senders.audience import AudienceMember
from senders.campaign import Campaign, Template, TemplateCategory, TemplateRegistry, load_templates
from senders.ledger import DRY_RUN, MARKETING_LIMIT_CODE, Caps, Decision, Hold, SendLedger, SendRow
from senders.message_body import template_message
from senders.policy import (
    SERVICE_WINDOW,
    ContactFacts,
    SnapshotFacts,
    assign_variant,
    consent_reason,
    local_zone,
    quiet_until,
)
from senders.programme import Programme
from senders.provider import CampaignHaltError, SendResult
from senders.threaded_sender import AsyncSender, ThreadedSender, is_async_sender

logger = logging.getLogger(__name__)

DEFAULT_VARIANT = "default"
# every member of a run whose template Meta paused, disabled or re-categorised
TEMPLATE_PAUSED = "template_paused"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
DEFAULT_MAX_IN_FLIGHT = 32
DEFAULT_BATCH_SIZE = 500
OPTED_OUT_CODE = 131050  # the user stopped marketing messages from the business
MARKETING_LIMIT_RETRY = timedelta(hours=24)
MARKETING_LIMIT_ATTEMPTS = 3  # the first send and at most two retries, then failed 131049


class TemplateSender(Protocol):
    """A Cloud API client: `send` may be a coroutine (senders.provider's async client)
    or a plain function (driven from threads, senders/threaded_sender.py)."""

    def send(self, message: dict[str, Any]) -> Any:
        """Send one Cloud API message body (senders.message_body.template_message)."""
        ...


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
    held: int = 0  # waiting for quiet hours (or a 131049's 24 h) to end: not final
    marketing_limit_held: int = 0  # of `held`: answered 131049, tried again in 24 h
    opted_out: int = 0  # of `failed`: answered 131050 (the consent ledger learns it)
    reconciled: dict[str, int] = field(default_factory=dict)  # senders/reconcile.py
    released: int = 0  # held members of this or earlier runs whose time came, decided now
    dry_run: bool = False
    would_send: int = 0  # dry run: members that would have been sent now
    would_hold: int = 0  # dry run: members that would have been held

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


@dataclass(frozen=True)
class SendRules:
    """What the send-time rules read besides the audience: fresh contact facts (consent,
    window, 131026), the tombstone check, the programme settings, the templates."""

    facts: ContactFacts = field(default_factory=SnapshotFacts)
    erased: Callable[[str], bool] = field(default=lambda phone: False)
    programme: Programme = field(default_factory=Programme)
    templates: TemplateRegistry | None = None
    # why a template (name, language) may not be sent now (senders.templates
    # send_time_block_reason: status and category webhooks, confirmations), or None
    template_blocked: Callable[[str, str], str | None] = field(default=lambda name, language: None)
    # matches the ledger's `unknown` rows of a campaign to the status webhooks
    # (senders/reconcile.py, through the warehouse) at the run's start; None: not done
    reconcile: Callable[[SendLedger, str], dict[str, int]] | None = None
    # a member as the audience sees it now, by contact id: for a member held after a
    # failed status webhook (the ledger keeps no template variables)
    member_lookup: Callable[[str], AudienceMember | None] | None = None


def policy_skip_reason(
    campaign: Campaign,
    member: AudienceMember,
    template_category: TemplateCategory = TemplateCategory.MARKETING,
    rules: SendRules | None = None,
    now: datetime | None = None,
    ledger: SendLedger | None = None,
) -> str | None:
    """Why the member must not be sent to, whatever the ledger says; None if eligible."""
    rules = rules or SendRules()
    if not member.phone_e164:
        return "no_phone"
    if not _E164.match(member.phone_e164):
        return "invalid_phone"
    if rules.erased(member.phone_e164):
        return "erased"
    reason = consent_reason(template_category, rules.facts.consent(member))
    if reason is not None:
        return reason
    if campaign.missing_variables(member.variables):  # blank with no fallback, any component
        return "missing_variable"
    if now is not None:
        since = now - timedelta(days=rules.programme.undeliverable_days)
        if rules.facts.undeliverable_since(member, since) or (
            ledger is not None and ledger.undeliverable_since(member.phone_e164, since)
        ):
            return "undeliverable"
    if template_category is TemplateCategory.MARKETING and rules.programme.global_control.includes(member.contact_id):
        return "global_control"
    return None


def run_campaign(
    campaign: Campaign,
    audience: Iterable[AudienceMember],
    ledger: SendLedger,
    client: TemplateSender,
    run_id: str,
    now: datetime,
    rules: SendRules | None = None,
    *,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> RunSummary:
    """Send `campaign` to `audience` as run `run_id` at `now` (timezone-aware), from
    synchronous code (the Dagster asset, scripts): `run_campaign_async` in an event loop.

    A client with a synchronous `send` is driven from `max_in_flight` threads."""
    threaded = None if is_async_sender(client) else ThreadedSender(client, max_in_flight)
    try:
        return asyncio.run(
            run_campaign_async(
                campaign, audience, ledger, client if threaded is None else threaded, run_id, now, rules,
                max_in_flight=max_in_flight, batch_size=batch_size,
            )
        )
    finally:
        if threaded is not None:
            threaded.close()


async def run_campaign_async(
    campaign: Campaign,
    audience: Iterable[AudienceMember],
    ledger: SendLedger,
    client: AsyncSender,
    run_id: str,
    now: datetime,
    rules: SendRules | None = None,
    *,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> RunSummary:
    """The run (module docstring); `client.send` is awaited, at most `max_in_flight` at once.

    A dry run (`campaign.dry_run`) decides everything under run id `<run_id>:dry_run`,
    records would-be sends as skipped `dry_run` and makes no request."""
    if now.tzinfo is None:
        raise ValueError("run_campaign needs a timezone-aware `now`")
    if max_in_flight < 1 or batch_size < 1:
        raise ValueError("max_in_flight and batch_size must be at least 1")
    rules = rules or SendRules()
    if campaign.dry_run:
        run_id = f"{run_id}:{DRY_RUN}"
    summary = RunSummary(campaign.campaign_id, run_id, dry_run=campaign.dry_run)
    summary.recovered_unknown = ledger.mark_reserved_as_unknown(campaign.campaign_id)
    if summary.recovered_unknown:
        logger.warning(
            "campaign %s: %d sends of an interrupted run marked unknown (not resent)",
            campaign.campaign_id,
            summary.recovered_unknown,
        )
    if rules.reconcile is not None and not campaign.dry_run:
        summary.reconciled = rules.reconcile(ledger, campaign.campaign_id)
    run = _Run(campaign, rules, rules.templates or load_templates(), ledger, client, summary, now)
    run.slots = asyncio.Semaphore(max_in_flight)
    members = _counted(audience, summary)
    try:
        if not campaign.dry_run:
            due = [(run.held_member(hold), hold["run_id"]) for hold in ledger.due_holds(campaign.campaign_id, now)]
            summary.released = len(due)
            for batch in _batches(iter(due), batch_size):
                if not await run.decide_batch(batch):
                    break
        if run.stop is None:
            for batch in _batches(((member, run_id) for member in members), batch_size):
                if not await run.decide_batch(batch):
                    break
    finally:
        await run.drain()
    if run.error is not None:
        raise run.error
    if run.stop is not None:
        _record_unreached(campaign, itertools.chain(run.unreached, members), ledger, summary, run_id, now, batch_size)
        logger.error("campaign %s run %s stopped: %s", campaign.campaign_id, run_id, summary.as_dict())
        raise CampaignRunStoppedError(summary, run.stop)
    logger.info("campaign %s run %s: %s", campaign.campaign_id, run_id, summary.as_dict())
    return summary


def _counted(audience: Iterable[AudienceMember], summary: RunSummary) -> Iterator[AudienceMember]:
    """The audience, counted into the summary as it is read (it may be a stream)."""
    for member in audience:
        summary.audience += 1
        yield member


def _batches(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _member_json(member: AudienceMember) -> str:
    return json.dumps(
        {
            "contact_id": member.contact_id,
            "phone_e164": member.phone_e164,
            "variables": member.variables,
            "marketing_consent": member.marketing_consent,
        },
        default=str,
        sort_keys=True,
    )


def _member_from_json(text: str) -> AudienceMember:
    return AudienceMember(**json.loads(text))


@dataclass
class _Run:
    campaign: Campaign
    rules: SendRules
    templates: TemplateRegistry
    ledger: SendLedger
    client: AsyncSender
    summary: RunSummary
    now: datetime
    started: float = field(default_factory=time.monotonic)
    blocked_templates: dict[tuple[str, str], str | None] = field(default_factory=dict)
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    stop: CampaignHaltError | None = None  # the provider's halt (131048, 190)
    error: BaseException | None = None  # anything else a send raised (the row stays reserved)
    unreached: list[AudienceMember] = field(default_factory=list)  # of this run, after a halt

    def held_member(self, hold: dict[str, Any]) -> AudienceMember:
        """The member a hold keeps; one held from a status webhook has no variables in
        the ledger, so it is looked up again (`SendRules.member_lookup`)."""
        data = json.loads(hold["member"])
        if data.get("variables") is None:
            found = self.rules.member_lookup(hold["contact_id"]) if self.rules.member_lookup else None
            if found is not None:
                return found
            data["variables"] = {}
        return AudienceMember(**data)

    async def decide_batch(self, batch: list[tuple[AudienceMember, str]]) -> bool:
        """Decide (and start sending) a batch of (member, run id), after reading their
        facts in one go; False once the run must stop."""
        self.rules.facts.prefetch([member for member, _ in batch])
        for position, (member, run_id) in enumerate(batch):
            if self.stop is None and self.error is None:
                await self.slots.acquire()
                if self.stop is not None or self.error is not None:
                    self.slots.release()
            if self.stop is not None or self.error is not None:
                self.unreached.extend(m for m, r in batch[position:] if r == self.summary.run_id)
                return False
            try:
                row = self.decide(member, run_id)
            except BaseException:
                self.slots.release()
                raise
            if row is None:
                self.slots.release()
                continue
            task = asyncio.create_task(self._send(member, row))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return True

    async def drain(self) -> None:
        """Wait for every request in flight, and record its answer."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    def decide(self, member: AudienceMember, run_id: str) -> SendRow | None:
        """Apply every rule to one member of run `run_id`; the reserved row to send, or
        None when the member was skipped, held or already decided."""
        campaign, ledger, summary, now = self.campaign, self.ledger, self.summary, self.now
        variant = assign_variant(campaign.campaign_id, member.contact_id, campaign.variants)
        ref = variant.template if variant and variant.template else campaign.template
        template = self.templates[(ref.name, ref.language)]
        row = _row(campaign, run_id, member, template, variant.name if variant else DEFAULT_VARIANT)
        reason = self._template_reason(template)
        if reason is None:
            reason = policy_skip_reason(campaign, member, template.category, self.rules, now, ledger)
        if reason is not None:
            if ledger.record_skip(row, now=now, reason=reason):
                summary.skipped[reason] += 1
            else:
                summary.already_in_ledger += 1
            return None
        last_inbound = self.rules.facts.last_inbound_at(member)
        if last_inbound is not None and now - last_inbound < SERVICE_WINDOW:
            row = SendRow(**{**asdict(row), "in_service_window": True})
        holdout = member.is_holdout or in_holdout(campaign.campaign_id, member.contact_id, campaign.holdout_percent)
        hold = None
        if campaign.quiet_hours is not None:
            assert member.phone_e164 is not None
            zone = local_zone(member.phone_e164, campaign.schedule.timezone)
            until = quiet_until(campaign.quiet_hours, now, zone)
            if until is not None:
                hold = Hold("quiet_hours", until, _member_json(member))
        reservation = ledger.reserve(
            row,
            now=now,
            resend_after_days=campaign.resend_after_days,
            holdout=holdout,
            caps=self._caps(),
            hold=hold,
            dry_run=campaign.dry_run,
        )
        if reservation.decision is Decision.EXISTS:
            summary.already_in_ledger += 1
        elif reservation.decision is Decision.HELD:
            summary.held += 1
        elif reservation.decision is Decision.SKIPPED:
            summary.skipped[reservation.skip_reason or "unknown"] += 1
            if reservation.skip_reason == DRY_RUN:
                summary.would_hold += hold is not None
                summary.would_send += hold is None
        else:
            return row
        return None

    async def _send(self, member: AudienceMember, row: SendRow) -> None:
        """Send one reserved row and record the answer (on the loop's thread)."""
        try:
            assert member.phone_e164 is not None
            message = template_message(
                member.phone_e164, row.template_name, row.template_language, self.campaign.components(member.variables)
            )
            try:
                result = await self.client.send(message)
            except CampaignHaltError as halt:
                self.ledger.complete(row, "failed", error_code=halt.error_code, error_detail=halt.error_detail)
                self.summary.failed += 1
                if self.stop is None:
                    logger.error("campaign %s stopped at contact %s: %s", row.campaign_id, row.contact_id, halt)
                    self.stop = halt
                return
            self._record(member, row, result)
        except BaseException as exc:  # the row stays reserved: unknown next run, never resent
            if self.error is None:
                self.error = exc
        finally:
            self.slots.release()

    def _record(self, member: AudienceMember, row: SendRow, result: SendResult) -> None:
        ledger, summary, now = self.ledger, self.summary, self.now
        if result.outcome == "failed" and result.error_code == MARKETING_LIMIT_CODE:
            held = ledger.hold_for_marketing_limit(
                row,
                member=_member_json(member),
                now=now,
                retry_after=MARKETING_LIMIT_RETRY,
                max_attempts=MARKETING_LIMIT_ATTEMPTS,
                error_detail=result.error_detail or result.error_title,
            )
            if held:
                summary.held += 1
                summary.marketing_limit_held += 1
            else:
                summary.failed += 1
            return
        accepted = result.outcome == "accepted"
        ledger.complete(
            row,
            result.outcome,
            wamid=result.wamid,
            error_code=result.error_code,
            error_detail=result.error_detail or result.error_title,
            sent_at=now + timedelta(seconds=time.monotonic() - self.started) if accepted else None,
        )
        if accepted:
            summary.accepted += 1
        elif result.outcome == "failed":
            summary.failed += 1
            summary.opted_out += result.error_code == OPTED_OUT_CODE
            logger.warning(
                "campaign %s: send to contact %s failed (code=%s)", row.campaign_id, row.contact_id, result.error_code
            )
        else:
            summary.unknown += 1
            logger.warning(
                "campaign %s: send to contact %s has an unknown outcome (%s); it will not be resent",
                row.campaign_id,
                row.contact_id,
                result.error_detail,
            )

    def _template_reason(self, template: Template) -> str | None:
        """`template_paused` when Meta paused, disabled or re-categorised the template
        since the campaign was loaded (asked once per template and run)."""
        key = (template.name, template.language)
        if key not in self.blocked_templates:
            why = self.rules.template_blocked(*key)
            self.blocked_templates[key] = why
            if why is not None:
                logger.warning("campaign %s: template %s/%s not sent: %s", self.campaign.campaign_id, *key, why)
        return TEMPLATE_PAUSED if self.blocked_templates[key] is not None else None

    def _caps(self) -> Caps:
        cap = self.campaign.frequency_cap
        return Caps(
            frequency_max=cap.max_messages if cap else None,
            frequency_days=cap.days if cap else 0,
            audience_limit=self.campaign.audience_limit,
            messaging_limit=self.rules.programme.messaging_limit_for(
                self.campaign.inbox_id, self.campaign.messaging_limit
            ),
        )


def _row(
    campaign: Campaign,
    run_id: str,
    member: AudienceMember,
    template: Template | None = None,
    variant: str = DEFAULT_VARIANT,
) -> SendRow:
    return SendRow(
        campaign_id=campaign.campaign_id,
        run_id=run_id,
        contact_id=member.contact_id,
        phone=member.phone_e164,
        template_name=template.name if template else campaign.template.name,
        template_language=template.language if template else campaign.template.language,
        variant=variant,
        inbox_id=campaign.inbox_id,
        template_category=template.category.value if template else None,
    )


def _record_unreached(
    campaign: Campaign,
    members: Iterable[AudienceMember],
    ledger: SendLedger,
    summary: RunSummary,
    run_id: str,
    now: datetime,
    batch_size: int,
) -> None:
    """Every member after the halt gets a ledger row (skipped, campaign_halted), so the
    run's outcome is complete; resuming the same run decides them again."""
    for batch in _batches(iter(members), batch_size):
        written = ledger.record_halted_many([_row(campaign, run_id, member) for member in batch], now=now)
        if written:
            summary.skipped["campaign_halted"] += written
