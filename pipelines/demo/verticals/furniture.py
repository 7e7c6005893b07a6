"""Demo storyline for the furniture shop in Milan: kitchen quotes go to the sales rep, delivery
problems to after-sales."""

from __future__ import annotations

from ..businesses import (
    Ad,
    OperatorSpec,
    Product,
    Script,
    TemplateSpec,
    Topic,
    reengage_template,
)
from ..episodes import Ctx, respond, set_slot
from ..hours import DAY, HOUR, local
from ..people import Person
from ..shopify import Order, Shop
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
    vertical="furniture",
    email_domain="arredinavigli.it",
    shop_domain="arredi-navigli.myshopify.com",
    contact_share=0.16,
    unanswered_rate=0.05,
    operators=(
        OperatorSpec("Giulia Ferrari", "front"),
        OperatorSpec("Marco Colombo", "sales"),
        OperatorSpec("Luca Bianchi", "aftersales"),
        OperatorSpec("Elisa Moretti", "front"),
    ),
    topics={
        "preventivo_cucina": Topic(
            key="preventivo_cucina",
            labels=("preventivo-cucina",),
            role="front",
            handoff_role="sales",
            handoff=(
                "Buongiorno {nome}, grazie per averci scritto! La passo al collega {op2} che segue "
                "i progetti cucina, le scrive a breve.",
                "Buongiorno! Per i preventivi cucina la metto in contatto con {op2}, il nostro "
                "consulente cucine.",
            ),
            openers=(
                "Buongiorno, vorrei un preventivo per una cucina su misura. La parete è di "
                "{metri} metri",
                "Salve, avete cucine componibili con isola? Vorrei un preventivo",
                "Buonasera, ho visto in showroom la cucina {cucina}, mi fareste un preventivo?",
                "Ciao! Stiamo ristrutturando casa in zona {zona}, ci servirebbe un preventivo per "
                "la cucina",
                "Buongiorno, quanto costa più o meno una cucina ad angolo con elettrodomestici?",
            ),
            follow_ups=(
                "Possibilmente con piano in quarzo",
                "Ci servirebbe entro fine {mese_prossimo}",
                "Abbiamo già la piantina con le misure",
            ),
            image_captions=(
                "Ecco la piantina con le misure",
                "Questa è la parete attuale, l'attacco del gas è a sinistra",
                "Vi mando la foto della stanza",
            ),
            image_rate=0.45,
            steps=(
                (
                    (
                        "Piacere {nome}, sono {op}. Per il preventivo mi servono le misure delle "
                        "pareti e la posizione di acqua e gas. Ha una piantina?",
                        "Buongiorno {nome}, sono {op} dell'ufficio cucine. Mi dice misure e "
                        "finiture che preferisce? Se ha una piantina me la mandi pure qui.",
                    ),
                    (
                        "Sì, gliela mando stasera",
                        "Le misure sono {metri} x 2,60. Finitura rovere chiaro",
                        "Ok, la piantina ce l'ha il geometra, gliela giro appena posso",
                    ),
                ),
                (
                    (
                        "Perfetto, grazie. Possiamo vederci in showroom {giorno} alle {ora} per "
                        "guardare insieme il progetto 3D?",
                        "Ho preparato una prima proposta, indicativamente siamo sui {prezzo} € "
                        "elettrodomestici inclusi. Vuole passare {giorno} alle {ora} a vederla?",
                    ),
                    (
                        "Va benissimo, a {giorno}!",
                        "{giorno} non riesco, possiamo fare il giorno dopo alla stessa ora?",
                        "Ok, veniamo in due. A {giorno}",
                    ),
                ),
            ),
            closings=(
                "Perfetto, la aspetto. Buona giornata!",
                "Certo, le sposto l'appuntamento al giorno dopo, stessa ora. A presto!",
                "Benissimo, vi aspetto. A presto!",
            ),
            reopeners=(
                "Scusi, mi ricorda l'indirizzo dello showroom?",
                "Buongiorno, possiamo spostare l'appuntamento di mezz'ora?",
            ),
            reopen_answers=(
                "Certo: Alzaia Naviglio Grande 64, Milano. C'è parcheggio in via Valenza.",
                "Nessun problema, la aspetto mezz'ora dopo.",
            ),
            notes=(
                "Cliente interessata anche al soggiorno, budget indicativo {prezzo} €",
                "Richiamare dopo il sopralluogo del geometra",
                "Preferisce piano in quarzo, elettrodomestici Bosch",
            ),
            quiet_rate=0.18,
        ),
        "consegna": Topic(
            key="consegna",
            labels=("consegna",),
            role="aftersales",
            openers=(
                "Buongiorno, l'ordine {ordine} doveva essere consegnato {ieri} ma non è arrivato "
                "nessuno",
                "Salve, il divano è arrivato ma c'è un graffio sul bracciolo",
                "Buongiorno, volevo sapere quando arriva il tavolo dell'ordine {ordine}",
                "Il montatore non si è presentato stamattina, mi potete richiamare?",
                "Buonasera, manca un pezzo della libreria (ordine {ordine})",
            ),
            image_captions=(
                "Ecco la foto del danno",
                "Guardate qui il graffio",
                "Il pacco era così",
            ),
            image_rate=0.35,
            steps=(
                (
                    (
                        "Buongiorno {nome}, sono {op} dell'assistenza post-vendita. Mi scuso per "
                        "il "
                        "disagio, verifico subito con il magazzino e le faccio sapere entro oggi.",
                        "Buongiorno {nome}, mi dispiace. Ho aperto una segnalazione sull'ordine "
                        "{ordine}, le scrivo appena ho notizie dal trasportatore.",
                    ),
                    ("Ok, grazie. Attendo", "Va bene ma mi serve entro il weekend", "Grazie"),
                ),
                (
                    (
                        "Ho sentito il trasportatore: la consegna è riprogrammata per {giorno} "
                        "mattina tra le 8 e le 12. Le va bene?",
                        "Per il pezzo danneggiato mandiamo un tecnico {giorno}, oppure sostituiamo "
                        "il pezzo. Cosa preferisce?",
                    ),
                    ("Sì va bene, ci sarà mia moglie", "Preferisco la sostituzione, grazie"),
                ),
            ),
            closings=(
                "Perfetto, ho confermato. Ci scusiamo ancora per l'inconveniente.",
                "Fatto, sostituzione in arrivo: le arriva la conferma via e-mail. Ci scusiamo "
                "ancora!",
            ),
            reopeners=(
                "Il trasportatore non è ancora passato, sapete dirmi qualcosa?",
                "Buongiorno, il tecnico che orario ha indicato?",
            ),
            reopen_answers=(
                "Verifico subito: risulta in consegna entro le 13.",
                "Il tecnico passa tra le 14 e le 16.",
            ),
            notes=("Trasportatore Arcese, riconsegna senza costi", "Pezzo di ricambio ordinato"),
            quiet_rate=0.05,
        ),
        "info_prodotto": Topic(
            key="info_prodotto",
            labels=("info-prodotto",),
            role="front",
            openers=(
                "Buongiorno, il divano {divano} è disponibile anche in velluto verde?",
                "Quanto costa la libreria modulare Brera da 180 cm?",
                "Avete sedie in pronta consegna?",
                "Siete aperti la domenica?",
                "Salve, fate anche il ritiro dell'usato?",
                "Il tavolo allungabile in rovere quanto misura da aperto?",
            ),
            steps=(
                (
                    (
                        "Buongiorno {nome}! Sì, il {divano} è disponibile in 12 colori di velluto, "
                        "consegna in circa 6 settimane. Le mando il campionario?",
                        "Buongiorno! La Brera da 180 cm costa 420 €, consegna e montaggio inclusi.",
                        "Buongiorno! Sì, abbiamo diversi modelli di sedie in pronta consegna in "
                        "showroom.",
                        "Buongiorno! Siamo aperti dal martedì al sabato 10-19 e la domenica 15-19.",
                        "Buongiorno {nome}, sì: con l'acquisto di un divano ritiriamo gratis il "
                        "vecchio.",
                        "Buongiorno! Da aperto misura 240 cm, da chiuso 180 cm.",
                    ),
                    (
                        "Sì grazie",
                        "Perfetto, passo in negozio sabato",
                        "Ok, ci penso e vi faccio sapere",
                    ),
                ),
            ),
            closings=("A disposizione, buona giornata!", "Grazie a lei, a presto in showroom!"),
            reopeners=("Scusi, fate anche pagamenti a rate?",),
            reopen_answers=("Sì, con Findomestic fino a 20 rate a tasso zero.",),
            quiet_rate=0.3,
        ),
        "cambio_data": Topic(
            key="cambio_data",
            labels=("consegna",),
            role="aftersales",
            openers=(),
            steps=(
                (
                    (
                        "Nessun problema {nome}, che giorno le andrebbe meglio? Abbiamo "
                        "disponibilità {giorno} mattina.",
                        "Buongiorno {nome}, sono {op}. Le propongo {giorno} tra le 14 e le 18, "
                        "va bene?",
                    ),
                    ("Va benissimo {giorno}", "Perfetto, grazie"),
                ),
            ),
            closings=("Fatto, consegna aggiornata. Buona giornata!",),
            quiet_rate=0.05,
        ),
        "promo_interesse": Topic(
            key="promo_interesse",
            labels=("black-week",),
            openers=(),
            steps=(
                (
                    (
                        "Ciao {nome}! Quale prodotto ti interessa? Possiamo fissare una consulenza "
                        "in showroom {giorno}.",
                    ),
                    (
                        "Il divano {divano}, passo sabato",
                        "Il tavolo allungabile, è ancora scontato?",
                    ),
                ),
            ),
            closings=(
                "Perfetto, ti aspettiamo sabato!",
                "Sì, fino a domenica è al 30%. Ti aspettiamo!",
            ),
            quiet_rate=0.3,
        ),
    },
    templates={
        "conferma_consegna": TemplateSpec(
            "conferma_consegna",
            "utility",
            "Gentile {{1}}, la consegna del suo ordine {{2}} è prevista per {{3}} tra le 8 e le "
            "13. "
            "Ci conferma la sua presenza?",
            (("CONFERMO", "Confermo"), ("CAMBIA_DATA", "Cambia data")),
        ),
        "ripresa_conversazione": reengage_template(formal=True),
        "black_week_arredo": TemplateSpec(
            "black_week_arredo",
            "marketing",
            "Ciao {{1}}! Black Week da Arredi Navigli: fino al 30% su divani e tavoli. "
            "Ti aspettiamo in showroom in Alzaia Naviglio Grande.",
            (("MI_INTERESSA", "Mi interessa"), ("NO_GRAZIE", "No grazie")),
        ),
    },
    ads=(
        Ad(
            "Cucine su misura a Milano",
            "Progetto 3D gratuito: scrivici su WhatsApp",
            "image",
            "preventivo_cucina",
        ),
        Ad(
            "Divani in pronta consegna",
            "Oltre 40 modelli in showroom sui Navigli",
            "video",
            "info_prodotto",
        ),
    ),  # fmt: skip
    products=(
        Product("AN-DIV-NAV3", "Divano 3 posti Navigli - velluto", "1290.00", 1.2),
        Product("AN-TAV-ROV180", "Tavolo allungabile rovere 180 cm", "690.00", 1.0),
        Product("AN-SED-BIS4", "Sedie Bistrot (set da 4)", "356.00", 1.0),
        Product("AN-LIB-BRE180", "Libreria modulare Brera 180 cm", "420.00", 0.8),
        Product("AN-LET-MAT160", "Letto matrimoniale contenitore 160x200", "890.00", 0.7),
        Product("AN-CUC-ACC", "Acconto progetto cucina su misura", "1500.00", 0.6),
        Product("AN-MAD-M160", "Materasso memory 160x200", "540.00", 0.6),
    ),
    extra={
        "cucina": ("Aurora", "Linea 60", "Isola Brera", "Rovere Nordico"),
        "divano": ("Navigli", "Darsena", "Tortona", "Ripa"),
        "zona": ("Città Studi", "NoLo", "Isola", "Porta Romana", "Bicocca", "Lambrate", "Corsico"),
        "prezzo": ("8.900", "11.400", "13.750", "7.600", "16.200"),
    },
)


