"""Segments enquired_went_quiet and hot_leads on hand-written Cloud API webhooks.

Each person writes to a business's WhatsApp number (some from a click-to-WhatsApp ad, with
the `referral` object Meta adds), the business answers (its replies are known here, as in
production, only from their status webhooks), and then nothing more is heard. Marketing
consent is granted by a `user_preferences` resume webhook. The bodies are landed as the
receiver lands them (one JSON body per line under landing/whatsapp/<day>/recv-*.jsonl), one
appointment comes from a calendar export, and one real `dbt build` runs with as_of pinned.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pytest

from pipelines.landing import write_jsonl
from pipelines.settings import Paths
from tests.built_warehouse import built_warehouse

AS_OF = "2026-11-24 12:00:00"  # UTC


@dataclass(frozen=True)
class Number:
    """A business's WhatsApp number (as in the inboxes seed)."""

    waba_id: str
    phone_number_id: str
    display: str


GYM = Number("102290129340002", "106540352242002", "390519840202")  # palestra-fisiofit
ESTATE = Number("102290129340005", "106540352242005", "390272140505")  # casa-brera


@dataclass(frozen=True)
class Person:
    wa_id: str
    name: str

    @property
    def phone(self) -> str:
        return "+" + self.wa_id


GIULIA = Person("393471110001", "Giulia Conti")  # ad, prefilled text, then a real question
MARCO = Person("393471110002", "Marco Greco")  # ad, the prefilled text and nothing else
LUCA = Person("393471110003", "Luca Ferri")  # asked for a viewing, answered 21 h ago
SARA = Person("393471110004", "Sara Villa")  # ad and a price question, no consent
ANNA = Person("393471110005", "Anna Bruno")  # ad and a trial class, then booked it
PAOLO = Person("393471110006", "Paolo Riva")  # asked for a valuation, answered, silent

GYM_AD = {
    "source_url": "https://fb.me/3fHn0qZ1",
    "source_id": "120210000000000001",
    "source_type": "ad",
    "headline": "Prima settimana gratis 💪",
    "body": "Scrivici su WhatsApp e prenota la tua prova",
    "media_type": "image",
    "image_url": "https://scontent.xx.fbcdn.net/v/t45.1600-4/000000001_n.jpg",
}
PREFILLED = "Ciao! Vorrei maggiori informazioni su questo."  # Meta's default prefilled text


