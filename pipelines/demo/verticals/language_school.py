"""Demo storyline for the language school in Rome: leads, students and alumni."""

from __future__ import annotations

from datetime import timedelta

from ..businesses import (
    Ad,
    Bot,
    Menu,
    OperatorSpec,
    Script,
    TemplateSpec,
    Topic,
    reengage_template,
)
from ..episodes import heard, listen, respond, slot_after, slot_of
from ..hours import DAY, HOUR, local, quarter
from ..people import Person
from ..shopify import Shop
from ..stories import (
    Agenda,
    Plan,
    ad_for,
    campaign_start,
    context,
    day_text,
    first_moment,
    later_moments,
    maybe_stop,
    pick,
    play_topic,
    send_template,
    tap,
)
from ..threads import Shard, Thread

SCRIPT = Script(
    vertical="language_school",
    email_domain="linguearomacentro.it",
    contact_share=0.15,
    unanswered_rate=0.06,
    operators=(
        OperatorSpec("Francesca Marino", "front"),
        OperatorSpec("Alessandro Conti", "teacher"),
        OperatorSpec("Valentina Greco", "front"),
    ),
    bot=Bot(
        "Assistente Lingue Roma",
        "Ciao! Ti rispondiamo al più presto. Nel frattempo scegli un argomento:",
        Menu(
            "button",
            "Di cosa hai bisogno?",
            (
                ("corsi", "Info corsi"),
                ("studente", "Sono uno studente"),
                ("certificati", "Certificati"),
            ),
        ),
    ),
    topics={
        "info_corsi": Topic(
            key="info_corsi",
            labels=("lead",),
            menu_choice="corsi",
            openers=(
                "Buongiorno, vorrei informazioni sui corsi di {lingua} serali",
                "Salve, avete corsi di preparazione IELTS?",
                "Quanto costa il corso intensivo di {lingua} livello B1?",
                "Ciao, mia figlia ha 15 anni, avete corsi di {lingua} per ragazzi?",
                "Buonasera, vorrei iniziare {lingua} da zero",
            ),
            steps=(
                (
                    (
                        "Ciao {nome}! Il corso serale è il martedì e giovedì 19-21, 320 € a "
                        "trimestre. Per capire il livello facciamo un test gratuito: quando ti "
                        "farebbe comodo?",
                        "Ciao {nome}, sì! Abbiamo gruppi da massimo 8 persone. Prima facciamo un "
                        "test di livello gratuito di 20 minuti, anche online.",
                    ),
                    (
                        "Anche {giorno} pomeriggio",
                        "Online va benissimo",
                        "Ok, ci penso e vi scrivo",
                    ),
                ),
                (
                    (
                        "Perfetto, ti ho fissato il test {giorno} alle {ora} in via Nazionale 54.",
                        "Benissimo, ti mando il link per il test online {giorno} alle {ora}.",
                        "Certo, quando vuoi scrivici qui!",
                    ),
                    ("Grazie!", "Perfetto, a {giorno}", "Grazie, buona giornata"),
                ),
            ),
            closings=("A presto! 📚", "Ciao, buona giornata!"),
            reopeners=("Scusa, il test dura tanto?", "Si può pagare con la carta del docente?"),
            reopen_answers=("Circa 20 minuti!", "Sì, accettiamo la carta del docente."),
            quiet_rate=0.35,
        ),
        "studente": Topic(
            key="studente",
            labels=("studente",),
            menu_choice="studente",
            openers=(
                "Ciao, oggi non riesco a venire a lezione, posso recuperare?",
                "Buongiorno, quando devo pagare la seconda rata?",
                "Il corso di giovedì è confermato con lo sciopero dei mezzi?",
                "Ciao, posso passare dal gruppo del martedì a quello del giovedì?",
                "Ciao! Ho perso il libro di testo, lo posso comprare da voi?",
            ),
            steps=(
                (
                    (
                        "Ciao {nome}, certo! Puoi recuperare {giorno} alle {ora} con il gruppo B.",
                        "Ciao {nome}, la seconda rata scade il 15, puoi pagare anche con bonifico.",
                        "Ciao! Sì, la lezione è confermata, la prof. Smith sarà in sede.",
                        "Ciao {nome}, sì, c'è posto nel gruppo del giovedì: ti sposto da questa "
                        "settimana.",
                        "Ciao! Sì, in segreteria abbiamo tutti i libri di testo, 28 €.",
                    ),
                    ("Perfetto grazie", "Ok 👍", "Grazie mille!"),
                ),
            ),
            closings=("A presto!",),
            reopeners=("Scusa, mi mandi l'IBAN?",),
            reopen_answers=("Certo: IT60 X054 2811 1010 0000 0123 456, causale nome e corso.",),
            quiet_rate=0.1,
        ),
        "certificato": Topic(
            key="certificato",
            labels=("alumni", "certificato"),
            menu_choice="certificati",
            role="teacher",
            openers=(
                "Salve, ho frequentato il corso B2 l'anno scorso, mi serve il certificato per un "
                "concorso",
                "Buongiorno, avete corsi di conversazione per ex studenti?",
                "Ciao! Ho bisogno dell'attestato di frequenza del corso di {lingua}",
            ),
            steps=(
                (
                    (
                        "Ciao {nome}, te lo prepariamo entro {giorno}: lo preferisci in PDF o "
                        "cartaceo?",
                        "Ciao {nome}! Sì, il club di conversazione è il mercoledì alle 18:30, per "
                        "gli ex studenti c'è il 20% di sconto.",
                        "Ciao {nome}, certo: te lo mandiamo entro {giorno}. PDF va bene?",
                    ),
                    (
                        "PDF va benissimo",
                        "Mi interessa, come mi iscrivo?",
                        "Sì, PDF perfetto, grazie!",
                    ),
                ),
            ),
            closings=(
                "Fatto! Buona fortuna per il concorso 🍀",
                "Ti mando il modulo di iscrizione per e-mail!",
                "Fatto, controlla la posta 📚",
            ),
            reopeners=("Scusa, nel certificato c'è anche il numero di ore?",),
            reopen_answers=("Sì, sono indicate le ore e il livello QCER.",),
            quiet_rate=0.15,
        ),
        "dubbio_corso": Topic(
            key="dubbio_corso",
            labels=("studente",),
            openers=(),
            steps=(
                (
                    ("Ciao {nome}, dimmi pure!",),
                    (
                        "Il libro lo compro io o me lo date voi?",
                        "Posso venire 10 minuti in ritardo il primo giorno?",
                    ),
                ),
                (
                    (
                        "Il libro è incluso nella quota, te lo diamo il primo giorno 📚",
                        "Certo, nessun problema!",
                    ),
                    ("Perfetto grazie", "Ok 👍"),
                ),
            ),
            closings=("A presto!",),
            quiet_rate=0.05,
        ),
        "open_day_si": Topic(
            key="open_day_si",
            labels=("open-day",),
            openers=(),
            steps=(
                (
                    ("Perfetto {nome}! Ti ho segnato per l'open day, ti aspettiamo alle 10:00 📚",),
                    ("Grazie!", "Posso portare un'amica?"),
                ),
            ),
            closings=("A sabato!", "Certo, più siamo meglio è! A sabato 📚"),
            quiet_rate=0.3,
        ),
    },
    templates={
        "inizio_corso": TemplateSpec(
            "inizio_corso",
            "utility",
            "Ciao {{1}}! Il tuo corso di {{2}} inizia {{3}}. Ti aspettiamo in via Nazionale 54.",
            (("CONFERMO", "Confermo"), ("HO_UN_DUBBIO", "Ho un dubbio")),
        ),
        "ripresa_conversazione": reengage_template(formal=False),
        "open_day": TemplateSpec(
            "open_day",
            "marketing",
            "Ciao {{1}}! Sabato {{2}} open day con lezioni di prova gratuite di inglese, spagnolo "
            "e tedesco. Vuoi prenotare un posto?",
            (("PRENOTO", "Prenoto"), ("NON_INTERESSATO", "Non interessato")),
        ),
    },
    ads=(
        Ad(
            "Inglese a Roma Centro",
            "Test di livello gratuito: scrivici su WhatsApp",
            "image",
            "info_corsi",
        ),
        Ad(
            "Corsi di spagnolo serali",
            "Gruppi da max 8 persone, a due passi da Termini",
            "image",
            "info_corsi",
        ),
    ),  # fmt: skip
    extra={"lingua": ("inglese", "spagnolo", "tedesco", "francese", "inglese", "giapponese")},
)


