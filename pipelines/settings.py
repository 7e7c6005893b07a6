"""Where Threadline keeps its data: everything derives from one setting, THREADLINE_HOME."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# the dbt project; THREADLINE_DBT_PROJECT_DIR points at another copy (tests of a project
# with an extra segment)
DBT_PROJECT_DIR = Path(os.environ.get("THREADLINE_DBT_PROJECT_DIR") or REPO_ROOT / "models").resolve()


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def landing(self) -> Path:
        """Append-only files as the sources produced them (webhook bodies, API pages, exports)."""
        return self.home / "landing"

    @property
    def warehouse(self) -> Path:
        """The DuckDB warehouse; one writing process at a time."""
        return self.home / "warehouse.duckdb"

    @property
    def serving(self) -> Path:
        """Read-only copies the pipeline publishes for the dashboards."""
        return self.home / "serving"

    @property
    def serving_warehouse(self) -> Path:
        return self.serving / "warehouse.duckdb"

    @property
    def state(self) -> Path:
        """Durable state that is not derived from landing: the send ledger, connector cursors."""
        return self.home / "state"

    @property
    def send_ledger(self) -> Path:
        return self.state / "send_ledger.sqlite"

    def source_landing(self, source: str) -> Path:
        return self.landing / source

    def ensure(self) -> Paths:
        for folder in (self.landing, self.serving, self.state):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def paths(home: str | os.PathLike[str] | None = None) -> Paths:
    """The data paths for `home`, else $THREADLINE_HOME, else `data/` in the repository."""
    chosen = home or os.environ.get("THREADLINE_HOME") or (REPO_ROOT / "data")
    return Paths(Path(chosen).resolve())
