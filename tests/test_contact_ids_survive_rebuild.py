"""Contact ids outlive the warehouse: after a merge, a warehouse rebuilt from landing/
and state/ (deleted and built again, or `dbt build --full-refresh`) gives every
identifier the contact id it had, and keeps the merge history. Without the saved
registry the same rebuild would give the merged person another id (checked too).

Inputs are hand-built in the sources' own formats: a WhatsApp Cloud API webhook, HubSpot
CRM v3 contacts."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest import registry_state
from pipelines.ingest.sources import ingest_all
from pipelines.landing import write_jsonl
from pipelines.settings import Paths, paths
from pipelines.transform.build import dbt
from pipelines.warehouse import connect
from tests.test_data_layer_cases import hubspot_contact, shop_customer, shopify_order, whatsapp_inbound

# palestra-fisiofit's WhatsApp number (inboxes.csv)
WABA, PNID, DISPLAY = "102290129340002", "106540352242002", "390519840202"
LUCA_WA_ID = "393471110001"
ANNA_WA_ID = "393471110002"
SELECT = ["--select", "+dim_contacts", "+contact_merges", "--indirect-selection", "cautious"]


def luca_writes(home: Paths) -> None:
    body = whatsapp_inbound(WABA, PNID, DISPLAY, LUCA_WA_ID, "Luca", "wamid.LUCA1", "2026-03-10T09:00:00+01:00", "Ciao")
    write_jsonl(home.landing / "whatsapp" / "2026-03-10" / "recv.jsonl", [body])
    body = whatsapp_inbound(WABA, PNID, DISPLAY, ANNA_WA_ID, "Anna", "wamid.ANNA1", "2026-03-10T10:00:00+01:00", "Info")
    write_jsonl(home.landing / "whatsapp" / "2026-03-10" / "recv-2.jsonl", [body])
    # a CRM contact with only an e-mail: a person of its own, for now
    crm = hubspot_contact("501", "Luca", "Bianchi", "luca.bianchi@example.it", None, "2026-03-11T08:00:00.000Z")
    write_jsonl(home.landing / "hubspot" / "contacts" / "2026-03-11" / "page-1.jsonl", [crm])


def crm_links_luca(home: Paths) -> None:
    """An older CRM record, synced later, shows Luca's number with his e-mail: the two
    contacts are one person, and the merged person's earliest identifier is now the e-mail
    (seen in January), not the number that founded the first contact."""
    crm = hubspot_contact(
        "502", "Luca", "Bianchi", "luca.bianchi@example.it", "+39 347 111 0001", "2026-01-05T08:00:00.000Z"
    )
    write_jsonl(home.landing / "hubspot" / "contacts" / "2026-03-12" / "page-1.jsonl", [crm])


def build(home: Paths, *extra: str) -> None:
    with connect(home.warehouse) as con:
        ingest_all(con, home)
    dbt(["build", *SELECT, *extra], home.home)


def identities(home: Paths) -> tuple[dict[str, str], list[tuple], list[str]]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        nodes = dict(con.execute("select node, contact_id from intermediate.int_contact_ids").fetchall())
        merges = con.execute(
            "select merged_contact_id, into_contact_id, identifiers_moved from marts.contact_merges order by all"
        ).fetchall()
        contacts = [row[0] for row in con.execute("select contact_id from marts.dim_contacts order by 1").fetchall()]
    return nodes, merges, contacts


def drop_warehouse(home: Paths) -> None:
    for file in home.home.glob("warehouse.duckdb*"):
        file.unlink()


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory):
    home = paths(tmp_path_factory.mktemp("registry") / "home").ensure()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("THREADLINE_HOME", str(home.home))
        luca_writes(home)
        build(home)
        first_nodes, _, _ = identities(home)
        crm_links_luca(home)
        build(home)
        yield home, first_nodes, identities(home)


def test_the_merge_keeps_the_first_contact(merged):
    home, first_nodes, (nodes, merges, contacts) = merged
    luca = first_nodes[f"phone:+{LUCA_WA_ID}"]
    assert nodes["email:luca.bianchi@example.it"] == luca == nodes["hubspot:502"]
    assert merges == [(first_nodes["email:luca.bianchi@example.it"], luca, 2)]
    assert len(contacts) == 2  # Luca and Anna
    assert list((home.state / "contact_registry").glob("registry-*.parquet"))


def test_a_deleted_warehouse_is_rebuilt_with_every_contact_id(merged, monkeypatch):
    home, _, before = merged
    monkeypatch.setenv("THREADLINE_HOME", str(home.home))
    drop_warehouse(home)
    build(home)
    assert identities(home) == before


def test_a_full_refresh_keeps_every_contact_id(merged, monkeypatch):
    home, _, before = merged
    monkeypatch.setenv("THREADLINE_HOME", str(home.home))
    build(home, "--full-refresh")
    assert identities(home) == before


def test_without_the_saved_registry_the_merged_person_would_get_another_id(merged, tmp_path, monkeypatch):
    home, _, (nodes, _, _) = merged
    other = paths(tmp_path / "home").ensure()
    shutil.copytree(home.landing, other.landing, dirs_exist_ok=True)
    monkeypatch.setenv("THREADLINE_HOME", str(other.home))
    build(other)
    rebuilt, merges, _ = identities(other)
    assert rebuilt[f"phone:+{LUCA_WA_ID}"] != nodes[f"phone:+{LUCA_WA_ID}"]
    assert rebuilt[f"phone:+{ANNA_WA_ID}"] == nodes[f"phone:+{ANNA_WA_ID}"]
    assert merges == []


def test_a_contact_split_by_new_evidence_keeps_its_id_in_one_part(merged, tmp_path, monkeypatch):
    """Luca's number then turns up as the fallback phone on four other customers' orders:
    it stops linking, so his contact splits. The part holding his earliest-seen identifier
    keeps his id; the number becomes a contact of its own with an id never used before."""
    home, _, (nodes, _, _) = merged
    other = paths(tmp_path / "home").ensure()
    for folder in ("landing", "state"):
        shutil.copytree(home.home / folder, other.home / folder, dirs_exist_ok=True)
    for file in home.home.glob("warehouse.duckdb*"):
        shutil.copy(file, other.home / file.name)
    orders = [
        shopify_order(
            5820000000000 + n,
            f"2026-03-1{n}T10:00:00+01:00",
            shop_customer(7700 + n, f"Cliente{n}", "Rossi", f"cliente{n}@example.it"),
            email=f"cliente{n}@example.it",
            phone="+39 347 111 0001",
        )
        for n in range(4)
    ]
    write_jsonl(other.landing / "shopify" / "orders" / "2026-03-14" / "orders.jsonl", orders)
    monkeypatch.setenv("THREADLINE_HOME", str(other.home))
    build(other)
    after, _, contacts = identities(other)
    luca = nodes[f"phone:+{LUCA_WA_ID}"]
    assert after["email:luca.bianchi@example.it"] == after["hubspot:502"] == luca
    assert after[f"phone:+{LUCA_WA_ID}"] not in set(nodes.values()) | {luca}
    assert len({after[f"email:cliente{n}@example.it"] for n in range(4)}) == 4
    assert len(contacts) == len(set(contacts)) == 2 + 1 + 4


def test_an_unreadable_newest_snapshot_falls_back_to_the_one_before(home: Paths):
    folder = registry_state.folder(home)
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(
            "copy (select 'phone:+393471110001' as node, 'ct_a' as contact_id, timestamp '2026-03-10' as valid_from)"
            f" to '{folder / 'registry-20260310T000000000000.parquet'}' (format parquet)"
        )
    cut_short = folder / "registry-20260311T000000000000.parquet"
    cut_short.write_bytes(b"PAR1\x00\x00")  # a write interrupted by a crash
    with connect(home.warehouse) as con:
        result = registry_state.load(con, home)
        rows = con.execute("select node, contact_id from raw.contact_registry_state").fetchall()
    assert result == {"rows": 1, "skipped": 1}
    assert rows == [("phone:+393471110001", "ct_a")]
    assert Path(cut_short).exists()  # kept: pruning only removes snapshots older than the one loaded
