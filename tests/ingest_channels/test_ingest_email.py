"""E-mail (.eml, mbox) → raw.email_messages: threads, quoted history, quarantine; the
direction and mailbox decided in dbt from the inboxes seed (stg_email__messages)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime

import duckdb
import pytest

from pipelines.ingest import email as email_ingest
from pipelines.settings import DBT_PROJECT_DIR, Paths
from pipelines.transform.build import dbt

Rejects = Callable[[str], list[tuple]]
SHOP = "ordini@vitalis.example"
OTHER_SHOP = "info@arredi.example"


def _mbox(*messages: str) -> str:
    parts = []
    for number, message in enumerate(messages):
        parts.append(f"From sender{number}@example Thu Mar  5 10:00:00 2026\n{message.strip()}\n")
    return "\n".join(parts) + "\n"


FIRST = """\
From: Giulia Conti <Giulia.Conti@Example.it>
To: Vitalis Integratori <ordini@vitalis.example>
Subject: =?UTF-8?Q?Ordine_n=C2=B0_1042_non_arrivato?=
Date: Thu, 05 Mar 2026 09:12:00 +0100
Message-ID: <c1@mail.example.it>

Buongiorno, il mio ordine 1042 non è ancora arrivato.
Potete controllare?
"""

REPLY = """\
From: Vitalis Integratori <ordini@vitalis.example>
To: Giulia Conti <giulia.conti@example.it>
Cc: magazzino@vitalis.example
Subject: Re: Ordine n. 1042 non arrivato
Date: Thu, 05 Mar 2026 10:30:00 +0100
Message-ID: <r1@vitalis.example>
In-Reply-To: <c1@mail.example.it>
References: <c1@mail.example.it>

Gentile Giulia, il pacco è partito ieri: arriva domani.

Il giorno gio 5 mar 2026 alle ore 09:12 Giulia Conti <
giulia.conti@example.it> ha scritto:

> Buongiorno, il mio ordine 1042 non è ancora arrivato.
> Potete controllare?
"""

FOLLOW_UP = """\
From: giulia.conti@example.it
To: ordini@vitalis.example
Subject: Re: Ordine n. 1042 non arrivato
Date: Fri, 6 Mar 2026 08:00:00 +0000
Message-ID: <c2@mail.example.it>
In-Reply-To: <r1@vitalis.example>
References: <c1@mail.example.it> <r1@vitalis.example>
Content-Type: text/plain; charset=utf-8

Thanks, it arrived this morning!

