"""Connector assets fetch nothing, and say why, when their credentials are not set; the
resource mapping picks each connector's client from the environment alone."""

from __future__ import annotations

import dagster as dg

from pipelines.connectors.assets import connector_assets
from pipelines.connectors.resources import HubSpotConnector, UnconfiguredConnector
from pipelines.resources import WarehouseResource, resources_for


def connector_resources(env: dict[str, str]) -> dict[str, object]:
    chosen = resources_for(env)
    return {key: value for key, value in chosen.items() if key.endswith("_connector")}


def test_unconfigured_connectors_report_what_is_missing(home):
    result = dg.materialize(
        connector_assets,
        resources={"warehouse": WarehouseResource(home=str(home.home)), **connector_resources({})},
    )
    assert result.success
    hubspot = result.asset_materializations_for_node("landing__hubspot")[0]
    assert hubspot.metadata["configured"].value is False
    assert hubspot.metadata["missing"].value == "THREADLINE_HUBSPOT_TOKEN"
    assert not any(home.landing.rglob("*.jsonl"))


def test_a_connector_is_configured_by_its_variables_and_keeps_secrets_as_env_vars():
    chosen = connector_resources({"THREADLINE_HUBSPOT_TOKEN": "pat-eu1-secret"})
    hubspot = chosen["hubspot_connector"]
    assert isinstance(hubspot, HubSpotConnector)
    # the value stays in the environment: the resource holds the variable's name only
    assert "pat-eu1-secret" not in repr(hubspot) and "THREADLINE_HUBSPOT_TOKEN" in repr(hubspot)
    shopify = chosen["shopify_api_connector"]
    assert isinstance(shopify, UnconfiguredConnector)
    assert shopify.missing == ["THREADLINE_SHOPIFY_SHOP_URL", "THREADLINE_SHOPIFY_TOKEN"]