def unix(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def webhook(number: Number, field: str, value: dict) -> dict:
    """One Cloud API webhook POST body with one change."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": number.waba_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": number.display,
                                "phone_number_id": number.phone_number_id,
                            },
                            **value,
                        },
                        "field": field,
                    }
                ],
            }
        ],
    }


def inbound(number: Number, person: Person, wamid: str, at: str, text: str, ad_click: str | None = None) -> dict:
    """A text from the customer; `ad_click` (a ctwa_clid) adds the ad's referral."""
    message: dict = {"from": person.wa_id, "id": wamid, "timestamp": str(unix(at)), "type": "text"}
    if ad_click is not None:
        message = {"referral": {**GYM_AD, "ctwa_clid": ad_click}, **message}
    message["text"] = {"body": text}
    return webhook(
        number,
        "messages",
        {"contacts": [{"profile": {"name": person.name}, "wa_id": person.wa_id}], "messages": [message]},
    )


def reply_status(number: Number, person: Person, wamid: str, at: str, status: str = "sent") -> dict:
    """A status of the business's reply (free: inside the customer service window)."""
    return webhook(
        number,
        "messages",
        {
            "statuses": [
                {
                    "id": wamid,
                    "status": status,
                    "timestamp": str(unix(at)),
                    "recipient_id": person.wa_id,
                    "pricing": {"billable": False, "pricing_model": "PMP", "type": "free_customer_service",
                                "category": "service"},
                }
            ]
        },
    )


def resume(number: Number, person: Person, at: str) -> dict:
    """The user resumed marketing messages from the business (explicit opt-in)."""
    return webhook(
        number,
        "user_preferences",
        {
            "contacts": [{"profile": {"name": person.name}, "wa_id": person.wa_id}],
            "user_preferences": [
                {
                    "wa_id": person.wa_id,
                    "detail": "User requested to resume marketing messages",
                    "category": "marketing_messages",
                    "value": "resume",
                    "timestamp": unix(at),
                }
            ],
        },
    )


def reply(number: Number, person: Person, wamid: str, at: str) -> list[dict]:
    return [reply_status(number, person, wamid, at), reply_status(number, person, wamid, at, "delivered")]


BODIES = [
    # Giulia: the ad's prefilled text, a bot-like answer, her question, our answer, silence
    inbound(GYM, GIULIA, "wamid.SEGMSG.G1", "2026-11-22T09:00:00", PREFILLED, ad_click="ARAkLkA8rmlFeiCktE"),
    *reply(GYM, GIULIA, "wamid.SEGMSG.G2", "2026-11-22T09:00:30"),
    inbound(GYM, GIULIA, "wamid.SEGMSG.G3", "2026-11-22T09:05:00", "Quanto costa la lezione di prova il sabato?"),
    *reply(GYM, GIULIA, "wamid.SEGMSG.G4", "2026-11-22T09:30:00"),
    resume(GYM, GIULIA, "2026-11-22T09:40:00"),
    # Marco: the prefilled text only
    inbound(GYM, MARCO, "wamid.SEGMSG.M1", "2026-11-23T08:00:00", PREFILLED, ad_click="ARAkLkA8rmlFeiCktM"),
    *reply(GYM, MARCO, "wamid.SEGMSG.M2", "2026-11-23T08:00:30"),
    resume(GYM, MARCO, "2026-11-23T08:05:00"),
    # Luca: a viewing, answered at 14:30 yesterday: 21 hours of silence
    inbound(ESTATE, LUCA, "wamid.SEGMSG.L1", "2026-11-23T14:00:00", "Posso venire a vedere l’appartamento?"),
    *reply(ESTATE, LUCA, "wamid.SEGMSG.L2", "2026-11-23T14:30:00"),
    resume(ESTATE, LUCA, "2026-11-23T14:35:00"),
    # Sara: from the ad, a price question, answered; she never opted in
    inbound(GYM, SARA, "wamid.SEGMSG.S1", "2026-11-21T19:00:00", "Quanto costa l'abbonamento annuale?",
            ad_click="ARAkLkA8rmlFeiCktS"),
    *reply(GYM, SARA, "wamid.SEGMSG.S2", "2026-11-21T19:20:00"),
    # Anna: from the ad, a trial class, answered; booked for Saturday (calendar below)
    inbound(GYM, ANNA, "wamid.SEGMSG.A1", "2026-11-21T18:00:00", "Vorrei prenotare una lezione di prova sabato",
            ad_click="ARAkLkA8rmlFeiCktA"),
    *reply(GYM, ANNA, "wamid.SEGMSG.A2", "2026-11-21T18:05:00"),
    resume(GYM, ANNA, "2026-11-21T18:10:00"),
    # Paolo: a valuation, answered the same morning, silent since
    inbound(ESTATE, PAOLO, "wamid.SEGMSG.P1", "2026-11-19T08:00:00", "Buongiorno, mi fate una valutazione?"),
    *reply(ESTATE, PAOLO, "wamid.SEGMSG.P2", "2026-11-19T09:15:00"),
    resume(ESTATE, PAOLO, "2026-11-19T09:20:00"),
]

ANNA_TRIAL = "\r\n".join([
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
    "X-WR-CALNAME:Palestra FisioFit - Prove",
    "BEGIN:VEVENT",
    "UID:segmsg-anna-trial@fisiofit.it",
    "DTSTAMP:20261121T181500Z",
    "DTSTART:20261128T090000Z",
    "DTEND:20261128T100000Z",
    "SUMMARY:Lezione di prova Anna Bruno",
    f"ATTENDEE;CN={ANNA.name}:tel:{ANNA.phone}",
    "STATUS:CONFIRMED",
    "END:VEVENT",
    "END:VCALENDAR",
]) + "\r\n"


def land(home: Paths) -> None:
    write_jsonl(home.landing / "whatsapp" / "2026-11-24" / "recv-segmsg-1.jsonl", BODIES)
    calendar = home.landing / "calendar" / "2026-11-24" / "segmsg-prove.ics"
    calendar.parent.mkdir(parents=True, exist_ok=True)
    calendar.write_bytes(ANNA_TRIAL.encode("utf-8"))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    with built_warehouse(tmp_path_factory.mktemp("segments_messages"), land, AS_OF) as con:
        yield con


def names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """contact_id -> the person's WhatsApp name, for the people of this file."""
    people = {p.phone: p.name for p in (GIULIA, MARCO, LUCA, SARA, ANNA, PAOLO)}
    rows = con.execute("select contact_id, phone_e164 from marts.dim_contacts").fetchall()
    return {contact_id: people[phone] for contact_id, phone in rows if phone in people}


def test_inputs_landed_whole(warehouse):
    assert warehouse.execute("select count(*) from raw.rejected_records").fetchone() == (0,)
    consented = warehouse.execute(
        "select count(*) from marts.dim_consent where purpose = 'marketing' and state = 'granted'"
    ).fetchone()
    assert consented == (5,)  # everybody but Sara


def test_enquired_went_quiet_members(warehouse):
    who = names(warehouse)
    rows = warehouse.execute(
        "select contact_id, first_name, enquiry_topic, enquiry_message_id, enquired_at, last_reply_at,"
        " hours_quiet, inbox_id, business_id from segments.enquired_went_quiet order by enquired_at"
    ).fetchall()
    assert [(who[r[0]], *r[1:]) for r in rows] == [
        # answered at 09:15 five days ago
        (PAOLO.name, "Paolo", "quote", "wamid.SEGMSG.P1", datetime(2026, 11, 19, 8), datetime(2026, 11, 19, 9, 15),
         122, "casa-brera", "casa-brera"),
        # her latest enquiry is the question, not the prefilled text; our last reply 09:30
        (GIULIA.name, "Giulia", "trial", "wamid.SEGMSG.G3", datetime(2026, 11, 22, 9, 5),
         datetime(2026, 11, 22, 9, 30), 50, "palestra-fisiofit", "palestra-fisiofit"),
    ]
    # Luca (quiet 21 h), Sara (no consent), Anna (booked), Marco (asked nothing) are not in


def test_hot_leads_members(warehouse):
    who = names(warehouse)
    rows = warehouse.execute(
        "select contact_id, first_name, ad_source_id, ad_headline, lead_at, question, days_since_lead"
        " from segments.hot_leads"
    ).fetchall()
    assert [(who[r[0]], *r[1:]) for r in rows] == [
        (GIULIA.name, "Giulia", GYM_AD["source_id"], GYM_AD["headline"], datetime(2026, 11, 22, 9),
         "Quanto costa la lezione di prova il sabato?", 2),
    ]
    # Marco sent the prefilled text only, Sara has no consent, Anna booked a trial class
