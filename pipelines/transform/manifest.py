"""The dbt project's manifest, parsed when missing or stale, without importing dagster-dbt
(reading which segments exist must stay cheap: campaign validation does it in every
sender process)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR

# dbt_project.yml's target-path is "target"; dagster-dbt's DbtProject points there too
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"


def dbt_executable() -> str:
    """The `dbt` beside this interpreter (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def _newest_project_file() -> float:
    """When the dbt project's own files last changed (models, macros, seeds, config)."""
    files = [DBT_PROJECT_DIR / "dbt_project.yml"]
    for folder in ("staging", "intermediate", "marts", "segments", "macros", "seeds", "tests"):
        files += [f for f in (DBT_PROJECT_DIR / folder).rglob("*") if f.is_file()]
    return max(f.stat().st_mtime for f in files if f.exists())


def ensure_manifest() -> Path:
    """Parse the dbt project when no manifest exists yet (a fresh clone) or when a model,
    macro, seed or test changed since the manifest was written."""
    manifest = MANIFEST_PATH
    if not manifest.exists() or manifest.stat().st_mtime < _newest_project_file():
        env = {**os.environ, "THREADLINE_HOME": os.environ.get("THREADLINE_HOME", "/tmp")}
        subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--quiet",
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(manifest.parent),
            ],
            cwd=DBT_PROJECT_DIR,
            env=env,
            check=True,
        )
    return manifest
