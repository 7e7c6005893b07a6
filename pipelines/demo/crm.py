"""HubSpot CRM v3 contacts and deals for a business that uses HubSpot (the estate agent and
the language school), one object per line exactly as the API returns it.

Every change lands as a new version of the same object (same `id`, later `updatedAt` and
`lastmodifieddate` / `hs_lastmodifieddate`), as an incremental search export would land it:
a contact is created (lifecycle `lead`), becomes an `opportunity` when a deal is opened and a
`customer` when it is won; a deal moves through the default pipeline's stages
(`appointmentscheduled` → `qualifiedtobuy` → `presentationscheduled` → `contractsent` →
`closedwon` / `closedlost`). Data is typed by hand: phones in every format, e-mails with odd
case or stray spaces, a few people entered twice.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from .facts import Lead
from .hours import DAY, HOUR, add_working, iso_utc_ms
from .people import Person, typed_phone

CONTACT_PROPERTIES = (
    "budget_max",
    "createdate",
    "email",
    "firstname",
    "hs_object_id",
    "hs_whatsapp_phone_number",
    "lastmodifieddate",
    "lastname",
    "lifecyclestage",
    "mobilephone",
    "phone",
    "preferred_area",
    "preferred_rooms",
    "whatsapp_marketing_consent",
    "whatsapp_marketing_consent_date",
)
DEAL_PROPERTIES = (
    "amount",
    "closedate",
    "createdate",
    "dealname",
    "dealstage",
    "hs_lastmodifieddate",
    "hs_object_id",
    "pipeline",
)
STAGE_ORDER = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
)
LIFECYCLE_RANK = {"subscriber": 0, "lead": 1, "opportunity": 2, "customer": 3}
COURSE_PRICES = ("320", "290", "640", "480")


def odd_email(rng: random.Random, email: str) -> str:
    """An e-mail as someone typed it into the CRM."""
    roll = rng.random()
    if roll < 0.65:
        return email
    if roll < 0.78:
        local_part, _, domain = email.partition("@")
        return ".".join(p.capitalize() for p in local_part.split(".")) + "@" + domain.capitalize()
    if roll < 0.85:
        return email.upper()
    if roll < 0.95:
        return rng.choice((" ", "", "  ")) + email + rng.choice((" ", "\t", " \n"))
    return " " + email.capitalize() + " "


@dataclass(slots=True)
class Record:
    created: int
    versions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (ts, changes)
    associations: list[Record] = field(default_factory=list)
    id: int = 0

    def change(self, ts: int, **props: Any) -> None:
        ts = max(ts, self.versions[-1][0] + 1 if self.versions else ts)
        self.versions.append((ts, props))


class Hubspot:
    def __init__(self, shard_no: int, rng: random.Random, start_ts: int, end_ts: int) -> None:
        self.shard_no = shard_no
        self.rng = rng
        self.start_ts = start_ts
        self.end_ts = end_ts
        self.contacts: list[Record] = []
        self.deals: list[Record] = []
        self.by_person: dict[int, Record] = {}

    # ------------------------------------------------------------ contacts
    def contact(
        self,
        person: Person,
        at: int,
        source: str,
        *,
        email_known: bool,
        phone_known: bool,
        lifecycle: str = "lead",
    ) -> Record:
        """The person's contact (created at `at` unless they already have one)."""
        rng = self.rng
        known = self.by_person.get(person.index)
        if known is not None:
            return known
        first, last = person.first_name, person.last_name
        roll = rng.random()
        if roll < 0.08:
            first, last = first.lower(), last.lower()
        elif roll < 0.14:
            last = None  # type: ignore[assignment]
        elif roll < 0.17:
            first, last = first.upper(), last.upper()
        props: dict[str, Any] = {"firstname": first, "lastname": last, "lifecyclestage": lifecycle}
        if email_known:
            props["email"] = odd_email(rng, person.email)
        if phone_known:
            props["phone"] = typed_phone(rng, person)
            if rng.random() < 0.2:
                props["mobilephone"] = person.wa_id if rng.random() < 0.5 else person.e164
        if source == "whatsapp" and rng.random() < 0.6:
            props["hs_whatsapp_phone_number"] = person.e164
        record = Record(at)
        record.change(at, **props)
        self.contacts.append(record)
        self.by_person[person.index] = record
        if rng.random() < 0.05:  # entered twice: the second time from another channel
            again = at + rng.randint(3 * DAY, 30 * DAY)
            twin = Record(again)
            twin_props: dict[str, Any] = {
                "firstname": person.first_name,
                "lastname": person.last_name,
                "lifecyclestage": "lead",
            }
            if email_known and rng.random() < 0.5:
                twin_props["email"] = odd_email(rng, person.email)
            else:
                twin_props["phone"] = typed_phone(rng, person)
            twin.change(again, **twin_props)
            self.contacts.append(twin)
        return record

    def lifecycle(self, record: Record, ts: int, stage: str) -> None:
        current = "subscriber"
        for _, props in record.versions:
            current = props.get("lifecyclestage", current)
        if LIFECYCLE_RANK[stage] > LIFECYCLE_RANK[current]:
            record.change(ts, lifecyclestage=stage)

    # ------------------------------------------------------------ deals
    def deal(
        self,
        contact: Record,
        at: int,
        name: str,
        amount: str,
        close: int,
        stages: list[tuple[int, str]],
    ) -> Record:
        """A deal created at `at` in the first stage of `stages` ((ts, stage), in order)."""
        record = Record(at, associations=[contact])
        first_ts, first_stage = stages[0]
        record.change(
            at,
            dealname=name,
            amount=amount,
            pipeline="default",
            dealstage=first_stage,
            closedate=iso_utc_ms(close * 1000),
        )
        self.lifecycle(contact, at + 1, "opportunity")
        for ts, stage in stages[1:]:
            changes: dict[str, Any] = {"dealstage": stage}
            if stage in ("closedwon", "closedlost"):
                changes["closedate"] = iso_utc_ms(ts * 1000)
            record.change(ts, **changes)
            if stage == "closedwon":
                self.lifecycle(contact, ts + 2, "customer")
        self.deals.append(record)
        return record

    def pipeline(
        self, booked: int, appointment: int, won_rate: float, slow: bool
    ) -> list[tuple[int, str]]:
        """Stage changes of a deal opened when the appointment was booked."""
        rng = self.rng
        stages = [(add_working(booked, rng.randint(300, 3 * HOUR)), "appointmentscheduled")]
        moment = add_working(appointment, rng.randint(HOUR, 8 * HOUR))
        if rng.random() < 0.2:
            stages.append((moment, "closedlost"))
            return stages
        stages.append((moment, "qualifiedtobuy"))
        if slow:
            for stage in ("presentationscheduled", "contractsent"):
                if rng.random() < 0.45:
                    return stages
                moment = add_working(moment + rng.randint(3 * DAY, 15 * DAY), 0)
                stages.append((moment, stage))
        moment = add_working(
            moment + rng.randint(0, (10 if slow else 3) * DAY), rng.randint(HOUR, 6 * HOUR)
        )
        roll = rng.random()
        if roll < won_rate:
            stages.append((moment, "closedwon"))
        elif roll < won_rate + 0.25:
            stages.append((moment, "closedlost"))
        return stages

    # ------------------------------------------------------------ leads of each business
    def estate_lead(self, lead: Lead, email_known: bool, phone_known: bool) -> None:
        rng = self.rng
        delay = (
            rng.randint(60, 900)
            if lead.source in ("portal", "webchat")
            else rng.randint(600, 2 * DAY)
        )
        contact = self.contact(
            lead.person,
            lead.at + delay,
            lead.source,
            email_known=email_known,
            phone_known=phone_known,
        )
        self.estate_search(contact, lead)
        if lead.appointment_at is None or lead.booked_at is None:
            return
        detail = lead.detail
        zona, locali = detail.get("zona", "Milano"), detail.get("locali", "trilocale")
        amount = detail.get("prezzo", "420.000").replace(".", "")
        surname = lead.person.last_name
        if lead.kind == "seller":
            name = f"Mandato vendita {locali} {zona} - {surname}"
            stages = self.pipeline(lead.booked_at, lead.appointment_at, 0.4, slow=False)
        else:
            name = f"Acquisto {locali} {zona} - {surname}"
            stages = self.pipeline(lead.booked_at, lead.appointment_at, 0.6, slow=True)
        close = lead.appointment_at + rng.randint(30, 90) * DAY
        self.deal(contact, max(stages[0][0], contact.created + 1), name, amount, close, stages)

    def estate_search(self, contact: Record, lead: Lead) -> None:
        """What the agent types into the CRM: a buyer's search (custom properties) and the
        WhatsApp marketing consent the person gave (docs: FORMATS.md, hubspot/)."""
        detail, at = lead.detail, contact.created
        if lead.kind == "buyer" and "zona" in detail:
            rooms = {"bilocale": "2", "trilocale": "3", "quadrilocale": "4"}
            contact.change(
                at,
                preferred_area=detail["zona"],
                preferred_rooms=rooms.get(str(detail.get("locali")), "3"),
                budget_max=str(detail.get("budget", "")).replace(".", ""),
            )
        if detail.get("marketing_ok"):
            contact.change(
                at,
                whatsapp_marketing_consent="granted",
                whatsapp_marketing_consent_date=iso_utc_ms(at * 1000),
            )

    def school_lead(self, lead: Lead, email_known: bool, phone_known: bool) -> None:
        rng = self.rng
        lingua = str(lead.detail.get("lingua", "inglese"))
        person = lead.person
        if lead.kind in ("student", "alumni"):
            imported = add_working(self.start_ts, rng.randint(0, 8 * HOUR))  # the initial import
            contact = self.contact(
                person,
                imported,
                "import",
                email_known=True,
                phone_known=phone_known,
                lifecycle="customer",
            )
            if lead.kind == "student":
                name = f"Corso {lingua} - {person.full_name}"
                self.deal(
                    contact,
                    imported + 5,
                    name,
                    rng.choice(COURSE_PRICES),
                    imported + 5,
                    [(imported + 5, "closedwon")],
                )
            return
        delay = rng.randint(60, 900) if lead.source == "webchat" else rng.randint(HOUR, 2 * DAY)
        contact = self.contact(
            person, lead.at + delay, lead.source, email_known=email_known, phone_known=phone_known
        )
        if lead.appointment_at is None or lead.booked_at is None:
            return
        stages = self.pipeline(lead.booked_at, lead.appointment_at, 0.6, slow=False)
        name = f"Corso {lingua} - {person.full_name}"
        close = lead.appointment_at + rng.randint(7, 30) * DAY
        self.deal(
            contact,
            max(stages[0][0], contact.created + 1),
            name,
            rng.choice(COURSE_PRICES),
            close,
            stages,
        )

    # ------------------------------------------------------------ rendering
    def _number(self) -> None:
        rng = self.rng
        contact_id = 40_000_000_000 + self.shard_no * 1_000_000_000
        for record in sorted(self.contacts, key=lambda r: r.created):
            contact_id += rng.randint(1, 400)
            record.id = contact_id
        deal_id = 30_000_000_000 + self.shard_no * 1_000_000_000
        for record in sorted(self.deals, key=lambda r: r.created):
            deal_id += rng.randint(1, 400)
            record.id = deal_id

    def _lines(
        self, records: list[Record], names: tuple[str, ...], modified: str, deals: bool
    ) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for record in records:
            if record.created > self.end_ts:
                continue
            state: dict[str, Any] = {}
            for ts, changes in record.versions:
                state.update(changes)
                if ts > self.end_ts:
                    break
                props = {name: state.get(name) for name in names}
                props["createdate"] = iso_utc_ms(record.created * 1000)
                props["hs_object_id"] = str(record.id)
                props[modified] = iso_utc_ms(ts * 1000 + 317)
                document: dict[str, Any] = {
                    "id": str(record.id),
                    "properties": props,
                    "createdAt": props["createdate"],
                    "updatedAt": props[modified],
                    "archived": False,
                }
                if deals:
                    document["associations"] = {
                        "contacts": {
                            "results": [
                                {"id": str(c.id), "type": "deal_to_contact"}
                                for c in record.associations
                            ]
                        }
                    }
                out.append((ts, json.dumps(document, ensure_ascii=False, separators=(",", ":"))))
        out.sort(key=lambda item: item[0])
        return out

    def records(self) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        self._number()
        contacts = self._lines(self.contacts, CONTACT_PROPERTIES, "lastmodifieddate", False)
        deals = self._lines(self.deals, DEAL_PROPERTIES, "hs_lastmodifieddate", True)
        return contacts, deals
