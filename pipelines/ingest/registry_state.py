"""The contact registry's history, kept under `THREADLINE_HOME/state/` so that a warehouse
rebuilt from `landing/` and `state/` gives every contact the id it had.

After each dbt build that builds `intermediate.int_contact_registry`, dbt writes the whole
registry (append-only: every identifier → contact assignment ever made) to a new file
`state/contact_registry/registry-<build time>.parquet` (macro `save_contact_registry`,
an on-run-end hook). Before each ingest, `load` copies the newest readable file into
`raw.contact_registry_state`, which `stg_state__contact_registry` reads: the registry
model starts from it whenever it is built from scratch (a new warehouse, or
`dbt build --full-refresh`). A file cut short by a crash is skipped, for the one before
it; older files are pruned.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from pipelines.settings import Paths

log = logging.getLogger(__name__)

TABLE = "raw.contact_registry_state"
DDL = f"""
create schema if not exists raw;
create table if not exists {TABLE} (
    node varchar not null,
    contact_id varchar not null,
    valid_from timestamp not null
);
"""
# snapshots kept: the newest and two before it, in case the newest is unreadable
KEEP = 3


def folder(paths: Paths) -> Path:
    return paths.state / "contact_registry"


def snapshots(paths: Paths) -> list[Path]:
    """The registry snapshots, newest first (their names sort by build time)."""
    return sorted(folder(paths).glob("registry-*.parquet"), reverse=True)


def load(con: duckdb.DuckDBPyConnection, paths: Paths) -> dict[str, int]:
    """Replace raw.contact_registry_state with the newest readable snapshot (empty when
    there is none); returns the rows loaded and the snapshots skipped as unreadable."""
    folder(paths).mkdir(parents=True, exist_ok=True)
    con.execute(DDL)
    skipped = 0
    for snapshot in snapshots(paths):
        try:
            con.execute("begin transaction")
            con.execute(f"delete from {TABLE}")
            con.execute(
                f"insert into {TABLE} select node, contact_id, valid_from from read_parquet(?)",
                [str(snapshot)],
            )
            con.execute("commit")
        except duckdb.Error as error:
            con.execute("rollback")
            log.warning("contact registry snapshot %s is unreadable (%s); trying the one before", snapshot, error)
            skipped += 1
            continue
        _prune(paths, keep_from=snapshot)
        rows = con.execute(f"select count(*) from {TABLE}").fetchone()[0]
        return {"rows": rows, "skipped": skipped}
    return {"rows": 0, "skipped": skipped}


def _prune(paths: Paths, keep_from: Path) -> None:
    """Delete snapshots older than the KEEP newest readable-or-newer ones."""
    ordered = snapshots(paths)
    keep = set(ordered[: max(KEEP, ordered.index(keep_from) + 1)])
    for snapshot in ordered:
        if snapshot not in keep:
            snapshot.unlink(missing_ok=True)