def plan(shard: Shard, shop: Shop | None, person: Person, position: int, total: int) -> Plan:
    rng = shard.rng
    persona = pick(rng, {"kitchen": 0.35, "browser": 0.35, "buyer": 0.30})
    first = first_moment(shard)
    topic = "preventivo_cucina" if persona == "kitchen" else "info_prodotto"
    ad = ad_for(rng, shard.script, topic, 0.12 if persona != "buyer" else 0.0)
    plan = Plan(person, persona, first, ad, marketing_ok=rng.random() < 0.55)
    assert shop is not None
    catalogue = [p for p in shard.script.products if p.sku != "AN-CUC-ACC"]
    deposit = next(p for p in shard.script.products if p.sku == "AN-CUC-ACC")
    if persona == "kitchen" and rng.random() < 0.4:
        created = moment_in(shard, first + 5 * DAY, first + 20 * DAY)
        if created > first + DAY:
            paid = created + rng.randint(DAY, 3 * DAY) if rng.random() < 0.3 else None
            plan.orders.append(
                shop.place(
                    person,
                    created,
                    [(deposit, 1)],
                    plan.marketing_ok,
                    paid_at=paid,
                    tags=("cucina", "showroom"),
                )
            )
    elif persona in ("browser", "buyer"):
        if persona == "browser" and rng.random() >= (0.5 if ad is not None else 0.25):
            return plan
        lo = (
            first + (DAY if ad is not None else 2 * DAY) if persona == "browser" else shard.start_ts
        )
        span = (5 * DAY if ad is not None else 15 * DAY) if persona == "browser" else shard.end_ts
        created = moment_in(shard, lo, lo + span)
        if created > lo or persona == "buyer":
            count = 1 if rng.random() < 0.7 else 2
            lines = [(p, 1) for p in dict.fromkeys(rng.choices(catalogue, k=count))]
            delivery = at_local(created + rng.randint(10, 30) * DAY, 8, 30, rng, 3 * HOUR)
            while local(delivery).weekday() >= 5:
                delivery += DAY
            cancelled = created + rng.randint(HOUR, 2 * DAY) if rng.random() < 0.03 else None
            plan.orders.append(
                shop.place(
                    person,
                    created,
                    lines,
                    plan.marketing_ok,
                    fulfilled_at=None if cancelled else delivery,
                    cancelled_at=cancelled,
                    tags=("consegna-montaggio",),
                )
            )
            if persona == "buyer":
                plan.first_ts = created
    return plan


