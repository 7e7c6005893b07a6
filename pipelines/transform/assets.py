"""Every dbt model, seed and test as Dagster assets and checks, keyed [schema, name] so
`raw/*` ingest assets and `marts/*`, `segments/*` line up with the warehouse."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines.resources import WarehouseResource
from pipelines.transform.project import dbt_project, ensure_manifest

SCHEMA_GROUPS = {"staging", "intermediate", "marts", "segments", "seeds"}


class ThreadlineTranslator(DagsterDbtTranslator):
    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] in ("model", "seed"):
            schema = props["schema"]
            return spec.replace_attributes(
                key=dg.AssetKey([schema, props["name"]]),
                group_name=schema if schema in SCHEMA_GROUPS else "dbt",
            )
        if props["resource_type"] == "source":
            # keyed by schema, so a source declared under another name (segment_state)
            # lines up with the ingest asset that fills its table
            return spec.replace_attributes(key=dg.AssetKey([props["schema"], props["name"]]))
        return spec


@dbt_assets(
    manifest=ensure_manifest(),
    dagster_dbt_translator=ThreadlineTranslator(),
    project=dbt_project,
    pool="warehouse",
)
def threadline_dbt(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """`dbt build`: seeds, staging, intermediate, marts, segments, with every test."""
    warehouse.export_home()
    yield from dbt.cli(["build"], context=context).stream()
