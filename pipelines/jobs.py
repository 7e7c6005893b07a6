"""Jobs are asset selections."""

from __future__ import annotations

import dagster as dg

from senders.assets import campaign_assets, campaign_definitions, uses_real_cloud_api

# ingest everything landed, rebuild the models, publish the serving copy
refresh_selection = dg.AssetSelection.groups(
    "raw", "seeds", "staging", "intermediate", "marts", "segments", "serving"
)

refresh_job = dg.define_asset_job(
    "refresh",
    selection=refresh_selection,
    description="Ingest new landing files and the send ledger, dbt build, publish serving.",
    tags={"threadline/warehouse": "write"},
)

everything_job = dg.define_asset_job(
    "everything",
    selection=dg.AssetSelection.all(),
    description="Every asset: ingest, dbt, serving, and every campaign.",
    tags={"threadline/warehouse": "write"},
)

campaign_jobs = [
    dg.define_asset_job(
        f"campaign_{campaign.campaign_id}",
        selection=dg.AssetSelection.assets(asset),
        description=f"Send campaign {campaign.campaign_id} to its segment {campaign.segment}.",
        tags={"threadline/warehouse": "write"},
    )
    for campaign, asset in zip(campaign_definitions, campaign_assets, strict=True)
]

def campaign_schedule_status() -> dg.DefaultScheduleStatus:
    """Campaign schedules run by themselves only against the local simulator: with the
    real Cloud API configured they start STOPPED, and a person turns each one on (in the
    Dagster UI, Automation), so nobody real is messaged unasked."""
    if uses_real_cloud_api():
        return dg.DefaultScheduleStatus.STOPPED
    return dg.DefaultScheduleStatus.RUNNING


campaign_schedules = [
    dg.ScheduleDefinition(
        job=job,
        cron_schedule=campaign.schedule.cron,
        execution_timezone=campaign.schedule.timezone,
        default_status=campaign_schedule_status(),
    )
    for campaign, job in zip(campaign_definitions, campaign_jobs, strict=True)
]
