"""CSV exports as they really arrive: mixed encodings, undefined bytes, huge fields.

Every file is written as bytes, exactly as the tool (or a person with Excel) left it, and
loaded through the source's ingest into a real DuckDB warehouse.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipelines.ingest import hubspot, woocommerce
from pipelines.settings import Paths
from pipelines.warehouse import connect

WOO_HEADER = ("Order ID,Order Number,Order Status,Order Date,Order Currency,Order Total,"
              "Billing First Name,Billing Last Name,Billing Email,Item Name\n")
HUBSPOT_HEADER = ("Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Create Date,"
                  "Last Modified Date,Notes\n")


def _rejects(con, source: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return con.execute(
        "select file, line_no, reason, raw_text from raw.rejected_records where source = ? "
        "order by file, line_no", [source]).fetchall()


def _woo_row(order_id: int, first: str, last: str, item: str) -> str:
    return (f"{order_id},{order_id},wc-completed,2025-06-02 10:15:00,EUR,49.90,{first},{last},"
            f"{first.lower()}@example.it,{item}\n")


def test_a_woocommerce_row_with_a_byte_cp1252_leaves_undefined_is_quarantined_alone(home: Paths) -> None:
    """UTF-8 export where one row holds 0x81 (undefined in cp1252, a control in Latin-1):
    that row is quarantined with the byte named; the rows beside it load, accents exact."""
    bad = _woo_row(4502, "José", "García", "Sedia").encode("utf-8").replace("é".encode(), b"\x81")
    offset = bad.index(b"\x81")
    path = home.landing / "woocommerce" / "orders-2025-06.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        (WOO_HEADER + _woo_row(4501, "Niccolò", "Bianchi", "Lampada Università")).encode("utf-8")
        + bad
        + (_woo_row(4503, "Zoë", "Müller", "Divano «Città»")).encode("utf-8")
    )
    con = connect(home.warehouse)
    result = woocommerce.ingest(con, home.landing)
    rows = con.execute(
        "select line_no, order_id, billing_first_name, billing_last_name, total_amount, "
        "\"row\" ->> '$.\"Item Name\"' from raw.woocommerce_orders order by line_no").fetchall()
    rejects = _rejects(con, "woocommerce")
    again = woocommerce.ingest(con, home.landing)
    con.close()

    assert rows == [
        (2, "4501", "Niccolò", "Bianchi", Decimal("49.90"), "Lampada Università"),
        (4, "4503", "Zoë", "Müller", Decimal("49.90"), "Divano «Città»"),
    ]
    [(file, line_no, reason, raw_text)] = rejects
    assert (file, line_no) == ("woocommerce/orders-2025-06.csv", 3)
    assert reason == f"line is neither valid UTF-8 nor cp1252 (byte 0x81 at offset {offset})"
    assert raw_text.startswith("4502,4502,wc-completed,") and "Jos\ufffd" in raw_text
    assert (result.files, result.lines, result.rejected) == (1, 3, 1) and again.files == 0


@pytest.mark.parametrize("bom", [b"\xef\xbb\xbf", b""], ids=["bom", "no-bom"])
def test_a_hubspot_utf8_export_with_one_latin1_row_loads_every_name_exactly(home: Paths, bom: bytes) -> None:
    """Rows pasted in from an old Latin-1 list: "Niccolò" with ò as 0xf2, in a UTF-8 export
    whose other names have UTF-8 accents. No name is mojibake."""
    path = home.landing / "hubspot" / "exports" / "contacts-2025-06.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        bom + HUBSPOT_HEADER.encode("utf-8")
        + "201,Giulia,Università,giulia@example.it,,Lead,2025-06-01 09:00,2025-06-01 09:00,\n".encode()
        + "202,Niccolò,Rossi,niccolo@example.it,,Lead,2025-06-01 09:00,2025-06-01 09:00,\n".encode("latin-1")
        + "203,Zoë,Brontë,zoe@example.it,,Customer,2025-06-01 09:00,2025-06-01 09:00,così così\n".encode()
    )
    con = connect(home.warehouse)
    result = hubspot.ingest_contact_exports(con, home.landing)
    rows = con.execute(
        "select line_no, record_id, first_name, last_name, \"row\" ->> '$.Notes' "
        "from raw.hubspot_contacts_csv order by line_no").fetchall()
    rejects = _rejects(con, "hubspot_contacts_csv")
    con.close()

    assert rows == [
        (2, "201", "Giulia", "Università", ""),
        (3, "202", "Niccolò", "Rossi", ""),
        (4, "203", "Zoë", "Brontë", "così così"),
    ]
    assert rejects == [] and (result.lines, result.rejected) == (3, 0)


def test_a_hubspot_export_with_a_200_kib_field_loads(home: Paths) -> None:
    """A contact whose Notes hold a long pasted e-mail thread (200 KiB, past csv's 128 KiB
    default limit), quoted, with commas and newlines inside."""
    notes = ("Buongiorno, vi scrivo per il preventivo della cucina.\n" * 4000)[: 200 * 1024]
    assert len(notes) == 200 * 1024
    path = home.landing / "hubspot" / "exports" / "contacts-notes.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        (HUBSPOT_HEADER
         + f'301,Anna,Verdi,anna@example.it,,Lead,2025-06-01 09:00,2025-06-01 09:00,"{notes}"\n'
         + "302,Luca,Neri,luca@example.it,,Lead,2025-06-01 09:00,2025-06-01 09:00,breve\n").encode("utf-8")
    )
    con = connect(home.warehouse)
    result = hubspot.ingest_contact_exports(con, home.landing)
    rows = con.execute(
        "select line_no, record_id, \"row\" ->> '$.Notes' from raw.hubspot_contacts_csv order by line_no"
    ).fetchall()
    rejects = _rejects(con, "hubspot_contacts_csv")
    con.close()

    assert rejects == [] and result.rejected == 0
    assert [(r[0], r[1]) for r in rows] == [(2, "301"), (3 + notes.count("\n"), "302")]
    assert rows[0][2] == notes and rows[1][2] == "breve"


def test_a_cp1252_semicolon_export_from_excel_still_loads(home: Paths) -> None:
    """Italian Excel: `;`, cp1252 (€ as 0x80, accents as single bytes), CRLF, no BOM."""
    path = home.landing / "woocommerce" / "ordini-excel.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        ("ID ordine;Numero ordine;Stato ordine;Data ordine;Valuta;Totale ordine;Nome (fatturazione);"
         "Cognome (fatturazione);Email (fatturazione)\r\n"
         "7101;7101;Completato;05/06/2025 09:30;EUR;€ 49,90;Niccolò;Pellegrini;niccolo@example.it\r\n"
         "7102;7102;In lavorazione;06/06/2025 21:05;EUR;€ 1.299,00;Mónica;D’Angelo;monica@example.it\r\n"
         ).encode("cp1252")
    )
    con = connect(home.warehouse)
    result = woocommerce.ingest(con, home.landing)
    rows = con.execute(
        "select line_no, order_id, status, total_amount, billing_first_name, billing_last_name "
        "from raw.woocommerce_orders order by line_no").fetchall()
    con.close()

    assert result.rejected == 0
    assert rows == [
        (2, "7101", "completed", Decimal("49.90"), "Niccolò", "Pellegrini"),
        (3, "7102", "processing", Decimal("1299.00"), "Mónica", "D’Angelo"),
    ]