On Thu, Mar 5, 2026 at 10:30 AM Vitalis Integratori <ordini@vitalis.example> wrote:
> Gentile Giulia, il pacco è partito ieri: arriva domani.
"""


def _rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    cursor = con.execute("select * from raw.email_messages order by file, message_index")
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_a_thread_in_an_mbox_loads_with_threading_direction_and_new_text(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    folder = home.landing / "email" / "2026-03-06"
    folder.mkdir(parents=True)
    (folder / "vitalis.mbox").write_text(_mbox(FIRST, REPLY, FOLLOW_UP), encoding="utf-8")

    result = email_ingest.ingest(con, home.landing)
    rows = _rows(con)

    assert (result.files, result.lines, result.rejected) == (1, 3, 0)
    assert rejects("email") == []
    first, reply, follow_up = rows
    assert [r["message_id"] for r in rows] == [
        "<c1@mail.example.it>", "<r1@vitalis.example>", "<c2@mail.example.it>"]
    assert [r["thread_root_id"] for r in rows] == ["<c1@mail.example.it>"] * 3
    assert [r["in_reply_to"] for r in rows] == [None, "<c1@mail.example.it>",
                                                "<r1@vitalis.example>"]
    assert [json.loads(r["references"]) for r in rows] == [
        [], ["<c1@mail.example.it>"], ["<c1@mail.example.it>", "<r1@vitalis.example>"]]
    assert [json.loads(r["delivered_to"]) for r in rows] == [[], [], []]
    assert first["subject"] == "Ordine n° 1042 non arrivato"
    assert (first["from_address"], first["from_name"]) == ("giulia.conti@example.it",
                                                           "Giulia Conti")
    assert json.loads(first["to_addresses"]) == [SHOP]
    assert json.loads(reply["cc_addresses"]) == ["magazzino@vitalis.example"]
    assert first["sent_at"] == datetime(2026, 3, 5, 8, 12)
    assert follow_up["sent_at"] == datetime(2026, 3, 6, 8, 0)
    assert reply["new_text"] == "Gentile Giulia, il pacco è partito ieri: arriva domani."
    assert "ha scritto:" in reply["body_text"]
    assert follow_up["new_text"] == "Thanks, it arrived this morning!"
    assert first["new_text"] == first["body_text"]
    headers = json.loads(reply["raw_headers"])
    assert headers["in-reply-to"] == ["<c1@mail.example.it>"]
    assert headers["subject"] == ["Re: Ordine n. 1042 non arrivato"]


def _seeded_mailboxes() -> list[str]:
    with open(DBT_PROJECT_DIR / "seeds" / "inboxes.csv", newline="", encoding="utf-8") as handle:
        return sorted(row["email_address"].lower() for row in csv.DictReader(handle) if row["email_address"])


def test_the_inboxes_seed_decides_direction_and_mailbox_in_dbt(home: Paths, con: duckdb.DuckDBPyConnection) -> None:
    """A reply from a seeded address is outbound; a customer's mail to a mailbox the seed
    does not name keeps that mailbox (Delivered-To), and the business's reply from it is
    outbound too. Decided at build time, so the raw rows carry no direction."""
    seeded = _seeded_mailboxes()[0]
    unseeded = "preventivi@arredi.example"
    folder = home.landing / "email"
    folder.mkdir(parents=True)
    (folder / "out.eml").write_text(
        FIRST.replace("From: Giulia Conti <Giulia.Conti@Example.it>", f"From: Negozio <{seeded.upper()}>")
        .replace("To: Vitalis Integratori <ordini@vitalis.example>", "To: cliente@example.it"),
        encoding="utf-8",
    )
    (folder / "to-unseeded.eml").write_text(
        f"Delivered-To: {unseeded}\n"
        + FIRST.replace("To: Vitalis Integratori <ordini@vitalis.example>", f"To: {unseeded}")
        .replace("<c1@mail.example.it>", "<u1@mail.example.it>"),
        encoding="utf-8",
    )
    (folder / "from-unseeded.eml").write_text(
        REPLY.replace("From: Vitalis Integratori <ordini@vitalis.example>", f"From: Arredi <{unseeded}>")
        .replace("<r1@vitalis.example>", "<u2@arredi.example>"),
        encoding="utf-8",
    )
    email_ingest.ingest(con, home.landing)
    con.close()
    dbt(["build", "--select", "+stg_email__messages"], home.home)
    with duckdb.connect(str(home.warehouse), read_only=True) as warehouse:
        rows = warehouse.execute(
            "select message_id, direction, mailbox_address, customer_email from staging.stg_email__messages order by 1"
        ).fetchall()
    assert rows == [
        ("email:<c1@mail.example.it>", "outbound", seeded, "cliente@example.it"),
        ("email:<u1@mail.example.it>", "inbound", unseeded, "giulia.conti@example.it"),
        ("email:<u2@arredi.example>", "outbound", unseeded, "giulia.conti@example.it"),
    ]


@pytest.mark.parametrize(
    ("body", "new_text"),
    [
        ("Va bene, grazie.\n\nIl giorno lun 2 mar 2026 alle ore 18:04 Studio <info@studio.it> "
         "ha scritto:\n> Confermiamo l'appuntamento.\n> A presto", "Va bene, grazie."),
        ("Va bene.\n\nIl 02/03/2026 18:04, Mario Rossi ha scritto:\nConfermiamo.",
         "Va bene."),
        ("Perfetto\n\nIl giorno 2 mar 2026, alle ore 18:04, Mario Rossi <\nm.rossi@example.it> "
         "ha scritto:\n\nConfermiamo.", "Perfetto"),
        ("Sounds good.\n\nOn Mon, Mar 2, 2026 at 6:04 PM Studio <info@studio.it> wrote:\n"
         "> See you", "Sounds good."),
        ("Sounds good.\n\nOn Mon, Mar 2, 2026 at 6:04 PM Studio Dentistico Po <\n"
         "info@studio.it> wrote:\n\n> See you", "Sounds good."),
        ("Sì, confermo.\n\n-----Original Message-----\nFrom: Studio\nSent: Monday\n\nold",
         "Sì, confermo."),
        ("Confermo\n\n-------- Messaggio originale --------\nDa: Studio\nold text",
         "Confermo"),
        ("Grazie mille\n\n________________________________\nDa: Studio Dentistico Po "
         "<info@studio.it>\nInviato: lunedì 2 marzo 2026 18:04\nA: Mario Rossi\n"
         "Oggetto: Appuntamento\n\nConfermiamo.", "Grazie mille"),
        ("Thanks\n\nFrom: Studio <info@studio.it>\nSent: Monday, March 2, 2026 6:04 PM\n"
         "To: Mario\nSubject: Appointment\n\nConfirmed.", "Thanks"),
        ("Ok a domani\nDa: Studio Inviato: lunedì 2 marzo 2026 A: Mario Oggetto: Appuntamento "
         "Confermiamo.", "Ok a domani"),
        ("> Quanto costa?\n40 euro a seduta.\n> E il sabato?\nSiamo chiusi.",
         "40 euro a seduta.\nSiamo chiusi."),
        ("Mario Rossi ha scritto:\n> domanda\nrisposta", "risposta"),
        ("Nessuna citazione qui.\nSolo testo: su due righe.",
         "Nessuna citazione qui.\nSolo testo: su due righe."),
    ],
)
def test_quoted_history_is_stripped_in_italian_and_english(body: str, new_text: str) -> None:
    assert email_ingest.strip_quoted(body) == new_text


def test_html_only_bodies_become_text_without_the_quoted_blockquote(
    home: Paths, con: duckdb.DuckDBPyConnection
) -> None:
    html = """\
