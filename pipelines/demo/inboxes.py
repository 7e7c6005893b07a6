"""The demo businesses as the seed `models/seeds/inboxes.csv` lists them (the source of truth
for every id the generator writes: WhatsApp number, WABA, Chatwoot account and inbox)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR

INBOXES_CSV = DBT_PROJECT_DIR / "seeds" / "inboxes.csv"


@dataclass(frozen=True, slots=True)
class Inbox:
    inbox_id: str
    business_name: str
    vertical: str
    city: str
    channel: str
    phone_number_id: str
    display_phone_number: str
    waba_id: str
    chatwoot_account_id: int
    chatwoot_inbox_id: int
    timezone: str


def load_inboxes(path: Path = INBOXES_CSV) -> list[Inbox]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        Inbox(
            inbox_id=row["inbox_id"],
            business_name=row["business_name"],
            vertical=row["vertical"],
            city=row["city"],
            channel=row["channel"],
            phone_number_id=row["whatsapp_phone_number_id"],
            display_phone_number=row["whatsapp_display_phone_number"],
            waba_id=row["waba_id"],
            chatwoot_account_id=int(row["chatwoot_account_id"]),
            chatwoot_inbox_id=int(row["chatwoot_inbox_id"]),
            timezone=row["timezone"],
        )
        for row in rows
        if row["channel"] == "whatsapp"
    ]
