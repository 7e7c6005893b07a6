"""What the WhatsApp stories leave behind for the other sources: appointments booked in a
conversation (→ the business's calendar), leads and their outcomes (→ HubSpot), abandoned
checkouts (→ Shopify), and when each contact first wrote on WhatsApp (so an Instagram chat can
come before it and the shared inbox can link the two)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .people import Person


@dataclass(slots=True)
class Appointment:
    person: Person
    kind: str  # "Prima visita", "Igiene", "Lezione di prova", "Test di livello", ...
    start: int
    minutes: int
    booked_at: int
    via: str  # WhatsApp | Telefono | Instagram | Messenger | Web chat | E-mail
    phone: str | None = None  # as the receptionist typed it in the description
    email: str | None = None
    detail: str = ""
    # later changes: (changed_at, new start) or (changed_at, None) for a cancellation
    changes: list[tuple[int, int | None]] = field(default_factory=list)

    def move(self, at: int, start: int | None) -> None:
        if at > self.booked_at:
            self.changes.append((at, start))


@dataclass(slots=True)
class Lead:
    """Someone the estate agent or the language school put in the CRM."""

    person: Person
    at: int  # first contact
    source: str  # whatsapp | webchat | email | portal | phone
    kind: str  # buyer | seller | renter | course | student | alumni
    detail: dict[str, Any] = field(default_factory=dict)
    appointment_at: int | None = None  # visit, valuation or placement test booked for then
    booked_at: int | None = None


class Facts:
    def __init__(self) -> None:
        self.appointments: list[Appointment] = []
        self.leads: list[Lead] = []
        self.first_inbound: dict[int, int] = {}  # person.index -> first WhatsApp message ts

    def book(
        self,
        person: Person,
        kind: str,
        start: int,
        minutes: int,
        booked_at: int,
        via: str = "WhatsApp",
        **extra: Any,
    ) -> Appointment:
        appointment = Appointment(person, kind, start, minutes, booked_at, via, **extra)
        self.appointments.append(appointment)
        return appointment

    def lead(self, person: Person, at: int, source: str, kind: str, **detail: Any) -> Lead:
        lead = Lead(person, at, source, kind, dict(detail))
        self.leads.append(lead)
        return lead
