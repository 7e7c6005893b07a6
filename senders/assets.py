"""One Dagster asset per campaign file in senders/campaigns/.

A run streams the campaign's audience from the warehouse (segment ∩ dim_contacts,
`iter_audience`), first reconciles the ledger's `unknown` sends with the status webhooks
(senders/reconcile.py), lets the policy and the send ledger decide, sends the template
(many requests in flight, senders/run.py), and records every member in the ledger.
The run id is the scheduled day (or today, in the campaign's time zone), so a second
run the same day sends nothing new; `resend_after_days` keeps later days from
repeating a send.

The sender is the `whatsapp` resource (senders/resources.py), chosen from the
environment in pipelines/resources.py: the real Cloud API, or the local simulator.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb

from pipelines.resources import WarehouseResource
from pipelines.warehouse import connect
from senders.audience import iter_audience, lookup_member
from senders.campaign import Campaign, load_campaigns
from senders.ledger import SendLedger
from senders.policy import WarehouseFacts, erased_checker
from senders.programme import load_programme
from senders.reconcile import reconcile
from senders.resources import WhatsAppSender
from senders.run import CampaignRunStoppedError, SendRules, run_campaign
from senders.templates import send_time_block_reason

SCHEDULED_TIME_TAG = "dagster/scheduled_execution_time"


INBOX_COLUMNS = ("waba_id", "whatsapp_display_phone_number", "whatsapp_phone_number_id")


def load_inbox(con: duckdb.DuckDBPyConnection, inbox_id: str) -> dict[str, str]:
    """The campaign's sending number, from marts.dim_inboxes (built from the inboxes seed)."""
    row = con.execute(
        f"select {', '.join(INBOX_COLUMNS)} from marts.dim_inboxes where inbox_id = ? and channel = 'whatsapp'",
        [inbox_id],
    ).fetchone()
    if row is None:
        raise ValueError(
            f"inbox {inbox_id!r} is no WhatsApp inbox of marts.dim_inboxes: add it to models/seeds/inboxes.csv"
        )
    return dict(zip(INBOX_COLUMNS, row, strict=True))


def run_id_for(campaign: Campaign, context: dg.AssetExecutionContext) -> str:
    scheduled = context.run.tags.get(SCHEDULED_TIME_TAG) if context.run else None
    moment = datetime.fromisoformat(scheduled) if scheduled else datetime.now(UTC)
    local_day = moment.astimezone(ZoneInfo(campaign.schedule.timezone)).date()
    return f"{campaign.campaign_id}:{local_day.isoformat()}"


def _campaign_asset(campaign: Campaign) -> dg.AssetsDefinition:
    @dg.asset(
        name=campaign.campaign_id,
        key_prefix=["senders"],
        group_name="campaigns",
        deps=[
            ["segments", campaign.segment],
            ["marts", "dim_contacts"],
            ["marts", "dim_inboxes"],
            ["marts", "dim_templates"],
        ],
        pool="warehouse",
        description=campaign.description or f"Campaign {campaign.campaign_id}",
        kinds={"whatsapp"},
    )
    def send(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, whatsapp: WhatsAppSender
    ) -> dg.MaterializeResult:
        paths = warehouse.paths
        # the connection stays open for the run: consent, the service window and 131026
        # failures are read again per batch of members, right before their requests
        con = connect(paths.warehouse, read_only=True)
        run_id = run_id_for(campaign, context)
        rules = SendRules(
            facts=WarehouseFacts(con),
            erased=erased_checker(paths.state),
            programme=load_programme(),
            template_blocked=lambda name, language: send_time_block_reason(name, language, con, paths.home),
            reconcile=lambda ledger, campaign_id: reconcile(ledger, con, campaign_id),
            member_lookup=lambda contact_id: lookup_member(con, campaign, contact_id),
        )
        with (
            con,
            whatsapp.open(paths, load_inbox(con, campaign.inbox_id)) as client,
            SendLedger(paths.send_ledger) as ledger,
        ):
            audience = iter_audience(con, campaign)
            try:
                summary = run_campaign(
                    campaign, audience, ledger, client, run_id, datetime.now(UTC), rules
                )
            except CampaignRunStoppedError as stopped:
                raise dg.Failure(
                    description=str(stopped),
                    metadata={
                        "error_code": stopped.error_code,
                        **_metadata(stopped.summary.as_dict()),
                    },
                ) from stopped
        context.log.info(
            f"campaign {campaign.campaign_id} run {run_id} via {whatsapp.name}: {summary.as_dict()}"
        )
        return dg.MaterializeResult(
            metadata={"run_id": run_id, "provider": whatsapp.name, **_metadata(summary.as_dict())}
        )

    return send


def _metadata(summary: dict) -> dict[str, object]:
    flat = {k: v for k, v in summary.items() if k not in ("skipped", "reconciled")}
    flat.update(
        {f"skipped_{reason}": count for reason, count in summary.get("skipped", {}).items()}
    )
    flat.update({f"reconciled_{what}": count for what, count in summary.get("reconciled", {}).items()})
    return flat


campaign_definitions = load_campaigns()
campaign_assets = [_campaign_asset(campaign) for campaign in campaign_definitions]
