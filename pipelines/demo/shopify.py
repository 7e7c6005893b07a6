"""Shopify Admin REST order objects for a demo shop.

Orders are planned first (so conversations can mention `#1042`), then numbered in creation
order by `finalize`. `records()` yields what an incremental `orders.json?updated_at_min=...`
export lands: every order once as created and, when it was later fulfilled, paid or
cancelled, once more with a later `updated_at`. Prices include VAT (`taxes_included: true`):
`total_price = subtotal_price + shipping`, `total_tax` is the VAT inside `total_price`.
Phones are as the customer typed them at checkout; `customer.phone` is Shopify's E.164.
"""

from __future__ import annotations

import json
import random
import zlib
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .businesses import Product, Script
from .hours import iso_rome
from .people import Person, typed_phone

CENT = Decimal("0.01")

MILAN_AREA = (
    ("Milano", "MI", "20144"), ("Milano", "MI", "20135"), ("Milano", "MI", "20127"),
    ("Milano", "MI", "20159"), ("Monza", "MB", "20900"), ("Sesto San Giovanni", "MI", "20099"),
    ("Rho", "MI", "20017"), ("Corsico", "MI", "20094"), ("Segrate", "MI", "20054"),
    ("Cinisello Balsamo", "MI", "20092"), ("San Donato Milanese", "MI", "20097"),
)  # fmt: skip
ITALY = (
    ("Roma", "RM", "00185"), ("Milano", "MI", "20121"), ("Napoli", "NA", "80121"),
    ("Torino", "TO", "10121"), ("Palermo", "PA", "90133"), ("Genova", "GE", "16121"),
    ("Bologna", "BO", "40121"), ("Firenze", "FI", "50122"), ("Bari", "BA", "70121"),
    ("Verona", "VR", "37121"), ("Padova", "PD", "35121"), ("Brescia", "BS", "25121"),
    ("Catania", "CT", "95121"), ("Bergamo", "BG", "24121"), ("Pescara", "PE", "65121"),
    ("Cagliari", "CA", "09124"), ("Trento", "TN", "38122"), ("Lecce", "LE", "73100"),
)  # fmt: skip
STREETS = (
    "Via Roma", "Via Garibaldi", "Corso Italia", "Via Mazzini", "Via Dante", "Viale Europa",
    "Via Verdi", "Via Cavour", "Via Manzoni", "Piazza della Repubblica", "Via Marconi",
    "Via San Martino", "Viale dei Mille", "Via Gramsci", "Via Leopardi", "Corso Vittorio Emanuele",
)  # fmt: skip


def money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass(slots=True)
class Order:
    person: Person
    created_at: int
    lines: list[tuple[Product, int]]
    accepts_marketing: bool
    fulfilled_at: int | None = None
    paid_at: int | None = None  # set when it was pending (bank transfer) at creation
    cancelled_at: int | None = None
    discount_code: str | None = None
    tags: tuple[str, ...] = ()
    id: int = 0
    number: int = 0
    name: str = ""
    line_ids: list[int] = field(default_factory=list)
    checkout: Checkout | None = None  # the abandoned checkout this order recovered


@dataclass(slots=True)
class Checkout:
    """An abandoned checkout: the customer left at the payment step (or earlier)."""

    person: Person
    created_at: int
    lines: list[tuple[Product, int]]
    accepts_marketing: bool
    recovered_by: Order | None = None
    reminder_at: int | None = None  # when the WhatsApp `carrello_abbandonato` went out
    step: str = "payment"  # how far they got: contact (e-mail only), shipping, payment
    id: int = 0
    token: str = ""
    cart_token: str = ""
    key: str = ""


