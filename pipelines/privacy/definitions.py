"""The `erase_contact` job: one op in the `warehouse` pool (and the run tag that queues
warehouse writers one at a time), so erasure never overlaps ingest, dbt or a campaign.

Its config holds only the tombstone hash of the phone number or e-mail
(`python -m pipelines.privacy hash` prints it, reading the identifier from stdin), never
the identifier. `make erase` runs this job in process and hands the identifier through
the environment (THREADLINE_ERASE_CONTACT), so that it can also be erased from files
that never reached the warehouse.
"""


import os

import dagster as dg

from pipelines.privacy.erase import erase
from pipelines.resources import WarehouseResource, pick

CONTACT_ENV = "THREADLINE_ERASE_CONTACT"
WAREHOUSE_WRITE = {"threadline/warehouse": "write"}


class EraseConfig(dg.Config):
    # the tombstone hash of the phone or e-mail (python -m pipelines.privacy hash)
    contact_hash: str


@dg.op(pool="warehouse")
def erase_contact_op(context: dg.OpExecutionContext, config: EraseConfig, warehouse: WarehouseResource) -> dict:
    """Remove one person from everything under THREADLINE_HOME; logs counts only."""
    paths = warehouse.export_home()
    # taken out of the environment, so no subprocess (dbt) inherits it
    report = erase(paths, config.contact_hash, os.environ.pop(CONTACT_ENV, None))
    for line in report.lines():
        context.log.info(line)
    return report.as_dict()


@dg.job(tags=WAREHOUSE_WRITE, description="GDPR erasure of one person (see docs/privacy.md)")
def erase_contact() -> None:
    erase_contact_op()


defs = dg.Definitions(jobs=[erase_contact], resources=pick("warehouse"))
