"""GDPR erasure and export through the real path: a demo home plus one person (Giulia)
written by hand in the real shapes of every source (a Cloud API webhook, a Shopify order
with her phone in customer / billing / shipping address, a HubSpot contact, a Chatwoot
contact and message, an Instagram DM, an e-mail, a gzip and a zstd archive, a log line,
a connector cursor), landed, ingested and built with dbt. The export lists her records;
`python -m pipelines.privacy erase` (what `make erase` runs) then leaves no spelling of
her phone or e-mail in any file under THREADLINE_HOME, decompressed, nor in any column
of the warehouse or the serving copy; everyone else is still there; and a replay of the
original landing files does not bring her back."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
import zstandard

from pipelines import demo
from pipelines.connectors.cursors import CursorStore
from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.privacy import tombstones
from pipelines.privacy.export import export
from pipelines.privacy.records import scrub, unpack
from pipelines.settings import REPO_ROOT, Paths, paths
from pipelines.transform.build import dbt
from pipelines.warehouse import connect, publish_serving_copy
from tests.test_first_response_known_case import CUSTOMER, inbound
from tests.test_identity import (
    GIULIA_IGSID,
    crm_contact,
    inbox_contact_links_instagram,
    instagram_dm,
    order,
)

PHONE = "+393471112233"
EMAIL = "giulia.rossi@example.it"
# every spelling the hand-written records use (the byte search looks for each)
SPELLINGS = [
    PHONE, CUSTOMER, "+39 347 111 2233", "347 111 2233", "0039 347 1112233", "347-111-2233",
    "3471112233", EMAIL, "Giulia.Rossi@Example.it", "GIULIA.ROSSI@EXAMPLE.IT", GIULIA_IGSID,
]
OTHER_EMAIL = "luca@example.it"


def shopify_order() -> dict:
    placed = order(9001, 8100000000071, "Giulia.Rossi@Example.it", "+39 347 111 2233", "2026-03-04T10:00:00+01:00")
    placed["customer"]["phone"] = "0039 347 1112233"
    placed["billing_address"] = {"first_name": "Giulia", "last_name": "Rossi", "phone": "347-111-2233",
                                 "address1": "Via Tortona 12", "city": "Milano", "zip": "20144", "country_code": "IT"}
    placed["shipping_address"] = {**placed["billing_address"], "phone": "347 111 2233"}
    return placed


def chatwoot_message(message_id: int, at: int, content: str) -> dict:
    """An incoming message of the shared inbox, as Chatwoot's message_created posts it."""
    sender = {"id": 42, "name": "Giulia Rossi", "email": EMAIL, "phone_number": PHONE, "identifier": None,
              "thumbnail": "", "type": "contact", "additional_attributes": {}, "custom_attributes": {}}
    return {
        "event": "message_created", "id": message_id, "content": content, "content_type": "text",
        "content_attributes": {}, "message_type": "incoming", "private": False, "created_at": at,
        "source_id": f"wamid.cw{message_id}", "sender": sender, "account": {"id": 1, "name": "Vitalis"},
        "inbox": {"id": 13, "name": "WhatsApp"},
        "conversation": {"id": 77, "inbox_id": 13, "status": "open", "channel": "Channel::Whatsapp",
                         "contact_inbox": {"id": 42, "contact_id": 42, "inbox_id": 13, "source_id": CUSTOMER},
                         "meta": {"sender": sender, "assignee": None}, "created_at": at, "timestamp": at},
        "additional_attributes": {},
    }


