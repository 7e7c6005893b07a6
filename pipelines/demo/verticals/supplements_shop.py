"""Demo storyline for the supplements web shop: Shopify orders every ~30 days, reorder reminders,
consent."""

from __future__ import annotations

from .. import ids
from ..businesses import (
    Ad,
    Bot,
    Menu,
    OperatorSpec,
    Product,
    Script,
    TemplateSpec,
    Topic,
    reengage_template,
)
from ..episodes import SAFETY, Ctx, respond
from ..hours import DAY, HOUR, add_working
from ..people import Person
from ..shopify import Checkout, Order, Shop
from ..stories import (
    Agenda,
    Plan,
    ad_for,
    at_local,
    campaign_start,
    context,
    first_moment,
    maybe_stop,
    moment_in,
    pick,
    play_topic,
    send_template,
    tap,
)
from ..threads import Shard, Thread

REORDER_LINK = (
    "Ecco il tuo link per riordinare con il 10% di sconto 👉 "
    "https://vitalis-integratori.it/riordino?code=RIORDINO10"
)

SCRIPT = Script(
    vertical="supplements_shop",
    email_domain="vitalis-integratori.it",
    shop_domain="vitalis-integratori.myshopify.com",
    contact_share=0.22,
    unanswered_rate=0.05,
    operators=(
        OperatorSpec("Giorgia Ferri", "front"),
        OperatorSpec("Andrea Costa", "front"),
        OperatorSpec("Martina Villa", "nutrition"),
    ),
    bot=Bot(
        "Vitalis Bot",
        "Ciao! Ti rispondiamo al più presto 🌿 Intanto scegli l'argomento:",
        Menu(
            "list",
            "Come possiamo aiutarti?",
            (
                ("ordine", "Stato del mio ordine"),
                ("consigli", "Consigli sui prodotti"),
                ("resi", "Resi e rimborsi"),
                ("altro", "Altro"),
            ),
            button="Argomenti",
        ),
    ),
    topics={
        "stato_ordine": Topic(
            key="stato_ordine",
            labels=("spedizione",),
            menu_choice="ordine",
            openers=(
                "Ciao, il mio ordine {ordine} non è ancora arrivato",
                "Buongiorno, mi mandate il tracking dell'ordine {ordine}?",
                "Ciao! Ho ordinato 3 giorni fa, quando arriva?",
                "Salve, posso cambiare l'indirizzo di spedizione dell'ordine {ordine}?",
            ),
            steps=(
                (
                    (
                        "Ciao {nome}! Il tuo ordine {ordine} è in consegna oggi con BRT, tracking "
                        "{tracking} 🚚",
                        "Ciao {nome}! Eccolo: BRT {tracking}. Arriva entro 48 ore 🚚",
                        "Ciao {nome}! È partito ieri con BRT, tracking {tracking}. Arriva entro "
                        "domani 🚚",
                        "Ciao {nome}, il pacco è già partito ma puoi cambiare indirizzo o "
                        "scegliere "
                        "un fermopoint dal link BRT: {tracking}",
                    ),
                    ("Grazie mille!", "Perfetto 👍", "Ok grazie, ma se non sono a casa ripassano?"),
                ),
                (
                    (
                        "Figurati! 🌿",
                        "😊",
                        "Sì, BRT ripassa il giorno dopo, oppure scegli un fermopoint dal link.",
                    ),
                    ("Ok grazie",),
                ),
            ),
            closings=("Buona giornata! 🌿",),
            reopeners=("Il corriere ha lasciato l'avviso ma ero a casa...",),
            reopen_answers=("Ho aperto una segnalazione a BRT, ripassano domani.",),
            quiet_rate=0.15,
        ),
        "consigli": Topic(
            key="consigli",
            labels=("consulenza",),
            menu_choice="consigli",
            role="front",
            handoff_role="nutrition",
            handoff=(
                "Ciao {nome}! Ti passo {op2}, la nostra nutrizionista, che ti risponde meglio di "
                "me 😊",
            ),
            openers=(
                "Ciao, il magnesio si può prendere insieme alla vitamina D?",
                "Che integratore mi consigliate per la stanchezza?",
                "Posso prendere il collagene in gravidanza?",
                "Ciao! Le proteine whey vanno bene anche se sono intollerante al lattosio?",
                "Quante capsule di omega 3 al giorno?",
            ),
            steps=(
                (
                    (
                        "Ciao {nome}, sono {op}. Sì, puoi prenderli insieme, meglio a stomaco "
                        "pieno.",
                        "Ciao {nome}, sono {op}. Per la stanchezza ti consiglio Magnesio e "
                        "Potassio "
                        "la mattina, per almeno 3 settimane.",
                        "Ciao {nome}, sono {op}, nutrizionista. In gravidanza meglio chiedere "
                        "prima "
                        "al ginecologo: ti mando la scheda tecnica da mostrargli.",
                        "Ciao {nome}, sono {op}. La nostra whey è isolata, quasi senza lattosio: "
                        "di "
                        "solito è ben tollerata.",
                        "Ciao {nome}, sono {op}. 2 perle al giorno durante i pasti vanno "
                        "benissimo.",
                    ),
                    ("Grazie mille, gentilissima!", "Ok allora lo ordino", "Perfetto grazie"),
                ),
            ),
            closings=("Se hai altri dubbi scrivimi pure 🌿",),
            reopeners=("Scusa, per quanto tempo posso prenderlo?",),
            reopen_answers=("Un ciclo di 2-3 mesi, poi una pausa di un mese.",),
            quiet_rate=0.1,
        ),
        "reso": Topic(
            key="reso",
            labels=("reso",),
            menu_choice="resi",
            openers=(
                "Ho ricevuto la confezione sbagliata, ho ordinato vaniglia e mi è arrivato "
                "cioccolato",
                "Ciao, una confezione è arrivata rotta",
                "Vorrei fare il reso delle proteine, non mi piace il gusto",
            ),
            image_captions=("Ecco la foto della confezione", "Guardate com'è arrivata"),
            image_rate=0.5,
            steps=(
                (
                    (
                        "Ciao {nome}, scusaci! Ti rispediamo subito quella giusta, la sbagliata "
                        "puoi tenerla.",
                        "Ciao {nome}, mi dispiace! Ti rispediamo subito una confezione nuova, "
                        "quella rotta non serve rimandarla.",
                        "Ciao {nome}, nessun problema: ti mando l'etichetta di reso via e-mail, il "
                        "rimborso arriva in 3-5 giorni lavorativi.",
                    ),
                    ("Grazie, gentilissimi", "Ok, grazie mille", "Perfetto!"),
                ),
            ),
            closings=("Grazie a te per la pazienza 🌿",),
            notes=("Errore magazzino: scambio gusti whey", "Rimborso parziale su Shopify"),
            quiet_rate=0.05,
        ),
        "sconti": Topic(
            key="sconti",
            labels=("info-prodotto",),
            menu_choice="altro",
            openers=(
                "Avete codici sconto per il riordino?",
                "Ciao, fate spedizione gratuita?",
                "La melatonina crea dipendenza?",
                "Ci sarà il Black Friday anche quest'anno?",
            ),
            steps=(
                (
                    (
                        "Ciao {nome}! Con il codice RIORDINO10 hai il 10% sul riordino.",
                        "Ciao! Spedizione gratuita sopra i 39 €, sotto costa 4,90 €.",
                        "Ciao {nome}, no, la melatonina non dà dipendenza; meglio comunque non "
                        "superare 1 mg al giorno.",
                        "Ciao! Sì, dal 23 novembre sconti fino al 30% su tutto il sito 🖤",
                    ),
                    ("Grazie!", "Ottimo 😍", "Ok"),
                ),
            ),
            closings=("A presto!",),
            quiet_rate=0.2,
        ),
        "black_week_si": Topic(
            key="black_week_si",
            labels=("black-week",),
            openers=(),
            steps=(
                (
                    (
                        "Ciao {nome}! Usa il codice BLACK30 al checkout, vale fino al 1° dicembre "
                        "🖤",
                    ),
                    ("Grazie!", "Vale anche sulle proteine?"),
                ),
            ),
            closings=("Buono shopping! 🌿", "Sì, vale su tutto il catalogo! 🌿"),
            quiet_rate=0.4,
        ),
    },
    templates={
        "ordine_spedito": TemplateSpec(
            "ordine_spedito",
            "utility",
            "Ciao {{1}}, il tuo ordine {{2}} è stato spedito! 🚚 Tracking BRT: {{3}}",
        ),
        "riordino": TemplateSpec(
            "riordino",
            "marketing",
            "Ciao {{1}}, il tuo {{2}} sta per finire? Riordina ora con il codice RIORDINO10: 10% "
            "di sconto per te.",
            (("RIORDINA_ORA", "Riordina ora"), ("NON_ORA", "Non ora")),
        ),
        "promo_del_mese": TemplateSpec(
            "promo_del_mese",
            "marketing",
            "Ciao {{1}}! 🍂 Questo mese -20% su Omega 3 e Vitamina D3 con il codice AUTUNNO20.",
            (("SCOPRI", "Scopri le offerte"), ("NON_ORA", "Non ora")),
        ),
        "black_week": TemplateSpec(
            "black_week",
            "marketing",
            "Ciao {{1}}! 🖤 Black Week Vitalis: fino al 30% su tutto il sito fino al 1° dicembre.",
            (("VOGLIO_LO_SCONTO", "Voglio lo sconto"), ("NON_ORA", "Non ora")),
        ),
        "ripresa_conversazione": reengage_template(formal=False),
        "carrello_abbandonato": TemplateSpec(
            "carrello_abbandonato",
            "marketing",
            "Ciao {{1}}, hai lasciato qualcosa nel carrello 🛒 Completa l'ordine da qui: {{2}}",
        ),
    },
    ads=(
        Ad(
            "Magnesio e Potassio -20%",
            "Energia naturale per tutta la giornata. Scrivici!",
            "image",
            "sconti",
        ),
        Ad(
            "Consulenza gratuita",
            "Chiedi alla nostra nutrizionista su WhatsApp",
            "video",
            "consigli",
        ),
    ),  # fmt: skip
    products=(
        Product("VIT-MGK-30", "Magnesio e Potassio 30 bustine", "14.90", 2.0),
        Product("VIT-OM3-90", "Omega 3 Ultra 90 perle", "24.90", 1.4),
        Product("VIT-D3-2000", "Vitamina D3 2000 UI 60 cpr", "12.50", 1.4),
        Product("VIT-COL-300", "Collagene Marino 300 g", "34.90", 1.0),
        Product("VIT-WHE-VAN1", "Proteine Whey Isolate Vaniglia 1 kg", "39.90", 1.0),
        Product("VIT-MUL-D60", "Multivitaminico Donna 60 cpr", "19.90", 0.9),
        Product("VIT-FER-20", "Fermenti lattici 20 capsule", "17.50", 0.9),
        Product("VIT-MEL-60", "Melatonina Plus 60 cpr", "11.90", 0.8),
    ),
)


