"""Loading durable state that dbt saves under `THREADLINE_HOME/state/` back into `raw.*`.

An on-run-end hook writes a new parquet file per build (`<prefix>-<build time>.parquet`,
names sorting by time); before each ingest `load_newest` copies the newest readable file
into a raw table, replacing it whole. A file cut short by a crash is skipped for the one
before it; all but the `keep` newest files are pruned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SavedState:
    folder: Path  # state/<name>/
    prefix: str  # files are <prefix>-*.parquet
    table: str  # raw.<table>, replaced whole by the newest file
    ddl: str  # creates the table when absent
    columns: str  # the columns copied, in order
    keep: int = 3  # the newest and two before it, in case the newest is unreadable

    def snapshots(self) -> list[Path]:
        """The saved files, newest first."""
        return sorted(self.folder.glob(f"{self.prefix}-*.parquet"), reverse=True)


def load_newest(con: duckdb.DuckDBPyConnection, state: SavedState) -> dict[str, int]:
    """Replace `state.table` with the newest readable file (empty when there is none);
    returns the rows loaded and the files skipped as unreadable."""
    state.folder.mkdir(parents=True, exist_ok=True)
    con.execute(state.ddl)
    skipped = 0
    for snapshot in state.snapshots():
        try:
            con.execute("begin transaction")
            con.execute(f"delete from {state.table}")
            con.execute(
                f"insert into {state.table} select {state.columns} from read_parquet(?)",
                [str(snapshot)],
            )
            con.execute("commit")
        except duckdb.Error as error:
            con.execute("rollback")
            log.warning("%s is unreadable (%s); trying the one before", snapshot, error)
            skipped += 1
            continue
        _prune(state, keep_from=snapshot)
        rows = con.execute(f"select count(*) from {state.table}").fetchone()[0]
        return {"rows": rows, "skipped": skipped}
    return {"rows": 0, "skipped": skipped}


def _prune(state: SavedState, keep_from: Path) -> None:
    """Delete files older than the `keep` newest, never the one just loaded."""
    ordered = state.snapshots()
    keep = set(ordered[: max(state.keep, ordered.index(keep_from) + 1)])
    for snapshot in ordered:
        if snapshot not in keep:
            snapshot.unlink(missing_ok=True)
