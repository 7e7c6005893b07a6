"""Fixtures for the connector tests: live fakes on loopback, their env, a fast retry policy."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fake_servers import FakeChatwoot, FakeHubSpot, FakeShopify

from pipelines.connectors.http import RetryPolicy


@pytest.fixture
def sleeps() -> list[float]:
    """Every wait a connector asked for, in seconds (the real sleep is capped at 2 ms)."""
    return []


@pytest.fixture
def record_sleep(sleeps: list[float]) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(min(seconds, 0.002))

    return sleep


@pytest.fixture
def policy(record_sleep: Callable[[float], None]) -> RetryPolicy:
    return RetryPolicy(max_attempts=4, backoff_base=0.001, backoff_max=0.004, sleep=record_sleep)


@pytest.fixture
def fake_chatwoot(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeChatwoot]:
    with FakeChatwoot() as fake:
        assert isinstance(fake, FakeChatwoot)
        monkeypatch.setenv("THREADLINE_CHATWOOT_URL", fake.base_url)
        monkeypatch.setenv("THREADLINE_CHATWOOT_ACCOUNT_ID", str(fake.account_id))
        monkeypatch.setenv("THREADLINE_CHATWOOT_API_TOKEN", fake.token)
        yield fake


@pytest.fixture
def hubspot_options() -> dict[str, Any]:
    return {}


@pytest.fixture
def fake_hubspot(monkeypatch: pytest.MonkeyPatch, hubspot_options: dict[str, Any]
            ) -> Iterator[FakeHubSpot]:
    with FakeHubSpot(**hubspot_options) as fake:
        assert isinstance(fake, FakeHubSpot)
        monkeypatch.setenv("THREADLINE_HUBSPOT_URL", fake.base_url)
        monkeypatch.setenv("THREADLINE_HUBSPOT_TOKEN", fake.token)
        yield fake


@pytest.fixture
def shopify_options() -> dict[str, Any]:
    return {}


@pytest.fixture
def fake_shopify(monkeypatch: pytest.MonkeyPatch, shopify_options: dict[str, Any]
            ) -> Iterator[FakeShopify]:
    with FakeShopify(**shopify_options) as fake:
        assert isinstance(fake, FakeShopify)
        monkeypatch.setenv("THREADLINE_SHOPIFY_SHOP_URL", fake.base_url)
        monkeypatch.setenv("THREADLINE_SHOPIFY_TOKEN", fake.token)
        monkeypatch.setenv("THREADLINE_SHOPIFY_API_VERSION", fake.api_version)
        yield fake

