"""Segment membership history, kept under `THREADLINE_HOME/state/` so that it survives a
deleted warehouse.

The history lives in two tables that are not dbt models (`segments.
segment_membership_history`, `segments.segment_evaluations`; models/macros/
segment_membership.sql). After each dbt run that evaluated a segment, an on-run-end hook
writes both to a new file `state/segment_membership/membership-<build time>.parquet`
(one row per stay, `kind = 'membership'`, or per evaluation, `kind = 'evaluation'`).
Before each ingest, `load` copies the newest readable file into
`raw.segment_membership_state`; the on-run-start hook `prepare_segment_membership`
creates the two tables from it when they are absent (a warehouse rebuilt from nothing).
While they exist, the warehouse's own tables are the truth and this copy is unused.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.ingest.state_snapshots import SavedState, load_newest
from pipelines.settings import Paths

TABLE = "raw.segment_membership_state"
COLUMNS = "kind, segment_name, contact_id, entered_at, exited_at, as_of, members, entered, exited"
DDL = f"""
create schema if not exists raw;
create table if not exists {TABLE} (
    kind varchar not null,
    segment_name varchar not null,
    contact_id varchar,
    entered_at timestamp,
    exited_at timestamp,
    as_of timestamp,
    members bigint,
    entered bigint,
    exited bigint
);
"""


def folder(paths: Paths) -> Path:
    return paths.state / "segment_membership"


def load(con: duckdb.DuckDBPyConnection, paths: Paths) -> dict[str, int]:
    """Replace raw.segment_membership_state with the newest readable saved file (empty
    when there is none); returns the rows loaded and the files skipped as unreadable."""
    return load_newest(con, SavedState(folder(paths), "membership", TABLE, DDL, COLUMNS))
