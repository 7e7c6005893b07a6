"""Start ingestion when new landing files appear.

Writers publish files atomically (`*.jsonl.part` renamed to `*.jsonl`), so the sensor
only ever sees complete files. The cursor is the newest modification time seen plus
the number of files, so a run is requested once per change.
"""

import dagster as dg

from pipelines.landing import landed_files
from pipelines.resources import WarehouseResource

# ingest everything landed, rebuild the models, publish the serving copy
refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.groups(
        "raw", "seeds", "staging", "intermediate", "marts", "segments", "serving"
    ),
    description="Ingest new landing files and the send ledger, dbt build, publish serving.",
    tags={"threadline/warehouse": "write"},
)


@dg.sensor(
    job=refresh_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING
)
def landing_sensor(
    context: dg.SensorEvaluationContext, warehouse: WarehouseResource
) -> dg.SensorResult | dg.SkipReason:
    files = landed_files(warehouse.paths.landing)
    if not files:
        return dg.SkipReason("no landing files yet")
    newest = max(f.stat().st_mtime_ns for f in files)
    cursor = f"{newest}:{len(files)}"
    if cursor == context.cursor:
        return dg.SkipReason("no new landing files")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=cursor)], cursor=cursor)
