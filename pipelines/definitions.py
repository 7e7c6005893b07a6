"""The one Dagster code location of Threadline: merges the domains and sets the executor.

    ingest (raw.*) → transform (dbt: staging → intermediate → marts, segments) → serving
         ↑                                   └→ senders (campaigns) → ledger + status webhooks
    connectors (APIs → landing/)

Each domain's definitions.py holds its assets, checks, jobs, schedules, sensors and the
resources it uses (picked from the one mapping in pipelines/resources.py). Every asset
writing the warehouse is in the `warehouse` pool, and jobs run in one process
(in_process_executor): DuckDB allows a single writer, so writers never overlap.
"""

from __future__ import annotations

import dagster as dg

from pipelines.connectors import definitions as connectors
from pipelines.ingest import definitions as ingest
from pipelines.privacy import definitions as privacy
from pipelines.run_log import stage_logger
from pipelines.serving import definitions as serving
from pipelines.transform import definitions as transform
from senders import definitions as senders

defs = dg.Definitions.merge(
    connectors.defs,
    ingest.defs,
    transform.defs,
    serving.defs,
    senders.defs,
    privacy.defs,
    dg.Definitions(
        executor=dg.in_process_executor,
        # the console log as Dagster writes it, and the stage lines pipelines.cli turns on
        loggers={"console": dg.colored_console_logger, "stages": stage_logger},
    ),
)
