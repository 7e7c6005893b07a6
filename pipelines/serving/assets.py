"""The serving snapshot: a copy of the warehouse, replaced atomically after each build,
so a dashboard never blocks the pipeline and the pipeline never blocks a dashboard."""

import dagster as dg

from pipelines.resources import WarehouseResource
from pipelines.warehouse import connect, publish_serving_copy

PUBLIC_RELATIONS = [
    ["marts", "dim_contacts"],
    ["marts", "fct_messages"],
    ["marts", "fct_conversations"],
    ["marts", "fct_orders"],
    ["marts", "fct_campaign_sends"],
    ["segments", "repurchase_due"],
]


@dg.asset(
    key=["serving", "warehouse_snapshot"],
    group_name="serving",
    deps=PUBLIC_RELATIONS,
    pool="warehouse",
)
def serving_snapshot(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """serving/warehouse.duckdb: what the dashboards read."""
    paths = warehouse.paths
    target = publish_serving_copy(paths.warehouse, paths.serving_warehouse)
    con = connect(target, read_only=True)
    try:
        counts = {
            ".".join(key): con.execute(f"select count(*) from {'.'.join(key)}").fetchone()[0]
            for key in PUBLIC_RELATIONS
        }
    finally:
        con.close()
    return dg.MaterializeResult(metadata={"path": str(target), **counts})
