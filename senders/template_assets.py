"""The template registry as a Dagster asset: `senders/template_registry` syncs
THREADLINE_HOME/state/templates.json from the `templates` resource (the Cloud API, or
the local simulator when no token is set), daily and on demand (job `template_sync`)."""

import dagster as dg

from pipelines.resources import WarehouseResource
from senders.template_sync import TemplateSource, sync_templates
from senders.templates import synced_templates_file


@dg.asset(
    key=["senders", "template_registry"],
    group_name="templates",
    description="The WhatsApp message templates of the account (state/templates.json), "
    "synced from GET /{WABA_ID}/message_templates; they take precedence over "
    "senders/templates.yaml (docs/templates.md).",
    kinds={"whatsapp"},
)
def template_registry(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, templates: TemplateSource
) -> dg.MaterializeResult:
    target = synced_templates_file(warehouse.paths)
    with templates.open() as client:
        result = sync_templates(client, target)
    for reason in result.skipped:
        context.log.warning(f"template left out of the sync: {reason}")
    return dg.MaterializeResult(
        metadata={"source": templates.name, "path": str(target), **result.as_dict()}
    )


template_sync_job = dg.define_asset_job(
    "template_sync",
    selection=dg.AssetSelection.assets(template_registry),
    description="Sync the WhatsApp template registry from the Cloud API.",
)

template_sync_schedule = dg.ScheduleDefinition(
    job=template_sync_job,
    cron_schedule="15 6 * * *",
    execution_timezone="Europe/Rome",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
