"""Running `dbt build` outside Dagster (tests, benchmarks, one-off rebuilds)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR
from pipelines.transform.manifest import dbt_executable


def dbt(
    args: list[str],
    home: Path,
    dbt_vars: dict[str, object] | None = None,
    check: bool = True,
    project_dir: Path = DBT_PROJECT_DIR,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` on the warehouse under `home` (in the dbt project `project_dir`);
    raises with dbt's output on failure."""
    command = [dbt_executable(), *args, "--profiles-dir", str(project_dir)]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    env = {**os.environ, "THREADLINE_HOME": str(Path(home).resolve())}
    result = subprocess.run(
        command, cwd=project_dir, env=env, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def build(
    home: Path, dbt_vars: dict[str, object] | None = None
) -> subprocess.CompletedProcess[str]:
    return dbt(["build"], home, dbt_vars)
