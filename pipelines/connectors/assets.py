"""The API connectors as Dagster assets: each fetches what changed since its cursor into
landing/, where the landing sensor picks it up. A connector whose credentials are not in
the environment (its resource is `UnconfiguredConnector`) records that it is not
configured, naming the variables, and fetches nothing."""

import dagster as dg

from pipelines.connectors.resources import CONNECTOR_RESOURCES, Connector, resource_key
from pipelines.resources import WarehouseResource

DESCRIPTIONS = {
    "chatwoot_api": "Chatwoot conversations and messages (REST) → landing/chatwoot_api/.",
    "hubspot": "HubSpot contacts and deals → landing/hubspot/.",
    "shopify_api": "Shopify orders and abandoned checkouts → landing/shopify/.",
    "ics_feed": "An iCalendar / CalDAV feed → landing/calendar/.",
}


def _connector_asset(name: str) -> dg.AssetsDefinition:
    key = resource_key(name)

    @dg.asset(
        key=["landing", name],
        group_name="connectors",
        description=DESCRIPTIONS[name],
        required_resource_keys={key, "warehouse"},
    )
    def fetch(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        connector: Connector = getattr(context.resources, key)
        warehouse: WarehouseResource = context.resources.warehouse
        if connector.missing:
            missing = ", ".join(connector.missing)
            context.log.info(f"{name}: not configured (set {missing})")
            return dg.MaterializeResult(metadata={"configured": False, "missing": missing})
        counts = connector.sync(warehouse.paths)
        return dg.MaterializeResult(metadata={"configured": True, **counts})

    return fetch


connector_assets = [_connector_asset(name) for name in CONNECTOR_RESOURCES]
