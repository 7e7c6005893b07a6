"""Jobs are asset selections."""

from __future__ import annotations

import dagster as dg

from senders.assets import campaign_assets, campaign_definitions

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

campaign_schedules = [
    dg.ScheduleDefinition(
        job=job,
        cron_schedule=campaign.schedule.cron,
        execution_timezone=campaign.schedule.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    for campaign, job in zip(campaign_definitions, campaign_jobs, strict=True)
]
