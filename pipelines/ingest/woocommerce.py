"""WooCommerce order exports (CSV) → raw.woocommerce_orders.

`landing/woocommerce/*.csv`: the orders CSV that WooCommerce export plugins produce,
with REST-style (`order_id`, `date_created`, `billing_email`), English ("Order ID",
"Order Date", "Billing Email") or Italian ("ID ordine", "Data ordine",
"Email (fatturazione)") headers, `,` or `;` separated, amounts in either notation
(`1.234,56`, `49.90`, `€ 49,90`). One row per CSV row: exports with one row per line
item repeat the order's fields, and staging collapses them per `order_id`.

A row needs an order id (digits, an optional leading `#`), a readable order date and a
readable total; otherwise (or when ragged, or with an invalid e-mail) it is quarantined
in raw.rejected_records with the reason. Statuses are normalized to WooCommerce's slugs
(`wc-completed` and `Completato` → `completed`); unknown custom statuses are kept,
lowercased. Dates without an offset are in the site's time zone (default Europe/Rome)
and are stored in UTC; a `date_created_gmt` column, when present, is used as is.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from pipelines.connectors.csv_exports import (
    DEFAULT_EXPORT_TZ,
    RowError,
    blank_to_none,
    check_email,
    parse_amount,
    parse_export,
    parse_timestamp,
)
from pipelines.ingest.files import IngestResult, Rejected, ingest_parsed_files

SOURCE = "woocommerce"

DDL = """
create schema if not exists raw;
create table if not exists raw.woocommerce_orders (
    file varchar not null,
    line_no bigint not null,
    order_id varchar not null,
    order_number varchar,
    status varchar,
    ordered_at timestamp not null,
    modified_at timestamp,
    paid_at timestamp,
    completed_at timestamp,
    currency varchar,
    total_amount decimal(18, 2) not null,
    shipping_amount decimal(18, 2),
    tax_amount decimal(18, 2),
    discount_amount decimal(18, 2),
    customer_id varchar,
    billing_email varchar,
    billing_phone varchar,
    billing_first_name varchar,
    billing_last_name varchar,
    billing_country varchar,
    payment_method varchar,
    "row" json using compression zstd not null,
    ingested_at timestamp not null
);
"""

ALIASES: dict[str, tuple[str, ...]] = {
    "order_id": ("order id", "order_id", "id", "id ordine", "ordine id"),
    "order_number": ("order number", "order_number", "number", "numero ordine"),
    "status": ("order status", "status", "stato ordine", "stato"),
    "ordered_at_gmt": ("date_created_gmt", "order date (gmt)", "order date gmt"),
    "ordered_at": ("order date", "date_created", "date created", "data ordine", "data"),
    "modified_at": ("date_modified", "order modified date", "modified date", "data modifica"),
    "paid_at": ("date_paid", "paid date", "order paid date", "data pagamento"),
    "completed_at": ("date_completed", "completed date", "order completed date",
                     "data completamento"),
    "currency": ("order currency", "currency", "valuta"),
    "total_amount": ("order total", "order total amount", "total", "totale ordine", "totale"),
    "shipping_amount": ("order shipping", "shipping_total", "shipping total",
                        "order shipping amount", "totale spedizione", "spedizione"),
    "tax_amount": ("order total tax", "total_tax", "tax total", "order total tax amount",
                   "totale tasse", "totale iva", "iva"),
    "discount_amount": ("cart discount", "discount_total", "discount total",
                        "cart discount amount", "totale sconto", "sconto"),
    "customer_id": ("customer id", "customer_id", "customer user id", "customer user",
                    "id cliente"),
    "billing_email": ("billing email", "billing_email", "billing.email", "email (billing)",
                      "billing email address", "email (fatturazione)", "email fatturazione",
                      "email", "e-mail"),
    "billing_phone": ("billing phone", "billing_phone", "billing.phone", "phone (billing)",
                      "telefono (fatturazione)", "telefono fatturazione", "telefono", "phone"),
    "billing_first_name": ("billing first name", "billing_first_name", "billing.first_name",
                           "first name (billing)", "nome (fatturazione)", "nome fatturazione"),
    "billing_last_name": ("billing last name", "billing_last_name", "billing.last_name",
                          "last name (billing)", "cognome (fatturazione)",
                          "cognome fatturazione"),
    "billing_country": ("billing country", "billing_country", "billing.country",
                        "country code (billing)", "paese (fatturazione)",
                        "nazione (fatturazione)"),
    "payment_method": ("payment method title", "payment_method_title", "payment method",
                       "payment_method", "metodo di pagamento"),
}

STATUSES = {
    "pending payment": "pending", "in attesa di pagamento": "pending", "pending": "pending",
    "processing": "processing", "in lavorazione": "processing",
    "on hold": "on-hold", "on-hold": "on-hold", "in sospeso": "on-hold",
    "completed": "completed", "completato": "completed", "completo": "completed",
    "cancelled": "cancelled", "canceled": "cancelled", "cancellato": "cancelled",
    "annullato": "cancelled", "refunded": "refunded", "rimborsato": "refunded",
    "failed": "failed", "fallito": "failed", "non riuscito": "failed",
    "draft": "checkout-draft", "checkout-draft": "checkout-draft", "bozza": "checkout-draft",
}

SCHEMA: dict[str, pl.DataType] = {
    "line_no": pl.Int64(),
    "order_id": pl.String(),
    "order_number": pl.String(),
    "status": pl.String(),
    "ordered_at": pl.Datetime("us"),
    "modified_at": pl.Datetime("us"),
    "paid_at": pl.Datetime("us"),
    "completed_at": pl.Datetime("us"),
    "currency": pl.String(),
    "total_amount": pl.Decimal(18, 2),
    "shipping_amount": pl.Decimal(18, 2),
    "tax_amount": pl.Decimal(18, 2),
    "discount_amount": pl.Decimal(18, 2),
    "customer_id": pl.String(),
    "billing_email": pl.String(),
    "billing_phone": pl.String(),
    "billing_first_name": pl.String(),
    "billing_last_name": pl.String(),
    "billing_country": pl.String(),
    "payment_method": pl.String(),
    "row": pl.String(),
}


def normalize_status(text: str) -> str | None:
    value = " ".join(text.strip().lower().split())
    if not value:
        return None
    value = value.removeprefix("wc-")
    return STATUSES.get(value, STATUSES.get(value.replace("-", " "), value))


def parse_orders_csv(
    path: Path, export_tz: str = DEFAULT_EXPORT_TZ
) -> tuple[pl.DataFrame, list[Rejected]]:
    tz = ZoneInfo(export_tz)

    def build(values: dict[str, str], whole: dict[str, str]) -> dict[str, Any]:
        order_id = values["order_id"].strip().lstrip("#")
        if not order_id:
            raise RowError("no order id")
        if not order_id.isdigit():
            raise RowError(f"order id {values['order_id'].strip()!r} is not a WooCommerce id")
        ordered_at = (parse_timestamp(values["ordered_at_gmt"], "order date (GMT)", ZoneInfo("UTC"))
                      or parse_timestamp(values["ordered_at"], "order date", tz))
        if ordered_at is None:
            raise RowError("no order date")
        total = parse_amount(values["total_amount"], "order total")
        if total is None:
            raise RowError("no order total")
        currency = blank_to_none(values["currency"])
        return {
            "order_id": order_id,
            "order_number": blank_to_none(values["order_number"].lstrip("#")) or order_id,
            "status": normalize_status(values["status"]),
            "ordered_at": ordered_at,
            "modified_at": parse_timestamp(values["modified_at"], "modified date", tz),
            "paid_at": parse_timestamp(values["paid_at"], "paid date", tz),
            "completed_at": parse_timestamp(values["completed_at"], "completed date", tz),
            "currency": currency.upper() if currency else None,
            "total_amount": total,
            "shipping_amount": parse_amount(values["shipping_amount"], "shipping total"),
            "tax_amount": parse_amount(values["tax_amount"], "tax total"),
            "discount_amount": parse_amount(values["discount_amount"], "discount total"),
            "customer_id": _customer_id(values["customer_id"]),
            "billing_email": check_email(values["billing_email"], "billing email"),
            "billing_phone": blank_to_none(values["billing_phone"]),
            "billing_first_name": blank_to_none(values["billing_first_name"]),
            "billing_last_name": blank_to_none(values["billing_last_name"]),
            "billing_country": blank_to_none(values["billing_country"]),
            "payment_method": blank_to_none(values["payment_method"]),
        }

    return parse_export(path, ALIASES, ("order_id", "total_amount"), build, SCHEMA,
                        labels={"order_id": "Order ID", "total_amount": "Order Total"})


def _customer_id(text: str) -> str | None:
    """WooCommerce writes 0 for guest checkouts: that is no customer."""
    value = text.strip()
    return None if value in ("", "0") else value


def ingest(
    con: duckdb.DuckDBPyConnection, landing: Path, export_tz: str = DEFAULT_EXPORT_TZ
) -> IngestResult:
    return ingest_parsed_files(
        con, SOURCE, landing / SOURCE, "raw.woocommerce_orders", DDL,
        partial(parse_orders_csv, export_tz=export_tz), landing_root=landing,
        suffixes=(".csv", ".CSV"),
    )
