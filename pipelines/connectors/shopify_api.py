"""Shopify Admin REST orders and abandoned checkouts → landing/shopify/{orders,checkouts}/.

`GET /admin/api/{version}/orders.json?status=any&updated_at_min=...&limit=250` and
`GET /admin/api/{version}/checkouts.json?updated_at_min=...&limit=250`, then the `Link`
header's `rel="next"` URL (which carries only `page_info` and `limit`) until there is
none. The first run omits `updated_at_min` (a full export). Each page lands as one file,
one order (or checkout) object per line, as the API returned it.

The results are not ordered by `updated_at`, so the cursor (a `Watermark`: newest
`updated_at` landed plus the versions within `overlap_seconds` of it) is advanced once
every page of the run has landed; the next run starts `overlap_seconds` before it and
skips versions already landed. An interrupted run lands some versions again on the next
one (staging keeps the newest version of each id).

Rate limits: a 429 is retried after its `Retry-After` seconds; every answer's
`X-Shopify-Shop-Api-Call-Limit: used/size` is read, and once the bucket is fuller than
`CallLimitPacer.threshold` the connector waits for it to leak back below.

Environment: THREADLINE_SHOPIFY_SHOP_URL (https://<shop>.myshopify.com, or a loopback
URL), THREADLINE_SHOPIFY_TOKEN (sent as X-Shopify-Access-Token),
THREADLINE_SHOPIFY_API_VERSION (default 2025-07).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr, field_validator

from pipelines.connectors import env
from pipelines.connectors.cursors import CursorStore, Watermark
from pipelines.connectors.http import ApiError, RetryPolicy, build_client, send
from pipelines.connectors.pages import PageWriter, iso_to_ms, ms_to_iso, new_run_id
from pipelines.settings import Paths

logger = logging.getLogger(__name__)

SHOP_URL_ENV = "THREADLINE_SHOPIFY_SHOP_URL"
TOKEN_ENV = "THREADLINE_SHOPIFY_TOKEN"
VERSION_ENV = "THREADLINE_SHOPIFY_API_VERSION"
DEFAULT_API_VERSION = "2025-07"
CALL_LIMIT_HEADER = "X-Shopify-Shop-Api-Call-Limit"
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?([A-Za-z]+)"?')


@dataclass(frozen=True)
class Resource:
    name: str  # the JSON key, the endpoint and the landing folder
    extra_params: tuple[tuple[str, str], ...] = ()


ORDERS = Resource("orders", (("status", "any"),))
CHECKOUTS = Resource("checkouts")
RESOURCES = {r.name: r for r in (ORDERS, CHECKOUTS)}


class ShopifyConfig(BaseModel):
    shop_url: str
    token: SecretStr
    api_version: str

    @field_validator("api_version")
    @classmethod
    def _version_shape(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}-\d{2}|unstable", value):
            raise ValueError(f"{VERSION_ENV} must look like 2025-07, not {value!r}")
        return value

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ShopifyConfig:
        shop = env.required(SHOP_URL_ENV, "the shop's admin URL (https://<shop>.myshopify.com)",
                            environ)
        token = env.required(TOKEN_ENV, "the Admin API access token", environ)
        return cls(
            shop_url=env.base_url(shop, SHOP_URL_ENV),
            token=SecretStr(token),
            api_version=env.optional(VERSION_ENV, DEFAULT_API_VERSION, environ),
        )

    def headers(self) -> dict[str, str]:
        return {"X-Shopify-Access-Token": self.token.get_secret_value()}

    def endpoint(self, resource: Resource) -> str:
        return f"{self.shop_url}/admin/api/{self.api_version}/{resource.name}.json"


@dataclass
class CallLimitPacer:
    """Slows down when Shopify's leaky bucket is nearly full."""

    threshold: float = 0.8
    leak_per_second: float = 2.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    waited: float = 0.0

    def observe(self, response: httpx.Response) -> None:
        value = response.headers.get(CALL_LIMIT_HEADER, "")
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value)
        if not match:
            return
        used, size = int(match.group(1)), int(match.group(2))
        if size <= 0 or used < self.threshold * size:
            return
        wait = (used - self.threshold * size + 1) / self.leak_per_second
        logger.info("shopify call limit %d/%d: waiting %.2fs", used, size, wait)
        self.waited += wait
        self.sleep(wait)


