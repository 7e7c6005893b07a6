"""Who is to be erased: one phone number or e-mail → the person's contact(s) in the
warehouse (identity resolution: intermediate.int_contact_ids) → every identifier they
have there, and every spelling of them the sources used.

The person is found by tombstone hash (tombstones.py), so a caller that holds only the
hash (a Dagster run's config) finds them as well as one that holds the identifier.
Identifiers of kinds other than phone and e-mail (wa_id, Instagram / Messenger ids, shop,
CRM, Chatwoot and web chat ids) come from the same contact; names are kept only as
evidence for the export, never matched (two people share names).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import phonenumbers

from pipelines.ingest.phones import DEFAULT_REGION
from pipelines.ingest.phones import normalize as normalize_phone
from pipelines.privacy.tombstones import MIN_DIGITS, key_hash, normalise

# shortest spelling matched as text: shorter ids (a Chatwoot contact id "45") would
# match unrelated numbers, and are matched by their place in the record instead
MIN_NEEDLE = 7


@dataclass
class Person:
    contact_ids: set[str] = field(default_factory=set)
    nodes: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)  # E.164
    emails: set[str] = field(default_factory=set)  # lower-cased
    accounts: set[str] = field(default_factory=set)  # the other nodes (kind:id)
    record_ids: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    spellings: set[str] = field(default_factory=set)  # every text form to search for

    def tombstone_keys(self) -> set[str]:
        """The normalised keys whose salted hashes are the tombstone."""
        keys = {normalise(spelling) for spelling in self.spellings}
        return {key for key in keys if key}

    def needles(self) -> list[bytes]:
        """The spellings as lower-case UTF-8, longest first, for byte searches."""
        chosen = {s.strip().lower() for s in self.spellings if len(s.strip()) >= MIN_NEEDLE}
        return sorted((s.encode() for s in chosen), key=len, reverse=True)

    def source_ids(self) -> set[str]:
        """The id part of every account node and record id (cursor entries are keyed so)."""
        ids = {node.rsplit(":", 1)[-1] for node in self.accounts}
        ids |= {record_id.split(":", 1)[-1] for record_id in self.record_ids}
        return {i for i in ids if i}


def key_of(identifier: str) -> str:
    """The tombstone key of a phone number or e-mail as a person types it."""
    text = identifier.strip()
    if "@" in text:
        return text.lower()
    e164, _, _, _ = normalize_phone("typed", text)
    key = normalise(e164 or text)
    if not key:
        raise SystemExit("CONTACT is neither an e-mail address nor a phone number")
    return key


def phone_spellings(e164: str) -> set[str]:
    """E.164, wa_id digits, 00-prefixed, international and national, spaced and dashed."""
    number = phonenumbers.parse(e164, DEFAULT_REGION)
    digits = e164.lstrip("+")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    nsn = phonenumbers.national_significant_number(number)
    forms = {e164, digits, "00" + digits, national, international, nsn, "%2B" + digits,
             national.replace(" ", ""), national.replace(" ", "-"), international.replace(" ", "-")}
    return {form for form in forms if sum(c.isdigit() for c in form) >= MIN_DIGITS}


def email_spellings(email: str) -> set[str]:
    """The address, and as URL-encoded and JSON-escaped text (case is ignored when matching)."""
    return {email, email.replace("@", "%40"), email.replace("@", "\\u0040")}


def _one_column(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> set[str]:
    return {row[0] for row in con.execute(sql, params).fetchall() if row[0] is not None}


def _has(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()[0])


def find_person(con: duckdb.DuckDBPyConnection, tombstone: str, salt: str) -> Person:
    """The person whose phone or e-mail hashes to `tombstone` (empty when the warehouse
    knows no one by it)."""
    person = Person()
    if not _has(con, "intermediate.int_contact_ids"):
        return person
    matched = _one_column(
        con,
        """
        select node from intermediate.int_contact_ids
        where (node like 'phone:%' or node like 'email:%')
          and sha256(? || ':' || case when node like 'email:%' then lower(substr(node, 7))
                                      else regexp_replace(node, '[^0-9]', '', 'g') end) = ?
        """,
        [salt, tombstone],
    )
    if not matched:
        return person
    person.contact_ids = _one_column(
        con, "select contact_id from intermediate.int_contact_ids where node in (select unnest(?))", [list(matched)]
    )
    ids = list(person.contact_ids)
    person.nodes = _one_column(
        con, "select node from intermediate.int_contact_ids where contact_id in (select unnest(?))", [ids]
    )
    person.record_ids = _one_column(
        con, "select record_id from intermediate.int_record_contacts where contact_id in (select unnest(?))", [ids]
    )
    person.names = _one_column(
        con,
        "select distinct person_name from intermediate.int_identity_records where record_id in (select unnest(?))",
        [list(person.record_ids)],
    )
    for node in person.nodes:
        kind, _, value = node.partition(":")
        if kind == "phone":
            person.phones.add(value)
        elif kind == "email":
            person.emails.add(value.lower())
        else:
            person.accounts.add(node)
    person.spellings = spellings(con, person)
    return person


def spellings(con: duckdb.DuckDBPyConnection, person: Person) -> set[str]:
    """Every spelling of the person's identifiers: generated, and as the sources typed them
    (staging.stg_phone_numbers keeps each raw phone value)."""
    found: set[str] = set()
    for e164 in person.phones:
        found |= phone_spellings(e164)
    if person.phones and _has(con, "staging.stg_phone_numbers"):
        found |= {raw.strip() for raw in _one_column(
            con, "select raw_value from staging.stg_phone_numbers where phone_e164 in (select unnest(?))",
            [list(person.phones)],
        )}
    for email in person.emails:
        found |= email_spellings(email)
    for node in person.accounts:
        value = node.rsplit(":", 1)[-1]
        if len(value) >= MIN_NEEDLE:
            found.add(value)
    return found


def add_identifier(person: Person, identifier: str) -> None:
    """Also erase `identifier` itself (it may have landed but never reached the warehouse)."""
    key = key_of(identifier)
    if "@" in key:
        person.emails.add(key)
        person.spellings |= email_spellings(key)
    else:
        e164 = "+" + key
        person.phones.add(e164)
        person.spellings |= phone_spellings(e164) | {identifier.strip()}


def tombstone_of(identifier: str, salt: str) -> str:
    return key_hash(salt, key_of(identifier))
