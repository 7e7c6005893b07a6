"""What people say to the demo businesses outside WhatsApp: Instagram and Messenger DMs, web
chat, e-mail. Same pairing rule as `businesses` (a list as long as the one used just before it
answers position by position); `{placeholders}` are filled per conversation.

An `Exchange` is one short conversation: the customer's opener (and, for e-mail, its subject),
the business's reply, maybe the customer's answer and the business's closing. `handoff`
exchanges end with the customer moving to WhatsApp; `books` exchanges end with an appointment
in the business's calendar (the customer leaves a phone number for it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Exchange:
    key: str
    openers: tuple[str, ...]
    replies: tuple[str, ...]
    answers: tuple[str, ...] = ()
    closings: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()  # e-mail: paired with openers
    handoff: bool = False
    books: str = ""  # calendar kind, e.g. "Lezione di prova"
    needs_order: bool = False  # only for customers with an order ({ordine})


THANKS = ("Grazie mille!", "Perfetto, grazie 🙏", "Gentilissimi", "Ok grazie!")
REACTIONS = ("❤️", "👍", "😍", "🙏")

# ------------------------------------------------------------------ Instagram / Messenger
FURNITURE_SOCIAL = (
    Exchange(
        "info_prodotto",
        openers=(
            "Ciao! Il divano {divano} in velluto verde è disponibile?",
            "Quanto costa il tavolo in rovere della foto?",
            "Buongiorno, consegnate anche fuori Milano?",
            "Che misure ha la libreria Brera? 😍",
            "Bellissimo! Prezzo?",
        ),
        replies=(
            "Ciao {nome}! Sì, il {divano} in velluto verde è in pronta consegna, vieni a vederlo "
            "in showroom 😊",
            "Ciao! Il tavolo allungabile in rovere 180 cm è 690 €, consegna inclusa a Milano.",
            "Ciao {nome}! Sì, consegniamo in tutta la Lombardia: fuori Milano il trasporto è 79 €.",
            "Ciao! 180x35x200 cm, e la puoi comporre come vuoi 😍",
            "Ciao {nome}! Parte da 1.290 €, in showroom trovi tutti i colori.",
        ),
        answers=("Grazie! Passo sabato", "Ok perfetto", "Si può pagare a rate?"),
        closings=(
            "Ti aspettiamo sui Navigli! ✨",
            "A presto!",
            "Certo, anche in 10 rate senza interessi 😊",
        ),
    ),
    Exchange(
        "preventivo_whatsapp",
        openers=(
            "Ciao, vorrei un preventivo per una cucina su misura",
            "Ciao! Mi fate un preventivo per il divano {divano} angolare?",
            "Salve, quanto verrebbe una cucina come quella del post?",
        ),
        replies=(
            "Ciao {nome}! Per i preventivi ti segue il nostro consulente su WhatsApp: scrivici al "
            "{whatsapp} e ti rispondiamo subito 😊",
        ),
        answers=("Perfetto, vi scrivo lì!", "Ok, vi scrivo su WhatsApp", "Grazie, vi scrivo"),
        handoff=True,
    ),
)

GYM_SOCIAL = (
    Exchange(
        "prova",
        openers=(
            "Ciao! Info prova gratuita 💪",
            "Ciao, come funziona la settimana gratis?",
            "Buonasera, posso venire a provare pilates?",
            "Ciao! Vorrei provare il functional",
        ),
        replies=(
            "Ciao {nome}! La prova è gratuita: ti segno {slot}? Lasciaci un numero di telefono "
            "per la conferma 😊",
        ),
        answers=("Sì perfetto! Il mio numero è {telefono}", "Va bene, {telefono}"),
        closings=("Fatto! Ti aspettiamo {slot} 💪", "Segnato! A presto in palestra 💪"),
        books="Lezione di prova",
    ),
    Exchange(
        "info",
        openers=(
            "Quanto costa l'abbonamento mensile?",
            "Ciao, il pilates è adatto anche ai principianti?",
            "Che orari fate il sabato?",
            "Avete la convenzione per gli studenti?",
        ),
        replies=(
            "Ciao {nome}! Il mensile open è 59 €, il trimestrale 159 €.",
            "Ciao! Sì, abbiamo un corso base il mercoledì alle 19:00 😊",
            "Ciao! Il sabato siamo aperti dalle 9 alle 19.",
            "Ciao {nome}! Sì, 15% di sconto per gli studenti Unibo.",
        ),
        answers=("Grazie!", "Ok, passo a vedere", "Perfetto"),
        closings=("Ti aspettiamo! 💪",),
    ),
    Exchange(
        "whatsapp",
        openers=(
            "Ciao, vorrei sospendere l'abbonamento per un infortunio",
            "Ciao! Posso cambiare il mio piano di allenamento?",
        ),
        replies=(
            "Ciao {nome}! Per queste richieste scrivici su WhatsApp al {whatsapp}, così ti "
            "risponde direttamente la reception 😊",
        ),
        answers=("Ok, vi scrivo lì", "Perfetto grazie"),
        handoff=True,
    ),
)

SUPPLEMENTS_SOCIAL = (
    Exchange(
        "consigli",
        openers=(
            "Ciao! Il collagene marino va bene anche per gli uomini?",
            "Avete codici sconto? 😍",
            "Ho visto la storia: la promo vale anche sulla vitamina D?",
            "Ciao, il magnesio lo posso prendere la sera?",
        ),
        replies=(
            "Ciao {nome}! Certo, il collagene è per tutti 🌿",
            "Ciao! Con il codice INSTA10 hai il 10% sul primo ordine 💚",
            "Ciao {nome}! Sì, la promo vale su tutta la linea vitamine fino a domenica.",
            "Ciao! Sì, anzi la sera aiuta anche il riposo 😊",
        ),
        answers=("Grazie mille!", "Top 😍", "Ok, ordino subito"),
        closings=("Buona giornata! 🌿", "A presto 💚"),
    ),
    Exchange(
        "ordine",
        openers=(
            "Ciao, il mio ordine non è ancora arrivato",
            "Ciao! Ho un problema con l'ordine, posso scrivervi?",
        ),
        replies=(
            "Ciao {nome}! Scrivici su WhatsApp al {whatsapp} con il numero d'ordine: il servizio "
            "clienti ti risponde subito 🌿",
        ),
        answers=("Perfetto, vi scrivo lì!", "Ok grazie"),
        handoff=True,
    ),
)

# ------------------------------------------------------------------ web chat
WEBCHAT_GREETINGS = {
    "language_school": "Ciao! 👋 Sono l'assistente della Scuola di Lingue Roma Centro. Come "
    "possiamo aiutarti?",
    "estate_agent": "Buongiorno! 👋 Benvenuto su Casa Brera Immobiliare. Come possiamo aiutarla?",
    "supplements_shop": "Ciao! 🌿 Sono l'assistente Vitalis. Come posso aiutarti?",
}
WEBCHAT_ASK_CONTACT = (
    "Per non perdere la risposta, ci lasci nome ed e-mail o numero di telefono?",
    "Mi lasci un recapito (e-mail o telefono) così ti ricontattiamo se chiudi la chat?",
)
WEBCHAT_OFFLINE = (
    "Siamo offline in questo momento: ti rispondiamo appena rientriamo, all'indirizzo che "
    "ci hai lasciato."
)

LANGUAGE_WEBCHAT = (
    Exchange(
        "corsi",
        openers=(
            "Buongiorno, avete corsi di {lingua} il sabato mattina?",
            "Quanto costa il corso serale di {lingua}?",
            "Vorrei fare il test di livello di {lingua}",
            "Ciao, organizzate corsi per la certificazione IELTS?",
        ),
        replies=(
            "Sì! Il sabato 10-13, 290 € a trimestre. Vuole fare prima il test di livello gratuito?",
            "Il serale è 320 € a trimestre, martedì e giovedì 19-21. Prima facciamo un test di "
            "livello gratuito.",
            "Certo! Le fisso il test {giorno} alle {ora}, in via Nazionale 54 o online.",
            "Sì, il corso IELTS parte ogni due mesi: prima serve il test di livello.",
        ),
        answers=("Sì, grazie", "Ok, quando si può fare il test?", "Va bene {giorno}"),
        closings=(
            "Perfetto, le ho fissato il test {giorno} alle {ora}. Le arriva la conferma via "
            "e-mail.",
        ),
        books="Test di livello",
    ),
    Exchange(
        "pagamenti",
        openers=(
            "Si può pagare con la carta del docente?",
            "Posso pagare il corso in due rate?",
        ),
        replies=(
            "Sì, accettiamo la carta del docente per tutti i corsi.",
            "Sì, la seconda rata si paga a metà corso.",
        ),
        answers=("Grazie!", "Perfetto"),
    ),
)

ESTATE_WEBCHAT = (
    Exchange(
        "annuncio",
        openers=(
            "Buongiorno, il {locali} in via {via} è ancora disponibile?",
            "Salve, vorrei visitare il {locali} in zona {zona}",
            "L'appartamento in {zona} ha il box?",
        ),
        replies=(
            "Buongiorno, sì, è disponibile. Un nostro agente la ricontatta per fissare una visita.",
            "Certo! Un agente la ricontatta oggi stesso per la visita.",
            "Il box è acquistabile a parte a 35.000 €. Vuole fissare una visita?",
        ),
        answers=("Grazie, aspetto la chiamata", "Perfetto", "Sì, volentieri"),
    ),
    Exchange(
        "valutazione",
        openers=(
            "Vorrei una valutazione del mio appartamento in {zona}",
            "Quanto vale un trilocale in {zona}?",
        ),
        replies=(
            "La valutazione è gratuita: un agente la chiama per fissare un sopralluogo.",
            "Dipende da piano e stato: le facciamo una valutazione gratuita con sopralluogo.",
        ),
        answers=("Va bene, grazie", "Ok, attendo"),
    ),
)

SUPPLEMENTS_WEBCHAT = (
    Exchange(
        "prodotti",
        openers=(
            "Ciao, le proteine whey hanno lattosio?",
            "Che differenza c'è tra omega 3 ultra e quello normale?",
            "La spedizione quanto ci mette?",
            "Il codice RIORDINO10 vale anche sul collagene?",
        ),
        replies=(
            "Ciao! La nostra whey è isolata, quasi senza lattosio 🌿",
            "Ciao! L'Ultra ha il doppio di EPA e DHA per perla.",
            "Ciao! Con BRT arriva in 24-48 ore lavorative.",
            "Ciao! Sì, vale su tutto il catalogo.",
        ),
        answers=("Grazie!", "Ok perfetto", "Ottimo, ordino"),
    ),
    Exchange(
        "ordine",
        openers=(
            "Ciao, il mio ordine {ordine} risulta ancora in preparazione",
            "Posso modificare l'indirizzo dell'ordine {ordine}?",
        ),
        replies=(
            "Ciao {nome}! Parte oggi, ti arriva il tracking via e-mail.",
            "Ciao {nome}! Sì, l'ho modificato io: ti arriva la conferma via e-mail.",
        ),
        answers=("Grazie mille!", "Perfetto"),
        needs_order=True,
    ),
)

# ------------------------------------------------------------------ e-mail
FURNITURE_EMAIL = (
    Exchange(
        "preventivo",
        subjects=("Richiesta preventivo cucina", "Preventivo divano {divano}", "Informazioni"),
        openers=(
            "vorrei ricevere un preventivo per una cucina su misura per una parete di circa "
            "{metri} metri. Posso passare in showroom sabato?",
            "vorrei sapere il prezzo del divano {divano} angolare in tessuto, e i tempi di "
            "consegna.",
            "avete ancora in esposizione il tavolo in rovere allungabile? Vorrei vederlo.",
        ),
        replies=(
            "grazie per averci scritto. Sabato siamo aperti dalle 10 alle 19: il nostro "
            "progettista può prepararle un progetto 3D gratuito se porta le misure della "
            "parete.",
            "il {divano} angolare in tessuto parte da 1.690 €, con consegna in 4-5 settimane. "
            "In showroom trova tutti i campioni dei tessuti.",
            "sì, il tavolo è ancora in esposizione in showroom, in via Ripa di Porta Ticinese. "
            "La aspettiamo.",
        ),
        answers=(
            "Perfetto, passo sabato mattina con le misure.",
            "Grazie, passerò in settimana a vedere i tessuti.",
            "Grazie, a presto.",
        ),
        closings=("La aspettiamo. Buona giornata.",),
    ),
    Exchange(
        "ordine",
        subjects=("Ordine {ordine}", "Fattura ordine {ordine}", "Consegna ordine {ordine}"),
        openers=(
            "vi scrivo per l'ordine {ordine}: potete dirmi quando è prevista la consegna?",
            "avrei bisogno della fattura dell'ordine {ordine} intestata alla mia azienda.",
            "per la consegna dell'ordine {ordine} il portone è in via laterale, il citofono è "
            "al secondo cancello.",
        ),
        replies=(
            "la consegna dell'ordine {ordine} è prevista per la prossima settimana: la "
            "contatteremo il giorno prima per confermare la fascia oraria.",
            "certo, ci mandi ragione sociale, partita IVA e codice SDI e le emettiamo la fattura.",
            "grazie, abbiamo aggiunto la nota alla consegna.",
        ),
        answers=("Grazie mille.", "Vi mando subito i dati.", "Perfetto, grazie."),
        needs_order=True,
    ),
)

LANGUAGE_EMAIL = (
    Exchange(
        "iscrizione",
        subjects=("Iscrizione corso di {lingua}", "Informazioni corsi", "Test di livello"),
        openers=(
            "vorrei iscrivermi al corso serale di {lingua} che parte a gennaio. Cosa devo fare?",
            "vorrei informazioni sui corsi di {lingua} per adulti, livello principiante.",
            "vorrei prenotare il test di livello di {lingua}.",
        ),
        replies=(
            "per l'iscrizione serve prima il test di livello gratuito: possiamo fissarlo "
            "{giorno} alle {ora}?",
            "il corso per principianti è il martedì e il giovedì dalle 19 alle 21, 320 € a "
            "trimestre. Prima facciamo un breve test gratuito: le va bene {giorno} alle {ora}?",
            "certo, le propongo {giorno} alle {ora} in segreteria, in via Nazionale 54.",
        ),
        answers=("Va bene, confermo.", "Sì, perfetto, a {giorno}.", "Confermo, grazie."),
        closings=("Perfetto, la aspettiamo {giorno} alle {ora}.",),
        books="Test di livello",
    ),
    Exchange(
        "certificato",
        subjects=("Richiesta certificato", "Attestato di frequenza"),
        openers=(
            "avrei bisogno del certificato di frequenza del corso di {lingua} per un concorso.",
            "potete inviarmi l'attestato del corso B2 che ho frequentato lo scorso anno?",
        ),
        replies=(
            "glielo prepariamo entro due giorni lavorativi e glielo inviamo in PDF a questo "
            "indirizzo.",
            "certamente, in allegato trova l'attestato in PDF.",
        ),
        answers=("Grazie mille.", "Ricevuto, grazie."),
    ),
)

ESTATE_EMAIL = (
    Exchange(
        "ricerca",
        subjects=(
            "Richiesta informazioni immobile via {via}",
            "Ricerca {locali} zona {zona}",
            "Appartamento in {zona}",
        ),
        openers=(
            "ho visto il vostro annuncio del {locali} in via {via}. È ancora disponibile? "
            "Sarei interessato a visitarlo.",
            "stiamo cercando un {locali} in zona {zona} con un budget di {budget} €. Avete "
            "qualcosa da proporci?",
            "vorrei sapere le spese condominiali dell'appartamento in {zona} e se c'è la cantina.",
        ),
        replies=(
            "sì, l'immobile è disponibile. Possiamo fissare una visita {giorno} alle {ora}?",
            "abbiamo due soluzioni in {zona} in linea con il suo budget: le allego le schede. "
            "Se vuole possiamo vederle {giorno} alle {ora}.",
            "le spese sono circa 160 € al mese, riscaldamento incluso, e sì, c'è la cantina.",
        ),
        answers=("Va bene, a {giorno}.", "Grazie, vi faccio sapere.", "Grazie mille."),
        closings=("Perfetto, le confermo la visita. Cordiali saluti.",),
    ),
    Exchange(
        "valutazione",
        subjects=("Valutazione immobile", "Vendita appartamento {zona}"),
        openers=(
            "vorrei vendere il mio appartamento in zona {zona}, circa 80 mq. Potete fare una "
            "valutazione?",
            "sto pensando di vendere casa in {zona}: come funziona il vostro mandato?",
        ),
        replies=(
            "la valutazione è gratuita: possiamo fare un sopralluogo {giorno} alle {ora}?",
            "lavoriamo con mandato in esclusiva di 6 mesi. Se vuole passiamo a vedere "
            "l'immobile {giorno} alle {ora}.",
        ),
        answers=("Va bene, vi aspetto.", "Ci penso e vi faccio sapere."),
    ),
)

SUPPLEMENTS_EMAIL = (
    Exchange(
        "ordine",
        subjects=("Ordine {ordine}", "Ordine {ordine} non ricevuto", "Reso ordine {ordine}"),
        openers=(
            "ho ricevuto l'ordine {ordine} ma manca una confezione di {prodotto}.",
            "il mio ordine {ordine} risulta consegnato ma non mi è arrivato nulla.",
            "vorrei restituire il {prodotto} dell'ordine {ordine}, non è ancora aperto.",
        ),
        replies=(
            "ci scusiamo per l'errore: le rispediamo oggi stesso la confezione mancante.",
            "abbiamo aperto una segnalazione con BRT; se entro 48 ore non la trovano le "
            "rispediamo l'ordine.",
            "nessun problema: le mandiamo l'etichetta di reso, il rimborso arriva in 3-5 giorni "
            "lavorativi.",
        ),
        answers=("Grazie mille.", "Grazie, attendo notizie.", "Perfetto, grazie."),
        needs_order=True,
    ),
    Exchange(
        "fattura",
        subjects=("Fattura", "Richiesta fattura ordine {ordine}"),
        openers=(
            "mi servirebbe la fattura dell'ordine {ordine}, codice fiscale in firma.",
            "potete intestare la fattura dell'ordine {ordine} alla mia partita IVA?",
        ),
        replies=(
            "in allegato trova la fattura dell'ordine {ordine}.",
            "certo, ci mandi partita IVA e codice SDI e la emettiamo.",
        ),
        answers=("Grazie.", "Ecco i dati, grazie."),
        needs_order=True,
    ),
    Exchange(
        "info",
        subjects=("Informazioni prodotto", "Domanda sul {prodotto}"),
        openers=(
            "il {prodotto} è adatto anche in allattamento?",
            "quante capsule di {prodotto} devo prendere al giorno?",
        ),
        replies=(
            "in allattamento le consigliamo di chiedere prima al suo medico; le alleghiamo la "
            "scheda tecnica.",
            "la dose consigliata è indicata in etichetta: di solito una al giorno durante i pasti.",
        ),
        answers=("Grazie mille.", "Perfetto, grazie."),
    ),
)

SOCIAL = {
    "furniture": FURNITURE_SOCIAL,
    "gym": GYM_SOCIAL,
    "supplements_shop": SUPPLEMENTS_SOCIAL,
}
WEBCHAT = {
    "language_school": LANGUAGE_WEBCHAT,
    "estate_agent": ESTATE_WEBCHAT,
    "supplements_shop": SUPPLEMENTS_WEBCHAT,
}
EMAIL = {
    "furniture": FURNITURE_EMAIL,
    "language_school": LANGUAGE_EMAIL,
    "estate_agent": ESTATE_EMAIL,
    "supplements_shop": SUPPLEMENTS_EMAIL,
}

# Generic senders: (address, display name, subject, body) per business; {n} is a number.
GENERIC_EMAILS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "furniture": (
        (
            "info@hotelbrerasuites.it",
            "Hotel Brera Suites",
            "Richiesta preventivo arredo camere",
            "Buongiorno,\nstiamo rinnovando 12 camere e vorremmo un preventivo per letti e "
            "comodini.\n\nCordiali saluti\nUfficio acquisti\nHotel Brera Suites",
        ),
        (
            "noreply@recensioni.trustedshops.it",
            "Trusted Shops",
            "Nuova recensione per Arredi Navigli",
            "Hai ricevuto una nuova recensione (5 stelle) per l'ordine n. {n}.\n\nQuesta è una "
            "e-mail automatica, non rispondere.",
        ),
    ),
    "language_school": (
        (
            "info@liceovirgilioroma.it",
            "Liceo Virgilio",
            "Corso di inglese per le classi quarte",
            "Gentile segreteria,\nvorremmo organizzare un corso pomeridiano di preparazione al "
            "FCE per circa {n} studenti.\n\nCordiali saluti\nLa segreteria didattica",
        ),
        (
            "noreply@cambridgeenglish.org",
            "Cambridge English",
            "Exam results are now available",
            "Dear centre,\nthe results of the session are now available on the Centre Hub.\n\n"
            "This is an automated message, please do not reply.",
        ),
    ),
    "estate_agent": (
        (
            "info@studionotaioferrari.it",
            "Studio Notarile Ferrari",
            "Rogito via {n}",
            "Buongiorno,\nvi confermiamo la data del rogito. Vi chiediamo di inviarci la "
            "documentazione catastale aggiornata.\n\nCordiali saluti\nStudio Notarile Ferrari",
        ),
    ),
    "supplements_shop": (
        (
            "info@farmaciasanmarco.it",
            "Farmacia San Marco",
            "Rivendita prodotti Vitalis",
            "Buongiorno,\nsiamo una farmacia di Bergamo e vorremmo rivendere i vostri integratori. "
            "Avete un listino per rivenditori?\n\nGrazie\nDott.ssa Colombo",
        ),
        (
            "noreply@trustpilot.com",
            "Trustpilot",
            "Hai ricevuto una nuova recensione",
            "Un cliente ha lasciato una recensione a 4 stelle su Vitalis Integratori.\n\nQuesta "
            "è una e-mail automatica: non rispondere.",
        ),
    ),
}

# The estate agent's portal leads: a no-reply notification carrying the lead's details.
PORTAL = ("noreply@immobiliare.it", "Immobiliare.it")
PORTAL_SUBJECT = "Nuovo contatto per il tuo annuncio Rif. CB-{rif}"
PORTAL_BODY = (
    "Hai ricevuto un nuovo messaggio per l'annuncio Rif. CB-{rif} ({locali} in zona {zona}).\n\n"
    "Nome: {nome_completo}\nEmail: {email}\nTelefono: {telefono}\n\nMessaggio:\nBuongiorno, "
    "sono interessato all'immobile e vorrei fissare una visita.\n\n"
    "Rispondi direttamente all'utente scrivendo al suo indirizzo e-mail.\n"
    "Questa è una e-mail automatica, non rispondere a questo indirizzo."
)
PORTAL_REPLY = (
    "grazie per l'interesse per il {locali} in zona {zona}. Possiamo fissare una visita "
    "{giorno} alle {ora}?"
)
