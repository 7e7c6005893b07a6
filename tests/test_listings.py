"""The listings feed and the preference match, end to end: a gestionale CSV export (cp1252,
`;`, decimal comma, a bad row), a JSON feed with a price drop, a HubSpot contact with
search properties, a buyer's WhatsApp message and marketing opt-in, one real dbt build
with as_of pinned → the expected member and listing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import duckdb
import pytest

from pipelines.ingest.listings import parse_price
from pipelines.landing import write_jsonl
from pipelines.settings import Paths
from tests.built_warehouse import built_warehouse
from tests.test_data_layer_cases import hubspot_contact, unix, whatsapp_inbound

AS_OF = "2026-11-21 12:00:00"
# Casa Brera Immobiliare's WhatsApp number (models/seeds/inboxes.csv)
WABA, PNID, DISPLAY = "102290129340005", "106540352242005", "390272140505"
GIULIA_WA, MARCO_WA = "393471234567", "393389876543"
GIULIA_WAMID = "wamid.HBgMMzkzNDcxMjM0NTY3FQIAEhgUTElTVElOR1MtR0lVTElBLTAxAA=="
MARCO_WAMID = "wamid.HBgMMzkzMzg5ODc2NTQzFQIAEhgUTElTVElOR1MtTUFSQ08tMDEA"

# What the agency's gestionale exports: Excel on Windows (cp1252, `;`), Italian headers,
# surfaces with a decimal comma, prices with the thousands dot, day-first Rome times.
GESTIONALE_CSV = (
    "Riferimento;Titolo;Comune;Zona;Locali;Superficie;Prezzo;Stato;Data inserimento;Data modifica\r\n"
    "CB-101;Trilocale con terrazzo;Milano;Navigli;3;85,5;340.000;Disponibile;18/11/2026 10:00;18/11/2026 10:00\r\n"
    "CB-102;Bilocale;Milano;Città Studi;2;48;circa 300;Disponibile;18/11/2026 10:00;18/11/2026 10:00\r\n"
    "CB-103;Bilocale luminoso;Milano;Città Studi;2;55;249.000;Disponibile;18/11/2026 11:00;18/11/2026 11:00\r\n"
    "CB-104;Trilocale con box;Milano;Città Studi;3;90;320.000;Venduto;19/11/2026 09:00;20/11/2026 09:00\r\n"
    "CB-105;Trilocale più cantina;Milano;Città Studi;3;92;400.000;Disponibile;18/11/2026 12:00;18/11/2026 12:00\r\n"
    "CB-106;Trilocale parco;Milano;Città Studi;Trilocale;88;€ 300.000,00;Attivo;16/11/2026 09:00;16/11/2026 09:00\r\n"
)

# A portal's JSON feed two days later: English keys, numbers as numbers, CB-105 reduced.
JSON_FEED = {
    "listings": [
        {"reference": "CB-105", "title": "Trilocale più cantina", "city": "Milano", "area": "Città Studi",
         "rooms": 3, "price": 345000, "status": "available", "published_at": "2026-11-18T12:00:00+01:00",
         "updated_at": "2026-11-20T09:30:00+01:00", "url": "https://www.casabrera.it/annunci/cb-105"},
        {"reference": "CB-201", "title": "Trilocale ristrutturato", "city": "Milano", "area": "CITTA' STUDI",
         "rooms": 3, "price": 355000, "status": "available", "published_at": "2026-11-19T15:00:00+01:00",
         "url": "https://www.casabrera.it/annunci/cb-201"},
        {"title": "Monolocale senza riferimento", "city": "Milano", "area": "Isola", "price": 150000},
    ]
}


def user_preferences(wa_id: str, value: str, at: str) -> dict:
    """A user_preferences webhook (the user resumed or stopped marketing messages)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{
            "id": WABA,
            "changes": [{
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": DISPLAY, "phone_number_id": PNID},
                    "contacts": [{"profile": {"name": "Giulia"}, "wa_id": wa_id}],
                    "user_preferences": [{
                        "wa_id": wa_id,
                        "detail": f"User requested to {value} marketing messages",
                        "category": "marketing_messages",
                        "value": value,
                        "timestamp": int(unix(at)),
                    }],
                },
                "field": "user_preferences",
            }],
        }],
    }


def giulia_in_the_crm() -> dict:
    """Giulia's CRM v3 contact: the agent typed her search on the 12th (a lower budget)."""
    contact = hubspot_contact("70501", "Giulia", "Conti", "giulia.conti@example.it", "+39 347 123 4567",
                              "2026-11-12T09:00:00.000Z")
    contact["properties"] |= {"preferred_area": "Città Studi;Lambrate", "preferred_rooms": "3",
                              "budget_max": "300000"}
    return contact


