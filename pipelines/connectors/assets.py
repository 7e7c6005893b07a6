"""The API connectors as Dagster assets: each fetches what changed since its cursor into
landing/, where the landing sensor picks it up. A connector whose credentials are not in
the environment records that it is not configured and fetches nothing."""

import os
from collections.abc import Callable

import dagster as dg

from pipelines.connectors import chatwoot_api, hubspot, ics_feed, shopify_api
from pipelines.resources import WarehouseResource
from pipelines.settings import Paths

CONNECTORS: dict[str, tuple[Callable[[Paths], dict], list[str], str]] = {
    "chatwoot_api": (
        chatwoot_api.sync,
        ["THREADLINE_CHATWOOT_URL", "THREADLINE_CHATWOOT_ACCOUNT_ID", "THREADLINE_CHATWOOT_API_TOKEN"],
        "Chatwoot conversations and messages (REST) → landing/chatwoot_api/.",
    ),
    "hubspot": (
        hubspot.sync,
        ["THREADLINE_HUBSPOT_TOKEN"],
        "HubSpot contacts and deals → landing/hubspot/.",
    ),
    "shopify_api": (
        shopify_api.sync,
        ["THREADLINE_SHOPIFY_SHOP_URL", "THREADLINE_SHOPIFY_TOKEN"],
        "Shopify orders and abandoned checkouts → landing/shopify/.",
    ),
    "ics_feed": (
        ics_feed.sync,
        ["THREADLINE_CALENDAR_ICS_URL"],
        "An iCalendar / CalDAV feed → landing/calendar/.",
    ),
}


def _connector_asset(name: str) -> dg.AssetsDefinition:
    sync, variables, description = CONNECTORS[name]

    @dg.asset(key=["landing", name], group_name="connectors", description=description)
    def fetch(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        missing = [variable for variable in variables if not os.environ.get(variable)]
        if missing:
            context.log.info(f"{name}: not configured (set {', '.join(missing)})")
            return dg.MaterializeResult(metadata={"configured": False, "missing": ", ".join(missing)})
        counts = sync(warehouse.paths)
        return dg.MaterializeResult(metadata={"configured": True, **counts})

    return fetch


connector_assets = [_connector_asset(name) for name in CONNECTORS]

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
