"""HubSpot CRM v3 contacts and deals → landing/hubspot/{contacts,deals}/ (one record a line).

First run (per object type): the full list, `GET /crm/v3/objects/{type}` with `limit=100`
and the `after` cursor; its progress is saved after every page, so an interrupted export
resumes where it stopped. Deals are listed with `associations=contacts`.

Later runs: `POST /crm/v3/objects/{type}/search` with one `GTE` filter on the last-modified
property (`lastmodifieddate` for contacts, `hs_lastmodifieddate` for deals, epoch ms),
an ascending sort on it, `limit` 200 and `after`. The query starts `overlap_seconds`
before the newest modification already landed (search lags writes by a few seconds);
record versions already landed are skipped, so nothing lands twice. A search query
returns at most 10,000 results: before paging past that, the search restarts from the
last modification time seen. Search results carry no associations: those of the
changed deals are read with `POST /crm/v4/associations/deals/contacts/batch/read` and
put into the record in the list endpoint's shape (`associations.contacts.results[]` of
`{"id", "type"}`), so every landed deal looks the same.

A 429 (`errorType: RATE_LIMIT`) is retried after `Retry-After` when sent, else with
exponential backoff; a `DAILY` policy 429 stops the sync (`DailyLimitReached`) since
retrying cannot succeed before the daily reset. The cursor always covers only landed
pages, so the next run resumes.

Environment: THREADLINE_HUBSPOT_TOKEN (private app token, sent as Bearer),
THREADLINE_HUBSPOT_URL (default https://api.hubapi.com).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr

from pipelines.connectors import env
from pipelines.connectors.cursors import CursorStore, Watermark
from pipelines.connectors.http import ApiError, RetryPolicy, build_client, default_retryable, send
from pipelines.connectors.pages import PageWriter, iso_to_ms, new_run_id
from pipelines.settings import Paths

logger = logging.getLogger(__name__)

TOKEN_ENV = "THREADLINE_HUBSPOT_TOKEN"
URL_ENV = "THREADLINE_HUBSPOT_URL"
DEFAULT_URL = "https://api.hubapi.com"
LANDING = "hubspot"
MAX_SEARCH_RESULTS = 10_000
DEFAULT_TYPE_NAMES = {("HUBSPOT_DEFINED", 3): "deal_to_contact"}


@dataclass(frozen=True)
class ObjectType:
    name: str
    properties: tuple[str, ...]
    modified_property: str
    associations: tuple[str, ...] = ()


CONTACTS = ObjectType(
    "contacts",
    ("email", "phone", "mobilephone", "firstname", "lastname", "lifecyclestage",
     "hs_whatsapp_phone_number", "lastmodifieddate",
     # consent (docs/consent.md): e-mail opt-out, and the WhatsApp consent property
     "hs_email_optout", "whatsapp_marketing_consent", "whatsapp_marketing_consent_date",
     # an estate agent's buyer's search (FORMATS.md, stg_hubspot__contact_preferences)
     "preferred_rooms", "preferred_area", "budget_min", "budget_max"),
    "lastmodifieddate",
)
DEALS = ObjectType(
    "deals",
    ("dealname", "amount", "closedate", "pipeline", "dealstage", "hs_lastmodifieddate"),
    "hs_lastmodifieddate",
    ("contacts",),
)
OBJECT_TYPES = {t.name: t for t in (CONTACTS, DEALS)}


class HubSpotConfig(BaseModel):
    base_url: str
    token: SecretStr

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubSpotConfig:
        token = env.required(TOKEN_ENV, "the HubSpot private app access token", environ)
        url = env.base_url(env.optional(URL_ENV, DEFAULT_URL, environ), URL_ENV)
        return cls(base_url=url, token=SecretStr(token))

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token.get_secret_value()}"}


class DailyLimitReached(RuntimeError):
    """HubSpot's daily API limit is used up: retry after the daily reset."""


