"""CPU-bound Python work of the ingest (parsing e-mail, calendars, CSV; normalizing phone
numbers) spread over worker processes when there is enough of it to pay for them.

Workers are spawned, not forked: the parent holds a DuckDB connection (and polars its
thread pool), which a forked child must not inherit. A spawned worker imports the
parent's `__main__` again, so scripts that ingest need an `if __name__ == "__main__"`
guard (every entry point of ours has one).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_WORKERS = 4


def worker_count() -> int:
    return min(os.cpu_count() or 1, MAX_WORKERS)


def map_in_processes(
    fn: Callable[[Item], Result], items: list[Item], *, parallel: bool, chunksize: int
) -> Iterator[Result]:
    """`map(fn, items)`, in order; in worker processes when `parallel` and the machine has
    more than one core. `fn` must be picklable (a module-level function or a partial)."""
    if not parallel or worker_count() < 2 or len(items) < 2:
        return map(fn, items)
    return _in_pool(fn, items, chunksize)


def _in_pool(fn: Callable[[Item], Result], items: Iterable[Item], chunksize: int) -> Iterator[Result]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=worker_count(), mp_context=context) as pool:
        yield from pool.map(fn, items, chunksize=chunksize)
