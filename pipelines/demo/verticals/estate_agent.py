"""Demo storyline for the estate agent in Milan: buyers' preferences (zona, budget, locali),
visits, valuations."""

from __future__ import annotations

from ..businesses import (
    Ad,
    OperatorSpec,
    Script,
    TemplateSpec,
    Topic,
    reengage_template,
)
from ..episodes import play_conversation, respond, set_slot, slot_after, slot_of
from ..hours import DAY, HOUR, local
from ..people import Person
from ..shopify import Shop
from ..stories import (
    Agenda,
    Plan,
    ad_for,
    at_local,
    campaign_start,
    context,
    day_text,
    first_moment,
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
    vertical="estate_agent",
    email_domain="casabrera.it",
    contact_share=0.1,
    unanswered_rate=0.08,
    operators=(
        OperatorSpec("Roberto Galli", "agent"),
        OperatorSpec("Federica Marchetti", "agent"),
        OperatorSpec("Stefano Rizzo", "agent"),
        OperatorSpec("Laura Caruso", "front"),
    ),
    topics={
        "ricerca": Topic(
            key="ricerca",
            labels=("acquirente",),
            role="agent",
            openers=(
                "Buongiorno, cerco un {locali} in zona {zona}, budget massimo {budget} €",
                "Salve, ho visto l'annuncio del {locali} in via {via}, è ancora disponibile?",
                "Cerchiamo casa a Milano, {locali} con balcone, zona {zona} o dintorni, fino a "
                "{budget} €",
                "Buonasera, siamo una coppia con un bimbo, cerchiamo {locali} in {zona} max "
                "{budget}",
            ),
            follow_ups=(
                "Mutuo già approvato",
                "Ci servirebbe il box",
                "Piano alto se possibile",
                "Non oltre il terzo piano senza ascensore",
            ),
            steps=(
                (
                    (
                        "Buongiorno {nome}, grazie! Per capire meglio: serve il box, e avete già "
                        "la "
                        "pre-delibera del mutuo?",
                        "Buongiorno {nome}, sì è ancora disponibile. Ha già venduto casa o deve "
                        "vendere per acquistare?",
                        "Buongiorno {nome}! Quanti locali minimo, e avete già la pre-delibera del "
                        "mutuo?",
                        "Buonasera {nome}, con un bimbo vi consiglierei un piano con ascensore. "
                        "Avete già la pre-delibera del mutuo?",
                    ),
                    (
                        "Almeno {locali}, il box non è indispensabile. Mutuo già approvato",
                        "Non dobbiamo vendere, abbiamo la pre-delibera fino a {budget}",
                        "Dobbiamo vendere il nostro bilocale in {zona2}",
                    ),
                ),
                (
                    (
                        "Perfetto. Ho due soluzioni in {zona} che potrebbero interessarvi, una a "
                        "{prezzo} €. Possiamo vederle {giorno} alle {ora}?",
                        "Le mando le schede per e-mail. Se le piacciono fissiamo una visita "
                        "{giorno} alle {ora}.",
                    ),
                    ("Sì, va bene {giorno}", "{giorno} non posso, sabato mattina?", "Ok grazie"),
                ),
            ),
            closings=(
                "Perfetto, a {giorno}!",
                "Sabato mattina alle 10 va benissimo, a sabato!",
                "Le confermo tutto via e-mail. Buona giornata!",
            ),
            reopeners=(
                "Scusi, nel condominio c'è il riscaldamento centralizzato?",
                "Le spese condominiali a quanto ammontano?",
            ),
            reopen_answers=(
                "Sì, centralizzato con termovalvole.",
                "Circa 180 € al mese, riscaldamento incluso.",
            ),
            notes=(
                "Budget {budget} €, mutuo approvato, zona {zona}",
                "Cerca {locali}, no piano terra, con balcone",
            ),
            quiet_rate=0.3,
        ),
        "visita": Topic(
            key="visita",
            labels=("visita",),
            role="agent",
            openers=(
                "Buongiorno, confermo la visita di {giorno} alle {ora}",
                "Siamo in ritardo di 10 minuti, scusate",
                "Salve, possiamo rivedere l'appartamento di via {via} con mio padre?",
            ),
            steps=(
                (
                    (
                        "Perfetto {nome}, ci vediamo davanti al portone.",
                        "Nessun problema, vi aspetto.",
                        "Certo, le propongo {giorno} alle {ora}.",
                    ),
                    ("Grazie!", "Ok, a dopo", "Perfetto"),
                ),
            ),
            closings=("A presto!",),
            quiet_rate=0.1,
        ),
        "valutazione": Topic(
            key="valutazione",
            labels=("venditore", "valutazione"),
            role="agent",
            openers=(
                "Buongiorno, vorrei vendere il mio bilocale in zona {zona}, potete fare una "
                "valutazione?",
                "Salve, quanto vale secondo voi un trilocale in {zona} da ristrutturare?",
                "Buongiorno, ho ereditato un appartamento in {zona}, vorrei capire quanto vale",
            ),
            steps=(
                (
                    (
                        "Buongiorno {nome}, la valutazione è gratuita. Possiamo fare un "
                        "sopralluogo "
                        "{giorno} alle {ora}? Mi dice metratura e piano?",
                    ),
                    (
                        "Sono 68 mq al secondo piano, va bene {giorno}",
                        "Circa 90 mq, terzo piano con ascensore",
                    ),
                ),
            ),
            closings=("Perfetto, a {giorno}.",),
            reopeners=("Per la valutazione serve la planimetria catastale?",),
            reopen_answers=("Sì, se ce l'ha ci aiuta, altrimenti la recuperiamo noi.",),
            quiet_rate=0.2,
        ),
        "affitto": Topic(
            key="affitto",
            labels=("affitto",),
            role="front",
            openers=(
                "Salve, l'appartamento in affitto in via {via} è ancora libero?",
                "Buongiorno, fate solo contratti 4+4 o anche transitori?",
            ),
            steps=(
                (
                    (
                        "Buongiorno, purtroppo è già stato affittato. Le segnalo le prossime "
                        "disponibilità in zona?",
                        "Buongiorno, facciamo anche transitori per lavoratori fuori sede.",
                    ),
                    (
                        "Sì grazie, segnalatemi le prossime",
                        "Perfetto, mi mandate le disponibilità?",
                    ),
                ),
            ),
            closings=("Certo, le scriviamo appena abbiamo novità. Buona giornata!",),
            quiet_rate=0.4,
        ),
        "visita_nuovo": Topic(
            key="visita_nuovo",
            labels=("acquirente", "visita"),
            role="agent",
            openers=(),
            steps=(
                (
                    ("Buongiorno {nome}! Possiamo vederlo {giorno} alle {ora}, le va bene?",),
                    ("Perfetto", "Sabato mattina sarebbe meglio", "Sì, veniamo in due"),
                ),
            ),
            closings=(
                "Le mando la posizione. A presto!",
                "Va bene sabato alle 10, le mando la posizione.",
                "Benissimo, vi mando la posizione. A presto!",
            ),
            quiet_rate=0.15,
        ),
        "sposta_visita": Topic(
            key="sposta_visita",
            labels=("visita",),
            role="agent",
            openers=(),
            steps=(
                (
                    ("Nessun problema {nome}, le propongo {giorno} alle {ora}.",),
                    ("Ok grazie", "Va bene"),
                ),
            ),
            closings=("A presto!",),
            quiet_rate=0.1,
        ),
    },
    templates={
        "nuovo_immobile": TemplateSpec(
            "nuovo_immobile",
            "marketing",
            "Buongiorno {{1}}, abbiamo appena acquisito un {{2}} in zona {{3}} a {{4}} €. "
            "Vuole visitarlo in anteprima?",
            (("VOGLIO_VISITARLO", "Voglio visitarlo"), ("NON_MI_INTERESSA", "Non mi interessa")),
        ),
        "conferma_visita": TemplateSpec(
            "conferma_visita",
            "utility",
            "Buongiorno {{1}}, le confermiamo la visita di {{2}} alle {{3}}. Per imprevisti ci "
            "scriva qui.",
            (("CONFERMO", "Confermo"), ("DEVO_SPOSTARE", "Devo spostare")),
        ),
        "ripresa_conversazione": reengage_template(formal=True),
    },
    ads=(
        Ad(
            "Trilocali in zona Isola",
            "Nuove costruzioni classe A, scrivici per le planimetrie",
            "image",
            "ricerca",
        ),
        Ad(
            "Vendi casa a Milano?",
            "Valutazione gratuita in 48 ore con Casa Brera",
            "video",
            "valutazione",
        ),
    ),  # fmt: skip
    extra={
        "zona": (
            "Isola",
            "Porta Romana",
            "Città Studi",
            "NoLo",
            "Brera",
            "Navigli",
            "De Angeli",
            "Bicocca",
            "Lambrate",
            "San Siro",
            "Porta Venezia",
            "Dergano",
        ),
        "locali": ("bilocale", "trilocale", "trilocale", "quadrilocale"),
        "budget": ("350.000", "420.000", "480.000", "550.000", "650.000", "300.000", "800.000"),
        "via": (
            "Thaon di Revel",
            "Pastrengo",
            "Crema",
            "Ripamonti",
            "Padova",
            "Tortona",
            "Vittor Pisani",
            "Washington",
        ),
        "prezzo": ("415.000", "439.000", "389.000", "520.000", "610.000"),
    },  # fmt: skip
)


