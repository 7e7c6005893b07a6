"""Demo storyline for the dental clinic in Turin: bookings with reminders, urgent "dolore forte"
cases answered fast."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..businesses import (
    OperatorSpec,
    Script,
    TemplateSpec,
    Topic,
    reengage_template,
)
from ..episodes import Ctx, heard, listen, play_conversation, respond, set_slot, slot_after, slot_of
from ..facts import Appointment
from ..hours import DAY, HOUR, from_local, local, quarter
from ..people import Person
from ..shopify import Shop
from ..stories import (
    Agenda,
    Plan,
    at_local,
    campaign_start,
    context,
    day_text,
    later_moments,
    maybe_stop,
    moment_in,
    pick,
    play_topic,
    send_template,
    tap,
)
from ..threads import Shard, Thread

SCRIPT = Script(
    vertical="dental_clinic",
    email_domain="studiodentisticopo.it",
    contact_share=0.17,
    unanswered_rate=0.04,
    operators=(
        OperatorSpec("Chiara Fontana", "front"),
        OperatorSpec("Francesca Barbieri", "front"),
        OperatorSpec("Paolo Gallo", "dentist"),
    ),
    topics={
        "prenotazione": Topic(
            key="prenotazione",
            labels=("prenotazione",),
            openers=(
                "Buongiorno, vorrei prenotare una pulizia dei denti",
                "Salve, avete posto per una visita di controllo la prossima settimana?",
                "Buongiorno, vorrei fissare la seduta di igiene per me e mio marito",
                "Salve, fate anche visite pedodontiche? Mio figlio ha 6 anni",
            ),
            steps=(
                (
                    (
                        "Buongiorno {nome}, abbiamo disponibilità {giorno} alle {ora} con la "
                        "dott.ssa Rinaldi. Le va bene?",
                        "Buongiorno! Il primo posto libero è {giorno} alle {ora}. Lo fissiamo?",
                    ),
                    (
                        "Perfetto, confermo",
                        "Avreste qualcosa nel tardo pomeriggio?",
                        "Sì va bene, grazie",
                    ),
                ),
                (
                    (
                        "Fissato! Il giorno prima le arriverà un promemoria qui su WhatsApp.",
                        "Le ho trovato {giorno} alle 17:30, l'ho segnata. Il giorno prima le "
                        "arriverà un promemoria.",
                        "Fissato! Le arriverà un promemoria il giorno prima.",
                    ),
                    ("Grazie mille", "Perfetto 🙏"),
                ),
            ),
            closings=("A presto, buona giornata!", "La aspettiamo. Buona serata!"),
            reopeners=("Scusate, devo portare le lastre vecchie?",),
            reopen_answers=("Sì, se le ha le porti pure, grazie.",),
            quiet_rate=0.08,
        ),
        "urgente": Topic(
            key="urgente",
            labels=("urgente",),
            role="dentist",
            urgent=True,
            openers=(
                "Buongiorno, ho un dolore forte al dente da stanotte, non riesco a masticare",
                "Aiuto, mi si è rotto un dente e ho dolore forte",
                "Ho la guancia gonfia e dolore forte, potete vedermi oggi?",
                "Salve, mi è saltata la capsula e ho dolore forte al freddo",
            ),
            follow_ups=("È urgente per favore", "Sono già vostro paziente"),
            image_captions=("Ecco la foto", "Si vede che è gonfio"),
            image_rate=0.2,
            steps=(
                (
                    (
                        "Buongiorno {nome}, venga pure oggi alle {ora}, la inseriamo tra un "
                        "paziente e l'altro. Nel frattempo può prendere un antidolorifico.",
                        "Sono il dott. Gallo: venga in studio alle {ora}, la vediamo subito. "
                        "Eviti cibi caldi e freddi.",
                    ),
                    ("Grazie mille, arrivo", "Grazie, sto arrivando", "Ok, ci vediamo alle {ora}"),
                ),
            ),
            closings=("A dopo.", "Ci vediamo tra poco."),
            reopeners=("Il dolore è tornato, è normale?",),
            reopen_answers=(
                "Un po' di fastidio è normale per 2-3 giorni; se aumenta ci scriva subito.",
            ),
            notes=(
                "Sospetta pulpite 36, inserita in agenda",
                "Paziente allergica alla penicillina",
            ),
            quiet_rate=0.02,
        ),
        "preventivo": Topic(
            key="preventivo",
            labels=("preventivo",),
            role="dentist",
            openers=(
                "Vorrei un preventivo per un impianto",
                "Quanto costa l'apparecchio invisibile per mia figlia?",
                "Buongiorno, fate lo sbiancamento? Che prezzi avete?",
            ),
            steps=(
                (
                    (
                        "Buongiorno {nome}, per un preventivo preciso serve una prima visita con "
                        "panoramica (60 €, scalabili dalla cura). Le fisso {giorno} alle {ora}?",
                    ),
                    ("Va bene", "Ci penso e vi faccio sapere", "Ok, confermo"),
                ),
            ),
            closings=("Perfetto, a presto.", "Certo, a disposizione.", "Perfetto, a presto."),
            reopeners=("Fate anche finanziamenti a tasso zero?",),
            reopen_answers=("Sì, fino a 12 mesi a tasso zero.",),
            quiet_rate=0.3,
        ),
        "spostamento": Topic(
            key="spostamento",
            labels=("prenotazione",),
            openers=(
                "Devo spostare l'appuntamento di {giorno}, ho un imprevisto al lavoro",
                "Buongiorno, purtroppo domani non riesco a venire, possiamo spostare?",
                "Salve, sono influenzata, posso disdire l'appuntamento di domani?",
            ),
            steps=(
                (
                    (
                        "Nessun problema {nome}, le propongo {giorno} alle {ora}. Va bene?",
                        "Certo {nome}, le va bene {giorno} alle {ora}?",
                        "Buongiorno, ho annullato. Quando sta meglio ci scriva e la reinseriamo.",
                    ),
                    ("Sì perfetto", "Sì va bene, grazie", "Grazie e scusate"),
                ),
            ),
            closings=("A presto!",),
            quiet_rate=0.1,
        ),
        "sposta_da_promemoria": Topic(
            key="sposta_da_promemoria",
            labels=("prenotazione",),
            openers=(),
            steps=(
                (
                    ("Nessun problema {nome}, le propongo {giorno} alle {ora}. Va bene?",),
                    ("Sì perfetto", "Sì va bene, grazie"),
                ),
            ),
            closings=("Spostato. Buona giornata!",),
            quiet_rate=0.05,
        ),
        "richiamo_si": Topic(
            key="richiamo_si",
            labels=("prenotazione", "richiamo"),
            openers=(),
            steps=(
                (
                    (
                        "Buongiorno {nome}, abbiamo posto {giorno} alle {ora} per l'igiene. "
                        "Confermiamo?",
                    ),
                    ("Sì confermo", "Non riesco, avete il sabato?"),
                ),
            ),
            closings=(
                "Perfetto, a presto!",
                "Il sabato siamo chiusi: le ho segnato lunedì alle 18:30, se non va bene ci "
                "scriva.",
            ),
            quiet_rate=0.1,
        ),
    },
    templates={
        "promemoria_appuntamento": TemplateSpec(
            "promemoria_appuntamento",
            "utility",
            "Gentile {{1}}, le ricordiamo l'appuntamento di {{2}} alle {{3}} presso lo Studio "
            "Dentistico Po, via Po 21, Torino.",
            (("CONFERMO", "Confermo"), ("DEVO_SPOSTARLO", "Devo spostarlo")),
        ),
        "ripresa_conversazione": reengage_template(formal=True),
        "richiamo_igiene": TemplateSpec(
            "richiamo_igiene",
            "marketing",
            "Gentile {{1}}, sono passati 6 mesi dalla sua ultima igiene. Prenoti ora il controllo: "
            "a novembre lo sbiancamento è scontato del 20%.",
            (("PRENOTA", "Prenota"), ("NON_ORA", "Non ora")),
        ),
    },
)


def plan(shard: Shard, shop: Shop | None, person: Person, position: int, total: int) -> Plan:
    rng = shard.rng
    persona = pick(rng, {"booking": 0.45, "urgent": 0.12, "quote": 0.13, "recall": 0.30})
    first = moment_in(
        shard, shard.start_ts, shard.end_ts, night=persona == "urgent" and rng.random() < 0.3
    )
    return Plan(person, persona, first, None, marketing_ok=rng.random() < 0.6)


def _kind(opener: str) -> tuple[str, int]:
    """What the receptionist writes in the calendar for a booking request, and its minutes."""
    if "pulizia" in opener or "igiene" in opener:
        return "Igiene", 45
    if "controllo" in opener:
        return "Visita di controllo", 30
    if "pedodont" in opener:
        return "Prima visita pedodontica", 30
    return "Prima visita", 30


def _next_monday_1830(ts: int) -> int:
    day = local(ts).date() + timedelta(days=1)
    while day.weekday() != 0:
        day += timedelta(days=1)
    return from_local(datetime(day.year, day.month, day.day, 18, 30))


def play(t: Thread, plan: Plan, agenda: Agenda) -> None:
    shard = t.shard
    facts = shard.facts
    rng = t.rng
    script = SCRIPT
    topics = script.topics
    person = plan.person
    ctx = context(shard, person, plan.first_ts)
    booked: list[Appointment] = []

    def book(kind: str, start: int, minutes: int, at: int, via: str = "WhatsApp") -> Appointment:
        appointment = facts.book(person, kind, start, minutes, at, via)
        booked.append(appointment)
        return appointment

    def upcoming(ts: int) -> Appointment | None:
        """The patient's next appointment still standing at `ts`."""
        for appointment in sorted(booked, key=lambda a: a.start):
            if appointment.changes and appointment.changes[-1][1] is None:
                continue
            current = appointment.changes[-1][1] if appointment.changes else appointment.start
            if current is not None and current > ts:
                return appointment
        return None

    def reminder_for(appointment: int, entry: Appointment | None) -> None:
        def remind(ts: int) -> None:
            moment = local(appointment)
            sent = send_template(
                t,
                ts,
                script.templates["promemoria_appuntamento"],
                (person.first_name, day_text(appointment), moment.strftime("%H:%M")),
            )
            answer = tap(t, sent, (0.6, 0.12), median=1200)
            if answer is not None and answer[1] == "DEVO_SPOSTARLO":
                new_slot = slot_after(rng, answer[0], 2, 8)
                set_slot(ctx, new_slot)
                moved = respond(t, topics["sposta_da_promemoria"], answer[0], ctx, answered=True)
                if entry is not None:
                    entry.move(max(t.clock, answer[0] + 60), new_slot if moved else None)

        agenda.at(at_local(appointment - DAY, 10, 0, rng, 2 * HOUR), remind)

    if plan.persona == "booking":
        appointment = slot_after(rng, plan.first_ts, 2, 10)
        set_slot(ctx, appointment)

        def booking(ts: int) -> None:
            listen(ctx)
            engaged = play_conversation(t, topics["prenotazione"], ts, ctx)
            if not heard(ctx, "Fissato", "l'ho segnata"):
                return
            start = appointment
            if heard(ctx, "alle 17:30"):
                moment = local(appointment)
                start = from_local(datetime(moment.year, moment.month, moment.day, 17, 30))
            start = max(start, quarter(t.clock + 2 * DAY))
            kind, minutes = _kind((ctx.said or [""])[0])
            entry = book(kind, start, minutes, t.clock)
            if engaged:
                reminder_for(start, entry)

        agenda.at(plan.first_ts, booking)
    elif plan.persona == "urgent":

        def urgent(ts: int) -> None:
            soon = local(ts + 90 * 60)
            ctx["ora"] = (
                f"{max(9, soon.hour) if soon.hour < 20 else 9:02d}:{(soon.minute // 15) * 15:02d}"
            )
            listen(ctx)
            play_conversation(t, topics["urgente"], ts, ctx)
            if heard(ctx, "venga"):
                day = soon.date() + timedelta(days=1 if soon.hour >= 20 else 0)
                hour, minute = (int(part) for part in ctx["ora"].split(":"))
                start = from_local(datetime(day.year, day.month, day.day, hour, minute))
                book("Visita urgente", max(start, quarter(t.clock + 1800)), 30, t.clock)

        agenda.at(plan.first_ts, urgent)
    elif plan.persona == "quote":

        def quote(ts: int) -> None:
            listen(ctx)
            play_topic(t, topics["preventivo"], ts, ctx)
            slot = slot_of(ctx)
            if heard(ctx, "Va bene", "Ok, confermo") and slot is not None:
                book("Prima visita con panoramica", max(slot, quarter(t.clock + DAY)), 45, t.clock)

        agenda.at(plan.first_ts, quote)
    else:
        recall_at = slot_after(rng, plan.first_ts, 1, 5)
        entry = book(
            "Igiene",
            recall_at,
            45,
            max(shard.start_ts, recall_at - rng.randint(20, 70) * DAY),
            "In studio",
        )
        reminder_for(recall_at, entry)
        if rng.random() < 0.15:
            agenda.at(plan.first_ts - DAY, lambda ts: move_or_cancel(ts, ctx))

    def move_or_cancel(ts: int, mctx: Ctx) -> None:
        listen(mctx)
        play_topic(t, topics["spostamento"], ts, mctx)
        entry = upcoming(ts)
        if entry is None:
            return
        if heard(mctx, "ho annullato"):
            entry.move(t.clock, None)
        elif heard(mctx, "le propongo", "le va bene") and heard(mctx, "Sì"):
            slot = slot_of(mctx)
            if slot is not None and slot > t.clock:
                entry.move(t.clock, slot)

    for moment in later_moments(shard, plan.first_ts, 0.25):
        agenda.at(moment, lambda ts: move_or_cancel(ts, context(shard, person, ts)))

    campaign = campaign_start(shard, 18, 10, 30)
    if campaign is not None and plan.marketing_ok and plan.persona in ("booking", "recall"):

        def recall(ts: int) -> None:
            sent = send_template(t, ts, script.templates["richiamo_igiene"], (person.first_name,))
            answer = tap(t, sent, (0.15, 0.1))
            if answer is not None and answer[1] == "PRENOTA":
                slot = slot_after(rng, answer[0], 3, 12)
                set_slot(ctx, slot)
                listen(ctx)
                respond(t, topics["richiamo_si"], answer[0], ctx, answered=True)
                if heard(ctx, "Sì confermo"):
                    book("Igiene", slot, 45, t.clock)
                elif heard(ctx, "lunedì alle 18:30"):
                    book("Igiene", _next_monday_1830(slot), 45, t.clock)
            elif sent is not None:
                maybe_stop(t, sent[0].ts, 0.03)

        agenda.at(campaign + rng.randint(0, 1800), recall)