def land(home: Paths) -> None:
    landing = home.landing
    export = landing / "listings" / "2026-11-18" / "gestionale.csv"
    export.parent.mkdir(parents=True)
    export.write_bytes(GESTIONALE_CSV.encode("cp1252"))
    feed = landing / "listings" / "2026-11-20" / "portale.json"
    feed.parent.mkdir(parents=True)
    feed.write_text(json.dumps(JSON_FEED, ensure_ascii=False), encoding="utf-8")
    write_jsonl(landing / "hubspot" / "contacts" / "2026-11-12" / "page-1.jsonl", [giulia_in_the_crm()])
    write_jsonl(landing / "whatsapp" / "2026-11-17" / "recv.jsonl", [
        whatsapp_inbound(WABA, PNID, DISPLAY, GIULIA_WA, "Giulia", GIULIA_WAMID, "2026-11-17T08:30:00+00:00",
                         "Buongiorno, cerchiamo un trilocale in zona Città Studi, max 350k"),
        user_preferences(GIULIA_WA, "resume", "2026-11-17T08:31:00+00:00"),
        whatsapp_inbound(WABA, PNID, DISPLAY, MARCO_WA, "Marco", MARCO_WAMID, "2026-11-17T09:00:00+00:00",
                         "Salve, 2 camere zona Città Studi budget 360.000"),
    ])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    with built_warehouse(tmp_path_factory.mktemp("listings"), land, AS_OF) as con:
        yield con


def contact_of(con: duckdb.DuckDBPyConnection, wamid: str) -> str:
    return con.execute("select contact_id from marts.fct_messages where message_id = ?", [wamid]).fetchone()[0]


def test_prices_are_whole_euros_with_the_thousands_dot() -> None:
    assert parse_price("250.000") == Decimal("250000")
    assert parse_price("€ 1.250.000,00") == Decimal("1250000")
    assert parse_price("249.500,50") == Decimal("249500.50")
    assert parse_price("250,000") == Decimal("250000")
    assert parse_price("Trattativa riservata") is None


def test_a_bad_row_is_quarantined_and_its_neighbours_load(warehouse) -> None:
    rejected = warehouse.execute(
        "select file, line_no, reason from raw.rejected_records where source = 'listings' order by file"
    ).fetchall()
    assert rejected == [
        ("listings/2026-11-18/gestionale.csv", 3, "unreadable Prezzo 'circa 300'"),
        ("listings/2026-11-20/portale.json", 3, "no listing reference (Riferimento)"),
    ]
    rows = dict(warehouse.execute(
        "select listing_ref || ' ' || file, price from raw.listings").fetchall())
    assert rows == {
        "CB-101 listings/2026-11-18/gestionale.csv": Decimal("340000"),
        "CB-103 listings/2026-11-18/gestionale.csv": Decimal("249000"),
        "CB-104 listings/2026-11-18/gestionale.csv": Decimal("320000"),
        "CB-105 listings/2026-11-18/gestionale.csv": Decimal("400000"),
        "CB-106 listings/2026-11-18/gestionale.csv": Decimal("300000"),
        "CB-105 listings/2026-11-20/portale.json": Decimal("345000"),
        "CB-201 listings/2026-11-20/portale.json": Decimal("355000"),
    }


def test_the_latest_version_decides_and_places_fold(warehouse) -> None:
    listings = {
        ref: rest for ref, *rest in warehouse.execute(
            "select listing_ref, area, area_key, rooms, price, surface_sqm, status, versions "
            "from staging.stg_listings__listings"
        ).fetchall()
    }
    assert listings["CB-105"] == ["Città Studi", "citta studi", 3, Decimal("345000"), None, "available", 2]
    assert listings["CB-201"][:2] == ["CITTA' STUDI", "citta studi"]
    assert listings["CB-101"][4] == Decimal("85.5")
    assert listings["CB-104"][5] == "sold"
    assert listings["CB-106"][2] == 3  # "Trilocale" in the Locali column


def test_the_latest_statement_wins_per_attribute(warehouse) -> None:
    giulia = contact_of(warehouse, GIULIA_WAMID)
    rows = warehouse.execute(
        "select area_key, rooms_min, rooms_max, budget_max, area_evidence, rooms_evidence, budget_max_evidence "
        "from intermediate.int_contact_preferences where contact_id = ? order by area_key",
        [giulia],
    ).fetchall()
    # the message of the 17th names one area and a budget after the CRM's of the 12th
    assert rows == [("citta studi", 3, 3, 350000.0, GIULIA_WAMID, GIULIA_WAMID, GIULIA_WAMID)]


def test_the_consented_buyer_gets_the_best_new_listing(warehouse) -> None:
    members = warehouse.execute(
        "select contact_id, first_name, listing_ref, listing_title, listing_area, listing_rooms, listing_price, "
        "listing_url, matching_listings from segments.preference_match"
    ).fetchall()
    # CB-105 (reduced to 345.000, within budget) beats CB-201 (355.000, inside the 5%);
    # not CB-106 (published before her message), CB-104 (sold), CB-103 (2 locali),
    # CB-101 (Navigli); Marco fits too but never opted in
    assert members == [(
        contact_of(warehouse, GIULIA_WAMID), "Giulia", "CB-105", "Trilocale più cantina", "Città Studi", 3,
        Decimal("345000"), "https://www.casabrera.it/annunci/cb-105", 2,
    )]
    marco = warehouse.execute(
        "select rooms_min, budget_max from intermediate.int_contact_preferences where contact_id = ?",
        [contact_of(warehouse, MARCO_WAMID)],
    ).fetchall()
    assert marco == [(3, 360000.0)]
