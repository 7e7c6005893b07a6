"""Everything Threadline holds about one person, as JSON (GDPR art. 15).

Read from the serving copy (what the dashboards read, so a running pipeline is never
blocked), else the warehouse: the contact's identifiers and names, then every row of
every `marts.*` and `segments.*` relation with a `contact_id` column of theirs (contact,
timeline, messages, conversations, orders, payments, consent events and states, campaign
sends, segment memberships and their history: present and future relations alike), and
every landing record that names them, with its file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.privacy import tombstones
from pipelines.privacy.identifiers import Person, add_identifier, find_person, tombstone_of
from pipelines.privacy.matcher import Matcher
from pipelines.privacy.records import scrub_bytes
from pipelines.settings import Paths
from pipelines.warehouse import connect

SCHEMAS = ("marts", "segments")


def _open(paths: Paths) -> duckdb.DuckDBPyConnection | None:
    for path in (paths.serving_warehouse, paths.warehouse):
        if path.exists():
            return connect(path, read_only=True)
    return None


def relations_with_contacts(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select distinct table_schema || '.' || table_name from information_schema.columns "
        "where column_name = 'contact_id' and table_schema in (select unnest(?)) order by 1",
        [list(SCHEMAS)],
    ).fetchall()
    return [row[0] for row in rows]


def warehouse_rows(con: duckdb.DuckDBPyConnection, person: Person) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for relation in relations_with_contacts(con):
        cursor = con.execute(f"select * from {relation} where contact_id in (select unnest(?))",
                             [sorted(person.contact_ids)])
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        if rows:
            found[relation] = rows
    return found


def landing_records(landing: Path, matcher: Matcher) -> list[dict]:
    """Each record of a landing file (compressed ones included) that names the person."""
    found: list[dict] = []
    for path in sorted(p for p in landing.rglob("*") if p.is_file()) if landing.exists() else []:
        hits: list[bytes] = []

        def collect(chunk: bytes, hits: list[bytes] = hits) -> bool:
            if matcher(chunk):
                hits.append(chunk)
            return False

        try:
            scrub_bytes(path.name, path.read_bytes(), collect)
        except Exception as error:  # noqa: BLE001 - listed, not fatal: the export goes on
            found.append({"file": str(path.relative_to(landing)), "unreadable": str(error)})
            continue
        for chunk in hits:
            text = chunk.decode("utf-8", "replace")
            try:
                record: object = json.loads(text)
            except ValueError:
                record = text
            found.append({"file": str(path.relative_to(landing)), "record": record})
    return found


def export(paths: Paths, contact: str) -> dict[str, object]:
    salt = tombstones.checked_salt(paths.state)
    con = _open(paths)
    person = Person()
    rows: dict[str, list[dict]] = {}
    if con is not None:
        try:
            person = find_person(con, tombstone_of(contact, salt), salt)
            if person.contact_ids:
                rows = warehouse_rows(con, person)
        finally:
            con.close()
    add_identifier(person, contact)
    matcher = Matcher.for_person(person, salt)
    return {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "contact_ids": sorted(person.contact_ids),
        "identifiers": {
            "phones": sorted(person.phones),
            "emails": sorted(person.emails),
            "accounts": sorted(person.accounts),
            "names": sorted(person.names),
        },
        "warehouse": rows,
        "landing_records": landing_records(paths.landing, matcher),
    }


def export_json(paths: Paths, contact: str) -> str:
    return json.dumps(export(paths, contact), ensure_ascii=False, indent=1, default=str) + "\n"