def _repurchase_cohort(total: int) -> int:
    """How many supplement customers are due to reorder (last order 25-35 days ago)."""
    return min(total // 2, max(20, round(total * 0.18)))


def plan(shard: Shard, shop: Shop | None, person: Person, position: int, total: int) -> Plan:
    rng = shard.rng
    assert shop is not None
    start, end = shard.start_ts, shard.end_ts
    due = position < _repurchase_cohort(total)
    persona = (
        "repeat_due"
        if due
        else pick(rng, {"repeat": 0.30, "oneoff": 0.25, "chat_only": 0.15, "shop_only": 0.30})
    )
    if persona == "shop_only":
        persona = "shop_repeat" if rng.random() < 0.5 else "shop_oneoff"
    cycle = int(min(38, max(24, rng.gauss(30, 3))) * DAY)
    consent = True if due and position < 16 else rng.random() < (0.85 if due else 0.65)
    plan = Plan(person, persona, first_moment(shard), cycle=cycle, marketing_ok=consent)
    plan.notify_ok = rng.random() < 0.7
    if persona.startswith("shop_"):
        # a few shop customers typed a number that is not on WhatsApp (always the first one)
        first = "shop_only" not in shard.flags
        shard.flags.add("shop_only")
        plan.on_whatsapp = not first and rng.random() < 0.93
    if persona == "chat_only":
        plan.topic = "consigli" if rng.random() < 0.7 else "sconti"
        plan.ad = ad_for(rng, shard.script, plan.topic, 0.25)
        plan.marketing_ok = rng.random() < 0.5
        plan.notify_ok = True
        if rng.random() >= (0.5 if plan.ad is not None else 0.3):  # ad leads buy more often
            _abandoned_carts(shard, shop, plan)
            return plan
        times = [plan.first_ts + rng.randint(2 * HOUR, 3 * DAY)]
    elif persona == "repeat_due":
        last = moment_in(shard, end - 35 * DAY + HOUR, end - 25 * DAY - HOUR)
        times = [last]
        while times[0] - cycle > start + DAY:
            times.insert(0, times[0] - cycle + rng.randint(-2 * DAY, 2 * DAY))
    elif persona in ("repeat", "shop_repeat"):
        moment = start + rng.randint(0, cycle)
        times = []
        while moment < end:
            times.append(moment_in(shard, moment, moment + DAY))
            moment += cycle + rng.randint(-3 * DAY, 3 * DAY)
    else:
        times = [first_moment(shard)]
    times = [ts for ts in times if start <= ts <= end]
    for number, created in enumerate(times):
        riordino = number > 0 and consent and plan.notify_ok and rng.random() < 0.45
        cancelled = created + rng.randint(HOUR, 20 * HOUR) if rng.random() < 0.02 else None
        shipped = (
            add_working(created, rng.randint(2 * HOUR, 10 * HOUR)) if cancelled is None else None
        )
        count = 1 if rng.random() < 0.55 else rng.randint(2, 3)
        plan.orders.append(
            shop.place(
                person,
                created,
                shop.pick_lines(count),
                consent,
                fulfilled_at=shipped,
                cancelled_at=cancelled,
                discount_code="RIORDINO10" if riordino else None,
                tags=("riordino",) if riordino else (),
            )
        )
    if plan.orders and persona not in ("chat_only",):
        plan.first_ts = min(plan.first_ts, plan.orders[0].created_at)
    _abandoned_carts(shard, shop, plan)
    return plan


def _abandoned_carts(shard: Shard, shop: Shop, plan: Plan) -> None:
    """Some orders follow an abandoned checkout (recovered carts, some after the WhatsApp
    reminder); some carts are left for good (no order within 3 days)."""
    rng = shard.rng
    start = shard.start_ts
    person = plan.person

    def reminder(created: int) -> int | None:
        # the shop's automation does not know who is on WhatsApp: it tries (131026 if not)
        return (
            created + rng.randint(HOUR, 2 * HOUR)
            if plan.marketing_ok and rng.random() < 0.55
            else None
        )

    for order in plan.orders:
        if order.cancelled_at is not None or rng.random() >= 0.1:
            continue
        remind_at = reminder(0)
        gap = rng.randint(3 * HOUR, 60 * HOUR) if remind_at else rng.randint(1200, 70 * HOUR)
        created = order.created_at - gap
        if created < start + HOUR:
            continue
        step = "payment" if rng.random() < 0.7 else "shipping"
        plan.checkouts.append(
            shop.abandon(
                person,
                created,
                order.lines,
                plan.marketing_ok,
                recovered_by=order,
                reminder_at=created + remind_at if remind_at else None,
                step=step,
            )
        )
    if rng.random() < 0.12:
        for _ in range(4):
            created = first_moment(shard)
            if any(created < o.created_at <= created + 3 * DAY for o in plan.orders):
                continue
            remind_at = reminder(created)
            step = pick(rng, {"payment": 0.4, "shipping": 0.35, "contact": 0.25})
            plan.checkouts.append(
                shop.abandon(
                    person,
                    created,
                    shop.pick_lines(1 if rng.random() < 0.6 else 2),
                    plan.marketing_ok,
                    reminder_at=remind_at,
                    step=step,
                )
            )
            break


def play(t: Thread, plan: Plan, agenda: Agenda) -> None:
    shard = t.shard
    rng = t.rng
    script = SCRIPT
    topics = script.topics
    writes = not plan.persona.startswith("shop_")
    ctx = context(shard, plan.person, plan.first_ts)
    product_names = {
        "VIT-MGK-30": "Magnesio e Potassio",
        "VIT-OM3-90": "Omega 3",
        "VIT-D3-2000": "Vitamina D3",
        "VIT-COL-300": "Collagene",
        "VIT-WHE-VAN1": "Proteine Whey",
        "VIT-MUL-D60": "Multivitaminico",
        "VIT-FER-20": "Fermenti lattici",
        "VIT-MEL-60": "Melatonina Plus",
    }

    if plan.persona == "chat_only":
        agenda.at(plan.first_ts, lambda ts: play_topic(t, topics[plan.topic], ts, ctx, plan.ad))

    for checkout in plan.checkouts:
        if checkout.reminder_at is None:
            continue

        def cart_reminder(ts: int, checkout: Checkout = checkout) -> None:
            assert shard.shop is not None
            template = script.templates["carrello_abbandonato"]
            url = shard.shop.recover_url(checkout)
            if t.send_template(ts, None, template, (plan.person.first_name, url)) is None:
                checkout.reminder_at = None  # failed (stopped marketing, not on WhatsApp, ...)
            else:
                checkout.reminder_at = ts

        agenda.at(checkout.reminder_at, cart_reminder)

    orders = [o for o in plan.orders if o.cancelled_at is None]
    for position, order in enumerate(orders):
        octx = Ctx(ctx, ordine=order.name, tracking=ids.tracking_number(rng))
        product = product_names.get(order.lines[0][0].sku, "integratore")
        if order.discount_code and plan.marketing_ok:
            reminder = order.created_at - rng.randint(2 * HOUR, 36 * HOUR)

            def reorder(ts: int, order: Order = order, product: str = product) -> None:
                sent = t.send_template(
                    ts, None, script.templates["riordino"], (plan.person.first_name, product)
                )
                if sent is None:
                    return
                window = order.created_at - sent.ts - 300
                if window > 120:
                    tap_at = sent.ts + rng.randint(60, min(window, 2 * HOUR))
                    t.tap(tap_at, sent, "button", script.templates["riordino"].buttons[0])
                    if shard.bot is not None:
                        t.send(tap_at + rng.randint(1, 3), shard.bot, REORDER_LINK)
                    maybe_stop(t, order.created_at + DAY, 0.03)

            agenda.at(reminder, reorder)
        if order.fulfilled_at is not None and plan.notify_ok:
            agenda.at(
                order.fulfilled_at,
                lambda ts, o=order, c=octx: t.send_template(
                    ts,
                    None,
                    script.templates["ordine_spedito"],
                    (plan.person.first_name, o.name, c["tracking"]),
                ),
            )
        if writes and order.fulfilled_at is not None:
            roll = rng.random()
            if roll < 0.18:
                when = moment_in(shard, order.fulfilled_at + DAY, order.fulfilled_at + 4 * DAY)
                agenda.at(when, lambda ts, c=octx: play_topic(t, topics["stato_ordine"], ts, c))
            elif roll < 0.21:
                when = moment_in(shard, order.fulfilled_at + 2 * DAY, order.fulfilled_at + 5 * DAY)
                agenda.at(when, lambda ts, c=octx: play_topic(t, topics["reso"], ts, c))
        # The reorder reminder after each order, unless the next order came through one.
        following = orders[position + 1] if position + 1 < len(orders) else None
        due = at_local(order.created_at + plan.cycle - 4 * DAY, 10, 30, rng, 1800)
        reminded = following is None or (not following.discount_code and due < following.created_at)
        if plan.marketing_ok and reminded and due < shard.end_ts - SAFETY:

            def remind(ts: int, product: str = product) -> None:
                template = script.templates["riordino"]
                sent = send_template(t, ts, template, (plan.person.first_name, product))
                answer = tap(t, sent, (0.0, 0.12))
                if answer is None and sent is not None:
                    maybe_stop(t, sent[0].ts, 0.05)

            agenda.at(due, remind)
    if writes and plan.persona != "chat_only" and rng.random() < 0.15:
        agenda.at(first_moment(shard), lambda ts: play_topic(t, topics["consigli"], ts, ctx))

    monthly = campaign_start(shard, 40, 12, 0)
    if monthly is not None and plan.marketing_ok and plan.orders:

        def promo(ts: int) -> None:
            if ts < plan.orders[0].created_at:
                return
            sent = send_template(
                t, ts, script.templates["promo_del_mese"], (plan.person.first_name,)
            )
            if tap(t, sent, (0.06, 0.04)) is None and sent is not None:
                maybe_stop(t, sent[0].ts, 0.04)

        agenda.at(monthly + rng.randint(0, 2400), promo)

    campaign = campaign_start(shard, 3, 18, 30)
    if campaign is not None and plan.marketing_ok and plan.orders:

        def black_week(ts: int) -> None:
            sent = send_template(t, ts, script.templates["black_week"], (plan.person.first_name,))
            answer = tap(t, sent, (0.07, 0.05))
            if answer is not None and answer[1] == "VOGLIO_LO_SCONTO":
                respond(t, topics["black_week_si"], answer[0], ctx, answered=True)
            elif sent is not None:
                maybe_stop(t, sent[0].ts, 0.03)

        agenda.at(campaign + rng.randint(0, 2400), black_week)
