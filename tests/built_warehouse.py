"""A warehouse built from hand-written inputs: land them under a fresh home, ingest,
`dbt build` with `as_of` pinned, then read it (the module fixtures of the data-layer,
segment and listings tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.sources import ingest_all
from pipelines.settings import Paths, paths
from pipelines.transform.build import build
from pipelines.warehouse import connect


@contextmanager
def built_warehouse(root: Path, land: Callable[[Paths], None], as_of: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse of a new home under `root`, after
    `land(home)`, ingest and a full `dbt build` at `as_of`."""
    home = paths(root / "home").ensure()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("THREADLINE_HOME", str(home.home))
        land(home)
        con = connect(home.warehouse)
        ingest_all(con, home)
        con.close()
        build(home.home, {"as_of": as_of})
        con = connect(home.warehouse, read_only=True)
        try:
            yield con
        finally:
            con.close()
