"""Connectors: fetch what changed in the shared inbox, the CRM, the shop and the calendar."""

import dagster as dg

from pipelines.connectors.assets import connector_assets
from pipelines.connectors.resources import CONNECTOR_RESOURCES, resource_key
from pipelines.resources import pick

sync_connectors_job = dg.define_asset_job(
    "sync_connectors",
    selection=dg.AssetSelection.groups("connectors"),
    description="Fetch what changed in the shared inbox, the CRM, the shop and the calendar.",
)

sync_connectors_schedule = dg.ScheduleDefinition(
    job=sync_connectors_job,
    cron_schedule="*/15 * * * *",
    execution_timezone="Europe/Rome",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)

defs = dg.Definitions(
    assets=connector_assets,
    jobs=[sync_connectors_job],
    schedules=[sync_connectors_schedule],
    resources=pick("warehouse", *(resource_key(name) for name in CONNECTOR_RESOURCES)),
)
