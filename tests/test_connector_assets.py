"""Connector assets fetch nothing, and say why, when their credentials are not set."""

from __future__ import annotations

import dagster as dg

from pipelines.connectors.assets import connector_assets
from pipelines.resources import WarehouseResource


def test_unconfigured_connectors_report_what_is_missing(home, monkeypatch):
    for variable in ("THREADLINE_HUBSPOT_TOKEN", "THREADLINE_CALENDAR_ICS_URL",
                     "THREADLINE_CHATWOOT_URL", "THREADLINE_SHOPIFY_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    result = dg.materialize(connector_assets, resources={"warehouse": WarehouseResource(home=str(home.home))})
    assert result.success
    hubspot = result.asset_materializations_for_node("landing__hubspot")[0]
    assert hubspot.metadata["configured"].value is False
    assert hubspot.metadata["missing"].value == "THREADLINE_HUBSPOT_TOKEN"
    assert not any(home.landing.rglob("*.jsonl"))
