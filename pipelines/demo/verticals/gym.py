"""Demo storyline for the gym in Bologna: trial-class enquiries (many from click-to-WhatsApp ads)
that often go quiet."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..businesses import (
    WEEKDAYS_IT,
    Ad,
    Bot,
    Menu,
    OperatorSpec,
    Script,
    TemplateSpec,
    Topic,
    reengage_template,
)
from ..episodes import SAFETY, fill, heard, listen, play_conversation, respond
from ..hours import DAY, HOUR, customer_delay, from_local, local
from ..people import Person
from ..shopify import Shop
from ..stories import (
    Agenda,
    Plan,
    ad_for,
    at_local,
    campaign_start,
    context,
    first_moment,
    later_moments,
    maybe_stop,
    pick,
    play_topic,
    send_template,
    tap,
)
from ..threads import Shard, Thread

# Trial classes: (weekday, time, class). The bot offers them as a list; operators quote them.
TRIAL_CLASSES = (
    (0, "18:30", "Functional"),
    (1, "13:00", "Total body"),
    (2, "19:00", "Pilates"),
    (3, "20:00", "Spinning"),
    (5, "10:00", "Cross training"),
)
TRIAL_SLOTS = Menu(
    "list",
    "Scegli la lezione di prova che preferisci 👇",
    tuple(
        (f"slot_{day}_{time.replace(':', '')}", f"{WEEKDAYS_IT[day].capitalize()} {time} {name}")
        for day, time, name in TRIAL_CLASSES
    ),
    button="Vedi orari",
)

SCRIPT = Script(
    vertical="gym",
    email_domain="fisiofit.it",
    contact_share=0.2,
    unanswered_rate=0.07,
    operators=(
        OperatorSpec("Sara Gentile", "front"),
        OperatorSpec("Davide Lombardi", "trainer"),
        OperatorSpec("Matteo Ricci", "front"),
    ),
    bot=Bot(
        "FisioBot",
        "Ciao! Ti rispondiamo al più presto 💪 Intanto dicci come possiamo aiutarti:",
        Menu(
            "button",
            "Come possiamo aiutarti?",
            (("prova", "Prova gratuita"), ("abbonamenti", "Abbonamenti"), ("altro", "Altro")),
        ),
    ),
    topics={
        "prova_gratuita": Topic(
            key="prova_gratuita",
            labels=("prova-gratuita", "lead"),
            menu_choice="prova",
            bot_list=TRIAL_SLOTS,
            bot_list_key="slot",
            openers=(
                "Ciao, vorrei info sulla prova gratuita",
                "Salve! Ho visto la pubblicità, come funziona la settimana gratis?",
                "Buonasera, posso venire a provare pilates?",
                "Ciao! Vorrei provare il functional, quando posso venire?",
                "Info prova gratuita",
            ),
            steps=(
                (
                    (
                        "Ciao {nome}! Ti ho segnato per {slot}. Porta scarpe da ginnastica pulite "
                        "e "
                        "un asciugamano 😊",
                        "Ciao {nome}, perfetto! Ti aspettiamo {slot}. Ricordati un documento per "
                        "la registrazione all'ingresso.",
                    ),
                    ("Perfetto grazie!", "Ok ci sarò", "Grazie! Serve il certificato medico?"),
                ),
            ),
            closings=(
                "Ti aspettiamo! 💪",
                "A presto in palestra!",
                "Per la prova no, per l'iscrizione sì (non agonistico). A presto! 💪",
            ),
            reopeners=(
                "Scusa, il parcheggio è gratuito?",
                "Ciao, posso portare un'amica alla prova?",
            ),
            reopen_answers=(
                "Sì, c'è il parcheggio gratuito dietro la palestra 🚗",
                "Certo, portala pure! 😊",
            ),
            quiet_rate=0.5,
        ),
        "abbonamento": Topic(
            key="abbonamento",
            labels=("abbonamento",),
            menu_choice="abbonamenti",
            openers=(
                "Quanto costa l'abbonamento trimestrale?",
                "Avete convenzioni per studenti Unibo?",
                "Ciao, è possibile pagare l'annuale in due rate?",
                "Il corso di pilates è incluso nell'abbonamento open?",
            ),
            steps=(
                (
                    (
                        "Ciao {nome}! Trimestrale open 159 €, semestrale 279 €, annuale 490 €.",
                        "Ciao {nome}! Sì, per gli studenti Unibo c'è il 15% di sconto con il "
                        "badge.",
                        "Ciao! Sì, l'annuale si può pagare in due rate da 250 €.",
                        "Ciao! Sì, pilates e yoga sono inclusi nell'open.",
                    ),
                    ("Perfetto, passo domani", "Ok grazie, ci penso", "E la piscina ce l'avete?"),
                ),
                (
                    (
                        "Ti aspettiamo! Quando passi chiedi di {op} 😊",
                        "Certo, a disposizione!",
                        "La piscina no, ma abbiamo la sala fisioterapia 😊",
                    ),
                    ("Ok!", "Va bene, grazie"),
                ),
            ),
            closings=("A presto! 💪",),
            reopeners=("Fino a che ora siete aperti il sabato?",),
            reopen_answers=("Il sabato siamo aperti dalle 9 alle 19.",),
            quiet_rate=0.3,
        ),
        "iscritto": Topic(
            key="iscritto",
            labels=("iscritto",),
            menu_choice="altro",
            role="trainer",
            openers=(
                "Ciao, mi sono fatto male al ginocchio, posso sospendere l'abbonamento per un "
                "mese?",
                "Vorrei prenotare una seduta di fisioterapia con Davide",
                "Ciao! La lezione di spinning di giovedì è confermata?",
                "Ho dimenticato le cuffie nello spogliatoio ieri sera, le avete trovate?",
                "Posso cambiare la scheda di allenamento?",
            ),
            steps=(
                (
                    (
                        "Ciao {nome}! Certo, portaci il certificato del medico e sospendiamo "
                        "l'abbonamento senza problemi.",
                        "Ciao {nome}, ti ho segnato con Davide {giorno} alle {ora}.",
                        "Ciao {nome}, sì confermata alle 19:00!",
                        "Ciao! Sì, le abbiamo in reception, passa quando vuoi.",
                        "Ciao! Ti ho fissato {giorno} alle {ora} con me per la nuova scheda.",
                    ),
                    ("Grazie mille", "Perfetto 👍", "Ok, a presto"),
                ),
            ),
            closings=("Buon allenamento!",),
            reopeners=("Scusa, a che ora apre la reception domani?",),
            reopen_answers=("Domani apriamo alle 7:00 💪",),
            quiet_rate=0.2,
        ),
        "dopo_prova": Topic(
            key="dopo_prova",
            labels=("lead",),
            openers=(),
            steps=(
                (
                    (
                        "Trimestrale open 159 €, semestrale 279 €, annuale 490 €. Questo mese "
                        "niente quota di iscrizione! 💪",
                    ),
                    (
                        "Ok passo in settimana a fare l'iscrizione",
                        "Grazie, ci penso",
                        "Top, mi iscrivo!",
                    ),
                ),
            ),
            closings=(
                "Ti aspettiamo in reception!",
                "Certo, se hai domande scrivici qui.",
                "Grande! Ti aspettiamo in reception 💪",
            ),
            quiet_rate=0.35,
        ),
        "disdetta": Topic(
            key="disdetta",
            labels=("prova-gratuita",),
            openers=(),
            steps=(
                (
                    ("Nessun problema {nome}, vuoi spostarla a {slot}?",),
                    ("Sì grazie", "Vi riscrivo io la settimana prossima"),
                ),
            ),
            closings=("Perfetto, spostata!", "Nessun problema, a presto!"),
            quiet_rate=0.2,
        ),
        "promo_interesse": Topic(
            key="promo_interesse",
            labels=("promo",),
            openers=(),
            steps=(
                (
                    (
                        "Ciao {nome}! Passa in reception entro fine mese e ti attiviamo l'offerta "
                        "a 129 € 💪",
                    ),
                    ("Ok passo domani", "Vale anche per il semestrale?"),
                ),
            ),
            closings=("A domani allora!", "Sì, il semestrale è a 239 €. A presto!"),
            quiet_rate=0.3,
        ),
    },
    templates={
        "promemoria_lezione": TemplateSpec(
            "promemoria_lezione",
            "utility",
            "Ciao {{1}}! Ti ricordiamo la tua lezione di prova {{2}} alle {{3}} da Palestra "
            "FisioFit.",
            (("CI_SARO", "Ci sarò"), ("DEVO_DISDIRE", "Devo disdire")),
        ),
        "ripresa_conversazione": reengage_template(formal=False),
        "promo_rientro": TemplateSpec(
            "promo_rientro",
            "marketing",
            "Ciao {{1}}, ci manchi! 💪 Solo per questo mese: abbonamento trimestrale a 129 € "
            "invece di 159 €.",
            (("MI_INTERESSA", "Mi interessa"), ("NO_GRAZIE", "No grazie")),
        ),
    },
    ads=(
        Ad(
            "Prima settimana gratis 💪",
            "Scrivici su WhatsApp e prenota la tua prova da FisioFit Bologna",
            "image",
            "prova_gratuita",
        ),
        Ad(
            "Pilates a Bologna: prova gratuita",
            "Lezioni in piccoli gruppi in via Stalingrado",
            "video",
            "prova_gratuita",
        ),
        Ad(
            "Functional training",
            "Prova la prima lezione gratis, scrivici ora",
            "image",
            "prova_gratuita",
        ),
        Ad(
            "Abbonamento annuale a 41 €/mese",
            "Sala pesi, corsi e fisioterapia. Chiedi info su WhatsApp",
            "image",
            "abbonamento",
        ),
    ),  # fmt: skip
    extra={
        "slot": tuple(
            f"{WEEKDAYS_IT[day]} alle {time} ({name})" for day, time, name in TRIAL_CLASSES
        ),
    },
)


AFTER_TRIAL = (
    "Ciao {nome}! Com'è andata la prova? Se vuoi ti mando le offerte per l'abbonamento 💪",
)
AFTER_TRIAL_ANSWERS = ("Bene! Mandami pure le offerte", "Molto bene, quanto costa il trimestrale?")


def lesson_after(ts: int, slot: str) -> int:
    """The first lesson of the chosen trial class at least a day after `ts`."""
    weekday, time = next(
        (day, time) for day, time, _ in TRIAL_CLASSES if WEEKDAYS_IT[day] in slot and time in slot
    )
    day = local(ts).date() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    hour, minute = (int(part) for part in time.split(":"))
    return from_local(datetime(day.year, day.month, day.day, hour, minute))


def plan(shard: Shard, shop: Shop | None, person: Person, position: int, total: int) -> Plan:
    rng = shard.rng
    persona = pick(rng, {"trial": 0.55, "member": 0.30, "prices": 0.15})
    topic, chance = {
        "trial": ("prova_gratuita", 0.7),
        "member": ("iscritto", 0.0),
        "prices": ("abbonamento", 0.3),
    }[persona]
    ad = ad_for(rng, shard.script, topic, chance)
    return Plan(person, persona, first_moment(shard), ad, marketing_ok=rng.random() < 0.75)


def play(t: Thread, plan: Plan, agenda: Agenda) -> None:
    shard = t.shard
    rng = t.rng
    script = SCRIPT
    topics = script.topics
    ctx = context(shard, plan.person, plan.first_ts)
    converted = {"value": plan.persona == "member"}

    if plan.persona == "trial":

        def trial(ts: int) -> None:
            listen(ctx)
            engaged = play_conversation(t, topics["prova_gratuita"], ts, ctx, plan.ad)
            if not heard(ctx, "Ti ho segnato", "Ti aspettiamo"):
                return
            lesson = lesson_after(t.clock, ctx["slot"])
            name = next(
                n for d, h, n in TRIAL_CLASSES if WEEKDAYS_IT[d] in ctx["slot"] and h in ctx["slot"]
            )
            entry = shard.facts.book(plan.person, f"Lezione di prova {name}", lesson, 60, t.clock)
            if not engaged:
                return
            moment = local(lesson)

            def remind(at: int) -> None:
                template = script.templates["promemoria_lezione"]
                sent = send_template(
                    t,
                    at,
                    template,
                    (
                        plan.person.first_name,
                        WEEKDAYS_IT[moment.weekday()],
                        moment.strftime("%H:%M"),
                    ),
                )
                answer = tap(t, sent, (0.45, 0.08), median=900)
                if answer is not None and answer[1] == "DEVO_DISDIRE":
                    listen(ctx)
                    respond(t, topics["disdetta"], answer[0], ctx, answered=True)
                    if heard(ctx, "Sì grazie"):
                        entry.move(t.clock, lesson_after(lesson + HOUR, ctx["slot"]))
                    else:
                        entry.move(max(t.clock, answer[0] + 60), None)

            def follow_up(at: int) -> None:
                op = shard.operator("front")
                text = fill(rng, AFTER_TRIAL, ctx)
                if at - t.last_inbound <= DAY:
                    sent = t.send(at, op, text)
                else:
                    template = script.templates["promo_rientro"]
                    sent = t.send_template(at, None, template, (plan.person.first_name,))
                if sent is None or rng.random() > 0.35:
                    return
                answer = customer_delay(rng, at + 30, 1800)
                if answer > t.end_ts - SAFETY:
                    return
                last = t.say(answer, [rng.choice(AFTER_TRIAL_ANSWERS)])
                converted["value"] = respond(t, topics["dopo_prova"], last, ctx)

            agenda.at(lesson - DAY + rng.randint(-3600, 3600), remind)
            agenda.at(at_local(lesson + DAY, 10, 0, rng, 3 * HOUR), follow_up)

        agenda.at(plan.first_ts, trial)
    elif plan.persona == "member":
        agenda.at(plan.first_ts, lambda ts: play_topic(t, topics["iscritto"], ts, ctx))
        for moment in later_moments(shard, plan.first_ts, 0.7):
            key = "iscritto" if rng.random() < 0.75 else "abbonamento"
            agenda.at(
                moment,
                lambda ts, k=key: play_topic(t, topics[k], ts, context(shard, plan.person, ts)),
            )
    else:
        agenda.at(plan.first_ts, lambda ts: play_topic(t, topics["abbonamento"], ts, ctx, plan.ad))

    campaign = campaign_start(shard, 10, 11, 30)
    if campaign is not None and plan.marketing_ok:

        def promo(ts: int) -> None:
            if converted["value"] or ts < plan.first_ts:
                return
            sent = send_template(
                t, ts, script.templates["promo_rientro"], (plan.person.first_name,)
            )
            answer = tap(t, sent, (0.08, 0.1))
            if answer is not None and answer[1] == "MI_INTERESSA":
                respond(t, topics["promo_interesse"], answer[0], ctx, answered=True)
            elif sent is not None:
                maybe_stop(t, sent[0].ts, 0.05)

        agenda.at(campaign + rng.randint(0, 2400), promo)