def play(t: Thread, plan: Plan, agenda: Agenda) -> None:
    shard = t.shard
    rng = t.rng
    script = SCRIPT
    topics = script.topics
    ctx = context(shard, plan.person, plan.first_ts)
    if plan.persona == "kitchen":
        agenda.at(
            plan.first_ts, lambda ts: play_topic(t, topics["preventivo_cucina"], ts, ctx, plan.ad)
        )
    elif plan.persona == "browser":
        agenda.at(
            plan.first_ts, lambda ts: play_topic(t, topics["info_prodotto"], ts, ctx, plan.ad)
        )
    for order in plan.orders:
        if order.fulfilled_at is None:
            continue
        delivery = order.fulfilled_at
        octx = Ctx(ctx, ordine=order.name)
        set_slot(octx, delivery + DAY)

        def remind(
            ts: int, order: Order = order, octx: Ctx = octx, delivery: int = delivery
        ) -> None:
            template = script.templates["conferma_consegna"]
            sent = send_template(
                t, ts, template, (order.person.first_name, order.name, day_text(delivery))
            )
            answer = tap(t, sent, (0.62, 0.13))
            if answer is not None and answer[1] == "CAMBIA_DATA":
                respond(t, topics["cambio_data"], answer[0], octx, answered=True)

        if plan.notify_ok:
            agenda.at(at_local(delivery - 2 * DAY, 10, 0, rng, 3000), remind)
        if rng.random() < 0.22:
            agenda.at(
                moment_in(shard, delivery + 2 * HOUR, delivery + 3 * DAY),
                lambda ts, c=octx: play_topic(t, topics["consegna"], ts, c),
            )
    for moment in later_moments(shard, plan.first_ts, 0.2):
        agenda.at(moment, lambda ts: play_topic(t, topics["info_prodotto"], ts, ctx))
    campaign = campaign_start(shard, 4, 11, 0)
    if campaign is not None and plan.marketing_ok and plan.orders:

        def black_week(ts: int) -> None:
            template = script.templates["black_week_arredo"]
            sent = send_template(t, ts, template, (plan.person.first_name,))
            answer = tap(t, sent, (0.1, 0.08))
            if answer is not None and answer[1] == "MI_INTERESSA":
                respond(t, topics["promo_interesse"], answer[0], ctx, answered=True)
            elif sent is not None:
                maybe_stop(t, sent[0].ts, 0.04)

        agenda.at(campaign + rng.randint(0, 1800), black_week)
