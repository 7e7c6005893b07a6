"""Ingest assets: landing files and the send ledger into raw.* tables.

Every asset that writes the warehouse is in the `warehouse` pool and the job runs in one
process, so DuckDB's single writer is never contended.
"""

import dagster as dg

from pipelines.ingest import membership_state, phones, registry_state
from pipelines.ingest.sources import SOURCES
from pipelines.resources import WarehouseResource
from pipelines.warehouse import writing

# which raw tables each source fills (the dbt sources read them under these keys)
RAW_TABLES: dict[str, list[str]] = {
    "whatsapp": ["whatsapp_changes", "whatsapp_messages", "whatsapp_statuses"],
    "chatwoot": ["chatwoot_events"],
    "shopify": ["shopify_orders"],
    "shopify_checkouts": ["shopify_checkouts"],
    "woocommerce": ["woocommerce_orders"],
    "hubspot": ["hubspot_contacts", "hubspot_deals", "hubspot_contacts_csv"],
    "meta_messaging": ["meta_messaging_events"],
    "email": ["email_messages"],
    "webchat": ["webchat_events"],
    "calls": ["calls"],
    "canonical": ["canonical_messages"],
    "calendar": ["appointments"],
    "consent_forms": ["consent_forms"],
    "listings": ["listings"],
    "campaign_sends": ["campaign_sends"],
    "campaigns": ["campaigns"],
}

DESCRIPTIONS = {
    "whatsapp": "WhatsApp Cloud API webhook bodies from landing/whatsapp/.",
    "chatwoot": "Chatwoot (shared inbox) webhook events from landing/chatwoot/ and REST messages "
    "from landing/chatwoot_api/.",
    "shopify": "Shopify orders from landing/shopify/orders/.",
    "shopify_checkouts": "Shopify abandoned checkouts from landing/shopify/checkouts/.",
    "woocommerce": "WooCommerce order CSV exports from landing/woocommerce/.",
    "hubspot": "HubSpot CRM contacts and deals (API pages and CSV exports) from landing/hubspot/.",
    "meta_messaging": "Messenger and Instagram webhook bodies from landing/messenger/ and landing/instagram/.",
    "email": "E-mails (.eml files and mbox archives) from landing/email/.",
    "webchat": "Web chat events (our JSONL format) from landing/webchat/.",
    "calls": "Call records (CSV) from landing/calls/.",
    "canonical": "Messages in the canonical import format (JSONL, CSV, Parquet) from landing/canonical/.",
    "calendar": "Appointments from iCalendar files in landing/calendar/.",
    "consent_forms": "Web-form consent statements (CSV or JSONL exports) from landing/consent/.",
    "listings": "Property listings (gestionale CSV exports, JSON feeds) from landing/listings/.",
    "campaign_sends": "The campaign send ledger (state/send_ledger.sqlite), copied whole.",
    "campaigns": "The campaign definitions (senders/campaigns/*.yaml: goal, uplift method, variants), "
    "validated and copied whole.",
}


def _ingest_asset(source: str) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"ingest_{source}",
        specs=[
            dg.AssetSpec(["raw", table], group_name="raw", description=DESCRIPTIONS[source])
            for table in RAW_TABLES[source]
        ],
        pool="warehouse",
    )
    def ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        paths = warehouse.paths
        with writing(paths.warehouse) as con:
            result = SOURCES[source](con, paths)
        context.log.info(f"{source}: {result}")
        for table in RAW_TABLES[source]:
            yield dg.MaterializeResult(asset_key=["raw", table], metadata=dict(result))

    return ingest


ingest_assets = [_ingest_asset(source) for source in SOURCES]


@dg.asset(
    key=["raw", "phone_numbers"],
    group_name="raw",
    deps=[["raw", table] for tables in RAW_TABLES.values() for table in tables],
    pool="warehouse",
)
def raw_phone_numbers(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every raw phone value seen, parsed once to E.164 with the phonenumbers library."""
    with writing(warehouse.paths.warehouse) as con:
        added = phones.refresh(con)
        total = con.execute("select count(*) from raw.phone_numbers").fetchone()[0]
    return dg.MaterializeResult(metadata={"added": added, "total": total})


@dg.asset(key=["raw", "contact_registry_state"], group_name="raw", pool="warehouse")
def raw_contact_registry_state(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The contact registry saved under state/contact_registry/ after the last dbt build,
    so contact ids survive a warehouse rebuilt from landing/ and state/."""
    with writing(warehouse.paths.warehouse) as con:
        result = registry_state.load(con, warehouse.paths)
    return dg.MaterializeResult(metadata=dict(result))


@dg.asset(key=["raw", "segment_membership_state"], group_name="raw", pool="warehouse")
def raw_segment_membership_state(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The segment membership history saved under state/segment_membership/ after the
    last dbt run, so a warehouse rebuilt from nothing gets it back."""
    with writing(warehouse.paths.warehouse) as con:
        result = membership_state.load(con, warehouse.paths)
    return dg.MaterializeResult(metadata=dict(result))
