"""The published serving snapshot, and reading it through a short-lived cache.

The pipeline replaces `serving/warehouse.duckdb` with a new copy whenever it publishes.
A `Snapshot` names one version of that file (path + mtime + size + inode); cached query
results are keyed on it, so a new copy is read as soon as it appears, and every batch
of queries opens its own read-only connection (see `queries.read_only`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

import duckdb
import streamlit as st

from dashboards import queries

CACHE_SECONDS = 60

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    path: Path
    mtime_ns: int
    size: int
    inode: int

    @property
    def version(self) -> tuple[int, int, int]:
        return (self.mtime_ns, self.size, self.inode)

    @property
    def published_at(self) -> datetime:
        return datetime.fromtimestamp(self.mtime_ns / 1e9, tz=UTC)


class SnapshotError(Exception):
    """A query could not be answered from the snapshot; the message is for the reader."""

    def __init__(self, message: str, *, missing_data: bool = False) -> None:
        super().__init__(message)
        self.missing_data = missing_data


def find_snapshot(path: Path) -> Snapshot | None:
    """The snapshot at `path`, or None when the pipeline has not published one yet."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    if stat.st_size == 0:
        return None
    return Snapshot(path=path, mtime_ns=stat.st_mtime_ns, size=stat.st_size, inode=stat.st_ino)


@st.cache_data(ttl=CACHE_SECONDS, max_entries=256, show_spinner=False)
def _run_cached(
    query: str, db: str, version: tuple[int, int, int], args: tuple[Hashable, ...]
) -> Any:
    del version  # only part of the cache key: a new copy of the file is a new key
    function: Callable[..., Any] = getattr(queries, query)
    return function(Path(db), *args)


def load(snapshot: Snapshot, query: Callable[..., T], *args: Hashable) -> T:
    """Run `queries.<query>(snapshot.path, *args)`, cached for this version of the snapshot."""
    if getattr(queries, query.__name__, None) is not query:
        raise ValueError(f"{query.__name__} is not a function of dashboards.queries")
    try:
        result = _run_cached(query.__name__, str(snapshot.path), snapshot.version, args)
    except duckdb.CatalogException as exc:
        raise SnapshotError(
            "The serving snapshot does not have the table this section needs yet "
            f"({_first_line(exc)}). Run `make pipeline` to publish a complete snapshot.",
            missing_data=True,
        ) from exc
    except duckdb.IOException as exc:
        raise SnapshotError(
            "The serving snapshot could not be opened; it may be being replaced by a new "
            f"copy. Reload in a moment. ({_first_line(exc)})"
        ) from exc
    except duckdb.Error as exc:
        raise SnapshotError(f"This section could not be computed: {_first_line(exc)}") from exc
    return cast(T, result)


def clear_cache() -> None:
    _run_cached.clear()


def guarded(render: Callable[P, None]) -> Callable[P, None]:
    """Show a section's SnapshotError as a message instead of a traceback."""

    @wraps(render)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            render(*args, **kwargs)
        except SnapshotError as exc:
            if exc.missing_data:
                st.info(str(exc))
            else:
                st.warning(str(exc))

    return wrapper


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