From: Luca <luca@example.it>
To: ordini@vitalis.example
Subject: Re: offerta
Date: Thu, 05 Mar 2026 12:00:00 +0100
Message-ID: <h1@example.it>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><head><style>p {color: red}</style></head><body>
<div dir="ltr">Ne prendo <b>due</b> confezioni &amp; una di prova.<br>Grazie</div>
<div class="gmail_quote"><div class="gmail_attr">Il giorno gio 5 mar 2026 alle ore 10:00
Vitalis &lt;ordini@vitalis.example&gt; ha scritto:<br></div>
<blockquote class="gmail_quote"><p>Offerta: 3x2 sugli integratori.</p></blockquote></div>
</body></html>
"""
    (home.landing / "email").mkdir(parents=True)
    (home.landing / "email" / "h.eml").write_text(html, encoding="utf-8")
    email_ingest.ingest(con, home.landing)
    body, new = con.execute("select body_text, new_text from raw.email_messages").fetchone()
    assert body == (
        "Ne prendo due confezioni & una di prova.\nGrazie\n"
        "Il giorno gio 5 mar 2026 alle ore 10:00 Vitalis <ordini@vitalis.example> ha scritto:"
        "\n\n> Offerta: 3x2 sugli integratori."
    )
    assert new == "Ne prendo due confezioni & una di prova.\nGrazie"


def test_multipart_prefers_the_plain_part_and_ignores_attachments(
    home: Paths, con: duckdb.DuckDBPyConnection
) -> None:
    message = """\
From: Anna <anna@example.it>
To: ordini@vitalis.example
Subject: foto
Date: Thu, 05 Mar 2026 12:00:00 +0100
Message-ID: <mp@example.it>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="OUT"

--OUT
Content-Type: multipart/alternative; boundary="ALT"

--ALT
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Ecco la foto del prodotto arrivato rotto, perch=E8 =E8 cos=EC?
--ALT
Content-Type: text/html; charset=utf-8

<p>HTML version</p>
--ALT--
--OUT
Content-Type: image/jpeg
Content-Disposition: attachment; filename="foto.jpg"
Content-Transfer-Encoding: base64