def plan(shard: Shard, shop: Shop | None, person: Person, position: int, total: int) -> Plan:
    rng = shard.rng
    persona = pick(rng, {"lead": 0.5, "student": 0.35, "alumni": 0.15})
    ad = ad_for(rng, shard.script, "info_corsi", 0.25 if persona == "lead" else 0.0)
    return Plan(person, persona, first_moment(shard), ad, marketing_ok=rng.random() < 0.7)


def play(t: Thread, plan: Plan, agenda: Agenda) -> None:
    shard = t.shard
    rng = t.rng
    script = SCRIPT
    topics = script.topics
    ctx = context(shard, plan.person, plan.first_ts)
    facts = shard.facts
    lead = facts.lead(
        plan.person,
        plan.first_ts,
        "whatsapp",
        {"lead": "course", "student": "student"}.get(plan.persona, "alumni"),
        lingua=ctx["lingua"],
        ad=plan.ad is not None,
    )
    if plan.persona == "lead":

        def enquiry(ts: int) -> None:
            listen(ctx)
            play_topic(t, topics["info_corsi"], ts, ctx, plan.ad)
            lead.at = ts
            slot = slot_of(ctx)
            if heard(ctx, "ti ho fissato il test", "link per il test online") and slot is not None:
                online = heard(ctx, "link per il test online")
                start = max(slot, quarter(t.clock + 2 * HOUR))
                facts.book(
                    plan.person,
                    f"Test di livello {ctx['lingua']}",
                    start,
                    30,
                    t.clock,
                    detail="Test online (link via e-mail)" if online else "Test in sede",
                )
                lead.appointment_at, lead.booked_at = start, t.clock

        agenda.at(plan.first_ts, enquiry)
    elif plan.persona == "student":
        agenda.at(plan.first_ts, lambda ts: play_topic(t, topics["studente"], ts, ctx))
        for moment in later_moments(shard, plan.first_ts, 0.7):
            agenda.at(
                moment,
                lambda ts: play_topic(t, topics["studente"], ts, context(shard, plan.person, ts)),
            )
        start = campaign_start(shard, max(1, (shard.end_ts - shard.start_ts) // DAY - 12), 17, 0)
        if start is not None and rng.random() < 0.5:

            def course(ts: int) -> None:
                first_lesson = slot_after(rng, ts, 3, 7)
                sent = send_template(
                    t,
                    ts,
                    script.templates["inizio_corso"],
                    (plan.person.first_name, ctx["lingua"], f"{day_text(first_lesson)} alle 19:00"),
                )
                answer = tap(t, sent, (0.4, 0.1))
                if answer is not None and answer[1] == "HO_UN_DUBBIO":
                    respond(t, topics["dubbio_corso"], answer[0], ctx, answered=True)

            agenda.at(start + rng.randint(0, 1200), course)
    else:
        agenda.at(plan.first_ts, lambda ts: play_topic(t, topics["certificato"], ts, ctx))

    campaign = campaign_start(shard, 12, 12, 0)
    if campaign is not None and plan.marketing_ok and plan.persona in ("lead", "alumni"):

        def open_day(ts: int) -> None:
            if ts < plan.first_ts:
                return
            saturday = local(ts).date() + timedelta(days=(5 - local(ts).weekday()) % 7 or 7)
            sent = send_template(
                t, ts, script.templates["open_day"], (plan.person.first_name, str(saturday.day))
            )
            answer = tap(t, sent, (0.1, 0.08))
            if answer is not None and answer[1] == "PRENOTO":
                respond(t, topics["open_day_si"], answer[0], ctx, answered=True)
            elif sent is not None:
                maybe_stop(t, sent[0].ts, 0.03)

        agenda.at(campaign + rng.randint(0, 1800), open_day)
