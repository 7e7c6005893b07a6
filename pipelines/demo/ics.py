"""The appointment calendar of a business that books (dental clinic, gym trial classes,
language school placement tests), as the iCalendar file its calendar app exports: one VEVENT
per appointment in its state at the end of the window (moved ones with a higher SEQUENCE and
a later LAST-MODIFIED, cancelled ones with STATUS:CANCELLED). DTSTART/DTEND carry
TZID=Europe/Rome; appointments booked before the end may fall after it.
"""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from .facts import Appointment
from .hours import local

ROME = {"TZID": "Europe/Rome"}  # wall-clock times in Rome (hours.local), no tz database
LOCATIONS = {
    "dental_clinic": "Studio Dentistico Po, via Po 21, 10124 Torino",
    "gym": "Palestra FisioFit, via Stalingrado 12, 40128 Bologna",
    "language_school": "Scuola di Lingue Roma Centro, via Nazionale 54, 00184 Roma",
}


def _rome_timezone() -> Timezone:
    """Europe/Rome as calendar apps export it: two yearly rules, not a list of dates."""
    zone = Timezone()
    zone.add("tzid", "Europe/Rome")
    zone.add("x-lic-location", "Europe/Rome")
    for component, name, start, month, before, after in (
        (TimezoneDaylight(), "CEST", datetime(1970, 3, 29, 2), 3, 1, 2),
        (TimezoneStandard(), "CET", datetime(1970, 10, 25, 3), 10, 2, 1),
    ):
        component.add("tzoffsetfrom", timedelta(hours=before))
        component.add("tzoffsetto", timedelta(hours=after))
        component.add("tzname", name)
        component.add("dtstart", start)
        component.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        zone.add_component(component)
    return zone


def _utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _who(rng: random.Random, appointment: Appointment) -> str:
    person = appointment.person
    roll = rng.random()
    if roll < 0.8:
        return person.full_name
    if roll < 0.92:
        return f"{person.last_name} {person.first_name}"
    return f"{person.first_name} {person.last_name[0]}."


def build(
    business_name: str,
    vertical: str,
    domain: str,
    appointments: list[Appointment],
    end_ts: int,
    rng: random.Random,
) -> tuple[bytes, int]:
    """The .ics bytes and the number of events."""
    calendar = Calendar()
    calendar.add("prodid", "-//Google Inc//Google Calendar 70.9054//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{business_name} - Agenda")
    calendar.add("x-wr-timezone", "Europe/Rome")
    calendar.add_component(_rome_timezone())
    events = 0
    ordered = sorted(appointments, key=lambda a: (a.booked_at, a.start, a.person.index))
    for appointment in ordered:
        uid = f"{rng.getrandbits(104):026x}@{domain}"
        who = _who(rng, appointment)
        if appointment.booked_at > end_ts:
            continue
        start, status, modified = appointment.start, "CONFIRMED", appointment.booked_at
        applied = [change for change in appointment.changes if change[0] <= end_ts]
        for changed_at, new_start in applied:
            modified = max(modified, changed_at)
            if new_start is None:
                status = "CANCELLED"
            else:
                start = new_start
        event = Event()
        wall = local(start)
        event.add("dtstart", wall, parameters=ROME)
        event.add("dtend", wall + timedelta(minutes=appointment.minutes), parameters=ROME)
        event.add("dtstamp", _utc(modified))
        event.add("uid", uid)
        event.add("created", _utc(appointment.booked_at))
        lines = []
        if appointment.phone:
            lines.append(f"Tel: {appointment.phone}")
        if appointment.email:
            lines.append(f"Email: {appointment.email}")
        if appointment.detail:
            lines.append(appointment.detail)
        lines.append(
            "Prenotato in studio"
            if appointment.via == "In studio"
            else f"Prenotato via {appointment.via}"
        )
        event.add("description", "\n".join(lines))
        event.add("last-modified", _utc(modified))
        location = LOCATIONS.get(vertical, business_name)
        if appointment.detail.startswith("Test online"):
            location = "Online (Google Meet)"
        event.add("location", location)
        event.add("sequence", len(applied))
        event.add("status", status)
        event.add("summary", f"{appointment.kind} - {who}")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
        events += 1
    return calendar.to_ical(), events


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