def next_link(header: str | None) -> str | None:
    """The `rel="next"` URL of a `Link` header, if any."""
    for url, rel in _LINK.findall(header or ""):
        if rel.lower() == "next":
            return url
    return None


def sync(
    paths: Paths,
    client: httpx.Client | None = None,
    *,
    policy: RetryPolicy | None = None,
    pacer: CallLimitPacer | None = None,
    resources: tuple[str, ...] = ("orders", "checkouts"),
    overlap_seconds: float = 60.0,
    limit: int = 250,
    environ: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Land the orders and checkouts updated since the stored cursors; counts per resource."""
    config = ShopifyConfig.from_env(environ)
    owned = client is None
    http = client or build_client()
    store = CursorStore.for_paths(paths)
    run_id = new_run_id()
    counts: dict[str, int] = {"requests": 0}
    reader = _Reader(config, http, policy or RetryPolicy(), pacer or CallLimitPacer())
    try:
        for name in resources:
            resource = RESOURCES[name]
            writer = PageWriter(paths.landing / "shopify" / name, run_id)
            _sync_resource(resource, reader, store, writer, int(overlap_seconds * 1000), limit)
            counts[name] = writer.records
            counts[f"{name}_files"] = writer.files
    finally:
        if owned:
            http.close()
    counts["requests"] = reader.requests
    logger.info("shopify sync: %s", counts)
    return counts


class _Reader:
    def __init__(self, config: ShopifyConfig, client: httpx.Client, policy: RetryPolicy,
                 pacer: CallLimitPacer) -> None:
        self.config = config
        self.client = client
        self.policy = policy
        self.pacer = pacer
        self.requests = 0
        self.origin = httpx.URL(config.shop_url)

    def get(self, url: str, params: dict[str, Any] | None) -> httpx.Response:
        target = httpx.URL(url)
        if (target.scheme, target.host, target.port) != (
            self.origin.scheme, self.origin.host, self.origin.port
        ):
            raise ApiError("GET", target.path, 0, "pagination link points to another host")
        self.requests += 1
        response = send(self.client, "GET", url, policy=self.policy,
                        headers=self.config.headers(), params=params)
        self.pacer.observe(response)
        return response


def _sync_resource(resource: Resource, reader: _Reader, store: CursorStore,
                   writer: PageWriter, overlap_ms: int, limit: int) -> None:
    key = f"shopify:{resource.name}"
    watermark = Watermark.from_json(store.get(key), overlap_ms)
    params: dict[str, Any] = {**dict(resource.extra_params), "limit": limit}
    since = watermark.query_from_ms()
    if since is not None:
        params["updated_at_min"] = ms_to_iso(since)
    url: str | None = reader.config.endpoint(resource)
    landed: dict[str, int | None] = {}
    while url is not None:
        response = reader.get(url, params)
        records = response.json().get(resource.name)
        if not isinstance(records, list):
            raise ApiError("GET", httpx.URL(url).path, response.status_code,
                           f"answer has no {resource.name!r} list")
        fresh = []
        for record in records:
            record_id, version = str(record.get("id")), iso_to_ms(record.get("updated_at"))
            if watermark.is_new(record_id, version) and (
                record_id not in landed or (version or 0) > (landed[record_id] or 0)
            ):
                fresh.append(record)
                landed[record_id] = version
        writer.write(fresh)
        url, params = next_link(response.headers.get("Link")), None
    watermark.note(landed.items())
    store.put(key, watermark.to_json())
