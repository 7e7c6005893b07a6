"""Idempotent, line-by-line ingestion of landing files into DuckDB.

- A file is ingested once: `raw.ingested_files` records its content hash, so a replay
  of the same bytes (under any name) loads nothing.
- Lines are parsed by DuckDB; a line that is not JSON, or JSON of the wrong shape,
  goes to `raw.rejected_records` with its file, line number, reason and raw text, and
  the good lines beside it load normally. So does a line that is not valid UTF-8: when
  DuckDB refuses a file as not UTF-8, that file alone is split line by line in Python.
- Everything for one batch of files happens in one transaction.
- A record naming an erased person (its identifiers hash to a tombstone under
  `THREADLINE_HOME/state/`, see pipelines/privacy/tombstones.py) is dropped before it is
  loaded or quarantined, and only counted (`erased`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from pipelines.ingest.workers import map_in_processes
from pipelines.landing import landed_files
from pipelines.privacy.tombstones import Tombstones, drop_tombstoned, for_state, state_dir_of_landing

COMMON_DDL = """
create schema if not exists raw;
create table if not exists raw.ingested_files (
    source varchar not null,
    path varchar not null,
    content_sha256 varchar not null,
    size_bytes bigint not null,
    line_count bigint not null,
    rejected_count bigint not null,
    ingested_at timestamp not null,
    modified_ns bigint
);
alter table raw.ingested_files add column if not exists modified_ns bigint;
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
    erased: int = 0

    def as_metadata(self) -> dict[str, int]:
        return {
            "files": self.files,
            "lines": self.lines,
            "rejected": self.rejected,
            "skipped_files": self.skipped_files,
            "erased": self.erased,
        }

    @classmethod
    def summed(cls, source: str, results: list[IngestResult]) -> IngestResult:
        return cls(
            source,
            *(sum(getattr(r, name) for r in results) for name in ("files", "lines", "rejected", "skipped_files")),
            erased=sum(r.erased for r in results),
        )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_common_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(COMMON_DDL)


def new_files(
    con: duckdb.DuckDBPyConnection, source: str, candidates: list[Path], root: Path
) -> tuple[list[tuple[Path, str, str]], int]:
    """The `candidates` whose content was never ingested for `source`, as (path, sha256,
    name relative to `root`), and how many were skipped. A file the ledger already lists
    with the same name, size and modification time is skipped without reading it (landed
    files never change); any other file is hashed, so a replay under another name loads
    nothing."""
    seen = {
        row[0]
        for row in con.execute("select content_sha256 from raw.ingested_files where source = ?", [source]).fetchall()
    }
    known = set(
        con.execute(
            "select path, size_bytes, modified_ns from raw.ingested_files where source = ? and modified_ns is not null",
            [source],
        ).fetchall()
    )
    prefix = str(root) + "/"
    fresh: list[tuple[Path, str, str]] = []
    skipped = 0
    for path in candidates:
        name = str(path.resolve()).replace(prefix, "", 1)
        stat = path.stat()
        if (name, stat.st_size, stat.st_mtime_ns) in known:
            skipped += 1
            continue
        digest = sha256_of(path)
        if digest in seen:
            skipped += 1
            continue
        seen.add(digest)
        fresh.append((path, digest, name))
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
    fresh, skipped = new_files(con, source, landed_files(folder), root)
    tombstones = for_state(state_dir_of_landing(root))
    lines = rejected = erased = 0
    for start in range(0, len(fresh), batch_files):
        batch = fresh[start : start + batch_files]
        batch_lines, batch_rejected, batch_erased = _ingest_batch(con, source, batch, loader, root, tombstones)
        lines += batch_lines
        rejected += batch_rejected
        erased += batch_erased
    return IngestResult(source, len(fresh), lines, rejected, skipped, erased)


