"""Opening the DuckDB warehouse.

DuckDB allows one writing process per file: every writer (ingest, dbt, the campaign
asset) is serialized by the orchestrator, and readers use the serving copy. A writer
that still finds the file locked (a previous process closing) waits a little.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


def connect(
    path: Path, read_only: bool = False, wait_seconds: float = 30.0
) -> duckdb.DuckDBPyConnection:
    """A connection with the session time zone at UTC (all warehouse timestamps are UTC)."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    con.execute("set TimeZone = 'UTC'")
    return con


@contextmanager
def writing(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(path)
    try:
        yield con
    finally:
        con.close()


def publish_serving_copy(warehouse: Path, serving: Path) -> Path:
    """Copy the warehouse to `serving` atomically, so dashboards never see half a file.

    The caller must hold no open connection to `warehouse`; a checkpoint first folds
    the write-ahead log into the file.
    """
    with writing(warehouse) as con:
        con.execute("checkpoint")
    serving.parent.mkdir(parents=True, exist_ok=True)
    partial = serving.with_name(serving.name + ".part")
    shutil.copyfile(warehouse, partial)
    partial.replace(serving)
    return serving