class Shop:
    def __init__(
        self, script: Script, shard_no: int, rng: random.Random, first_number: int
    ) -> None:
        self.script = script
        self.shard_no = shard_no
        self.rng = rng
        self.first_number = first_number
        self.vat = Decimal("22") if script.vertical == "furniture" else Decimal("10")
        self.orders: list[Order] = []
        self.customer_ids: dict[int, int] = {}
        self.customer_since: dict[int, int] = {}
        self.addresses: dict[int, tuple[str, str, str, str, str]] = {}
        self.phones: dict[int, tuple[str, str | None, str | None]] = {}
        self.checkouts: list[Checkout] = []
        self.order_times: dict[int, list[int]] = {}

    def pick_lines(self, count: int = 1) -> list[tuple[Product, int]]:
        rng = self.rng
        products = self.script.products
        weights = [p.weight for p in products]
        chosen = rng.choices(products, weights, k=count)
        unique = list(dict.fromkeys(chosen))
        return [(product, 1 if rng.random() < 0.7 else rng.randint(2, 3)) for product in unique]

    def place(self, person: Person, ts: int, lines: list[tuple[Product, int]],
              accepts_marketing: bool, **extra: Any) -> Order:  # fmt: skip
        order = Order(person, ts, lines, accepts_marketing, **extra)
        self.orders.append(order)
        self.customer_since[person.index] = min(ts, self.customer_since.get(person.index, ts))
        return order

    def abandon(
        self,
        person: Person,
        ts: int,
        lines: list[tuple[Product, int]],
        accepts_marketing: bool,
        **extra: Any,
    ) -> Checkout:
        checkout = Checkout(person, ts, lines, accepts_marketing, **extra)
        if checkout.recovered_by is not None:
            checkout.recovered_by.checkout = checkout
        self.checkouts.append(checkout)
        self.customer_since[person.index] = min(ts, self.customer_since.get(person.index, ts))
        return checkout

    def finalize(self) -> None:
        """Number orders and customers in creation order, like Shopify does."""
        rng = self.rng
        self.orders.sort(key=lambda o: (o.created_at, o.person.index))
        order_id = 6_100_000_000_000 + self.shard_no * 10_000_000_000
        customer_id = 8_200_000_000_000 + self.shard_no * 10_000_000_000
        line_id = 15_400_000_000_000 + self.shard_no * 10_000_000_000
        for rank, order in enumerate(self.orders):
            order_id += rng.randint(40, 900)
            order.id = order_id
            order.number = self.first_number + rank
            order.name = f"#{order.number}"
            for _ in order.lines:
                line_id += rng.randint(40, 900)
                order.line_ids.append(line_id)
            key = order.person.index
            if key not in self.customer_ids:
                customer_id += rng.randint(1000, 90000)
                self.customer_ids[key] = customer_id
                self._remember_contact_details(order.person)
            self.order_times.setdefault(key, []).append(order.created_at)
        # Checkouts are numbered the same way; a checkout-only customer is created with it.
        self.checkouts.sort(key=lambda c: (c.created_at, c.person.index))
        checkout_id = 35_200_000_000_000 + self.shard_no * 10_000_000_000
        for checkout in self.checkouts:
            checkout_id += rng.randint(200, 9000)
            checkout.id = checkout_id
            checkout.token = f"{rng.getrandbits(128):032x}"
            checkout.cart_token = f"{rng.getrandbits(128):032x}"
            checkout.key = f"{rng.getrandbits(64):016x}"
            key = checkout.person.index
            if key not in self.customer_ids:
                customer_id += rng.randint(1000, 90000)
                self.customer_ids[key] = customer_id
                self._remember_contact_details(checkout.person)

    def recover_url(self, checkout: Checkout) -> str:
        return (
            f"https://{self.script.shop_domain}/{self.shop_id}/checkouts/ac/{checkout.token}"
            f"/recover?key={checkout.key}"
        )

    @property
    def shop_id(self) -> int:
        return 68_300_000_000 + self.shard_no * 1_000_017

    def _remember_contact_details(self, person: Person) -> None:
        rng = self.rng
        places = MILAN_AREA if self.script.vertical == "furniture" else ITALY
        city, province, zip_code = rng.choice(places)
        street = f"{rng.choice(STREETS)} {rng.randint(1, 180)}"
        self.addresses[person.index] = (street, city, province, zip_code, "IT")
        typed = typed_phone(rng, person)
        order_phone = typed if rng.random() < 0.55 else None
        customer_phone = person.e164 if rng.random() < 0.6 else None
        self.phones[person.index] = (typed, order_phone, customer_phone)

    # ------------------------------------------------------------------ rendering
    def _address(self, person: Person) -> dict[str, Any]:
        street, city, province, zip_code, country = self.addresses[person.index]
        return {
            "first_name": person.first_name,
            "address1": street,
            "phone": self.phones[person.index][0],
            "city": city,
            "zip": zip_code,
            "province": province,
            "country": "Italy",
            "last_name": person.last_name,
            "address2": None,
            "company": None,
            "name": person.full_name,
            "country_code": country,
            "province_code": province,
        }

    def _customer(self, order: Order, updated: int) -> dict[str, Any]:
        person = order.person
        cid = self.customer_ids[person.index]
        since = self.customer_since[person.index]
        return {
            "id": cid,
            "email": person.email,
            "created_at": iso_rome(since),
            "updated_at": iso_rome(updated),
            "first_name": person.first_name,
            "last_name": person.last_name,
            "state": "enabled",
            "note": None,
            "verified_email": True,
            "multipass_identifier": None,
            "tax_exempt": False,
            "phone": self.phones[person.index][2],
            "email_marketing_consent": {
                "state": "subscribed" if order.accepts_marketing else "not_subscribed",
                "opt_in_level": "single_opt_in",
                "consent_updated_at": iso_rome(order.created_at)
                if order.accepts_marketing
                else None,
            },
            "tags": "",
            "currency": "EUR",
            "admin_graphql_api_id": f"gid://shopify/Customer/{cid}",
        }

    def _document(self, order: Order, updated: int, state: str) -> dict[str, Any]:
        person = order.person
        items_total = sum((Decimal(p.price) * qty for p, qty in order.lines), Decimal(0))
        discount = (
            (items_total * Decimal("0.10")).quantize(CENT) if order.discount_code else Decimal(0)
        )
        subtotal = items_total - discount
        if self.script.vertical == "furniture":
            shipping = Decimal(0) if subtotal >= 500 else Decimal("79.00")
            carrier = "Consegna e montaggio"
        else:
            shipping = Decimal(0) if subtotal >= 39 else Decimal("4.90")
            carrier = "BRT Corriere Espresso"
        total = subtotal + shipping
        tax = (total * self.vat / (100 + self.vat)).quantize(CENT, rounding=ROUND_HALF_UP)
        cancelled = state == "cancelled"
        fulfilled = state == "fulfilled"
        pending = order.paid_at is not None and state == "created"
        financial = "refunded" if cancelled else ("pending" if pending else "paid")
        token = f"{order.id:x}{person.index:06x}"[:32].ljust(32, "0")
        checkout_token, cart_token = token[::-1], token
        if order.checkout is not None:
            checkout_token, cart_token = order.checkout.token, order.checkout.cart_token
        typed, order_phone, _ = self.phones[person.index]
        line_items = [
            {
                "id": line_id,
                "admin_graphql_api_id": f"gid://shopify/LineItem/{line_id}",
                "title": product.title,
                "name": product.title,
                "quantity": qty,
                "price": product.price,
                "sku": product.sku,
                "vendor": self.script.shop_domain.split(".")[0],
                "product_exists": True,
                "fulfillable_quantity": 0 if (fulfilled or cancelled) else qty,
                "fulfillment_status": "fulfilled" if fulfilled else None,
                "requires_shipping": True,
                "taxable": True,
                "gift_card": False,
                "total_discount": "0.00",
                "tax_lines": [
                    {
                        "title": "IVA",
                        "price": money(Decimal(product.price) * qty * self.vat / (100 + self.vat)),
                        "rate": float(self.vat / 100),
                    }
                ],
            }
            for (product, qty), line_id in zip(order.lines, order.line_ids, strict=True)
        ]
        return {
            "id": order.id,
            "admin_graphql_api_id": f"gid://shopify/Order/{order.id}",
            "app_id": 580111,
            "buyer_accepts_marketing": order.accepts_marketing,
            "cancel_reason": "customer" if cancelled else None,
            "cancelled_at": iso_rome(order.cancelled_at)
            if cancelled and order.cancelled_at
            else None,
            "cart_token": cart_token,
            "checkout_token": checkout_token,
            "closed_at": iso_rome(updated) if fulfilled else None,
            "confirmed": True,
            "contact_email": person.email,
            "created_at": iso_rome(order.created_at),
            "currency": "EUR",
            "current_total_price": "0.00" if cancelled else money(total),
            "customer": self._customer(order, updated),
            "customer_locale": "it",
            "discount_codes": (
                [{"code": order.discount_code, "amount": money(discount), "type": "percentage"}]
                if order.discount_code
                else []
            ),
            "email": person.email,
            "financial_status": financial,
            "fulfillment_status": "fulfilled" if fulfilled else None,
            "gateway": "bank_transfer" if order.paid_at else "shopify_payments",
            "landing_site": "/",
            "line_items": line_items,
            "name": order.name,
            "note": None,
            "number": order.number - 1000,
            "order_number": order.number,
            "order_status_url": f"https://{self.script.shop_domain}/{order.id % 10**8}/orders/"
            f"{token}/authenticate?key={token[:16]}",
            "phone": order_phone,
            "presentment_currency": "EUR",
            "processed_at": iso_rome(order.created_at),
            "referring_site": "",
            "shipping_address": self._address(person),
            "billing_address": self._address(person),
            "shipping_lines": [
                {"title": carrier, "price": money(shipping), "code": carrier, "source": "shopify"}
            ],
            "source_name": "web",
            "subtotal_price": money(subtotal),
            "tags": ", ".join(order.tags),
            "tax_lines": [{"title": "IVA", "price": money(tax), "rate": float(self.vat / 100)}],
            "taxes_included": True,
            "test": False,
            "token": token,
            "total_discounts": money(discount),
            "total_line_items_price": money(items_total),
            "total_price": money(total),
            "total_tax": money(tax),
            "updated_at": iso_rome(updated),
        }

    def records(self, end_ts: int) -> list[tuple[int, str]]:
        """(updated_at, json line) for every landed version of every order, oldest first."""
        rng = self.rng
        out: list[tuple[int, str]] = []
        for order in self.orders:
            if order.created_at > end_ts:
                continue
            first_update = order.created_at + rng.randint(2, 90)
            states = [(min(first_update, end_ts), "created")]
            later = [
                (when, state)
                for when, state in (
                    (order.cancelled_at, "cancelled"),
                    (order.fulfilled_at, "fulfilled"),
                    (order.paid_at, "paid"),
                )
                if when is not None and when <= end_ts
            ]
            if later:
                states.append(min(later))
            for updated, state in states:
                document = self._document(order, updated, state)
                out.append(
                    (updated, json.dumps(document, ensure_ascii=False, separators=(",", ":")))
                )
        out.sort(key=lambda item: item[0])
        return out

    # ------------------------------------------------------------------ checkouts
    def _checkout_document(
        self, checkout: Checkout, updated: int, completed: bool
    ) -> dict[str, Any]:
        person = checkout.person
        items_total = sum((Decimal(p.price) * qty for p, qty in checkout.lines), Decimal(0))
        shipping = Decimal(0) if items_total >= 39 else Decimal("4.90")
        with_address = checkout.step != "contact"
        total = items_total + (shipping if with_address else Decimal(0))
        tax = (total * self.vat / (100 + self.vat)).quantize(CENT, rounding=ROUND_HALF_UP)
        typed, order_phone, _ = self.phones[person.index]
        vendor = self.script.shop_domain.split(".")[0]
        line_items = []
        for product, qty in checkout.lines:
            product_id = 9_100_000_000_000 + zlib.crc32(product.sku.encode()) % 10**9
            line_items.append(
                {
                    "applied_discounts": [],
                    "discount_allocations": [],
                    "key": f"{product_id + 1}:{checkout.cart_token[:16]}",
                    "destination_location_id": None,
                    "fulfillment_service": "manual",
                    "gift_card": False,
                    "grams": 300,
                    "origin_location_id": None,
                    "presentment_title": product.title,
                    "presentment_variant_title": "",
                    "product_id": product_id,
                    "properties": None,
                    "quantity": qty,
                    "requires_shipping": True,
                    "sku": product.sku,
                    "tax_lines": [
                        {
                            "price": money(
                                Decimal(product.price) * qty * self.vat / (100 + self.vat)
                            ),
                            "rate": float(self.vat / 100),
                            "title": "IVA",
                        }
                    ],
                    "taxable": True,
                    "title": product.title,
                    "variant_id": product_id + 1,
                    "variant_title": "",
                    "variant_price": product.price,
                    "vendor": vendor,
                    "compare_at_price": None,
                    "line_price": money(Decimal(product.price) * qty),
                    "price": product.price,
                }
            )
        completed_at = (
            iso_rome(checkout.recovered_by.created_at)
            if completed and checkout.recovered_by
            else None
        )
        cid = self.customer_ids[person.index]
        orders_before = bisect_left(self.order_times.get(person.index, []), checkout.created_at)
        return {
            "id": checkout.id,
            "token": checkout.token,
            "cart_token": checkout.cart_token,
            "email": person.email,
            "gateway": None,
            "buyer_accepts_marketing": checkout.accepts_marketing,
            "created_at": iso_rome(checkout.created_at),
            "updated_at": iso_rome(updated),
            "landing_site": "/",
            "note": None,
            "note_attributes": [],
            "referring_site": "",
            "shipping_lines": (
                [
                    {
                        "code": "BRT Corriere Espresso",
                        "price": money(shipping),
                        "title": "BRT Corriere Espresso",
                    }
                ]
                if with_address
                else []
            ),
            "taxes_included": True,
            "total_weight": 300 * sum(qty for _, qty in checkout.lines),
            "currency": "EUR",
            "completed_at": completed_at,
            "closed_at": None,
            "user_id": None,
            "location_id": None,
            "source_identifier": None,
            "source_url": None,
            "device_id": None,
            "phone": order_phone if with_address else None,
            "customer_locale": "it",
            "line_items": line_items,
            "name": f"#{checkout.id}",
            "source": None,
            "abandoned_checkout_url": self.recover_url(checkout),
            "discount_codes": [],
            "tax_lines": [{"price": money(tax), "rate": float(self.vat / 100), "title": "IVA"}],
            "source_name": "web",
            "presentment_currency": "EUR",
            "buyer_accepts_sms_marketing": False,
            "sms_marketing_phone": None,
            "total_discounts": "0.00",
            "total_line_items_price": money(items_total),
            "total_price": money(total),
            "total_tax": money(tax),
            "subtotal_price": money(items_total),
            "total_duties": None,
            "billing_address": self._address(person) if checkout.step == "payment" else None,
            "shipping_address": self._address(person) if with_address else None,
            "customer": {
                "id": cid,
                "email": person.email,
                "accepts_marketing": checkout.accepts_marketing,
                "created_at": iso_rome(self.customer_since[person.index]),
                "updated_at": iso_rome(updated),
                "first_name": person.first_name,
                "last_name": person.last_name,
                "orders_count": orders_before,
                "state": "enabled" if orders_before else "disabled",
                "total_spent": "0.00",
                "last_order_id": None,
                "note": None,
                "verified_email": True,
                "multipass_identifier": None,
                "tax_exempt": False,
                "phone": self.phones[person.index][2],
                "tags": "",
                "currency": "EUR",
                "admin_graphql_api_id": f"gid://shopify/Customer/{cid}",
            },
        }

    def checkout_records(self, end_ts: int) -> list[tuple[int, str]]:
        """(updated_at, json line) for every landed version of every abandoned checkout: once
        when abandoned (completed_at null) and, when an order recovered it, once more then."""
        rng = self.rng
        out: list[tuple[int, str]] = []
        for checkout in self.checkouts:
            if checkout.created_at > end_ts:
                continue
            versions = [(min(end_ts, checkout.created_at + rng.randint(30, 900)), False)]
            order = checkout.recovered_by
            if order is not None and order.created_at <= end_ts:
                versions.append((order.created_at, True))
            for updated, completed in versions:
                document = self._checkout_document(checkout, updated, completed)
                out.append(
                    (updated, json.dumps(document, ensure_ascii=False, separators=(",", ":")))
                )
        out.sort(key=lambda item: item[0])
        return out
