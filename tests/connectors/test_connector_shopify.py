"""Shopify Admin REST connector against a live fake shop on loopback."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from fake_servers import FakeShopify, all_written_text, read_landed

from pipelines.connectors import shopify_api
from pipelines.connectors.env import MissingCredentialError
from pipelines.connectors.http import ApiError, RetryPolicy
from pipelines.connectors.shopify_api import CallLimitPacer, next_link
from pipelines.settings import Paths


def _seed(fake: FakeShopify, orders: int = 600, checkouts: int = 30) -> tuple[list[int], list[int]]:
    order_ids = [fake.add_order(email=f"cliente{n}@example.it", total=f"{20 + n % 90}.90")
                 for n in range(orders)]
    checkout_ids = [fake.add_checkout(email=f"carrello{n}@example.it") for n in range(checkouts)]
    return order_ids, checkout_ids


def _landed(home: Paths, resource: str) -> list[dict]:
    return read_landed(home.landing / "shopify" / resource)


def _pacer(record_sleep) -> CallLimitPacer:  # type: ignore[no-untyped-def]
    return CallLimitPacer(sleep=record_sleep)


def test_first_sync_follows_link_pages_and_lands_every_record_once(
    home: Paths, fake_shopify: FakeShopify, policy: RetryPolicy, record_sleep
) -> None:
    order_ids, checkout_ids = _seed(fake_shopify)
    counts = shopify_api.sync(home, policy=policy, pacer=_pacer(record_sleep))
    orders, checkouts = _landed(home, "orders"), _landed(home, "checkouts")

    assert [o["id"] for o in orders] == order_ids  # 250 + 250 + 100, each once
    assert [c["id"] for c in checkouts] == checkout_ids
    assert (counts["orders"], counts["orders_files"], counts["checkouts"]) == (600, 3, 30)
    pages = fake_shopify.calls("/orders.json")
    assert pages[0].query == {"status": "any", "limit": "250"}  # first run: no updated_at_min
    assert [set(p.query) for p in pages[1:]] == [{"page_info", "limit"}] * 2
    assert orders[0]["total_price"] == "20.90" and orders[0]["customer"]["email"]


def test_later_syncs_send_updated_at_min_and_land_only_changes(
    home: Paths, fake_shopify: FakeShopify, policy: RetryPolicy, record_sleep
) -> None:
    order_ids, checkout_ids = _seed(fake_shopify, orders=300, checkouts=5)
    shopify_api.sync(home, policy=policy, pacer=_pacer(record_sleep))
    newest = max(datetime.fromisoformat(o["updated_at"]) for o in _landed(home, "orders"))

    fake_shopify.reset_log()
    second = shopify_api.sync(home, policy=policy, pacer=_pacer(record_sleep))
    assert (second["orders"], second["checkouts"], second["orders_files"]) == (0, 0, 0)
    asked = fake_shopify.calls("/orders.json")[0].query
    assert asked["status"] == "any" and asked["limit"] == "250"
    since = datetime.fromisoformat(asked["updated_at_min"])
    assert 0 <= (newest - since).total_seconds() <= 61  # the cursor, less the overlap

    fake_shopify.modify("orders", order_ids[7], financial_status="refunded")
    fake_shopify.modify("orders", order_ids[250], fulfillment_status="fulfilled")
    fake_shopify.modify("checkouts", checkout_ids[0], completed_at=fake_shopify.clock.isoformat())
    third = shopify_api.sync(home, policy=policy, pacer=_pacer(record_sleep))
    orders = _landed(home, "orders")

    assert (third["orders"], third["checkouts"]) == (2, 1)
    assert [o["id"] for o in orders[-2:]] == [order_ids[7], order_ids[250]]
    assert orders[-2]["financial_status"] == "refunded"
    assert _landed(home, "checkouts")[-1]["completed_at"] is not None


def test_a_429_waits_for_retry_after_and_a_full_bucket_slows_down(
    home: Paths, fake_shopify: FakeShopify, policy: RetryPolicy, sleeps: list[float], record_sleep
) -> None:
    _seed(fake_shopify, orders=600, checkouts=0)
    fake_shopify.throttle(times=1, retry_after="2.0")
    pacer = CallLimitPacer(threshold=0.8, leak_per_second=2.0, sleep=record_sleep)
    fake_shopify.bucket_size = 4
    fake_shopify.leak_per_second = 0.0  # every call stays in the bucket
    counts = shopify_api.sync(home, policy=policy, pacer=pacer)

    assert counts["orders"] == 600
    assert fake_shopify.requests[0].status == 429 and sleeps[0] == 2.0
    # calls 1/4, 2/4, 3/4 go straight on; at 4/4 the pacer waits for the bucket to leak
    assert [c.status for c in fake_shopify.requests] == [429, 200, 200, 200, 200]
    assert sleeps[1:] == [pytest.approx(0.9)] and pacer.waited == pytest.approx(0.9)


def test_next_link_reads_the_next_relation_only() -> None:
    header = ('<https://x.myshopify.com/admin/api/2025-07/orders.json?limit=250&page_info=a>; '
              'rel="previous", <https://x.myshopify.com/admin/api/2025-07/orders.json?'
              'limit=250&page_info=b>; rel="next"')
    assert next_link(header) == ("https://x.myshopify.com/admin/api/2025-07/orders.json?"
                                 "limit=250&page_info=b")
    assert next_link(header.split(", ")[0]) is None and next_link(None) is None


@pytest.mark.parametrize("variable", [shopify_api.SHOP_URL_ENV, shopify_api.TOKEN_ENV])
def test_missing_credentials_name_the_variable(
    home: Paths, fake_shopify: FakeShopify, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.delenv(variable)
    with pytest.raises(MissingCredentialError, match=variable):
        shopify_api.sync(home)
    assert fake_shopify.requests == []


def test_the_token_never_reaches_logs_landing_or_cursors(
    home: Paths, fake_shopify: FakeShopify, policy: RetryPolicy, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch, record_sleep
) -> None:
    caplog.set_level(logging.DEBUG)
    _seed(fake_shopify, orders=30, checkouts=3)
    fake_shopify.throttle(times=1, retry_after="0.5")
    shopify_api.sync(home, policy=policy, pacer=_pacer(record_sleep))
    assert "retrying" in caplog.text and fake_shopify.token not in caplog.text
    assert fake_shopify.token not in all_written_text(home.home)

    monkeypatch.setenv(shopify_api.TOKEN_ENV, "shpat_wrong")
    with pytest.raises(ApiError) as refused:
        shopify_api.sync(home, policy=policy, pacer=_pacer(record_sleep))
    assert refused.value.status_code == 401 and "shpat_wrong" not in str(refused.value)
    assert "shpat_wrong" not in caplog.text
