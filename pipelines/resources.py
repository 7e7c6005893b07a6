"""Resources, chosen by environment from one mapping so asset code never branches on
where it runs. Today there is one deployment kind, a local DuckDB file under
THREADLINE_HOME; a warehouse in production would add an entry here."""

from __future__ import annotations

import os

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.settings import Paths, paths
from pipelines.transform.project import dbt_executable, dbt_project


class WarehouseResource(dg.ConfigurableResource):
    """Where the data lives: THREADLINE_HOME (landing files, warehouse, serving copy)."""

    home: str

    @property
    def paths(self) -> Paths:
        return paths(self.home).ensure()


def _local() -> dict[str, object]:
    home = str(paths().home)
    # dbt reads THREADLINE_HOME from the environment (models/profiles.yml)
    os.environ["THREADLINE_HOME"] = home
    return {
        "warehouse": WarehouseResource(home=home),
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.project_dir),
            dbt_executable=dbt_executable(),
        ),
    }


RESOURCES_BY_DEPLOYMENT = {"local": _local}


def resources() -> dict[str, object]:
    deployment = os.environ.get("THREADLINE_DEPLOYMENT", "local")
    if deployment not in RESOURCES_BY_DEPLOYMENT:
        raise ValueError(
            f"THREADLINE_DEPLOYMENT={deployment!r}; known: {sorted(RESOURCES_BY_DEPLOYMENT)}"
        )
    return RESOURCES_BY_DEPLOYMENT[deployment]()
