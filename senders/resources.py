"""Who the campaigns send through, as Dagster resources.

`pipelines/resources.py` picks one from the environment: the real Cloud API (or any base
URL, e.g. a simulator someone else runs) when configured, otherwise our local Cloud API
simulator, started on loopback for the run, which writes its status webhooks into
landing/. The campaign asset only calls `open()`; it never looks at the environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from pipelines.settings import Paths
from senders.provider import DEFAULT_API_VERSION, GRAPH_API_URL, CloudApiClient, client_from_env
from senders.simulator import CloudApiSimulator

SIMULATOR_TOKEN = "simulator-token"


class WhatsAppSender(dg.ConfigurableResource):
    """Opens a Cloud API client for one sending number (from marts.dim_inboxes)."""

    @property
    def reaches_real_people(self) -> bool:
        return False

    @property
    def name(self) -> str:
        raise NotImplementedError

    @contextmanager
    def open(self, paths: Paths, inbox: dict[str, str]) -> Iterator[CloudApiClient]:
        raise NotImplementedError
        yield  # pragma: no cover


class CloudApiSimulatorSender(WhatsAppSender):
    """The local simulator, started for the run; its webhooks land in `paths.landing`."""

    backoff_base: float = 0.05  # seconds before the first retry (the simulator is local)

    @property
    def name(self) -> str:
        return "simulator"

    @contextmanager
    def open(self, paths: Paths, inbox: dict[str, str]) -> Iterator[CloudApiClient]:
        with CloudApiSimulator(
            paths.landing,
            waba_id=inbox["waba_id"],
            display_phone_number=inbox["whatsapp_display_phone_number"],
            token=SIMULATOR_TOKEN,
        ) as simulator:
            client = CloudApiClient(
                base_url=simulator.base_url,
                token=SIMULATOR_TOKEN,
                phone_number_id=inbox["whatsapp_phone_number_id"],
                backoff_base=self.backoff_base,
            )
            try:
                yield client
            finally:
                client.close()


class CloudApiSender(WhatsAppSender):
    """The WhatsApp Cloud API at `api_url` with a system-user token (set from
    THREADLINE_WHATSAPP_TOKEN as an EnvVar, so its value never shows in Dagster)."""

    token: str = ""
    phone_number_id: str = ""
    api_url: str = GRAPH_API_URL
    api_version: str = DEFAULT_API_VERSION

    @property
    def reaches_real_people(self) -> bool:
        return bool(self.token)  # a token is a real business account, whatever the URL

    @property
    def name(self) -> str:
        return "cloud_api" if self.api_url.rstrip("/") == GRAPH_API_URL else "configured_url"

    @contextmanager
    def open(self, paths: Paths, inbox: dict[str, str]) -> Iterator[CloudApiClient]:
        client = client_from_env({
            "THREADLINE_WHATSAPP_TOKEN": self.token,
            "THREADLINE_WHATSAPP_PHONE_NUMBER_ID": self.phone_number_id,
            "THREADLINE_WHATSAPP_API_URL": self.api_url,
            "THREADLINE_WHATSAPP_API_VERSION": self.api_version,
        })
        try:
            yield client
        finally:
            client.close()
