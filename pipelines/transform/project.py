"""The dbt project handle shared by the assets and the resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines.settings import DBT_PROJECT_DIR
from pipelines.transform.manifest import MANIFEST_PATH, dbt_executable, ensure_manifest  # noqa: F401 (re-exported)

# dagster-dbt's own helpers run `dbt` from PATH: make sure the venv's comes first
_VENV_BIN = str(Path(sys.executable).parent)
if _VENV_BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _VENV_BIN + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
if dbt_project.manifest_path != MANIFEST_PATH:  # the cheap reader and dagster-dbt must agree
    raise RuntimeError(f"dbt manifest at {dbt_project.manifest_path}, expected {MANIFEST_PATH}")
