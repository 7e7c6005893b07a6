"""One check per ingest source, on its first raw table: the lines of that source
quarantined in raw.rejected_records (they need a look; the good lines beside them
loaded). A warning, never blocking: the rest of the run goes on."""

import dagster as dg

from pipelines.ingest.assets import RAW_TABLES
from pipelines.resources import WarehouseResource
from pipelines.warehouse import connect

# ingest source -> the `source` values its readers write into raw.rejected_records
REJECT_SOURCES: dict[str, list[str]] = {
    source: [source] for source in RAW_TABLES if source != "campaign_sends"
} | {
    "chatwoot": ["chatwoot", "chatwoot_api"],
    "hubspot": ["hubspot", "hubspot_contacts", "hubspot_deals", "hubspot_contacts_csv"],
    "meta_messaging": ["messenger", "instagram"],
}


def _rejected_records_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=["raw", RAW_TABLES[source][0]],
        name=f"no_rejected_{source}_records",
        blocking=False,
        description=f"No {source} line is quarantined in raw.rejected_records.",
    )
    def check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        con = connect(warehouse.paths.warehouse)
        try:
            exists = con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'raw' and table_name = 'rejected_records'"
            ).fetchone()[0]
            rows = (
                con.execute(
                    "select reason, count(*) from raw.rejected_records "
                    "where list_contains(?, source) group by all order by 2 desc",
                    [REJECT_SOURCES[source]],
                ).fetchall()
                if exists
                else []
            )
        finally:
            con.close()
        total = sum(count for _, count in rows)
        return dg.AssetCheckResult(
            passed=total == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"rejected": total, "by_reason": {reason: count for reason, count in rows}},
        )

    return check


rejected_records_checks = [_rejected_records_check(source) for source in REJECT_SOURCES]
