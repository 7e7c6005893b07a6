"""What the connectors land (and the CSV exports beside it) loads into raw.* in a real DuckDB."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from fake_servers import FakeHubSpot, FakeShopify

from pipelines.connectors import hubspot as hubspot_connector
from pipelines.connectors import shopify_api
from pipelines.connectors.http import RetryPolicy
from pipelines.connectors.shopify_api import CallLimitPacer
from pipelines.ingest import hubspot, shopify_checkouts, woocommerce
from pipelines.ingest import shopify as shopify_orders
from pipelines.landing import write_jsonl
from pipelines.settings import Paths
from pipelines.warehouse import connect


def _rejects(con, source: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return con.execute(
        "select file, line_no, reason, raw_text from raw.rejected_records where source = ? "
        "order by file, line_no", [source]).fetchall()


def test_hubspot_landing_loads_one_row_per_record_version(
    home: Paths, fake_hubspot: FakeHubSpot, policy: RetryPolicy
) -> None:
    contact = fake_hubspot.add_contact(email="giulia@example.it", phone="+39 333 1234567")
    other = fake_hubspot.add_contact(email="marco@example.it")
    fake_hubspot.add_deal([contact], dealname="Cucina", amount="4200.00", dealstage="closedwon")
    hubspot_connector.sync(home, policy=policy)
    fake_hubspot.modify("contacts", contact, lifecyclestage="customer")
    hubspot_connector.sync(home, policy=policy)
    write_jsonl(home.landing / "hubspot" / "contacts" / "zz-bad.jsonl",
                [{"id": "9", "properties": {"email": "x@example.it"}}, {"properties": {}},
                 '{"id": "10", "properties": 3}', "{broken"])

    con = connect(home.warehouse)
    result = hubspot.ingest(con, home.landing)
    contacts = con.execute(
        "select contact_id, updated_at, archived, payload ->> '$.properties.email' "
        "from raw.hubspot_contacts order by file, line_no").fetchall()
    deals = con.execute(
        "select deal_id, updated_at, payload -> '$.associations.contacts.results' ->> '$[0].id' "
        "from raw.hubspot_deals").fetchall()
    rejects = _rejects(con, "hubspot_contacts")
    again = hubspot.ingest(con, home.landing)
    con.close()

    assert [c[0] for c in contacts] == [contact, other, contact, "9"]  # two versions of one
    assert contacts[0][1] < contacts[2][1] and contacts[0][2] is False
    assert deals[0][2] == contact and deals[0][1].endswith("Z")
    assert [(r[1], r[2]) for r in rejects] == [
        (2, "not a HubSpot contact (no id or no properties)"),
        (3, "not a HubSpot contact (no id or no properties)"),
        (4, "not valid JSON"),
    ]
    assert result.rejected == 3 and again.files == 0 and again.skipped_files == result.files


def test_hubspot_contact_export_quarantines_bad_rows_with_reasons(home: Paths) -> None:
    export = home.landing / "hubspot" / "exports" / "contatti-2025-06.csv"
    export.parent.mkdir(parents=True)
    export.write_text(
        "\ufeffID record;Nome;Cognome;E-mail;Numero di telefono;Fase del ciclo di vita;"
        "Data di creazione;Data dell'ultima modifica;Proprietario del contatto\n"
        "101;Giulia;Rossi;giulia@example.it;+39 333 1234567;Cliente;05/03/2024 14:22;"
        "2025-06-01 09:00;Marco\n"
        ";Anna;Bianchi;anna@example.it;;Lead;05/03/2024;05/03/2024;Marco\n"
        "103;Luca;Verdi;luca(at)example.it;;Lead;05/03/2024;05/03/2024;Marco\n"
        "104;Sara;Neri;sara@example.it;;Lead;ieri;05/03/2024;Marco\n"
        "105;Paolo;Gialli;paolo@example.it;;Lead;05/03/2024\n"
        "101;Giulia;Rossi;giulia2@example.it;;Cliente;05/03/2024;05/03/2024;Marco\n"
        "\n"
        "106;\"Maria; detta Mary\";Conti;;+39 02 7654321;Lead;2024-01-10T08:00:00Z;;\n",
        encoding="utf-8",
    )
    con = connect(home.warehouse)
    result = hubspot.ingest_contact_exports(con, home.landing)
    rows = con.execute(
        "select file, line_no, record_id, email, phone, first_name, lifecycle_stage, created_at, "
        "last_modified_at, \"row\" ->> '$.\"Proprietario del contatto\"' "
        "from raw.hubspot_contacts_csv order by line_no").fetchall()
    rejects = _rejects(con, "hubspot_contacts_csv")
    con.close()

    assert [r[2] for r in rows] == ["101", "106"]
    giulia, maria = rows
    assert giulia[0] == "hubspot/exports/contatti-2025-06.csv" and giulia[1] == 2
    assert giulia[7] == datetime(2024, 3, 5, 13, 22)  # Europe/Rome 14:22 is 13:22 UTC
    assert giulia[8] == datetime(2025, 6, 1, 7, 0) and giulia[9] == "Marco"
    assert maria[5] == "Maria; detta Mary" and maria[3] is None
    assert maria[7] == datetime(2024, 1, 10, 8, 0) and maria[8] is None
    assert [(r[1], r[2]) for r in rejects] == [
        (3, "no Record ID"),
        (4, "invalid Email 'luca(at)example.it'"),
        (5, "unreadable Create Date 'ieri'"),
        (6, "row has 7 fields, header has 9"),
        (7, "duplicate Record ID 101 (first on line 2)"),
    ]
    assert rejects[1][3].startswith("103;Luca;Verdi;")
    assert (result.files, result.lines, result.rejected) == (1, 7, 5)


def test_a_hubspot_export_without_a_record_id_column_is_rejected_whole(home: Paths) -> None:
    export = home.landing / "hubspot" / "exports" / "wrong.csv"
    export.parent.mkdir(parents=True)
    export.write_text("Email,First Name\ngiulia@example.it,Giulia\n", encoding="utf-8")
    con = connect(home.warehouse)
    result = hubspot.ingest_contact_exports(con, home.landing)
    rejects = _rejects(con, "hubspot_contacts_csv")
    con.close()
    assert result.rejected == 1 and rejects[0][2] == "header has no 'Record ID' column"


def test_shopify_orders_and_checkouts_load_from_what_the_connector_landed(
    home: Paths, fake_shopify: FakeShopify, policy: RetryPolicy
) -> None:
    orders = [fake_shopify.add_order(email=f"c{n}@example.it") for n in range(260)]
    checkout = fake_shopify.add_checkout()
    shopify_api.sync(home, policy=policy, pacer=CallLimitPacer(sleep=lambda s: None))
    fake_shopify.modify("checkouts", checkout, email="nuovo@example.it")
    shopify_api.sync(home, policy=policy, pacer=CallLimitPacer(sleep=lambda s: None))
    write_jsonl(home.landing / "shopify" / "checkouts" / "zz-bad.jsonl", [{"token": "abc"}])

    con = connect(home.warehouse)
    order_result = shopify_orders.ingest(con, home.landing)
    checkout_result = shopify_checkouts.ingest(con, home.landing)
    loaded_orders = con.execute("select order_id from raw.shopify_orders").fetchall()
    checkouts = con.execute(
        "select checkout_id, checkout_token, updated_at, payload ->> '$.email' "
        "from raw.shopify_checkouts order by updated_at").fetchall()
    rejects = _rejects(con, "shopify_checkouts")
    con.close()

    assert sorted(int(r[0]) for r in loaded_orders) == orders and order_result.rejected == 0
    assert [c[0] for c in checkouts] == [str(checkout)] * 2
    assert checkouts[-1][3] == "nuovo@example.it" and checkouts[0][1] == checkouts[1][1]
    assert checkout_result.rejected == 1 and rejects[0][2] == "not a Shopify checkout (no id)"


def test_woocommerce_orders_export_loads_good_rows_and_quarantines_bad_ones(home: Paths) -> None:
    folder = home.landing / "woocommerce"
    folder.mkdir(parents=True)
    (folder / "orders-en.csv").write_text(
        "Order ID,Order Number,Order Status,Order Date,Paid Date,Order Currency,Order Total,"
        "Order Shipping,Order Total Tax,Cart Discount,Customer User ID,Billing First Name,"
        "Billing Last Name,Billing Email,Billing Phone,Billing Country,Payment Method Title,"
        "Item Name\n"
        "4521,4521,wc-completed,2025-06-02 10:15:00,2025-06-02 10:16:00,EUR,\"1,234.50\","
        "10.00,222.63,0,17,Giulia,Rossi,giulia@example.it,333 123 4567,IT,PayPal,Divano\n"
        "4521,4521,wc-completed,2025-06-02 10:15:00,2025-06-02 10:16:00,EUR,\"1,234.50\","
        "10.00,222.63,0,17,Giulia,Rossi,giulia@example.it,333 123 4567,IT,PayPal,Cuscino\n"
        "4522,4522,Processing,2025-06-03 18:00:00,,EUR,59.90,0,10.80,5.00,0,Marco,Bianchi,"
        "marco@example.it,,IT,Bonifico,Lampada\n"
        "ABC,ABC,Processing,2025-06-03 18:00:00,,EUR,59.90,0,0,0,0,X,Y,x@example.it,,IT,,\n"
        "4523,4523,Processing,domani,,EUR,59.90,0,0,0,0,X,Y,x@example.it,,IT,,\n"
        "4524,4524,Processing,2025-06-03 18:00:00,,EUR,cinquanta,0,0,0,0,X,Y,x@example.it,,IT,,\n"
        "4525,4525,Processing,2025-06-03 18:00:00,,EUR,,0,0,0,0,X,Y,x@example.it,,IT,,\n"
        "4526,4526,Processing\n",
        encoding="utf-8",
    )
    (folder / "ordini-it.csv").write_text(
        "ID ordine;Numero ordine;Stato ordine;Data ordine;Valuta;Totale ordine;"
        "Email (fatturazione);Telefono (fatturazione);Nome (fatturazione);Cognome (fatturazione)\n"
        "#7001;7001;Completato;05/06/2025 09:30;eur;€ 1.299,00;anna@example.it;"
        "+39 347 0000000;Anna;Verdi\n"
        "7002;7002;In attesa di pagamento;06/06/2025 21:05;EUR;49,90;luca@@example;;Luca;Neri\n",
        encoding="cp1252",
    )
    con = connect(home.warehouse)
    result = woocommerce.ingest(con, home.landing)
    rows = con.execute(
        "select file, line_no, order_id, status, ordered_at, paid_at, currency, total_amount, "
        "tax_amount, discount_amount, customer_id, billing_email, payment_method, "
        "\"row\" ->> '$.\"Item Name\"' from raw.woocommerce_orders order by file, line_no"
    ).fetchall()
    rejects = _rejects(con, "woocommerce")
    again = woocommerce.ingest(con, home.landing)
    con.close()

    assert [(r[0].split("/")[-1], r[1], r[2], r[3]) for r in rows] == [
        ("orders-en.csv", 2, "4521", "completed"),
        ("orders-en.csv", 3, "4521", "completed"),
        ("orders-en.csv", 4, "4522", "processing"),
        ("ordini-it.csv", 2, "7001", "completed"),
    ]
    first, _, guest, italian = rows
    assert first[4] == datetime(2025, 6, 2, 8, 15) and first[5] == datetime(2025, 6, 2, 8, 16)
    assert (first[6], first[7], first[8], first[10]) == ("EUR", Decimal("1234.50"),
                                                         Decimal("222.63"), "17")
    assert first[12] == "PayPal" and first[13] == "Divano"
    assert guest[10] is None and guest[9] == Decimal("5.00")  # customer 0 is a guest
    assert italian[4] == datetime(2025, 6, 5, 7, 30) and italian[7] == Decimal("1299.00")
    assert italian[6] == "EUR"
    assert [(f.split("/")[-1], n, reason) for f, n, reason, _ in rejects] == [
        ("orders-en.csv", 5, "order id 'ABC' is not a WooCommerce id"),
        ("orders-en.csv", 6, "unreadable order date 'domani'"),
        ("orders-en.csv", 7, "unreadable order total 'cinquanta'"),
        ("orders-en.csv", 8, "no order total"),
        ("orders-en.csv", 9, "row has 3 fields, header has 18"),
        ("ordini-it.csv", 3, "invalid billing email 'luca@@example'"),
    ]
    assert (result.files, result.rejected) == (2, 6) and again.files == 0
