"""Property listings (an estate agent's feed) → raw.listings (one row per listing version).

`landing/listings/**/*.csv`, `*.json` and `*.jsonl`: the listings an estate agent's
management software (gestionale) exports, or a portal feed. Headers (CSV) and keys (JSON)
in Italian or English, case-insensitive (`Riferimento`/`reference`, `Titolo`/`title`,
`Comune`/`city`, `Zona`/`area`, `Locali`/`rooms`, `Camere`/`bedrooms`,
`Prezzo`/`price`, `Superficie`/`surface_sqm`, `Contratto`/`contract`,
`Data inserimento`/`published_at`, `Data modifica`/`updated_at`, `Stato`/`status`,
`URL`); CSV `,` or `;` separated, in UTF-8 or an Excel code page (cp1252), as
`pipelines.connectors.csv_exports` decodes it. A `.json` file is an array of listing
objects or an object holding one (under `listings`, `annunci`, `immobili`, `items`,
`results` or `data`); a `.jsonl` file has one listing object a line.

- Prices are whole euros written as people write them: `250.000` and `250000` are
  250000, `€ 1.250.000,00` is 1250000, `249.500,50` is 249500.50; a separator followed by
  exactly three digits groups thousands, one followed by one or two digits starts the
  cents. (`csv_exports.parse_amount` reads `250.000` as 250.00, right for shop totals and
  wrong here.) Blank, `Trattativa riservata` or `su richiesta` is no price (NULL).
- Rooms: `Locali` as a number (`3`, `5+`, `5 e oltre` → 5) or a word (`Trilocale` → 3);
  without it, `Camere` (bedrooms) + 1, the living room.
- Statuses are normalized (`Disponibile` → available, `In trattativa` → under_offer,
  `Venduto` → sold, `Affittato` → rented, `Ritirato`/`Sospeso` → withdrawn; blank →
  available; other values are kept, lowercased). Contracts: `Vendita` → sale,
  `Affitto` → rent (blank stays NULL: staging reads it as a sale).
- Dates without an offset are in the agency's time zone (default Europe/Rome), stored
  in UTC.

A listing exported again later (a price drop, a sale) is a new version, kept here; staging
keeps the latest. A row without a reference, with an unreadable price, rooms, surface or
date, with the wrong number of fields or repeating a reference of the same file is
quarantined in raw.rejected_records with the reason; the other rows load. A CSV without a
reference or price column, or a JSON file that holds no listings, is rejected once, whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from pipelines.connectors.csv_exports import (
    DEFAULT_EXPORT_TZ,
    RowError,
    blank_to_none,
    normalize_header,
    parse_export,
    parse_timestamp,
)
from pipelines.ingest.canonical import _jsonl_records
from pipelines.ingest.files import IngestResult, Rejected, ingest_parsed_files

SOURCE = "listings"
SUFFIXES = (".csv", ".CSV", ".json", ".jsonl")
RAW_TEXT_LIMIT = 10_000

DDL = """
create schema if not exists raw;
create table if not exists raw.listings (
    file varchar not null,
    line_no bigint not null,
    listing_ref varchar not null,
    title varchar,
    city varchar,
    area varchar,
    rooms integer,
    price decimal(18, 2),
    surface_sqm decimal(10, 2),
    contract varchar,
    status varchar not null,
    url varchar,
    published_at timestamp,
    updated_at timestamp,
    "row" json using compression zstd not null,
    ingested_at timestamp not null
);
"""

ALIASES: dict[str, tuple[str, ...]] = {
    "listing_ref": ("riferimento", "rif.", "rif", "codice", "codice immobile", "codice annuncio",
                    "id annuncio", "reference", "ref", "listing_ref", "listing ref", "listing_id",
                    "listing id", "id"),
    "title": ("titolo", "titolo annuncio", "title", "name"),
    "city": ("comune", "città", "citta", "località", "localita", "city", "town"),
    "area": ("zona", "quartiere", "microzona", "area", "zone", "neighbourhood", "neighborhood",
             "district"),
    "rooms": ("locali", "n. locali", "n° locali", "numero locali", "vani", "rooms",
              "number of rooms"),
    "bedrooms": ("camere", "camere da letto", "n. camere", "bedrooms"),
    "price": ("prezzo", "prezzo (€)", "prezzo €", "prezzo richiesto", "price", "asking price",
              "price_eur"),
    "surface_sqm": ("superficie", "superficie (mq)", "superficie mq", "mq", "metri quadri",
                    "superficie commerciale", "surface", "surface_sqm", "size", "size_sqm",
                    "sqm"),
    "contract": ("contratto", "tipo contratto", "tipologia contratto", "contract",
                 "offer type", "transaction"),
    "status": ("stato", "stato annuncio", "stato immobile", "disponibilità", "status",
               "availability"),
    "url": ("url", "link", "link annuncio", "url annuncio", "listing url", "listing_url"),
    "published_at": ("data inserimento", "data di inserimento", "data pubblicazione",
                     "inserito il", "published_at", "published", "date published", "listed_at",
                     "date added", "created_at"),
    "updated_at": ("data modifica", "data ultima modifica", "ultima modifica",
                   "data aggiornamento", "updated_at", "last modified", "modified",
                   "date modified"),
}
LABELS = {"listing_ref": "Riferimento", "price": "Prezzo", "rooms": "Locali",
          "bedrooms": "Camere", "surface_sqm": "Superficie",
          "published_at": "Data inserimento", "updated_at": "Data modifica"}

STATUSES = {
    "available": ("disponibile", "attivo", "attiva", "libero", "libera", "pubblicato",
                  "pubblicata", "online", "in vendita", "in affitto", "available", "active",
                  "for sale", "for rent", "on market"),
    "under_offer": ("in trattativa", "trattativa", "proposta", "proposta accettata",
                    "compromesso", "riservato", "riservata", "under offer", "under contract",
                    "pending", "reserved"),
    "sold": ("venduto", "venduta", "rogitato", "rogitata", "sold"),
    "rented": ("affittato", "affittata", "locato", "locata", "rented", "let"),
    "withdrawn": ("ritirato", "ritirata", "sospeso", "sospesa", "archiviato", "archiviata",
                  "scaduto", "scaduta", "annullato", "annullata", "non disponibile",
                  "withdrawn", "off market", "inactive", "expired", "cancelled", "canceled"),
}
STATUS_OF = {word: status for status, words in STATUSES.items() for word in words}
CONTRACT_OF = {
    **dict.fromkeys(("vendita", "in vendita", "compravendita", "sale", "for sale", "sell",
                     "buy"), "sale"),
    **dict.fromkeys(("affitto", "in affitto", "locazione", "rent", "for rent", "to let",
                     "let", "lease"), "rent"),
}
ROOM_WORDS = {"monolocale": 1, "bilocale": 2, "trilocale": 3, "quadrilocale": 4,
              "pentalocale": 5, "studio": 1}
NO_PRICE = ("trattativa riservata", "prezzo su richiesta", "su richiesta", "riservato",
            "on request", "price on request", "poa")
# a number with thousands grouped by "." or "," (or a space), then optional cents
_GROUPED = re.compile(r"\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*(?:[.,]\d{1,2})?")
_PLAIN = re.compile(r"\d+(?:[.,]\d{1,2})?")
_ROOMS = re.compile(r"(\d+)\s*(?:\+|e oltre|o più|o piu|or more)?")
CENT = Decimal("0.01")

SCHEMA: dict[str, pl.DataType] = {
    "line_no": pl.Int64(),
    "listing_ref": pl.String(),
    "title": pl.String(),
    "city": pl.String(),
    "area": pl.String(),
    "rooms": pl.Int32(),
    "price": pl.Decimal(18, 2),
    "surface_sqm": pl.Decimal(10, 2),
    "contract": pl.String(),
    "status": pl.String(),
    "url": pl.String(),
    "published_at": pl.Datetime("us"),
    "updated_at": pl.Datetime("us"),
    "row": pl.String(),
}


def parse_price(text: str, column: str = "Prezzo") -> Decimal | None:
    """Euros from `250.000`, `250000`, `€ 1.250.000,00`, `249.500,50`, `250,000` (blank or
    "trattativa riservata" is None); anything else raises RowError."""
    value = re.sub(r"€|eur(?:o|os)?\b", "", text.strip(), flags=re.IGNORECASE).strip(" \u00a0")
    if not value or value.lower() in NO_PRICE:
        return None
    compact = value.replace("\u00a0", " ")
    if _GROUPED.fullmatch(compact):
        body, cents = compact, ""
        tail = re.search(r"[.,](\d{1,2})$", compact)
        if tail:
            body, cents = compact[: tail.start()], tail.group(1)
        number = re.sub(r"[.,\s]", "", body) + (f".{cents}" if cents else "")
    elif _PLAIN.fullmatch(compact):
        number = compact.replace(",", ".")
    else:
        raise RowError(f"unreadable {column} {text.strip()!r}")
    try:
        return Decimal(number).quantize(CENT)
    except InvalidOperation:
        raise RowError(f"unreadable {column} {text.strip()!r}") from None


def parse_rooms(text: str, column: str) -> int | None:
    """`3`, `5+`, `5 e oltre` → the number; `Trilocale` → 3; blank → None."""
    value = " ".join(text.strip().lower().split())
    if not value:
        return None
    if value in ROOM_WORDS:
        return ROOM_WORDS[value]
    match = _ROOMS.fullmatch(value)
    if match is None or not 0 < int(match.group(1)) < 100:
        raise RowError(f"unreadable {column} {text.strip()!r}")
    return int(match.group(1))


def parse_surface(text: str) -> Decimal | None:
    value = re.sub(r"\s*(mq|m2|m²|sqm|m\^2)\.?$", "", text.strip(), flags=re.IGNORECASE)
    return parse_price(value, "Superficie") if value else None


def normalize_status(text: str) -> str:
    value = " ".join(text.strip().lower().split())
    return STATUS_OF.get(value, value) if value else "available"


def normalize_contract(text: str) -> str | None:
    value = " ".join(text.strip().lower().split())
    return CONTRACT_OF.get(value, value) if value else None


def build_row(values: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    """The typed row of one listing (canonical column → text), or RowError with the reason."""
    ref = values["listing_ref"].strip()
    if not ref:
        raise RowError("no listing reference (Riferimento)")
    rooms = parse_rooms(values["rooms"], "Locali")
    if rooms is None:
        bedrooms = parse_rooms(values["bedrooms"], "Camere")
        rooms = bedrooms + 1 if bedrooms is not None else None
    price = parse_price(values["price"])
    if price is not None and price <= 0:
        raise RowError(f"Prezzo {values['price'].strip()!r} is not a price")
    return {
        "listing_ref": ref,
        "title": blank_to_none(values["title"]),
        "city": blank_to_none(values["city"]),
        "area": blank_to_none(values["area"]),
        "rooms": rooms,
        "price": price,
        "surface_sqm": parse_surface(values["surface_sqm"]),
        "contract": normalize_contract(values["contract"]),
        "status": normalize_status(values["status"]),
        "url": blank_to_none(values["url"]),
        "published_at": parse_timestamp(values["published_at"], "Data inserimento", tz),
        "updated_at": parse_timestamp(values["updated_at"], "Data modifica", tz),
    }


def _text(value: Any, key: str) -> str:
    """A JSON value as the text a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise RowError(f"{key} must be a single value, not a JSON "
                       f"{'object' if isinstance(value, dict) else 'list'}")
    if isinstance(value, bool):
        raise RowError(f"{key} must be text or a number, not {str(value).lower()}")
    return str(value)