def other_customer() -> dict:
    luca = inbound("wamid.luca1", "2026-03-10T09:01:00+00:00", "Sono Luca, l'ordine 9002?")
    value = luca["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = value["messages"][0]["from"] = "393480000009"
    value["contacts"][0]["profile"]["name"] = "Luca Bianchi"
    return luca


EML = (
    "From: Giulia Rossi <Giulia.Rossi@Example.it>\r\nTo: ordini@vitalis-shop.it\r\n"
    "Subject: Ordine #9001\r\nDate: Thu, 05 Mar 2026 10:00:00 +0100\r\n"
    "Message-ID: <giulia-9001@example.it>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    "Buongiorno, sono raggiungibile al 347 111 2233.\r\n"
)


def land_giulia(home: Paths) -> None:
    day = home.landing / "whatsapp" / "2026-03-03"
    write_jsonl(day / "giulia.jsonl", [inbound("wamid.g1", "2026-03-03T09:00:00+00:00", "Ciao, avete l'omega 3?"),
                                       other_customer()])
    write_jsonl(home.landing / "instagram" / "2026-03-06" / "giulia.jsonl",
                [instagram_dm("ig.g1", 1772787600000, "Avete anche la vitamina D?")])
    write_jsonl(home.landing / "chatwoot" / "2026-03-06" / "giulia.jsonl", [
        inbox_contact_links_instagram(42, PHONE, GIULIA_IGSID, "2026-03-06T10:00:00.000Z"),
        chatwoot_message(9001, 1772791200, "Mi mandate il link per pagare?"),
    ])
    write_jsonl(home.landing / "hubspot" / "contacts" / "giulia.jsonl",
                [crm_contact("501", " Giulia.Rossi@Example.it ", "347 111 2233", "2026-03-01T10:00:00Z")])
    write_jsonl(home.landing / "shopify" / "orders" / "giulia.jsonl", [
        shopify_order(), order(9002, 8100000000072, OTHER_EMAIL, "+39 348 000 0009", "2026-03-05T10:00:00+01:00"),
    ])
    mail = home.landing / "email" / "2026-03-05"
    mail.mkdir(parents=True, exist_ok=True)
    (mail / "giulia.eml").write_text(EML, encoding="utf-8")
    # archives nobody ingests, still landing files: her webhook beside Luca's
    archive = home.landing / "archive"
    archive.mkdir(exist_ok=True)
    lines = "\n".join(json.dumps(b) for b in (inbound("wamid.g0", "2026-03-01T09:00:00+00:00", "Ciao"),
                                               other_customer())) + "\n"
    (archive / "whatsapp-2026-03.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    (archive / "hubspot-2026-03.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(
        (json.dumps(crm_contact("501", EMAIL.upper(), "+39 347 111 2233", "2026-02-01T10:00:00Z")) + "\n").encode()))
    # a log line and a connector cursor that name her
    logs = home.home / "logs"
    logs.mkdir(exist_ok=True)
    (logs / "receiver.log").write_text(f"stored webhook from {CUSTOMER}\nstored webhook from 393480000009\n")
    CursorStore.for_paths(home).put("hubspot_contacts", {"high_ms": 1772359200000, "recent": {"501": 1772359200000,
                                                                                             "777": 1772359200000}})


def spellings_in(data: bytes) -> list[str]:
    lower = data.lower()
    return [s for s in SPELLINGS if s.lower().encode() in lower]


def files_naming_her(root: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        hits = spellings_in(unpack(path.name, path.read_bytes()))
        if hits:
            found[str(path.relative_to(root))] = hits
    return found


def columns_naming_her(database: Path) -> list[str]:
    """Every text value of every table, searched (DuckDB compresses what it stores)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_type = 'BASE TABLE'").fetchall()
        found = []
        for schema, table in tables:
            rows = con.execute(f'select t::varchar from "{schema}"."{table}" t').fetchall()
            text = "\n".join(row[0] for row in rows).encode()
            found += [f"{schema}.{table}: {s}" for s in spellings_in(text)]
        return found
    finally:
        con.close()


def counts(database: Path) -> dict[str, int]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return {
            "contacts": con.execute("select count(*) from marts.dim_contacts").fetchone()[0],
            "messages": con.execute("select count(*) from marts.fct_messages").fetchone()[0],
            "orders": con.execute("select count(*) from marts.fct_orders").fetchone()[0],
            "luca": con.execute(
                "select count(*) from marts.fct_messages where message_id = 'wamid.luca1'").fetchone()[0],
            "giulia": con.execute("select count(*) from marts.dim_contacts where phone_e164 = ? or email = ?",
                                  [PHONE, EMAIL]).fetchone()[0],
        }
    finally:
        con.close()


def run_cli(home: Paths, *args: str, contact: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "THREADLINE_HOME": str(home.home), "DAGSTER_HOME": str(home.home / "dagster"),
           "THREADLINE_ERASE_CONTACT": contact, "PYTHONPATH": str(REPO_ROOT),
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    env.pop("THREADLINE_ERASURE_SALT", None)
    return subprocess.run([sys.executable, "-m", "pipelines.privacy", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("erasure")
    home = paths(root / "home")
    demo.generate(home=home.home, seed=11, contacts=30, days=20, end_date=date(2026, 3, 20))
    home.ensure()
    land_giulia(home)
    backup = root / "landing-backup"
    shutil.copytree(home.landing, backup)
    con = connect(home.warehouse)
    ingest_all(con, home)
    con.close()
    dbt(["build", "--exclude", "resource_type:test"], home.home)
    publish_serving_copy(home.warehouse, home.serving_warehouse)
    (home.home / "dagster").mkdir()
    shutil.copy(REPO_ROOT / "pipelines" / "dagster_home" / "dagster.yaml", home.home / "dagster")
    before = counts(home.warehouse)
    exported = export(home, "347 111 2233")
    named_before = files_naming_her(home.home)
    result = run_cli(home, "erase", contact="+39 347 111 2233")
    return {"home": home, "backup": backup, "before": before, "export": exported,
            "named_before": named_before, "result": result}


def test_export_lists_what_is_held_before_erasure(erased):
    exported = erased["export"]
    assert len(exported["contact_ids"]) == 1
    assert exported["identifiers"]["phones"] == [PHONE] and exported["identifiers"]["emails"] == [EMAIL]
    assert {"hubspot:501", "shopify:8100000000071", f"instagram:{GIULIA_IGSID}", "chatwoot:1:42"} <= set(
        exported["identifiers"]["accounts"])
    warehouse = exported["warehouse"]
    assert warehouse["marts.dim_contacts"][0]["phone_e164"] == PHONE
    assert {m["message_id"] for m in warehouse["marts.fct_messages"]} >= {"wamid.g1", "ig.g1"}
    assert [o["order_id"] for o in warehouse["marts.fct_orders"]] == ["9001"]
    files = {r["file"].split("/")[0] for r in exported["landing_records"]}
    assert files >= {"whatsapp", "instagram", "chatwoot", "hubspot", "shopify", "email", "archive"}
    assert OTHER_EMAIL not in json.dumps(exported["landing_records"])


def test_erasure_leaves_no_spelling_anywhere(erased):
    home, result = erased["home"], erased["result"]
    assert result.returncode == 0, result.stdout + result.stderr
    # before, every kind of place named her; the summary counts them, naming no one
    assert {"landing/whatsapp/2026-03-03/giulia.jsonl", "landing/archive/whatsapp-2026-03.jsonl.gz",
            "landing/archive/hubspot-2026-03.jsonl.zst", "logs/receiver.log"} <= set(
        erased["named_before"])
    for place in ("landing/whatsapp", "landing/shopify", "landing/chatwoot", "landing/hubspot", "landing/email",
                  "landing/instagram", "landing/archive", "state/cursors", "state/contact_registry", "logs"):
        assert place in result.stdout, result.stdout
    assert "files still naming them: 0" in result.stdout
    assert not spellings_in((result.stdout + result.stderr).encode())
    assert files_naming_her(home.home) == {}
    assert columns_naming_her(home.warehouse) == [] and columns_naming_her(home.serving_warehouse) == []
    # what is kept: salted hashes, the salt readable by its owner only
    assert stat.S_IMODE((home.state / "erasure_salt").stat().st_mode) == 0o600
    assert (home.state / "tombstones.jsonl").exists()
    assert CursorStore.for_paths(home).get("hubspot_contacts")["recent"] == {"777": 1772359200000}


def test_everyone_else_is_still_there(erased):
    home, before = erased["home"], erased["before"]
    after = counts(home.serving_warehouse)
    assert before["giulia"] == 1 and after["giulia"] == 0
    assert after["contacts"] == before["contacts"] - 1
    assert after["orders"] == before["orders"] - 1
    assert after["luca"] == before["luca"] == 1
    kept = (home.landing / "archive" / "whatsapp-2026-03.jsonl.gz").read_bytes()
    assert b"wamid.luca1" in gzip.decompress(kept)
    assert OTHER_EMAIL.encode() in (home.landing / "shopify" / "orders" / "giulia.jsonl").read_bytes()


def test_her_segment_memberships_are_gone(erased):
    """Segment stays name only a contact id, but a rebuilt warehouse restores them from
    state/segment_membership/: erasure drops hers there and in the warehouse."""
    home, (contact_id,) = erased["home"], erased["export"]["contact_ids"]
    assert any(row["contact_id"] == contact_id for row in erased["export"]["warehouse"]["segments.lifecycle_stage"])
    snapshots = sorted((home.state / "segment_membership").glob("*.parquet"))
    assert snapshots
    for snapshot in snapshots:
        assert contact_id not in pl.read_parquet(snapshot)["contact_id"].to_list()
    con = duckdb.connect(str(home.serving_warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from segments.segment_membership_history").fetchone()[0] > 0
        assert con.execute("select count(*) from segments.segment_membership_history where contact_id = ?",
                           [contact_id]).fetchone()[0] == 0
    finally:
        con.close()


def test_replaying_the_landing_folder_does_not_bring_her_back(erased):
    home = erased["home"]
    backup = erased["backup"]
    for original in sorted(p for p in backup.rglob("*") if p.is_file()):
        # every original file re-landed beside where it was, as a restored backup would be
        target = home.landing / original.relative_to(backup)
        shutil.copy(original, target.with_name("restored-" + target.name))
    con = connect(home.warehouse)
    try:
        results = ingest_all(con, home)
    finally:
        con.close()
    # her WhatsApp, Instagram, HubSpot, Shopify and e-mail records and both Chatwoot
    # events, counted and dropped; Luca's lines beside them were already ingested
    assert sum(r.get("erased", 0) for r in results.values()) == 7
    assert columns_naming_her(home.warehouse) == []


def test_each_format_loses_only_her_records(tmp_path):
    """CSV (a quoted field over two lines), iCalendar (her address folded over two lines),
    mbox, Parquet and a zip of JSON lines: her records go, the others stay as they were."""
    def mentions(chunk: bytes) -> bool:
        return any(s.lower().encode() in chunk.lower() for s in SPELLINGS)

    luca_row = b'2,Luca,"Via Roma 1\nMilano",+39 348 000 0009\r\n'
    csv_file = tmp_path / "contacts.csv"
    header = b"id,name,address,phone\r\n"
    csv_file.write_bytes(header + b'1,Giulia,"Via Tortona 12\nMilano",347 111 2233\r\n' + luca_row)
    event = "BEGIN:VEVENT\r\nUID:{uid}\r\nATTENDEE;CN=Giulia:mailto:giulia.ros\r\n si@example.it\r\nEND:VEVENT\r\n"
    other = "BEGIN:VEVENT\r\nUID:b\r\nATTENDEE:mailto:luca@example.it\r\nEND:VEVENT\r\n"
    ics = tmp_path / "agenda.ics"
    ics.write_bytes(f"BEGIN:VCALENDAR\r\n{event.format(uid='a')}{other}END:VCALENDAR\r\n".encode())
    mbox = tmp_path / "inbox.mbox"
    luca_mail = b"From luca@example.it Thu Mar  5 10:00:00 2026\nFrom: luca@example.it\n\nCiao\n"
    mbox.write_bytes(EML.replace("\r\n", "\n").join(["From x Thu Mar  5 10:00:00 2026\n", ""]).encode() + luca_mail)
    parquet = tmp_path / "messages.parquet"
    pl.DataFrame({"message_id": ["m1", "m2"], "contact_email": [EMAIL, OTHER_EMAIL]}).write_parquet(parquet)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.jsonl", json.dumps({"email": EMAIL}) + "\n" + json.dumps({"email": OTHER_EMAIL}) + "\n")
    assert [scrub(p, mentions).dropped for p in (csv_file, ics, mbox, parquet, archive)] == [1, 1, 1, 1, 1]
    assert csv_file.read_bytes() == header + luca_row
    assert ics.read_bytes() == f"BEGIN:VCALENDAR\r\n{other}END:VCALENDAR\r\n".encode()
    assert mbox.read_bytes() == luca_mail
    assert pl.read_parquet(parquet)["message_id"].to_list() == ["m2"]
    assert unpack(archive.name, archive.read_bytes()) == (json.dumps({"email": OTHER_EMAIL}) + "\n").encode()


def test_tombstones_made_with_another_salt_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(tombstones.SALT_ENV, "salt one")
    tombstones.record(tmp_path, [tombstones.key_hash("salt one", "393471112233")])
    assert tombstones.Tombstones.of(tmp_path).mentions("wa_id 393471112233")
    monkeypatch.setenv(tombstones.SALT_ENV, "salt two")
    with pytest.raises(RuntimeError, match="another salt"):
        tombstones.Tombstones.of(tmp_path)