class SearchWindowExhausted(RuntimeError):
    """More than the search cap of records share one modification time."""


def _rate_limit_policy(response: httpx.Response) -> str | None:
    if response.status_code != 429:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return str(body.get("policyName")) if isinstance(body, dict) else None


def _retryable(response: httpx.Response) -> bool:
    return default_retryable(response) and _rate_limit_policy(response) != "DAILY"


class HubSpotApi:
    def __init__(self, config: HubSpotConfig, client: httpx.Client, policy: RetryPolicy) -> None:
        self.config = config
        self.client = client
        self.policy = policy
        self.requests = 0

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        self.requests += 1
        try:
            response = send(
                self.client, method, self.config.base_url + path, policy=self.policy,
                headers=self.config.headers(), retryable=_retryable,
                accept=lambda r: r.status_code in (200, 207), **kwargs,
            )
        except ApiError as error:
            if error.response is not None and _rate_limit_policy(error.response) == "DAILY":
                raise DailyLimitReached(
                    f"HubSpot daily API limit reached on {method} {path}; "
                    "the next sync resumes from the saved cursor"
                ) from error
            raise
        body = response.json()
        if not isinstance(body, dict):
            raise ApiError(method, path, response.status_code, "answer is not a JSON object")
        return body


def sync(
    paths: Paths,
    client: httpx.Client | None = None,
    *,
    policy: RetryPolicy | None = None,
    objects: tuple[str, ...] = ("contacts", "deals"),
    overlap_seconds: float = 60.0,
    list_limit: int = 100,
    search_limit: int = 200,
    max_search_results: int = MAX_SEARCH_RESULTS,
    environ: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Land the contacts and deals changed since the stored cursors; counts per type."""
    config = HubSpotConfig.from_env(environ)
    owned = client is None
    http = client or build_client()
    api = HubSpotApi(config, http, policy or RetryPolicy())
    store = CursorStore.for_paths(paths)
    run_id = new_run_id()
    counts: dict[str, int] = {}
    try:
        for name in objects:
            kind = OBJECT_TYPES[name]
            stream = _Stream(kind, api, store, PageWriter(paths.landing / LANDING / name, run_id),
                             int(overlap_seconds * 1000))
            stream.sync(list_limit, search_limit, max_search_results)
            counts[name] = stream.writer.records
            counts[f"{name}_files"] = stream.writer.files
    finally:
        if owned:
            http.close()
    counts["requests"] = api.requests
    logger.info("hubspot sync: %s", counts)
    return counts


class _Stream:
    """One object type: its cursor, its landing folder, its list and search loops."""

    def __init__(self, kind: ObjectType, api: HubSpotApi, store: CursorStore,
                 writer: PageWriter, overlap_ms: int) -> None:
        self.kind = kind
        self.api = api
        self.store = store
        self.writer = writer
        self.key = f"hubspot:{kind.name}"
        state = store.get(self.key) or {}
        self.mode = state.get("mode", "list")
        self.after: str | None = state.get("after")
        self.watermark = Watermark.from_json(state.get("watermark"), overlap_ms)

    def sync(self, list_limit: int, search_limit: int, max_results: int) -> None:
        if self.mode != "search":
            self._list(list_limit)
        self._search(search_limit, max_results)

    def version_ms(self, record: dict[str, Any]) -> int | None:
        properties = record.get("properties") or {}
        return iso_to_ms(properties.get(self.kind.modified_property) or record.get("updatedAt"))

    def _land(self, records: list[dict[str, Any]], *, searched: bool) -> list[dict[str, Any]]:
        """Write the versions not landed yet; returns them."""
        fresh = [r for r in records if self.watermark.is_new(str(r.get("id")), self.version_ms(r))]
        if fresh and searched and self.kind.associations:
            self._attach_associations(fresh)
        self.writer.write(fresh)
        self.watermark.note((str(r.get("id")), self.version_ms(r)) for r in fresh)
        return fresh

    def _save(self) -> None:
        self.store.put(self.key, {
            "mode": self.mode, "after": self.after, "watermark": self.watermark.to_json(),
        })

    def _list(self, limit: int) -> None:
        params: dict[str, Any] = {"limit": limit, "properties": ",".join(self.kind.properties),
                                  "archived": "false"}
        if self.kind.associations:
            params["associations"] = ",".join(self.kind.associations)
        while True:
            page_params = dict(params, **({"after": self.after} if self.after else {}))
            body = self.api.call("GET", f"/crm/v3/objects/{self.kind.name}", params=page_params)
            self._land(list(body.get("results") or []), searched=False)
            self.after = _next_after(body)
            if self.after is None:
                self.mode = "search"
            self._save()
            if self.after is None:
                return

    def _search(self, limit: int, max_results: int) -> None:
        start = self.watermark.query_from_ms() or 0
        after: str | None = None
        while True:
            body = self.api.call("POST", f"/crm/v3/objects/{self.kind.name}/search",
                                 json=self._search_body(start, after, limit))
            results = list(body.get("results") or [])
            self._land(results, searched=True)
            self._save()
            after = _next_after(body)
            if after is None:
                return
            if after.isdigit() and int(after) + limit > max_results:
                last_seen = max((v for v in map(self.version_ms, results) if v is not None),
                                default=None)
                if last_seen is None or last_seen <= start:
                    raise SearchWindowExhausted(
                        f"more than {max_results} HubSpot {self.kind.name} share "
                        f"{self.kind.modified_property}={start}; cannot page past them"
                    )
                logger.info("hubspot %s: search cap reached, restarting from %d",
                            self.kind.name, last_seen)
                start, after = last_seen, None

    def _search_body(self, start_ms: int, after: str | None, limit: int) -> dict[str, Any]:
        prop = self.kind.modified_property
        body: dict[str, Any] = {
            "filterGroups": [
                {"filters": [{"propertyName": prop, "operator": "GTE", "value": str(start_ms)}]}
            ],
            "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
            "properties": list(self.kind.properties),
            "limit": limit,
        }
        if after is not None:
            body["after"] = after
        return body

    def _attach_associations(self, records: list[dict[str, Any]]) -> None:
        for target in self.kind.associations:
            found = dict(self._read_associations(target, [str(r["id"]) for r in records]))
            for record in records:
                links = found.get(str(record["id"]))
                if links:
                    record.setdefault("associations", {})[target] = {"results": links}

    def _read_associations(
        self, target: str, ids: list[str]
    ) -> Iterator[tuple[str, list[dict[str, str]]]]:
        """(record id, [{"id", "type"}]) through the v4 batch read, following its paging."""
        links: dict[str, list[dict[str, str]]] = {}
        pending: list[dict[str, str]] = [{"id": i} for i in ids]
        path = f"/crm/v4/associations/{self.kind.name}/{target}/batch/read"
        while pending:
            batch, pending = pending[:100], pending[100:]
            body = self.api.call("POST", path, json={"inputs": batch})
            for result in body.get("results") or []:
                source = str((result.get("from") or {}).get("id"))
                for to in result.get("to") or []:
                    for kind in to.get("associationTypes") or [{}]:
                        links.setdefault(source, []).append(
                            {"id": str(to.get("toObjectId")), "type": _type_name(kind)}
                        )
                more = _next_after(result)
                if more is not None:
                    pending.append({"id": source, "after": more})
        yield from links.items()


def _type_name(kind: dict[str, Any]) -> str:
    category, type_id = kind.get("category"), kind.get("typeId")
    known = DEFAULT_TYPE_NAMES.get((str(category), int(type_id or 0)))
    if known:
        return known
    label = kind.get("label")
    return str(label) if label else f"{str(category).lower()}_{type_id}"


def _next_after(body: dict[str, Any]) -> str | None:
    after = ((body.get("paging") or {}).get("next") or {}).get("after")
    return str(after) if after not in (None, "") else None
