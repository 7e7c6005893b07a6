"""The connectors' clients as Dagster resources.

`pipelines/resources.py` builds each from the environment once: a connector whose
required variables are all set gets its settings as Dagster EnvVars (so no secret value
shows in the Dagster UI or the run's config), any other is `UnconfiguredConnector`,
which names what is missing. The connector assets only call `missing` and `sync`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

import dagster as dg

from pipelines.connectors import chatwoot_api, hubspot, ics_feed, shopify_api
from pipelines.settings import Paths


class Connector(dg.ConfigurableResource):
    """Fetches what changed since the connector's cursor into landing/."""

    # environment variable -> field, for the builder in pipelines/resources.py
    REQUIRED: ClassVar[dict[str, str]] = {}
    OPTIONAL: ClassVar[dict[str, str]] = {}
    SYNC: ClassVar[Callable[..., dict[str, int]] | None] = None

    @property
    def missing(self) -> list[str]:
        return []

    def environ(self) -> dict[str, str]:
        fields = {**self.REQUIRED, **self.OPTIONAL}
        return {variable: getattr(self, field) for variable, field in fields.items() if getattr(self, field)}

    def sync(self, paths: Paths) -> dict[str, int]:
        assert self.SYNC is not None
        return type(self).SYNC(paths, environ=self.environ())

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Connector:
        missing = [variable for variable in cls.REQUIRED if not env.get(variable, "").strip()]
        if missing:
            return UnconfiguredConnector(missing_variables=missing)
        fields = {**cls.REQUIRED, **cls.OPTIONAL}
        return cls(**{field: dg.EnvVar(variable) for variable, field in fields.items() if env.get(variable)})


class UnconfiguredConnector(Connector):
    missing_variables: list[str]

    @property
    def missing(self) -> list[str]:
        return list(self.missing_variables)

    def sync(self, paths: Paths) -> dict[str, int]:
        raise RuntimeError(f"not configured: set {', '.join(self.missing_variables)}")


class ChatwootConnector(Connector):
    REQUIRED = {chatwoot_api.URL_ENV: "url", chatwoot_api.ACCOUNT_ENV: "account_id",
                chatwoot_api.TOKEN_ENV: "token"}
    SYNC = chatwoot_api.sync
    url: str
    account_id: str
    token: str


class HubSpotConnector(Connector):
    REQUIRED = {hubspot.TOKEN_ENV: "token"}
    OPTIONAL = {hubspot.URL_ENV: "url"}
    SYNC = hubspot.sync
    token: str
    url: str = ""


class ShopifyConnector(Connector):
    REQUIRED = {shopify_api.SHOP_URL_ENV: "shop_url", shopify_api.TOKEN_ENV: "token"}
    OPTIONAL = {shopify_api.VERSION_ENV: "api_version"}
    SYNC = shopify_api.sync
    shop_url: str
    token: str
    api_version: str = ""


class IcsFeedConnector(Connector):
    REQUIRED = {ics_feed.URL_ENV: "url"}
    OPTIONAL = {ics_feed.USERNAME_ENV: "username", ics_feed.PASSWORD_ENV: "password"}
    SYNC = ics_feed.sync
    url: str
    username: str = ""
    password: str = ""


# connector name (its asset is landing/<name>) -> its resource class
CONNECTOR_RESOURCES: dict[str, type[Connector]] = {
    "chatwoot_api": ChatwootConnector,
    "hubspot": HubSpotConnector,
    "shopify_api": ShopifyConnector,
    "ics_feed": IcsFeedConnector,
}


def resource_key(name: str) -> str:
    return f"{name}_connector"
