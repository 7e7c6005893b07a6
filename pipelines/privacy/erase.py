"""Erasing one person from everything under THREADLINE_HOME (GDPR art. 17).

In order, under the warehouse's single-writer rule (the caller holds the `warehouse`
pool, see definitions.py):

1. find the person in the warehouse (identifiers.py) and record their tombstone
   (tombstones.py) first, so an ingest running later can never bring them back;
2. landing/: every file rewritten without their records (records.py), compressed
   files included;
3. state/: their send ledger rows, connector cursor entries and contact registry rows;
   any other file there scrubbed record by record;
4. everything else under THREADLINE_HOME (logs/, the Dagster storage in dagster/):
   text files by line, SQLite databases (Dagster's event logs) by value, redacted;
5. the warehouse rebuilt from the cleaned landing/ and state/ (ingest + dbt build), which
   also drops them from every derived table, and the serving copy re-published;
6. a final sweep of every file for any spelling of theirs.

The report holds counts per place, never an identifier.
"""

from __future__ import annotations

import fcntl
import io
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.connectors.cursors import FILE_NAME as CURSORS_FILE
from pipelines.connectors.cursors import CursorStore
from pipelines.ingest import membership_state, registry_state
from pipelines.ingest.sources import ingest_all
from pipelines.landing import PARTIAL_SUFFIX
from pipelines.privacy import tombstones
from pipelines.privacy.identifiers import Person, add_identifier, find_person, key_of
from pipelines.privacy.matcher import Matcher
from pipelines.privacy.records import TEMP_SUFFIX, scrub, unpack, write_atomically
from pipelines.settings import Paths
from pipelines.transform.build import dbt
from pipelines.warehouse import connect, publish_serving_copy

SQLITE_MAGIC = b"SQLite format 3\x00"
# a SQLite database's companions: emptied by the checkpoint after its rows are changed
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
DUCKDB_SUFFIXES = (".duckdb", ".duckdb.wal")


@dataclass
class Report:
    found_contacts: int = 0
    identifiers: int = 0
    tombstones_added: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    left: list[str] = field(default_factory=list)

    def add(self, place: str, count: int) -> None:
        if count:
            self.removed[place] = self.removed.get(place, 0) + count

    def lines(self) -> list[str]:
        out = [
            f"erased: {self.found_contacts} contact(s) in the warehouse, {self.identifiers} identifier(s), "
            f"{self.tombstones_added} new tombstone hash(es)",
            *(f"  {place:<40} {count:>7} removed" for place, count in sorted(self.removed.items())),
        ]
        out.append(f"  left anywhere: {len(self.left)} file(s)" + (f": {', '.join(self.left)}" if self.left else ""))
        return out

    def as_dict(self) -> dict[str, object]:
        return {"contacts": self.found_contacts, "identifiers": self.identifiers,
                "tombstones_added": self.tombstones_added, "removed": self.removed, "left": self.left}


def resolve(paths: Paths, tombstone: str, identifier: str | None) -> tuple[Person, str]:
    """The person (from the warehouse, plus `identifier` when it is given and matches)."""
    salt = tombstones.checked_salt(paths.state)
    person = Person()
    if paths.warehouse.exists():
        con = connect(paths.warehouse)
        try:
            person = find_person(con, tombstone, salt)
        finally:
            con.close()
    if identifier and tombstones.key_hash(salt, key_of(identifier)) == tombstone:
        add_identifier(person, identifier)
    return person, salt


