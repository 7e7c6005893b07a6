"""The estate agent's listings feed: what its gestionale exports, one CSV per UTC day
(`listings/<day>/demo-NNNN.csv`) holding the listings published or changed that day, in
their state of that day: Italian headers, `;` separated, Windows-1252 (Excel), prices
with the thousands dot (`415.000`), dates day-first in Rome time.

    Riferimento;Titolo;Comune;Zona;Locali;Superficie;Prezzo;Contratto;Stato;Data inserimento;Data modifica;URL

A catalogue spread over the window, some listings later reduced (a new version at a lower
price), put under offer, sold or withdrawn, a few rents; and for most buyers who stated a
zone, a layout and a budget on WhatsApp, a listing of that kind in the last days of the
window (some just over budget), so the preference match has something to propose.
Its own random stream, so the other files do not change.
"""

from __future__ import annotations

import csv
import io
import os
import random
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from .facts import Lead
from .hours import DAY, HOUR, local, utc_day
from .threads import Shard

HEADER = ("Riferimento", "Titolo", "Comune", "Zona", "Locali", "Superficie", "Prezzo",
          "Contratto", "Stato", "Data inserimento", "Data modifica", "URL")
ROOMS = {"monolocale": 1, "bilocale": 2, "trilocale": 3, "quadrilocale": 4}
PRICE_RANGE = {2: (240_000, 430_000), 3: (330_000, 620_000), 4: (480_000, 900_000)}
SURFACE = {2: (45, 70), 3: (70, 100), 4: (95, 140)}
FEATURES = ("luminoso", "con balcone", "ristrutturato", "con terrazzo", "piano alto",
            "con box", "in stabile d'epoca", "vista cortile")
# a buyer's search finds a listing in the last days of the window this often
MATCHED_BUYERS = 0.75


@dataclass(slots=True)
class Listing:
    ref: str
    title: str
    zona: str
    rooms: int
    surface: int
    price: int
    contract: str
    published: int
    url: str
    # (ts, price, status) after publication
    changes: list[tuple[int, int, str]] = field(default_factory=list)

    def versions(self) -> list[tuple[int, int, str]]:
        return [(self.published, self.price, "Disponibile"), *self.changes]


def _price(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


def _thousands(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _euros(text: str) -> int:
    return int(text.replace(".", ""))


def _when(ts: int) -> str:
    return local(ts).strftime("%d/%m/%Y %H:%M")


def _office_hours(rng: random.Random, day_start: int) -> int:
    return day_start + rng.randint(8 * HOUR, 18 * HOUR)


class Catalogue:
    def __init__(self, shard: Shard, seed: int) -> None:
        self.shard = shard
        self.rng = random.Random(f"threadline-demo:{seed}:{shard.inbox.inbox_id}:listings")
        self.zones = shard.script.extra["zona"]
        self.domain = shard.script.email_domain
        self.listings: list[Listing] = []

    def add(self, zona: str, rooms: int, price: int, published: int, contract: str = "Vendita",
            ) -> Listing:
        rng = self.rng
        number = 2001 + len(self.listings)
        word = next(w for w, n in ROOMS.items() if n == rooms)
        listing = Listing(
            ref=f"CB-{number}",
            title=f"{word.capitalize()} {rng.choice(FEATURES)} - {zona}",
            zona=zona,
            rooms=rooms,
            surface=rng.randint(*SURFACE.get(rooms, (35, 50))),
            price=price,
            contract=contract,
            published=published,
            url=f"https://www.{self.domain}/annunci/cb-{number}",
        )
        self.listings.append(listing)
        return listing

    def background(self) -> None:
        """About one listing every two days over the window; a few rents."""
        rng, shard = self.rng, self.shard
        days = max(1, (shard.end_ts - shard.start_ts) // DAY)
        for _ in range(max(12, days // 2)):
            rooms = rng.choice((2, 3, 3, 4))
            published = _office_hours(rng, shard.start_ts + rng.randrange(days) * DAY)
            self.add(rng.choice(self.zones), rooms, _price(rng.uniform(*PRICE_RANGE[rooms]), 5000),
                     published)
        for _ in range(3):
            published = _office_hours(rng, shard.start_ts + rng.randrange(days) * DAY)
            self.add(rng.choice(self.zones), rng.choice((1, 2, 3)),
                     _price(rng.uniform(900, 2200), 50), published, contract="Affitto")

    def for_buyers(self, leads: list[Lead]) -> None:
        """A listing of the kind each buyer asked for, in the last three days."""
        rng, end = self.rng, self.shard.end_ts
        for lead in leads:
            if lead.kind != "buyer" or rng.random() >= MATCHED_BUYERS:
                continue
            rooms = ROOMS.get(str(lead.detail.get("locali")), 3)
            budget = _euros(str(lead.detail.get("budget", "420.000")))
            price = _price(budget * rng.uniform(0.82, 1.03), 1000)
            published = end - rng.randint(2 * HOUR, 3 * DAY)
            self.add(str(lead.detail.get("zona", self.zones[0])), rooms, price, published)

    def later_changes(self) -> None:
        """Price drops, offers, sales and withdrawals after publication, within the window."""
        rng, end = self.rng, self.shard.end_ts
        for listing in self.listings:
            roll = rng.random()
            at = listing.published + rng.randint(3 * DAY, 30 * DAY)
            if at > end:
                continue
            if roll < 0.15:
                listing.changes.append((at, _price(listing.price * 0.95, 1000), "Disponibile"))
            elif roll < 0.25:
                listing.changes.append((at, listing.price, "In trattativa"))
                sold = at + rng.randint(5 * DAY, 20 * DAY)
                if sold <= end:
                    listing.changes.append((sold, listing.price, "Venduto"))
            elif roll < 0.30:
                listing.changes.append((at, listing.price, "Ritirato"))

    def rows(self) -> list[tuple[int, str, tuple[str, ...]]]:
        """(ts, ref, row) of every version, in time order."""
        out = []
        for listing in self.listings:
            for ts, price, status in listing.versions():
                zona = listing.zona
                out.append((ts, listing.ref, (
                    listing.ref, listing.title, "Milano", zona, str(listing.rooms),
                    str(listing.surface), _thousands(price), listing.contract, status,
                    _when(listing.published), _when(ts), listing.url,
                )))
        out.sort()
        return out


def _write_csv(path: Path, rows: list[tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    partial = path.with_name(path.name + ".part")
    with open(partial, "wb") as handle:
        handle.write(buffer.getvalue().encode("cp1252"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def write(landing: Path, shard: Shard, shard_no: int, seed: int) -> int:
    """The estate agent's daily exports under landing/listings/; returns the versions written
    (0 for the other businesses)."""
    if shard.script.vertical != "estate_agent":
        return 0
    catalogue = Catalogue(shard, seed)
    catalogue.background()
    catalogue.for_buyers(shard.facts.leads)
    catalogue.later_changes()
    rows = [(ts, row) for ts, _, row in catalogue.rows() if ts <= shard.end_ts]
    for day, group in groupby(rows, key=lambda item: utc_day(item[0] // DAY)):
        _write_csv(landing / "listings" / day / f"demo-{shard_no * 1000:04d}.csv",
                   [row for _, row in group])
    return len(rows)