/9j/4AAQSkZJRgABAQ==
--OUT--
"""
    (home.landing / "email").mkdir(parents=True)
    (home.landing / "email" / "mp.eml").write_text(message, encoding="utf-8")
    email_ingest.ingest(con, home.landing)
    assert con.execute("select body_text from raw.email_messages").fetchone() == (
        "Ecco la foto del prodotto arrivato rotto, perchè è così?",)


def test_a_message_without_message_id_gets_the_same_synthetic_id_wherever_it_is(
    home: Paths, con: duckdb.DuckDBPyConnection
) -> None:
    no_id = FIRST.replace("Message-ID: <c1@mail.example.it>\n", "")
    reply = REPLY.replace("In-Reply-To: <c1@mail.example.it>\nReferences: <c1@mail.example.it>\n",
                          "")
    folder = home.landing / "email"
    folder.mkdir(parents=True)
    (folder / "single.eml").write_bytes(no_id.replace("\n", "\r\n").encode())
    (folder / "box.mbox").write_text(_mbox(no_id, reply), encoding="utf-8")
    email_ingest.ingest(con, home.landing)
    ids = con.execute("select file, message_id, thread_root_id from raw.email_messages "
                      "order by file, message_index").fetchall()
    assert ids[0][1] == ids[2][1]  # box.mbox #1 and single.eml
    assert ids[0][1].endswith("@threadline.synthetic>") and ids[0][1] == ids[0][2]
    assert ids[1][1] == "<r1@vitalis.example>" and ids[1][2] == "<r1@vitalis.example>"


def test_a_bad_message_is_quarantined_and_the_rest_of_the_mailbox_loads(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    undated = ("From: someone@example.it\nTo: ordini@vitalis.example\nSubject: senza data\n\n"
               "Questo messaggio non ha la data.")
    folder = home.landing / "email" / "2026-03-06"
    folder.mkdir(parents=True)
    (folder / "box.mbox").write_text(_mbox(FIRST, undated, FOLLOW_UP), encoding="utf-8")

    result = email_ingest.ingest(con, home.landing)

    assert (result.lines, result.rejected) == (3, 1)
    [(file, position, reason, raw_text)] = rejects("email")
    assert (file, position, reason) == ("email/2026-03-06/box.mbox", 2, "no Date header")
    assert "Questo messaggio non ha la data." in raw_text
    assert con.execute("select message_index, message_id from raw.email_messages order by 1"
                       ).fetchall() == [(1, "<c1@mail.example.it>"), (3, "<c2@mail.example.it>")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("From: a@example.it\nDate: domani mattina\n\nciao",
         "unreadable Date header 'domani mattina'"),
        ("\n\njust some text, no headers at all", "not an e-mail message (no header fields)"),
    ],
)
def test_unreadable_messages_are_quarantined_with_their_reason(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects,
    text: str, reason: str,
) -> None:
    (home.landing / "email").mkdir(parents=True)
    (home.landing / "email" / "bad.eml").write_text(text, encoding="utf-8")
    (home.landing / "email" / "good.eml").write_text(FIRST, encoding="utf-8")
    result = email_ingest.ingest(con, home.landing)
    assert result.rejected == 1
    assert [(r[0], r[1], r[2]) for r in rejects("email")] == [("email/bad.eml", 1, reason)]
    assert con.execute("select count(*) from raw.email_messages").fetchone() == (1,)


def test_text_before_the_first_from_line_of_an_mbox_is_quarantined(
    home: Paths, con: duckdb.DuckDBPyConnection, rejects: Rejects
) -> None:
    (home.landing / "email").mkdir(parents=True)
    (home.landing / "email" / "odd.mbox").write_text("garbage line\n" + _mbox(FIRST),
                                                     encoding="utf-8")
    result = email_ingest.ingest(con, home.landing)
    assert (result.lines, result.rejected) == (2, 1)
    assert [(r[1], r[3]) for r in rejects("email")] == [(0, "garbage line")]


def test_rerunning_ingests_nothing_new(
    home: Paths, con: duckdb.DuckDBPyConnection
) -> None:
    (home.landing / "email").mkdir(parents=True)
    (home.landing / "email" / "a.eml").write_text(FIRST, encoding="utf-8")
    first = email_ingest.ingest(con, home.landing)
    (home.landing / "email" / "again.eml").write_text(FIRST, encoding="utf-8")
    second = email_ingest.ingest(con, home.landing)
    assert (first.files, second.files, second.skipped_files) == (1, 0, 2)
    assert con.execute("select count(*) from raw.email_messages").fetchone() == (1,)