def _canonical(record: dict[str, Any]) -> dict[str, str]:
    by_name = {normalize_header(str(key)): (key, value) for key, value in record.items()}
    values: dict[str, str] = {}
    for column, options in ALIASES.items():
        found = next((by_name[a] for a in options if a in by_name), None)
        values[column] = _text(found[1], str(found[0])) if found else ""
    return values


def _json_records(path: Path) -> Iterator[tuple[int, dict[str, Any], str] | Rejected]:
    """The listings of a `.json` feed, numbered from 1 in the order of the array."""
    text = path.read_bytes().decode("utf-8-sig")
    try:
        document = json.loads(text)
    except ValueError as error:
        yield Rejected(None, f"not valid JSON ({error})", text[:RAW_TEXT_LIMIT])
        return
    if isinstance(document, dict):
        keys = ("listings", "annunci", "immobili", "items", "results", "data")
        document = next((document[k] for k in keys if isinstance(document.get(k), list)), None)
    if not isinstance(document, list):
        yield Rejected(None, "not a listings feed (a JSON array of listings, or an object "
                             "with a 'listings' array)", text[:RAW_TEXT_LIMIT])
        return
    for position, item in enumerate(document, start=1):
        raw = json.dumps(item, ensure_ascii=False)
        if isinstance(item, dict):
            yield position, item, raw
        else:
            yield Rejected(position, "not a JSON object", raw[:RAW_TEXT_LIMIT])


