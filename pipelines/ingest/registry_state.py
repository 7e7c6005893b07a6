"""The contact registry's history, kept under `THREADLINE_HOME/state/` so that a warehouse
rebuilt from `landing/` and `state/` gives every contact the id it had.

After each dbt build that builds `intermediate.int_contact_registry`, dbt writes the whole
registry (append-only: every identifier → contact assignment ever made) to a new file
`state/contact_registry/registry-<build time>.parquet` (macro `save_contact_registry`,
an on-run-end hook). Before each ingest, `load` copies the newest readable file into
`raw.contact_registry_state`, which `stg_state__contact_registry` reads: the registry
model starts from it whenever it is built from scratch (a new warehouse, or
`dbt build --full-refresh`). A file cut short by a crash is skipped, for the one before
it; older files are pruned (pipelines/ingest/state_snapshots.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.ingest.state_snapshots import SavedState, load_newest
from pipelines.settings import Paths

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


def _state(paths: Paths) -> SavedState:
    return SavedState(folder(paths), "registry", TABLE, DDL, "node, contact_id, valid_from", KEEP)


def snapshots(paths: Paths) -> list[Path]:
    """The registry snapshots, newest first (their names sort by build time)."""
    return _state(paths).snapshots()


def load(con: duckdb.DuckDBPyConnection, paths: Paths) -> dict[str, int]:
    """Replace raw.contact_registry_state with the newest readable snapshot (empty when
    there is none); returns the rows loaded and the snapshots skipped as unreadable."""
    return load_newest(con, _state(paths))
