"""The one Dagster code location of Threadline: merges the domains and sets the executor.

    ingest (raw.*) → dbt (staging → intermediate → marts, segments) → serving snapshot
                                          └→ campaigns (senders/) → ledger + status webhooks → ingest

Every asset writing the warehouse belongs to the `warehouse` pool, and jobs run in one
process (in_process_executor): DuckDB allows a single writer, so writers never overlap.
"""

from __future__ import annotations

import dagster as dg

from pipelines.connectors.assets import connector_assets, sync_connectors_job, sync_connectors_schedule
from pipelines.ingest.assets import ingest_assets, no_rejected_records, raw_contact_registry_state, raw_phone_numbers
from pipelines.jobs import campaign_jobs, campaign_schedules, everything_job, refresh_job
from pipelines.resources import resources
from pipelines.sensors import landing_sensor
from pipelines.serving.assets import serving_snapshot
from pipelines.transform.assets import threadline_dbt
from senders.assets import campaign_assets

defs = dg.Definitions(
    assets=[
        *connector_assets,
        *ingest_assets,
        raw_phone_numbers,
        raw_contact_registry_state,
        threadline_dbt,
        serving_snapshot,
        *campaign_assets,
    ],
    asset_checks=[no_rejected_records],
    jobs=[everything_job, refresh_job, sync_connectors_job, *campaign_jobs],
    schedules=[*campaign_schedules, sync_connectors_schedule],
    sensors=[landing_sensor],
    resources=resources(),
    executor=dg.in_process_executor,
)