def parse_listings_file(
    path: Path, export_tz: str = DEFAULT_EXPORT_TZ
) -> tuple[pl.DataFrame, list[Rejected]]:
    tz = ZoneInfo(export_tz)
    name = path.name.lower()
    if name.endswith(".csv"):
        return parse_export(path, ALIASES, ("listing_ref", "price"),
                            lambda values, _: build_row(values, tz), SCHEMA,
                            key="listing_ref", labels=LABELS)
    records = _json_records(path) if name.endswith(".json") else _jsonl_records(path)
    rows: list[dict[str, Any]] = []
    rejects: list[Rejected] = []
    seen: dict[str, int] = {}
    for item in records:
        if isinstance(item, Rejected):
            rejects.append(item)
            continue
        position, record, raw = item
        try:
            row = build_row(_canonical(record), tz)
            if row["listing_ref"] in seen:
                raise RowError(f"duplicate Riferimento {row['listing_ref']} "
                               f"(first at {seen[row['listing_ref']]})")
        except RowError as error:
            rejects.append(Rejected(position, str(error), raw[:RAW_TEXT_LIMIT]))
            continue
        seen[row["listing_ref"]] = position
        rows.append({"line_no": position, **row,
                     "row": json.dumps(record, ensure_ascii=False)})
    return pl.DataFrame(rows, schema=SCHEMA), rejects


def ingest(
    con: duckdb.DuckDBPyConnection, landing: Path, export_tz: str = DEFAULT_EXPORT_TZ
) -> IngestResult:
    return ingest_parsed_files(
        con, SOURCE, landing / SOURCE, "raw.listings", DDL,
        partial(parse_listings_file, export_tz=export_tz), landing_root=landing,
        suffixes=SUFFIXES,
    )
