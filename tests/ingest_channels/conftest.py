"""Fixtures for the channel ingest tests: a real DuckDB warehouse in the test's home."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import duckdb
import pytest

from pipelines.settings import Paths
from pipelines.warehouse import connect

Rejects = Callable[[str], list[tuple]]


@pytest.fixture
def con(home: Paths) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(home.warehouse)
    yield connection
    connection.close()


@pytest.fixture
def rejects(con: duckdb.DuckDBPyConnection) -> Rejects:
    """(file, line_no, reason, raw_text) of one source's quarantined records."""

    def read(source: str) -> list[tuple]:
        return con.execute(
            "select file, line_no, reason, raw_text from raw.rejected_records "
            "where source = ? order by file, line_no", [source]).fetchall()

    return read
