"""The demo businesses as the seed `models/seeds/inboxes.csv` lists them (the source of truth
for every id the generator writes: WhatsApp number, WABA, Chatwoot account and inbox, and the
other channels' ids: Instagram account, Facebook page, e-mail address, web chat site, phone
line).

`load_inboxes` returns one `Inbox` per business, its WhatsApp row, as before; the business's
other rows (one per channel) hang off it as `channels`."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR

INBOXES_CSV = DBT_PROJECT_DIR / "seeds" / "inboxes.csv"

# channel -> the inboxes.csv column holding the business's id on that channel
CHANNEL_ID_COLUMNS = {
    "instagram": "instagram_account_id",
    "messenger": "facebook_page_id",
    "email": "email_address",
    "webchat": "webchat_site_id",
    "phone": "phone_line",
}


@dataclass(frozen=True, slots=True)
class ChannelInbox:
    """A business's inbox on a channel other than WhatsApp."""

    inbox_id: str
    channel: str  # instagram | messenger | email | webchat | phone
    address: str  # the business's id there: account id, page id, e-mail, site id, phone line


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
    business_id: str = ""
    channels: tuple[ChannelInbox, ...] = ()

    def channel_inbox(self, channel: str) -> ChannelInbox | None:
        return next((c for c in self.channels if c.channel == channel), None)


def _channel_inboxes(rows: list[dict[str, str]]) -> dict[str, list[ChannelInbox]]:
    by_business: dict[str, list[ChannelInbox]] = {}
    for row in rows:
        column = CHANNEL_ID_COLUMNS.get(row["channel"])
        if column is None or not row.get(column):
            continue
        by_business.setdefault(row["business_id"], []).append(
            ChannelInbox(row["inbox_id"], row["channel"], row[column].strip())
        )
    return by_business


def load_inboxes(path: Path = INBOXES_CSV) -> list[Inbox]:
    """One Inbox per business (its WhatsApp row, in file order) with its other channels."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    channels = _channel_inboxes(rows)
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
            business_id=row.get("business_id") or row["inbox_id"],
            channels=tuple(channels.get(row.get("business_id") or row["inbox_id"], ())),
        )
        for row in rows
        if row["channel"] == "whatsapp"
    ]