def _ingest_batch(
    con: duckdb.DuckDBPyConnection,
    source: str,
    batch: list[tuple[Path, str, str]],
    loader: Loader,
    root: Path,
    tombstones: Tombstones,
) -> tuple[int, int, int]:
    prefix = str(root) + "/"
    _read_lines(con, batch, prefix)
    erased = drop_tombstoned(con, "_all_lines", "text", tombstones)
    erased += drop_tombstoned(con, "_undecodable", "text", tombstones)
    con.execute("begin transaction")
    try:
        # each line parsed once here; the loaders see `_lines.text` already typed JSON
        con.execute(
            "create or replace temp table _line_docs as "
            "select file, line_no, try_cast(text as json) as doc from _all_lines"
        )
        con.execute(
            "create or replace temp view _lines as "
            "select file, line_no, doc as text from _line_docs where doc is not null"
        )
        shape_rejects = loader(con)
        con.execute(
            f"""
            create or replace temp table _rejects as
            select file, line_no, 'not valid JSON' as reason
            from _line_docs where doc is null
            union all
            ({shape_rejects})
            union all
            select file, line_no, reason from _undecodable
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
        con.execute(
            "insert into raw.rejected_records "
            "select ?, file, line_no, reason, text, now()::timestamp from _undecodable",
            [source],
        )
        counts = _record_files(con, source, batch, prefix)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return (*counts, erased)


# The non-blank lines of the batch's files, `\r\n` or `\n` ended, numbered from 1.
_LINES_SQL = """
    create or replace temp table _all_lines as
    with split as (
        select replace(filename, ?, '') as file,
               string_split(content, chr(10)) as parts
        from read_text(?)
    ),
    numbered as (
        select file,
               generate_subscripts(parts, 1) as line_no,
               unnest(parts) as text
        from split
    )
    -- (blank lines are skipped; trimming every line would copy every line)
    select file, line_no,
           case when ends_with(text, chr(13)) then rtrim(text, chr(13)) else text end as text
    from numbered
    where not regexp_full_match(text, '\\s*')
"""
_UNDECODABLE_DDL = (
    "create or replace temp table _undecodable (file varchar, line_no bigint, reason varchar, text varchar)"
)
# what RE2's \s matches (DuckDB's regexp_full_match above): a line of only these is blank
_BLANK = re.compile(r"[\t\n\f\r ]*")


def _read_lines(con: duckdb.DuckDBPyConnection, batch: list[tuple[Path, str, str]], prefix: str) -> None:
    """Fill the temp tables `_all_lines(file, line_no, text)` with the non-blank lines of
    the batch's files and `_undecodable(file, line_no, reason, text)` with the lines that
    are not valid UTF-8.

    DuckDB reads every file at once; only when it refuses one as not UTF-8 are the files
    checked in Python, and only those that fail are split line by line here (their good
    lines numbered as DuckDB numbers them), so one bad byte costs its line, not the batch.
    """
    paths = [path.resolve() for path, _, _ in batch]
    con.execute(_UNDECODABLE_DDL)
    try:
        con.execute(_LINES_SQL, [prefix, [str(p) for p in paths]])
        return
    except duckdb.InvalidInputException as error:
        if "UTF-8" not in str(error):
            raise
        refused = error
    broken = [p for p in paths if not _is_utf8(p)]
    if not broken:
        raise refused
    refused_files = set(broken)
    clean = [str(p) for p in paths if p not in refused_files]
    if clean:
        con.execute(_LINES_SQL, [prefix, clean])
    else:
        con.execute("create or replace temp table _all_lines (file varchar, line_no bigint, text varchar)")
    good: list[tuple[str, int, str]] = []
    bad: list[tuple[str, int, str, str]] = []
    for path in broken:
        name = str(path).replace(prefix, "", 1)
        for line_no, text, reason in _split_undecodable_lines(path):
            if reason is None:
                good.append((name, line_no, text))
            else:
                bad.append((name, line_no, reason, text))
    for table, rows, columns in (
        ("_all_lines", good, ("file", "line_no", "text")),
        ("_undecodable", bad, ("file", "line_no", "reason", "text")),
    ):
        if rows:
            frame = pl.DataFrame(rows, schema={c: pl.Int64() if c == "line_no" else pl.String() for c in columns},
                                 orient="row")
            con.register("_split_lines", frame)
            con.execute(f"insert into {table} select * from _split_lines")
            con.unregister("_split_lines")


def _is_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def utf8_error(line: bytes) -> str | None:
    """Why `line` is not UTF-8 (the first bad byte and its offset in the line), or None."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"line is not valid UTF-8 (byte 0x{line[error.start]:02x} at offset {error.start})"
    return None


def _split_undecodable_lines(path: Path) -> Iterator[tuple[int, str, str | None]]:
    """(line_no, text, None) for each non-blank UTF-8 line of a file that is not all UTF-8,
    (line_no, text decoded with U+FFFD for display, reason) for each line that is not UTF-8;
    lines split and numbered as `_LINES_SQL` does (on LF, trailing CRs dropped)."""
    for line_no, line in enumerate(path.read_bytes().split(b"\n"), start=1):
        line = line.rstrip(b"\r")
        reason = utf8_error(line)
        if reason is not None:
            yield line_no, line.decode("utf-8", errors="replace"), reason
            continue
        text = line.decode("utf-8")
        if not _BLANK.fullmatch(text):
            yield line_no, text, None


def _record_files(
    con: duckdb.DuckDBPyConnection,
    source: str,
    batch: list[tuple[Path, str, str]],
    prefix: str,
) -> tuple[int, int]:
    line_counts = dict(
        con.execute(
            "select file, count(*) from "
            "(select file from _all_lines union all select file from _undecodable) group by file"
        ).fetchall()
    )
    reject_counts = dict(con.execute("select file, count(*) from _rejects group by file").fetchall())
    rows = []
    for path, digest, name in batch:
        stat = path.stat()
        rows.append(
            (
                source,
                name,
                digest,
                stat.st_size,
                line_counts.get(name, 0),
                reject_counts.get(name, 0),
                stat.st_mtime_ns,
            )
        )
    con.executemany(LEDGER_INSERT, rows)
    return sum(r[4] for r in rows), sum(r[5] for r in rows)


LEDGER_INSERT = """
    insert into raw.ingested_files
        (source, path, content_sha256, size_bytes, line_count, rejected_count, modified_ns, ingested_at)
    values (?, ?, ?, ?, ?, ?, ?, now()::timestamp)
"""


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
    batch_files: int = 200,
) -> IngestResult:
    """Ingest files that need a Python parser (e-mail, CSV, calendars, Parquet).

    Same guarantees as `ingest_files`: once per content hash, one transaction per batch
    of files, bad records quarantined with a reason, good records beside them loaded.
    The raw table's first column is `file`, its last `ingested_at`; the parser fills the
    rest. Many files are parsed in parallel processes (`parse` must then be picklable:
    a module-level function or a functools.partial of one), in order.
    """
    ensure_common_tables(con)
    con.execute(ddl)
    candidates = (
        sorted(p for p in folder.rglob("*") if p.is_file() and p.name.endswith(suffixes)) if folder.exists() else []
    )
    fresh, skipped = new_files(con, source, candidates, landing_root.resolve())
    tombstones = for_state(state_dir_of_landing(landing_root))

    lines = rejected = erased = 0
    parsed = _parse_all(parse, [path for path, _, _ in fresh])
    for start in range(0, len(fresh), batch_files):
        batch = fresh[start : start + batch_files]
        results = [next(parsed) for _ in batch]
        batch_lines, batch_rejected, batch_erased = _insert_parsed(con, source, table, batch, results, tombstones)
        lines += batch_lines
        rejected += batch_rejected
        erased += batch_erased
    return IngestResult(source, len(fresh), lines, rejected, skipped, erased)


