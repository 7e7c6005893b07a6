"""Every resource of the code location, chosen from the environment in one place.

`RESOURCE_CHOICES` maps each resource key to the function that picks its resource from
the environment; `resources()` applies it once per process. Asset code never reads the
environment: it asks its resource (the warehouse's paths, the WhatsApp sender, a
connector's client). Each domain's definitions.py takes the keys it uses with `pick()`,
so the merged code location holds one object per key.

    warehouse               where the data lives (THREADLINE_HOME, else data/)
    dbt                     the dbt CLI on models/
    whatsapp                the Cloud API when THREADLINE_WHATSAPP_TOKEN or _API_URL is
                            set, else the local simulator (senders/resources.py)
    templates               where the template registry is synced from: the Cloud API
                            when THREADLINE_WHATSAPP_TOKEN is set (with _WABA_ID), else
                            the local simulator listing templates.yaml (template_sync.py)
    <name>_connector        each API connector: its client when its variables are set,
                            else "not configured" naming them (connectors/resources.py)
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.connectors.resources import CONNECTOR_RESOURCES, resource_key
from pipelines.settings import Paths, paths
from pipelines.transform.project import dbt_executable, dbt_project
from senders.provider import DEFAULT_API_VERSION, GRAPH_API_URL
from senders.resources import CloudApiSender, CloudApiSimulatorSender, WhatsAppSender
from senders.template_sync import template_source

WHATSAPP_TOKEN_ENV = "THREADLINE_WHATSAPP_TOKEN"
WHATSAPP_PHONE_NUMBER_ID_ENV = "THREADLINE_WHATSAPP_PHONE_NUMBER_ID"
WHATSAPP_API_URL_ENV = "THREADLINE_WHATSAPP_API_URL"
WHATSAPP_API_VERSION_ENV = "THREADLINE_WHATSAPP_API_VERSION"


class WarehouseResource(dg.ConfigurableResource):
    """Where the data lives: `home`, else THREADLINE_HOME at run time, else data/."""

    home: str | None = None

    @property
    def paths(self) -> Paths:
        return paths(self.home).ensure()

    def export_home(self) -> Paths:
        """Point subprocesses (dbt reads THREADLINE_HOME in models/profiles.yml) here."""
        chosen = self.paths
        os.environ["THREADLINE_HOME"] = str(chosen.home)
        return chosen


def whatsapp_sender(env: Mapping[str, str]) -> WhatsAppSender:
    if not (env.get(WHATSAPP_TOKEN_ENV) or env.get(WHATSAPP_API_URL_ENV)):
        return CloudApiSimulatorSender()
    return CloudApiSender(
        # the token as an EnvVar: Dagster resolves it at run time and shows only its name
        token=dg.EnvVar(WHATSAPP_TOKEN_ENV) if env.get(WHATSAPP_TOKEN_ENV) else "",
        phone_number_id=env.get(WHATSAPP_PHONE_NUMBER_ID_ENV, ""),
        api_url=env.get(WHATSAPP_API_URL_ENV) or GRAPH_API_URL,
        api_version=env.get(WHATSAPP_API_VERSION_ENV) or DEFAULT_API_VERSION,
    )


def _dbt(env: Mapping[str, str]) -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(dbt_project.project_dir),
        dbt_executable=dbt_executable(),
    )


RESOURCE_CHOICES: dict[str, Callable[[Mapping[str, str]], object]] = {
    "warehouse": lambda env: WarehouseResource(),
    "dbt": _dbt,
    "whatsapp": whatsapp_sender,
    "templates": template_source,
    **{
        resource_key(name): functools.partial(lambda cls, env: cls.from_environment(env), cls)
        for name, cls in CONNECTOR_RESOURCES.items()
    },
}


def resources_for(env: Mapping[str, str]) -> dict[str, object]:
    return {key: choose(env) for key, choose in RESOURCE_CHOICES.items()}


@functools.cache
def resources() -> dict[str, object]:
    """The resources this process's environment selects (built once)."""
    return resources_for(dict(os.environ))


def pick(*keys: str) -> dict[str, object]:
    chosen = resources()
    return {key: chosen[key] for key in keys}
