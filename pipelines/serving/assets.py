"""The serving snapshot: a copy of the warehouse, replaced atomically after each build,
so a dashboard never blocks the pipeline and the pipeline never blocks a dashboard."""

import dagster as dg

from pipelines.resources import WarehouseResource
from pipelines.transform.segments import project_segments
from pipelines.warehouse import connect, publish_serving_copy

# the whole warehouse is copied; these are the relations the dashboards and senders read,
# with every segment of the dbt project (pipelines/transform/segments.py) and the
# segment framework's relations (models/segments/segment_*.yml)
PUBLIC_RELATIONS = [
    ["marts", "dim_contacts"],
    ["marts", "fct_messages"],
    ["marts", "fct_conversations"],
    ["marts", "fct_orders"],
    ["marts", "fct_campaign_sends"],
    ["segments", "segment_membership_history"],
    ["segments", "segment_catalog"],
    ["segments", "segment_sizes_daily"],
    ["segments", "segment_overlap"],
    *(["segments", name] for name in project_segments().segments),
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
