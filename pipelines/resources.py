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
    """Where the data lives: `home`, else THREADLINE_HOME at run time, else data/."""

    home: str | None = None

    @property
    def paths(self) -> Paths:
        return paths(self.home).ensure()

    def export_home(self) -> Paths:
        """Point subprocesses (dbt reads THREADLINE_HOME in models/profiles.yml) here."""
        chosen = self.paths
        os.environ["THREADLINE_HOME"] = str(chosen.home)
        return chosen


def _local() -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(),
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