def erase(paths: Paths, tombstone: str, identifier: str | None = None, rebuild: bool = True) -> Report:
    person, salt = resolve(paths, tombstone, identifier)
    if not person.spellings:
        raise SystemExit("no one in the warehouse is known by that phone number or e-mail "
                         "(pass it as CONTACT, not only its hash, to erase it from landing/ anyway)")
    report = Report(len(person.contact_ids), len(person.phones) + len(person.emails) + len(person.accounts))
    matcher = Matcher.for_person(person, salt)
    report.tombstones_added = tombstones.record(paths.state, matcher.tombstones.hashes | {tombstone})

    for path in files_under(paths.landing):
        place = f"landing/{path.relative_to(paths.landing).parts[0]}"
        if being_written(path):  # a live receiver appends to it: left for the sweep to list
            continue
        report.add(place, scrub(path, matcher).dropped)
    scrub_state(paths, person, matcher, report)
    for path in files_under(paths.home, skip=(paths.landing, paths.state)):
        if path.name.endswith(DUCKDB_SUFFIXES):
            continue
        place = path.relative_to(paths.home).parts[0]
        report.add(f"{place} (files)", scrub_any(path, matcher, redact=True))
    if rebuild:
        report.add("warehouse contacts", len(person.contact_ids))
        report.add("warehouse records", len(person.record_ids))
        rebuild_warehouse(paths)
    report.left = sweep(paths, matcher)
    return report


def files_under(root: Path, skip: tuple[Path, ...] = ()) -> Iterator[Path]:
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.endswith(TEMP_SUFFIX) and not any(path.is_relative_to(s) for s in skip):
            yield path


def being_written(path: Path) -> bool:
    """A receiver's `.jsonl.part` file still held (flock) by the receiver writing it."""
    if not path.name.endswith(PARTIAL_SUFFIX):
        return False
    with open(path, "rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def scrub_any(path: Path, matcher: Matcher, redact: bool = False, ledger_ids: set[str] = frozenset()) -> int:
    """Records removed from one file of any kind (SQLite databases by row or value)."""
    if path.name.endswith(SQLITE_COMPANIONS):
        return 0
    with open(path, "rb") as handle:
        magic = handle.read(len(SQLITE_MAGIC))
    if magic == SQLITE_MAGIC:
        return scrub_sqlite(path, matcher, redact=redact, contact_ids=ledger_ids)
    return scrub(path, matcher).dropped


def scrub_sqlite(path: Path, matcher: Matcher, redact: bool, contact_ids: set[str] = frozenset()) -> int:
    """Delete (or, with `redact`, rewrite the values of) the rows naming the person, then
    VACUUM so no freed page keeps the old bytes."""
    def mentions(value: object) -> bool:
        if value is None:
            return False
        data = value if isinstance(value, bytes) else str(value).encode()
        return matcher(data) or (not redact and str(value) in contact_ids)

    def redacted(value: object) -> object:
        if isinstance(value, bytes):
            return matcher.redact(value.decode("utf-8", "replace")).encode()
        return matcher.redact(str(value))

    con = sqlite3.connect(path, timeout=30.0)
    changed = 0
    try:
        con.create_function("tl_mentions", 1, mentions, deterministic=True)
        con.create_function("tl_redact", 1, redacted, deterministic=True)
        tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table' "
                                            "and name not like 'sqlite_%'")]
        for table in tables:
            columns = [r[1] for r in con.execute(f'pragma table_info("{table}")')]
            for column in columns:
                where = f'tl_mentions("{column}")'
                if redact:
                    cursor = con.execute(f'update "{table}" set "{column}" = tl_redact("{column}") where {where}')
                else:
                    cursor = con.execute(f'delete from "{table}" where {where}')
                changed += max(cursor.rowcount, 0)
        con.commit()
        if changed:
            con.execute("vacuum")
            con.execute("pragma wal_checkpoint(truncate)")
    finally:
        con.close()
    return changed


def scrub_state(paths: Paths, person: Person, matcher: Matcher, report: Report) -> None:
    keep = {tombstones.SALT_FILE, tombstones.TOMBSTONE_FILE, CURSORS_FILE, CURSORS_FILE + ".lock"}
    registry = registry_state.folder(paths)
    for path in files_under(paths.state):
        if path.name in keep:
            continue
        if path.is_relative_to(registry) and path.suffix == ".parquet":
            report.add("state/contact_registry", scrub_registry(path, person, matcher))
        elif path.is_relative_to(membership_state.folder(paths)) and path.suffix == ".parquet":
            report.add("state/segment_membership", scrub_memberships(path, person))
        else:
            place = f"state/{path.relative_to(paths.state).parts[0]}"
            report.add(place, scrub_any(path, matcher, ledger_ids=person.contact_ids))
    report.add("state/cursors", scrub_cursors(paths, person, matcher))


