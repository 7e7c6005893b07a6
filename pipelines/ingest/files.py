"""Idempotent, line-by-line ingestion of landing files into DuckDB.

- A file is ingested once: `raw.ingested_files` records its content hash, so a replay
  of the same bytes (under any name) loads nothing.
- Lines are parsed by DuckDB; a line that is not JSON, or JSON of the wrong shape,
  goes to `raw.rejected_records` with its file, line number, reason and raw text, and
  the good lines beside it load normally.
- Everything for one batch of files happens in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.landing import landed_files

COMMON_DDL = """
create schema if not exists raw;
create table if not exists raw.ingested_files (
    source varchar not null,
    path varchar not null,
    content_sha256 varchar not null,
    size_bytes bigint not null,
    line_count bigint not null,
    rejected_count bigint not null,
    ingested_at timestamp not null
);
create table if not exists raw.rejected_records (
    source varchar not null,
    file varchar not null,
    line_no bigint,
    reason varchar not null,
    raw_text varchar,
    rejected_at timestamp not null
);
"""

# A batch loader receives a connection on which the temp table `_lines(file, line_no,
# text)` holds the non-empty lines of the new files. It inserts what it understands
# and returns a query selecting (file, line_no, reason) for the lines it rejects.
Loader = Callable[[duckdb.DuckDBPyConnection], str]


@dataclass(frozen=True)
class IngestResult:
    source: str
    files: int
    lines: int
    rejected: int
    skipped_files: int

    def as_metadata(self) -> dict[str, int]:
        return {
            "files": self.files,
            "lines": self.lines,
            "rejected": self.rejected,
            "skipped_files": self.skipped_files,
        }


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_common_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(COMMON_DDL)


def new_files(
    con: duckdb.DuckDBPyConnection, source: str, folder: Path
) -> tuple[list[tuple[Path, str]], int]:
    """Landed files under `folder` whose content was never ingested for `source`."""
    seen = {
        row[0]
        for row in con.execute(
            "select content_sha256 from raw.ingested_files where source = ?", [source]
        ).fetchall()
    }
    fresh: list[tuple[Path, str]] = []
    skipped = 0
    batch_hashes: set[str] = set()
    for path in landed_files(folder):
        digest = sha256_of(path)
        if digest in seen or digest in batch_hashes:
            skipped += 1
            continue
        batch_hashes.add(digest)
        fresh.append((path, digest))
    return fresh, skipped


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    source: str,
    folder: Path,
    ddl: str,
    loader: Loader,
    landing_root: Path | None = None,
    batch_files: int = 400,
) -> IngestResult:
    """Ingest every new landing file of `source` under `folder` with `loader`.

    File names are stored relative to `landing_root` (default: `folder`'s parent), so
    the warehouse does not depend on where THREADLINE_HOME happens to be.
    """
    ensure_common_tables(con)
    con.execute(ddl)
    root = (landing_root or folder.parent).resolve()
    fresh, skipped = new_files(con, source, folder)
    lines = rejected = 0
    for start in range(0, len(fresh), batch_files):
        batch = fresh[start : start + batch_files]
        batch_lines, batch_rejected = _ingest_batch(con, source, batch, loader, root)
        lines += batch_lines
        rejected += batch_rejected
    return IngestResult(source, len(fresh), lines, rejected, skipped)


def _ingest_batch(
    con: duckdb.DuckDBPyConnection,
    source: str,
    batch: list[tuple[Path, str]],
    loader: Loader,
    root: Path,
) -> tuple[int, int]:
    files = [str(path.resolve()) for path, _ in batch]
    prefix = str(root) + "/"
    con.execute("begin transaction")
    try:
        con.execute(
            """
            create or replace temp table _all_lines as
            with split as (
                select replace(filename, ?, '') as file,
                       string_split(content, chr(10)) as parts
                from read_text(?)
            ),
            numbered as (
                select file,
                       unnest(generate_series(1, len(parts))) as line_no,
                       unnest(parts) as text
                from split
            )
            select file, line_no, rtrim(text, chr(13)) as text
            from numbered
            where trim(text) <> ''
            """,
            [prefix, files],
        )
        con.execute(
            "create or replace temp table _lines as select * from _all_lines where json_valid(text)"
        )
        shape_rejects = loader(con)
        con.execute(
            f"""
            create or replace temp table _rejects as
            select file, line_no, 'not valid JSON' as reason
            from _all_lines where not json_valid(text)
            union all
            ({shape_rejects})
            """
        )
        con.execute(
            """
            insert into raw.rejected_records
            select ?, r.file, r.line_no, r.reason, a.text, now()::timestamp
            from _rejects r
            join _all_lines a using (file, line_no)
            """,
            [source],
        )
        counts = _record_files(con, source, batch, prefix)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return counts


def _record_files(
    con: duckdb.DuckDBPyConnection,
    source: str,
    batch: list[tuple[Path, str]],
    prefix: str,
) -> tuple[int, int]:
    line_counts = dict(
        con.execute("select file, count(*) from _all_lines group by file").fetchall()
    )
    reject_counts = dict(
        con.execute("select file, count(*) from _rejects group by file").fetchall()
    )
    rows = []
    for path, digest in batch:
        name = str(path.resolve()).replace(prefix, "", 1)
        rows.append(
            (
                source,
                name,
                digest,
                path.stat().st_size,
                line_counts.get(name, 0),
                reject_counts.get(name, 0),
            )
        )
    con.executemany(
        "insert into raw.ingested_files values (?, ?, ?, ?, ?, ?, now()::timestamp)", rows
    )
    return sum(r[4] for r in rows), sum(r[5] for r in rows)


@dataclass(frozen=True)
class Rejected:
    """A record a parser could not read: where it is, why, and its raw text."""

    line_no: int | None
    reason: str
    raw_text: str


# A file parser returns the good records of one file as a polars DataFrame (its columns
# those of the raw table, in order, without file/ingested_at) and the records it rejects.
FileParser = Callable[[Path], "tuple[pl.DataFrame, list[Rejected]]"]


def ingest_parsed_files(
    con: duckdb.DuckDBPyConnection,
    source: str,
    folder: Path,
    table: str,
    ddl: str,
    parse: FileParser,
    landing_root: Path,
    suffixes: tuple[str, ...],
) -> IngestResult:
    """Ingest files that need a Python parser (e-mail, CSV, calendars, Parquet).

    Same guarantees as `ingest_files`: once per content hash, one transaction per file,
    bad records quarantined with a reason, good records beside them loaded. The raw
    table's first column is `file`, its last `ingested_at`; the parser fills the rest.
    """
    ensure_common_tables(con)
    con.execute(ddl)
    seen = {
        row[0]
        for row in con.execute(
            "select content_sha256 from raw.ingested_files where source = ?", [source]
        ).fetchall()
    }
    root = landing_root.resolve()
    files = lines = rejected = skipped = 0
    candidates = (
        sorted(p for p in folder.rglob("*") if p.is_file() and p.name.endswith(suffixes))
        if folder.exists()
        else []
    )
    for path in candidates:
        digest = sha256_of(path)
        if digest in seen:
            skipped += 1
            continue
        seen.add(digest)
        name = str(path.resolve()).replace(str(root) + "/", "", 1)
        try:
            frame, rejects = parse(path)
        except Exception as error:  # a file we cannot open at all is one rejected record
            frame, rejects = None, [Rejected(None, f"unreadable file: {error}", "")]
        con.execute("begin transaction")
        try:
            if frame is not None and frame.height:
                con.register("_parsed", frame)
                con.execute(
                    f"insert into {table} select ?, *, now()::timestamp from _parsed", [name]
                )
                con.unregister("_parsed")
            if rejects:
                con.executemany(
                    "insert into raw.rejected_records values (?, ?, ?, ?, ?, now()::timestamp)",
                    [(source, name, r.line_no, r.reason, r.raw_text) for r in rejects],
                )
            count = (frame.height if frame is not None else 0) + len(rejects)
            con.execute(
                "insert into raw.ingested_files values (?, ?, ?, ?, ?, ?, now()::timestamp)",
                [source, name, digest, path.stat().st_size, count, len(rejects)],
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        files += 1
        lines += count
        rejected += len(rejects)
    return IngestResult(source, files, lines, rejected, skipped)
