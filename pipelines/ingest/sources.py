"""The registry of ingestible sources: one entry per raw source, used by the Dagster
assets, the command line and the benchmark alike."""

from __future__ import annotations

import time
from collections.abc import Callable

import duckdb

from pipelines.ingest import (
    calendar,
    calls,
    campaign_configs,
    canonical,
    chatwoot,
    chatwoot_api,
    consent_forms,
    email,
    hubspot,
    listings,
    membership_state,
    meta_messaging,
    phones,
    registry_state,
    send_ledger,
    shopify,
    shopify_checkouts,
    webchat,
    whatsapp,
    woocommerce,
)
from pipelines.settings import Paths

IngestFn = Callable[[duckdb.DuckDBPyConnection, Paths], dict[str, int]]


def _landing(module) -> IngestFn:  # type: ignore[no-untyped-def]
    def run(con: duckdb.DuckDBPyConnection, paths: Paths) -> dict[str, int]:
        return module.ingest(con, paths.landing).as_metadata()

    return run


def _chatwoot(con: duckdb.DuckDBPyConnection, paths: Paths) -> dict[str, int]:
    """The shared inbox, from its webhooks and from its REST API, into one raw table."""
    webhooks = chatwoot.ingest(con, paths.landing).as_metadata()
    rest = chatwoot_api.ingest(con, paths.landing).as_metadata()
    return {key: webhooks[key] + rest[key] for key in webhooks}


def _campaigns(con: duckdb.DuckDBPyConnection, paths: Paths) -> dict[str, int]:
    return {"rows": campaign_configs.sync(con)}


def _ledger(con: duckdb.DuckDBPyConnection, paths: Paths) -> dict[str, int]:
    return {"rows": send_ledger.sync(con, paths.send_ledger)}


SOURCES: dict[str, IngestFn] = {
    "whatsapp": _landing(whatsapp),
    "chatwoot": _chatwoot,
    "shopify": _landing(shopify),
    "shopify_checkouts": _landing(shopify_checkouts),
    "woocommerce": _landing(woocommerce),
    "hubspot": _landing(hubspot),
    "meta_messaging": _landing(meta_messaging),
    "email": _landing(email),
    "webchat": _landing(webchat),
    "calls": _landing(calls),
    "canonical": _landing(canonical),
    "calendar": _landing(calendar),
    "consent_forms": _landing(consent_forms),
    "listings": _landing(listings),
    "campaign_sends": _ledger,
    "campaigns": _campaigns,
}


def ingest_all(
    con: duckdb.DuckDBPyConnection, paths: Paths, seconds: dict[str, float] | None = None
) -> dict[str, dict[str, int]]:
    """Every source, then the phone lookup that staging joins; `seconds`, when given,
    receives how long each took (the benchmark reads it)."""
    steps: dict[str, IngestFn] = {
        **SOURCES,
        "phone_numbers": lambda con, _: {"added": phones.refresh(con)},
        "contact_registry_state": registry_state.load,
        "segment_membership_state": membership_state.load,
    }
    results = {}
    for name, run in steps.items():
        started = time.perf_counter()
        results[name] = run(con, paths)
        if seconds is not None:
            seconds[name] = time.perf_counter() - started
    return results
