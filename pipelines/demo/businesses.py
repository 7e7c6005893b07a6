"""What each demo business sounds like: operators, bot, topics customers write about,
templates, click-to-WhatsApp ads and products. Pure data; `stories.py` plays it out.

Texts use `{placeholders}` filled per conversation (see `stories.episode_context`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    name: str
    role: str  # front, sales, aftersales, dentist, agent, nutrition, teacher


@dataclass(frozen=True, slots=True)
class Menu:
    kind: str  # "button" (interactive reply buttons, up to 3) or "list"
    text: str
    options: tuple[tuple[str, str], ...]  # (id, title)
    button: str = "Scegli"


@dataclass(frozen=True, slots=True)
class Bot:
    name: str
    greeting: str
    menu: Menu


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    name: str
    category: str  # utility | marketing
    body: str  # with {{1}}, {{2}}, ... like the approved template
    buttons: tuple[tuple[str, str], ...] = ()  # quick replies: (payload, text)


@dataclass(frozen=True, slots=True)
class Ad:
    headline: str
    body: str
    media_type: str  # image | video


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    labels: tuple[str, ...]
    openers: tuple[str, ...]
    steps: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # (operator says, customer answers)
    closings: tuple[str, ...]
    role: str = "front"
    handoff_role: str | None = None
    handoff: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()
    thanks: tuple[str, ...] = ("Grazie mille!", "Perfetto, grazie", "Ok grazie 🙏", "Gentilissimi")
    reopeners: tuple[str, ...] = ()
    image_captions: tuple[str, ...] = ()
    image_rate: float = 0.0
    quiet_rate: float = 0.12
    urgent: bool = False
    menu_choice: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    title: str
    price: str  # euros as a string, VAT included
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Script:
    vertical: str
    formal: bool  # lei (True) or tu (False)
    operators: tuple[OperatorSpec, ...]
    topics: dict[str, Topic]
    templates: dict[str, TemplateSpec]
    bot: Bot | None = None
    ads: tuple[Ad, ...] = ()
    products: tuple[Product, ...] = ()
    shop_domain: str = ""
    email_domain: str = ""
    unanswered_rate: float = 0.06
    contact_share: float = 1.0
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)


GENERIC_REOPENERS = (
    "Scusate, un'ultima cosa: {reopen_question}",
    "Ah dimenticavo, {reopen_question}",
    "Buongiorno di nuovo, {reopen_question}",
)

# --------------------------------------------------------------------------- furniture
FURNITURE = Script(
    vertical="furniture",
    formal=True,
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
                "Buongiorno, vorrei un preventivo per una cucina su misura. La parete è di {metri} metri",
                "Salve, avete cucine componibili con isola? Vorrei un preventivo",
                "Buonasera, ho visto in showroom la cucina {cucina}, mi fareste un preventivo?",
                "Ciao! Stiamo ristrutturando casa in zona {zona}, ci servirebbe un preventivo per la cucina",
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
                "Segnato in agenda. A presto!",
            ),
            reopeners=(
                "Scusi, mi ricorda l'indirizzo dello showroom?",
                "Buongiorno, possiamo spostare l'appuntamento di mezz'ora?",
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
                "Buongiorno, l'ordine {ordine} doveva essere consegnato {ieri} ma non è arrivato nessuno",
                "Salve, il divano è arrivato ma c'è un graffio sul bracciolo",
                "Buongiorno, volevo sapere quando arriva il tavolo dell'ordine {ordine}",
                "Il montatore non si è presentato stamattina, mi potete richiamare?",
                "Buonasera, manca un pezzo della libreria (ordine {ordine})",
            ),
            image_captions=("Ecco la foto del danno", "Guardate qui il graffio", "Il pacco era così"),
            image_rate=0.35,
            steps=(
                (
                    (
                        "Buongiorno {nome}, sono {op} dell'assistenza post-vendita. Mi scuso per il "
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
                        "Per il danno mandiamo un tecnico {giorno}, oppure sostituiamo il pezzo. "
                        "Cosa preferisce?",
                    ),
                    (
                        "Sì va bene, ci sarà mia moglie",
                        "Preferisco la sostituzione",
                        "Ok, speriamo sia la volta buona",
                    ),
                ),
            ),
            closings=(
                "Perfetto, ho confermato. Ci scusiamo ancora per l'inconveniente.",
                "Fatto, le arriverà anche la conferma via e-mail. Buona serata!",
            ),
            reopeners=(
                "Il trasportatore non è ancora passato, sapete dirmi qualcosa?",
                "Buongiorno, il tecnico che orario ha indicato?",
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
                        "Buongiorno {nome}! Sì, è disponibile in 12 colori di velluto, consegna in "
                        "circa 6 settimane. Le mando il campionario?",
                        "Buongiorno! In showroom abbiamo diversi modelli in pronta consegna, siamo "
                        "aperti dal martedì al sabato 10-19 e la domenica 15-19.",
                        "Buongiorno {nome}, il prezzo è {prezzo} € con consegna e montaggio inclusi.",
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
                    ("Va benissimo {giorno}", "Meglio il pomeriggio se possibile", "Perfetto grazie"),
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
                    ("Il divano {divano}, passo sabato", "Il tavolo allungabile, è ancora scontato?"),
                ),
            ),
            closings=("Ti aspettiamo!",),
            quiet_rate=0.3,
        ),
    },
    templates={
        "conferma_consegna": TemplateSpec(
            "conferma_consegna",
            "utility",
            "Gentile {{1}}, la consegna del suo ordine {{2}} è prevista per {{3}} tra le 8 e le 13. "
            "Ci conferma la sua presenza?",
            (("CONFERMO", "Confermo"), ("CAMBIA_DATA", "Cambia data")),
        ),
        "ripresa_conversazione": TemplateSpec(
            "ripresa_conversazione",
            "utility",
            "Buongiorno {{1}}, la ringraziamo per l'attesa: abbiamo preso in carico la sua "
            "richiesta. Ci risponda pure qui per continuare.",
        ),
        "black_week_arredo": TemplateSpec(
            "black_week_arredo",
            "marketing",
            "Ciao {{1}}! Black Week da Arredi Navigli: fino al 30% su divani e tavoli. "
            "Ti aspettiamo in showroom in via Vigevano.",
            (("MI_INTERESSA", "Mi interessa"), ("NO_GRAZIE", "No grazie")),
        ),
    },
    ads=(
        Ad("Cucine su misura a Milano", "Progetto 3D gratuito: scrivici su WhatsApp", "image"),
        Ad("Divani in pronta consegna", "Oltre 40 modelli in showroom sui Navigli", "video"),
    ),
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

# --------------------------------------------------------------------------- gym
GYM = Script(
    vertical="gym",
    formal=False,
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
                        "Ciao {nome}! Ti ho segnato per {slot}. Porta scarpe da ginnastica pulite e "
                        "un asciugamano 😊",
                        "Ciao {nome}, perfetto! Ti aspettiamo {slot}. Ricordati un documento per "
                        "la registrazione all'ingresso.",
                    ),
                    ("Perfetto grazie!", "Ok ci sarò", "Grazie! Serve il certificato medico?"),
                ),
            ),
            closings=("Ti aspettiamo! 💪", "A presto in palestra!"),
            reopeners=("Scusa, il parcheggio è gratuito?", "Ciao, posso portare un'amica alla prova?"),
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
                        "Ciao {nome}! Trimestrale open 159 €, annuale 490 €. Per gli studenti "
                        "Unibo c'è il 15% di sconto con il badge.",
                        "Ciao! Sì, l'annuale si può pagare in due rate da 250 €. Pilates e yoga "
                        "sono inclusi nell'open.",
                    ),
                    ("Perfetto, passo domani", "Ok grazie, ci penso", "E la piscina?"),
                ),
                (
                    (
                        "La piscina non ce l'abbiamo, ma abbiamo la sala fisioterapia 😊",
                        "Quando passi chiedi di {op}, ti faccio vedere la palestra.",
                    ),
                    ("Ok!", "Va bene, grazie"),
                ),
            ),
            closings=("A presto! 💪",),
            reopeners=("Fino a che ora siete aperti il sabato?",),
            quiet_rate=0.3,
        ),
        "iscritto": Topic(
            key="iscritto",
            labels=("iscritto",),
            menu_choice="altro",
            role="trainer",
            openers=(
                "Ciao, mi sono fatto male al ginocchio, posso sospendere l'abbonamento per un mese?",
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
                        "Ciao {nome}, sì confermata alle 19:00. Ti ho segnato!",
                        "Ciao! Ti ho fissato {giorno} alle {ora} con me per la nuova scheda.",
                    ),
                    ("Grazie mille", "Perfetto 👍", "Ok ci vediamo {giorno}"),
                ),
            ),
            closings=("Buon allenamento!",),
            reopeners=("Scusa, a che ora apre la reception domani?",),
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
                    ("Ok passo in settimana a fare l'iscrizione", "Grazie, ci penso", "Top, mi iscrivo!"),
                ),
            ),
            closings=("Ti aspettiamo in reception!",),
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
            closings=("Perfetto, a presto!",),
            quiet_rate=0.2,
        ),
        "promo_interesse": Topic(
            key="promo_interesse",
            labels=("promo",),
            openers=(),
            steps=(
                (
                    ("Ciao {nome}! Passa in reception entro fine mese e ti attiviamo l'offerta a 129 € 💪",),
                    ("Ok passo domani", "Vale anche per il semestrale?"),
                ),
            ),
            closings=("A presto!",),
            quiet_rate=0.3,
        ),
    },
    templates={
        "promemoria_lezione": TemplateSpec(
            "promemoria_lezione",
            "utility",
            "Ciao {{1}}! Ti ricordiamo la tua lezione di prova {{2}} alle {{3}} da Palestra FisioFit.",
            (("CI_SARO", "Ci sarò"), ("DEVO_DISDIRE", "Devo disdire")),
        ),
        "ripresa_conversazione": TemplateSpec(
            "ripresa_conversazione",
            "utility",
            "Ciao {{1}}, scusa l'attesa! Abbiamo visto il tuo messaggio: rispondici qui e ti "
            "aiutiamo subito.",
        ),
        "promo_rientro": TemplateSpec(
            "promo_rientro",
            "marketing",
            "Ciao {{1}}, ci manchi! 💪 Solo per questo mese: abbonamento trimestrale a 129 € "
            "invece di 159 €.",
            (("MI_INTERESSA", "Mi interessa"), ("NO_GRAZIE", "No grazie")),
        ),
    },
    ads=(
        Ad("Prima settimana gratis 💪", "Scrivici su WhatsApp e prenota la tua prova da FisioFit Bologna", "image"),
        Ad("Pilates a Bologna: prova gratuita", "Lezioni in piccoli gruppi in via Stalingrado", "video"),
        Ad("Functional training", "Prova la prima lezione gratis, scrivici ora", "image"),
    ),  # fmt: skip
    extra={
        "slot": (
            "lunedì alle 18:30 (Functional)",
            "mercoledì alle 19:00 (Pilates)",
            "sabato alle 10:00 (Cross training)",
            "martedì alle 13:00 (Total body)",
            "giovedì alle 20:00 (Spinning)",
        ),
    },
)

GYM_SLOTS = Menu(
    "list",
    "Scegli la lezione di prova che preferisci 👇",
    (
        ("slot_lun_1830", "Lunedì 18:30 Functional"),
        ("slot_mar_1300", "Martedì 13:00 Total body"),
        ("slot_mer_1900", "Mercoledì 19:00 Pilates"),
        ("slot_gio_2000", "Giovedì 20:00 Spinning"),
        ("slot_sab_1000", "Sabato 10:00 Cross training"),
    ),
    button="Vedi orari",
)

# --------------------------------------------------------------------------- language school
LANGUAGES = Script(
    vertical="language_school",
    formal=False,
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
            (("corsi", "Info corsi"), ("studente", "Sono uno studente"), ("certificati", "Certificati")),
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
                        "Ciao {nome}! Il corso di {lingua} serale è il martedì e giovedì 19-21, "
                        "320 € a trimestre. Per capire il livello facciamo un test gratuito: "
                        "quando ti farebbe comodo?",
                        "Ciao {nome}, sì! Abbiamo gruppi da massimo 8 persone. Prima facciamo un "
                        "test di livello gratuito di 20 minuti, anche online.",
                    ),
                    ("Anche {giorno} pomeriggio", "Online va benissimo", "Ok, ci penso e vi scrivo"),
                ),
                (
                    (
                        "Perfetto, ti ho fissato il test {giorno} alle {ora}. Ti arriva il link "
                        "per e-mail.",
                        "Benissimo, ti aspettiamo {giorno} alle {ora} in via Nazionale 54.",
                    ),
                    ("Grazie!", "Perfetto, a {giorno}"),
                ),
            ),
            closings=("A presto! 📚", "Ciao, buona giornata!"),
            reopeners=("Scusa, il test dura tanto?", "Si può pagare con la carta del docente?"),
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
                "Hi! Ho perso il libro di testo, lo posso comprare da voi?",
            ),
            steps=(
                (
                    (
                        "Ciao {nome}, certo! Puoi recuperare {giorno} alle {ora} con il gruppo B.",
                        "Ciao {nome}, la seconda rata scade il 15, puoi pagare anche con bonifico.",
                        "Ciao! Sì, la lezione è confermata, la prof. Smith sarà in sede.",
                    ),
                    ("Perfetto grazie", "Ok 👍", "Grazie mille!"),
                ),
            ),
            closings=("A presto!",),
            reopeners=("Scusa, mi mandi l'IBAN?",),
            quiet_rate=0.1,
        ),
        "certificato": Topic(
            key="certificato",
            labels=("alumni", "certificato"),
            menu_choice="certificati",
            role="teacher",
            openers=(
                "Salve, ho frequentato il corso B2 l'anno scorso, mi serve il certificato per un concorso",
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
                    ),
                    ("PDF va benissimo", "Mi interessa, come mi iscrivo?", "Grazie!"),
                ),
            ),
            closings=("Fatto! Buona fortuna per il concorso 🍀", "A presto!"),
            reopeners=("Scusa, nel certificato c'è anche il numero di ore?",),
            quiet_rate=0.15,
        ),
        "dubbio_corso": Topic(
            key="dubbio_corso",
            labels=("studente",),
            openers=(),
            steps=(
                (
                    ("Ciao {nome}, dimmi pure!",),
                    ("Il libro lo compro io o me lo date voi?", "Posso venire 10 minuti in ritardo il primo giorno?"),
                ),
                (
                    ("Il libro è incluso nella quota, te lo diamo il primo giorno 📚", "Certo, nessun problema!"),
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
            closings=("A sabato!",),
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
        "ripresa_conversazione": TemplateSpec(
            "ripresa_conversazione",
            "utility",
            "Ciao {{1}}, scusa il ritardo! Abbiamo letto il tuo messaggio: rispondici qui per "
            "continuare.",
        ),
        "open_day": TemplateSpec(
            "open_day",
            "marketing",
            "Ciao {{1}}! Sabato {{2}} open day con lezioni di prova gratuite di inglese, spagnolo "
            "e tedesco. Vuoi prenotare un posto?",
            (("PRENOTO", "Prenoto"), ("NON_INTERESSATO", "Non interessato")),
        ),
    },
    ads=(
        Ad("Inglese a Roma Centro", "Test di livello gratuito: scrivici su WhatsApp", "image"),
        Ad("Corsi di spagnolo serali", "Gruppi da max 8 persone, a due passi da Termini", "image"),
    ),
    extra={"lingua": ("inglese", "spagnolo", "tedesco", "francese", "inglese", "giapponese")},
)

# --------------------------------------------------------------------------- dental clinic
DENTAL = Script(
    vertical="dental_clinic",
    formal=True,
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
                        "Le ho trovato {giorno} alle 17:30, l'ho segnata.",
                    ),
                    ("Grazie mille", "Perfetto 🙏"),
                ),
            ),
            closings=("A presto, buona giornata!", "La aspettiamo. Buona serata!"),
            reopeners=("Scusate, devo portare le lastre vecchie?",),
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
                        "Sono il dott. Gallo: venga in studio appena può, la vediamo subito. "
                        "Eviti cibi caldi e freddi.",
                    ),
                    ("Grazie mille, arrivo", "Grazie, sto arrivando", "Ok, ci vediamo alle {ora}"),
                ),
            ),
            closings=("A dopo.", "Ci vediamo tra poco."),
            reopeners=("Il dolore è tornato, è normale?",),
            notes=("Sospetta pulpite 36, inserita in agenda", "Paziente allergica alla penicillina"),
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
            closings=("Perfetto, a presto.",),
            reopeners=("Fate anche finanziamenti a tasso zero?",),
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
                        "Buongiorno, ho annullato. Quando sta meglio ci scriva e la reinseriamo.",
                    ),
                    ("Sì perfetto", "Grazie e scusate", "Ok, vi scrivo la settimana prossima"),
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
                    ("Sì perfetto", "Avreste qualcosa più tardi?", "Va bene, grazie"),
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
                    ("Buongiorno {nome}, abbiamo posto {giorno} alle {ora} per l'igiene. Confermiamo?",),
                    ("Sì confermo", "Non riesco, avete il sabato?"),
                ),
            ),
            closings=("Perfetto, a presto!",),
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
        "ripresa_conversazione": TemplateSpec(
            "ripresa_conversazione",
            "utility",
            "Gentile {{1}}, ci scusiamo per l'attesa: abbiamo ricevuto il suo messaggio. Ci "
            "risponda qui per continuare.",
        ),
        "richiamo_igiene": TemplateSpec(
            "richiamo_igiene",
            "marketing",
            "Gentile {{1}}, sono passati 6 mesi dalla sua ultima igiene. Prenoti ora il controllo: "
            "a novembre lo sbiancamento è scontato del 20%.",
            (("PRENOTA", "Prenota"), ("NON_ORA", "Non ora")),
        ),
    },
)

# --------------------------------------------------------------------------- estate agent
ESTATE = Script(
    vertical="estate_agent",
    formal=True,
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
                "Cerchiamo casa a Milano, {locali} con balcone, zona {zona} o dintorni, fino a {budget} €",
                "Buonasera, siamo una coppia con un bimbo, cerchiamo {locali} in {zona} max {budget}",
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
                        "Buongiorno {nome}, grazie! Per capire meglio: quanti locali minimo, serve "
                        "il box, e avete già la pre-delibera del mutuo?",
                        "Buongiorno {nome}, sì è ancora disponibile. Ha già venduto casa o deve "
                        "vendere per acquistare?",
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
            closings=("Perfetto, a {giorno}!", "Le confermo tutto via e-mail. Buona giornata!"),
            reopeners=(
                "Scusi, nel condominio c'è il riscaldamento centralizzato?",
                "Le spese condominiali a quanto ammontano?",
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
                "Buongiorno, vorrei vendere il mio bilocale in zona {zona}, potete fare una valutazione?",
                "Salve, quanto vale secondo voi un trilocale in {zona} da ristrutturare?",
                "Buongiorno, ho ereditato un appartamento in {zona}, vorrei capire quanto vale",
            ),
            steps=(
                (
                    (
                        "Buongiorno {nome}, la valutazione è gratuita. Possiamo fare un sopralluogo "
                        "{giorno} alle {ora}? Mi dice metratura e piano?",
                    ),
                    ("Sono 68 mq al secondo piano, va bene {giorno}", "Circa 90 mq, terzo piano con ascensore"),
                ),
            ),
            closings=("Perfetto, a {giorno}.",),
            reopeners=("Per la valutazione serve la planimetria catastale?",),
            quiet_rate=0.2,
        ),
        "affitto": Topic(
            key="affitto",
            labels=("affitto",),
            role="front",
            openers=(
                "Salve, l'appartamento in affitto in via {via} è ancora libero?",
                "Buongiorno, cercate solo contratti 4+4 o anche transitori?",
            ),
            steps=(
                (
                    (
                        "Buongiorno, purtroppo è già stato affittato. Le segnalo le prossime "
                        "disponibilità in zona?",
                        "Buongiorno, facciamo anche transitori per lavoratori fuori sede.",
                    ),
                    ("Sì grazie", "Ok grazie lo stesso"),
                ),
            ),
            closings=("Buona giornata!",),
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
            closings=("Le mando la posizione. A presto!",),
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
        "ripresa_conversazione": TemplateSpec(
            "ripresa_conversazione",
            "utility",
            "Buongiorno {{1}}, ci scusiamo per l'attesa: abbiamo ricevuto il suo messaggio. Ci "
            "risponda qui per continuare.",
        ),
    },
    ads=(
        Ad("Trilocali in zona Isola", "Nuove costruzioni classe A, scrivici per le planimetrie", "image"),
        Ad("Vendi casa a Milano?", "Valutazione gratuita in 48 ore con Casa Brera", "video"),
    ),
    extra={
        "zona": ("Isola", "Porta Romana", "Città Studi", "NoLo", "Brera", "Navigli", "De Angeli",
                 "Bicocca", "Lambrate", "San Siro", "Porta Venezia", "Dergano"),
        "locali": ("bilocale", "trilocale", "trilocale", "quadrilocale"),
        "budget": ("350.000", "420.000", "480.000", "550.000", "650.000", "300.000", "800.000"),
        "via": ("Thaon di Revel", "Pastrengo", "Crema", "Ripamonti", "Padova", "Tortona",
                "Vittor Pisani", "Washington"),
        "prezzo": ("415.000", "439.000", "389.000", "520.000", "610.000"),
    },  # fmt: skip
)

# --------------------------------------------------------------------------- supplements shop
SUPPLEMENTS = Script(
    vertical="supplements_shop",
    formal=False,
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
                        "Ciao {nome}! Il tuo ordine è partito ieri con BRT, ecco il tracking: "
                        "{tracking}. Arriva entro 48 ore 🚚",
                        "Ciao {nome}, l'ordine {ordine} è in consegna oggi. Il codice BRT è "
                        "{tracking}.",
                    ),
                    ("Grazie mille!", "Perfetto 👍", "Ok grazie, ma non ero a casa, ripassano?"),
                ),
                (
                    ("Sì, BRT ripassa domani. Puoi anche scegliere il fermopoint dal link di tracking.",),
                    ("Ok grazie",),
                ),
            ),
            closings=("Buona giornata! 🌿",),
            reopeners=("Il corriere ha lasciato l'avviso ma ero a casa...",),
            quiet_rate=0.15,
        ),
        "consigli": Topic(
            key="consigli",
            labels=("consulenza",),
            menu_choice="consigli",
            role="front",
            handoff_role="nutrition",
            handoff=(
                "Ciao {nome}! Ti passo {op2}, la nostra nutrizionista, che ti risponde meglio di me 😊",
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
                        "pieno. Per la stanchezza ti consiglio Magnesio e Potassio la mattina.",
                        "Ciao {nome}, sono {op}, nutrizionista. In gravidanza meglio chiedere "
                        "prima al ginecologo, ti mando la scheda tecnica da mostrargli.",
                        "Ciao! La nostra whey è isolata, quasi senza lattosio. 2 capsule di omega 3 "
                        "al giorno vanno benissimo.",
                    ),
                    ("Grazie mille, gentilissima!", "Ok allora lo ordino", "Perfetto grazie"),
                ),
            ),
            closings=("Se hai altri dubbi scrivimi pure 🌿",),
            reopeners=("Scusa, per quanto tempo posso prenderlo?",),
            quiet_rate=0.1,
        ),
        "reso": Topic(
            key="reso",
            labels=("reso",),
            menu_choice="resi",
            openers=(
                "Ho ricevuto la confezione sbagliata, ho ordinato vaniglia e mi è arrivato cioccolato",
                "Ciao, una confezione è arrivata rotta",
                "Vorrei fare il reso delle proteine, non mi piace il gusto",
            ),
            image_captions=("Ecco la foto della confezione", "Guardate com'è arrivata"),
            image_rate=0.5,
            steps=(
                (
                    (
                        "Ciao {nome}, scusaci! Ti rispediamo subito quella giusta, la sbagliata "
                        "puoi tenerla. Ti arriva il nuovo tracking per e-mail.",
                        "Ciao {nome}, mi dispiace! Ti ho fatto un rimborso sulla carta, lo vedi "
                        "in 3-5 giorni lavorativi.",
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
                        "Ciao {nome}! Spedizione gratuita sopra i 39 €, e con il codice "
                        "RIORDINO10 hai il 10% sul riordino.",
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
                    ("Ciao {nome}! Usa il codice BLACK30 al checkout, vale fino al 1° dicembre 🖤",),
                    ("Grazie!", "Vale anche sulle proteine?"),
                ),
            ),
            closings=("Buono shopping! 🌿",),
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
        "black_week": TemplateSpec(
            "black_week",
            "marketing",
            "Ciao {{1}}! 🖤 Black Week Vitalis: fino al 30% su tutto il sito fino al 1° dicembre.",
            (("VOGLIO_LO_SCONTO", "Voglio lo sconto"), ("NON_ORA", "Non ora")),
        ),
        "ripresa_conversazione": TemplateSpec(
            "ripresa_conversazione",
            "utility",
            "Ciao {{1}}, scusa l'attesa! Abbiamo visto il tuo messaggio: rispondici qui e ti "
            "aiutiamo subito.",
        ),
    },
    ads=(
        Ad("Magnesio e Potassio -20%", "Energia naturale per tutta la giornata. Scrivici!", "image"),
        Ad("Consulenza gratuita", "Chiedi alla nostra nutrizionista su WhatsApp", "video"),
    ),
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

SCRIPTS: dict[str, Script] = {
    script.vertical: script for script in (FURNITURE, GYM, LANGUAGES, DENTAL, ESTATE, SUPPLEMENTS)
}

WEEKDAYS_IT = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
MONTHS_IT = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
)  # fmt: skip