ParseResult = tuple["pl.DataFrame | None", list[Rejected]]
# parse in worker processes from this many files, or this many bytes (one big calendar)
PARALLEL_FROM_FILES = 200
PARALLEL_FROM_BYTES = 8_000_000


def _parse_safely(parse: FileParser, path: Path) -> ParseResult:
    try:
        return parse(path)
    except Exception as error:  # a file we cannot open at all is one rejected record
        return None, [Rejected(None, f"unreadable file: {error}", "")]


def _parse_all(parse: FileParser, paths: list[Path]) -> Iterator[ParseResult]:
    """The parse results of `paths`, in order; in worker processes when there is much."""
    many = len(paths) >= PARALLEL_FROM_FILES or sum(p.stat().st_size for p in paths) >= PARALLEL_FROM_BYTES
    chunksize = max(1, min(16, len(paths) // 8))
    return map_in_processes(partial(_parse_safely, parse), paths, parallel=many, chunksize=chunksize)


def _insert_parsed(
    con: duckdb.DuckDBPyConnection,
    source: str,
    table: str,
    batch: list[tuple[Path, str, str]],
    results: list[ParseResult],
    tombstones: Tombstones,
) -> tuple[int, int, int]:
    frames = [
        frame.select(pl.lit(name).alias("__file"), pl.all())
        for (_, _, name), (frame, _) in zip(batch, results, strict=True)
        if frame is not None and frame.height
    ]
    rejects = [
        (source, name, r.line_no, r.reason, r.raw_text)
        for (_, _, name), (_, file_rejects) in zip(batch, results, strict=True)
        for r in file_rejects
        if not (tombstones and tombstones.mentions(r.raw_text))
    ]
    erased = sum(len(file_rejects) for _, file_rejects in results) - len(rejects)
    files = [
        (
            source,
            name,
            digest,
            path.stat().st_size,
            (frame.height if frame is not None else 0) + len(file_rejects),
            len(file_rejects),
            path.stat().st_mtime_ns,
        )
        for (path, digest, name), (frame, file_rejects) in zip(batch, results, strict=True)
    ]
    con.execute("begin transaction")
    try:
        if frames:
            con.register("_parsed_frame", pl.concat(frames, how="vertical_relaxed"))
            con.execute("create or replace temp table _parsed as select * from _parsed_frame")
            con.unregister("_parsed_frame")
            erased += drop_tombstoned(con, "_parsed", "_parsed::varchar", tombstones)
            con.execute(f"insert into {table} select *, now()::timestamp from _parsed")
        if rejects:
            con.executemany("insert into raw.rejected_records values (?, ?, ?, ?, ?, now()::timestamp)", rejects)
        con.executemany(LEDGER_INSERT, files)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return sum(row[4] for row in files), len(rejects), erased