def plan(shard: Shard, shop: Shop | None, person: Person, position: int, total: int) -> Plan:
    rng = shard.rng
    persona = pick(rng, {"buyer": 0.65, "seller": 0.2, "renter": 0.15})
    topic, chance = {
        "buyer": ("ricerca", 0.3),
        "seller": ("valutazione", 0.2),
        "renter": ("affitto", 0.0),
    }[persona]
    ad = ad_for(rng, shard.script, topic, chance)
    return Plan(person, persona, first_moment(shard), ad, marketing_ok=rng.random() < 0.8)


def play(t: Thread, plan: Plan, agenda: Agenda) -> None:
    shard = t.shard
    rng = t.rng
    script = SCRIPT
    topics = script.topics
    ctx = context(shard, plan.person, plan.first_ts)
    lead = shard.facts.lead(
        plan.person,
        plan.first_ts,
        "whatsapp",
        plan.persona,
        zona=ctx["zona"],
        locali=ctx["locali"],
        budget=ctx["budget"],
        prezzo=ctx["prezzo"],
        ad=plan.ad is not None,
        marketing_ok=plan.marketing_ok,
    )
    if plan.persona == "buyer":
        visit = slot_after(rng, plan.first_ts, 2, 7)
        set_slot(ctx, visit)

        def search(ts: int) -> None:
            if not play_conversation(t, topics["ricerca"], ts, ctx, plan.ad):
                return
            when = max(visit, t.clock + DAY + HOUR)
            lead.appointment_at, lead.booked_at = when, t.clock

            def confirm(at: int) -> None:
                moment = local(when)
                sent = send_template(
                    t,
                    at,
                    script.templates["conferma_visita"],
                    (plan.person.first_name, day_text(when), moment.strftime("%H:%M")),
                )
                answer = tap(t, sent, (0.7, 0.08), median=1800)
                if answer is not None and answer[1] == "DEVO_SPOSTARE":
                    set_slot(ctx, slot_after(rng, answer[0], 1, 5))
                    respond(t, topics["sposta_visita"], answer[0], ctx, answered=True)

            agenda.at(at_local(when - DAY, 17, 0, rng, 3600), confirm)
            if rng.random() < 0.3:
                agenda.at(
                    moment_in(shard, when + DAY, when + 5 * DAY),
                    lambda at: play_topic(t, topics["visita"], at, context(shard, plan.person, at)),
                )

        agenda.at(plan.first_ts, search)
        for days_before in (25, 6):
            campaign = campaign_start(shard, days_before, 11, 0)
            if campaign is None or not plan.marketing_ok:
                continue

            def new_listing(ts: int) -> None:
                if ts < plan.first_ts:
                    return
                params = (
                    plan.person.first_name,
                    ctx["locali"],
                    rng.choice(script.extra["zona"]),
                    rng.choice(script.extra["prezzo"]),
                )
                sent = send_template(t, ts, script.templates["nuovo_immobile"], params)
                answer = tap(t, sent, (0.12, 0.1))
                if answer is not None and answer[1] == "VOGLIO_VISITARLO":
                    set_slot(ctx, slot_after(rng, answer[0], 1, 6))
                    respond(t, topics["visita_nuovo"], answer[0], ctx, answered=True)
                elif sent is not None:
                    maybe_stop(t, sent[0].ts, 0.03)

            agenda.at(campaign + rng.randint(0, 1800), new_listing)
    elif plan.persona == "seller":

        def valuation(ts: int) -> None:
            if play_conversation(t, topics["valutazione"], ts, ctx, plan.ad):
                slot = slot_of(ctx)
                if slot is not None:
                    lead.appointment_at, lead.booked_at = max(slot, t.clock + HOUR), t.clock

        agenda.at(plan.first_ts, valuation)
    else:
        agenda.at(plan.first_ts, lambda ts: play_topic(t, topics["affitto"], ts, ctx))
    for moment in later_moments(shard, plan.first_ts, 0.25):
        agenda.at(
            moment, lambda ts: play_topic(t, topics["visita"], ts, context(shard, plan.person, ts))
        )
