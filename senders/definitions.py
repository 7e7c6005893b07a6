"""Senders: one asset, job and schedule per campaign file in senders/campaigns/, and the
`everything` job (every asset, campaigns included) that `make pipeline` runs."""

import dagster as dg

from pipelines.resources import pick
from senders.assets import campaign_assets, campaign_definitions
from senders.resources import WhatsAppSender
from senders.template_assets import template_registry, template_sync_job, template_sync_schedule

WAREHOUSE_WRITE = {"threadline/warehouse": "write"}

campaign_jobs = [
    dg.define_asset_job(
        f"campaign_{campaign.campaign_id}",
        selection=dg.AssetSelection.assets(asset),
        description=f"Send campaign {campaign.campaign_id} to its segment {campaign.segment}.",
        tags=WAREHOUSE_WRITE,
    )
    for campaign, asset in zip(campaign_definitions, campaign_assets, strict=True)
]

everything_job = dg.define_asset_job(
    "everything",
    selection=dg.AssetSelection.all(),
    description="Every asset: ingest, dbt, serving, and every campaign.",
    tags=WAREHOUSE_WRITE,
)


def campaign_schedule_status(sender: WhatsAppSender) -> dg.DefaultScheduleStatus:
    """Campaign schedules run by themselves only against the local simulator: with the
    real Cloud API configured they start STOPPED, and a person turns each one on (in the
    Dagster UI, Automation), so nobody real is messaged unasked."""
    if sender.reaches_real_people:
        return dg.DefaultScheduleStatus.STOPPED
    return dg.DefaultScheduleStatus.RUNNING


resources = pick("warehouse", "whatsapp", "templates")

campaign_schedules = [
    dg.ScheduleDefinition(
        job=job,
        cron_schedule=campaign.schedule.cron,
        execution_timezone=campaign.schedule.timezone,
        default_status=campaign_schedule_status(resources["whatsapp"]),
    )
    for campaign, job in zip(campaign_definitions, campaign_jobs, strict=True)
]

defs = dg.Definitions(
    assets=[*campaign_assets, template_registry],
    jobs=[everything_job, *campaign_jobs, template_sync_job],
    schedules=[*campaign_schedules, template_sync_schedule],
    resources=resources,
)