def scrub_registry(path: Path, person: Person, matcher: Matcher) -> int:
    """Rows of a contact registry snapshot for the person's nodes or contact ids."""
    frame = pl.read_parquet(path)
    named = frame["node"].map_elements(lambda node: matcher(node.encode()), return_dtype=pl.Boolean)
    drop = frame["node"].is_in(list(person.nodes)) | frame["contact_id"].is_in(list(person.contact_ids)) | named
    dropped = int(drop.sum())
    if dropped:
        out = io.BytesIO()
        frame.filter(~drop).write_parquet(out)
        write_atomically(path, out.getvalue())
    return dropped


def scrub_memberships(path: Path, person: Person) -> int:
    """Rows of a segment membership snapshot for the person's contact ids (they name no
    phone or e-mail, but a rebuilt warehouse would get the person's stays back)."""
    frame = pl.read_parquet(path)
    drop = frame["contact_id"].is_in(list(person.contact_ids)).fill_null(False)
    dropped = int(drop.sum())
    if dropped:
        out = io.BytesIO()
        frame.filter(~drop).write_parquet(out)
        write_atomically(path, out.getvalue())
    return dropped


def _without(value: object, ids: set[str], matcher: Matcher) -> tuple[object, int]:
    """A cursor value without the entries keyed by, or naming, the person's ids."""
    if isinstance(value, dict):
        kept, dropped = {}, 0
        for key, item in value.items():
            if key in ids or matcher(str(key).encode()):
                dropped += 1
                continue
            kept[key], inner = _without(item, ids, matcher)
            dropped += inner
        return kept, dropped
    if isinstance(value, list):
        items = [_without(item, ids, matcher) for item in value if not matcher(json.dumps(item).encode())]
        return [item for item, _ in items], len(value) - len(items) + sum(d for _, d in items)
    return value, 0


def scrub_cursors(paths: Paths, person: Person, matcher: Matcher) -> int:
    store = CursorStore.for_paths(paths)
    if not store.path.exists():
        return 0
    dropped = 0
    for stream, value in json.loads(store.path.read_text(encoding="utf-8") or "{}").items():
        cleaned, count = _without(value, person.source_ids(), matcher)
        if count:
            store.put(stream, cleaned)
            dropped += count
    return dropped


def rebuild_warehouse(paths: Paths) -> None:
    """A new warehouse from the cleaned landing/ and state/, then a new serving copy."""
    for target in (paths.warehouse, paths.serving_warehouse):
        for path in (target, target.with_name(target.name + ".wal")):
            path.unlink(missing_ok=True)
    con = connect(paths.warehouse)
    try:
        ingest_all(con, paths)
    finally:
        con.close()
    # models, seeds and the registry hook; tests are left to the next pipeline run, so a
    # failing data test never leaves the rebuilt warehouse without its marts
    dbt(["build", "--exclude", "resource_type:test"], paths.home)
    publish_serving_copy(paths.warehouse, paths.serving_warehouse)


def sweep(paths: Paths, matcher: Matcher) -> list[str]:
    """Files (relative to THREADLINE_HOME) in which any spelling of the person is left
    (DuckDB files, rebuilt from what was cleaned, are searched for the spellings only)."""
    keep = {tombstones.SALT_FILE, tombstones.TOMBSTONE_FILE}
    left = []
    for path in files_under(paths.home):
        if path.name in keep:
            continue
        data = unpack(path.name, path.read_bytes())
        named = matcher.spelled_in(data) if path.name.endswith(DUCKDB_SUFFIXES) else matcher(data)
        if named:
            left.append(str(path.relative_to(paths.home)))
    return left
