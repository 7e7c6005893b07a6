"""Salted hashes of an erased person's identifiers: all that erasure keeps.

A tombstone is `sha256(salt + ":" + key)` of a normalised identifier key: an e-mail
lower-cased, a phone number (or a wa_id, an Instagram / Messenger id, a shop or CRM id
of 7 digits or more) as its digits without a leading `00`. The salt comes from
THREADLINE_ERASURE_SALT, else from `state/erasure_salt` (generated once, mode 0600),
so the hashes cannot be reversed by hashing a phone book without it.

The same candidate keys are taken from any text (a landing line, a parsed record) by
`TOKEN_PATTERN`, in Python (`candidate_keys`) and in DuckDB (`drop_tombstoned`), so
ingest drops a record that names an erased person however the source spelled them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

SALT_ENV = "THREADLINE_ERASURE_SALT"
SALT_FILE = "erasure_salt"
TOMBSTONE_FILE = "tombstones.jsonl"
MIN_DIGITS = 7

# an e-mail address, or a run of digits with the separators people type in phone numbers
TOKEN_PATTERN = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+|\+?[0-9][0-9 ().\-/]{5,}[0-9]"
TOKEN = re.compile(TOKEN_PATTERN)
_NOT_DIGIT = re.compile(r"\D")


def normalise(token: str) -> str | None:
    """The tombstone key of one token, or None when it is too short to name anyone."""
    if "@" in token:
        return token.strip().lower()
    digits = _NOT_DIGIT.sub("", token)
    if digits.startswith("00"):
        digits = digits[2:]
    return digits if len(digits) >= MIN_DIGITS else None


def candidate_keys(text: str) -> Iterator[str]:
    for match in TOKEN.finditer(text):
        key = normalise(match.group(0))
        if key:
            yield key


def state_dir_of_landing(landing: Path) -> Path:
    """`THREADLINE_HOME/state` for the landing folder `THREADLINE_HOME/landing`."""
    return Path(landing).resolve().parent / "state"


def salt(state: Path) -> str:
    """The salt: from the environment, else the one generated once under `state`."""
    chosen = os.environ.get(SALT_ENV)
    if chosen:
        return chosen
    path = state / SALT_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    state.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return value


def key_hash(salt_value: str, key: str) -> str:
    return hashlib.sha256(f"{salt_value}:{key}".encode()).hexdigest()


def salt_check(salt_value: str) -> str:
    """A short fingerprint of the salt, kept beside the hashes so that ingest notices a
    different salt (which would match no tombstone) instead of letting the erased back."""
    return key_hash(salt_value, "threadline salt check")[:16]


def _lines(state: Path) -> list[dict]:
    try:
        text = (state / TOMBSTONE_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def load(state: Path) -> set[str]:
    """Every tombstone hash recorded under `state` (empty when nobody was erased)."""
    return {h for line in _lines(state) for h in line["hashes"]}


def checked_salt(state: Path) -> str:
    """The salt, refused when it is not the one the recorded tombstones were made with."""
    value = salt(state)
    checks = {line.get("salt_check") for line in _lines(state)} - {None}
    if checks and checks != {salt_check(value)}:
        raise RuntimeError(
            f"the tombstones in {state / TOMBSTONE_FILE} were made with another salt: set "
            f"{SALT_ENV} (or restore {state / SALT_FILE}) as it was when people were erased"
        )
    return value


def record(state: Path, hashes: Iterable[str]) -> int:
    """Append one erasure's hashes (fsynced); returns how many were new."""
    known = load(state)
    fresh = sorted(set(hashes) - known)
    if not fresh:
        return 0
    state.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"erased_at": datetime.now(UTC).isoformat(timespec="seconds"),
                       "salt_check": salt_check(checked_salt(state)), "hashes": fresh})
    with open(state / TOMBSTONE_FILE, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return len(fresh)


@dataclass(frozen=True)
class Tombstones:
    """The recorded hashes and the salt they were made with, for one THREADLINE_HOME."""

    hashes: frozenset[str] = frozenset()
    salt: str = ""

    @classmethod
    def of(cls, state: Path) -> Tombstones:
        hashes = load(state)
        return cls(frozenset(hashes), checked_salt(state) if hashes else "")

    def __bool__(self) -> bool:
        return bool(self.hashes)

    def mentions(self, text: str) -> bool:
        return any(key_hash(self.salt, key) in self.hashes for key in candidate_keys(text))


_CACHE: dict[Path, tuple[int | None, Tombstones]] = {}


def for_state(state: Path) -> Tombstones:
    """The tombstones of `state`, re-read only when the tombstone file changed."""
    path = Path(state) / TOMBSTONE_FILE
    try:
        stamp: int | None = path.stat().st_mtime_ns
    except FileNotFoundError:
        stamp = None
    cached = _CACHE.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, Tombstones.of(Path(state)) if stamp is not None else Tombstones())
        _CACHE[path] = cached
    return cached[1]


def drop_tombstoned(
    con: duckdb.DuckDBPyConnection, table: str, text_sql: str, tombstones: Tombstones
) -> int:
    """Delete the rows of temp table `table` whose text (`text_sql`, an expression over
    the table's columns) names a tombstoned person; returns how many were deleted."""
    if not tombstones:
        return 0
    con.execute("create or replace temp table _tombstones as select unnest(?::varchar[]) as h",
                [sorted(tombstones.hashes)])
    key = (
        "case when contains(tok, '@') then lower(trim(tok)) "
        "else regexp_replace(regexp_replace(tok, '[^0-9]', '', 'g'), '^00', '') end"
    )
    con.execute(
        f"""
        create or replace temp table _tombstoned as
        select distinct rid from (
            select rid, {key} as k from (
                select rowid as rid, unnest(regexp_extract_all({text_sql}, ?)) as tok from {table}
            )
        )
        where (contains(k, '@') or length(k) >= {MIN_DIGITS})
          and sha256(? || ':' || k) in (select h from _tombstones)
        """,
        [TOKEN_PATTERN, tombstones.salt],
    )
    count = con.execute("select count(*) from _tombstoned").fetchone()[0]
    if count:
        con.execute(f"delete from {table} where rowid in (select rid from _tombstoned)")
    return count
