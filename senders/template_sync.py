"""Sync the template registry from the Cloud API into THREADLINE_HOME/state/templates.json.

`GET {api_url}/{version}/{WABA_ID}/message_templates?fields=...&limit=...`, then the
same with `after=<paging.cursors.after>` while the answer has `paging.next`. The next
page is always asked of the configured API URL with our cursor, never by following the
`next` link itself, so the token (a header, never in a URL) cannot be sent to another
host. 429 and 5xx answers and connection failures are retried with exponential backoff
(honouring Retry-After); listing is read-only, so retrying is always safe. Any other
error stops the sync and leaves the previous state file as it was.

Every template Meta returns is validated (senders/templates.py); one that does not
parse (a category or status we do not know yet) is left out of the file and reported.
The file is written atomically and takes precedence over senders/templates.yaml for
the templates Meta has (`senders.templates.current_templates`).

Environment: THREADLINE_WHATSAPP_TOKEN, THREADLINE_WHATSAPP_WABA_ID, and optionally
THREADLINE_WHATSAPP_API_URL (e.g. the local simulator) and _API_VERSION. The token is
never logged nor written.

CLI: `python -m senders.template_sync [--home DIR]`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import httpx
from pydantic import ValidationError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
)

from pipelines.connectors.ics_feed import write_atomically
from pipelines.settings import Paths, paths
from senders.provider import DEFAULT_API_VERSION, GRAPH_API_URL, ProviderConfigError
from senders.templates import Template, describe, synced_templates_file

logger = logging.getLogger(__name__)

TEMPLATE_FIELDS = "name,language,category,status,components,quality_score,id,previous_category,parameter_format"
TOKEN_ENV = "THREADLINE_WHATSAPP_TOKEN"
WABA_ID_ENV = "THREADLINE_WHATSAPP_WABA_ID"
API_URL_ENV = "THREADLINE_WHATSAPP_API_URL"
API_VERSION_ENV = "THREADLINE_WHATSAPP_API_VERSION"


class TemplateSyncError(RuntimeError):
    """The Cloud API refused the template list (after retries, for retryable answers)."""


@dataclass
class SyncResult:
    path: Path
    templates: int
    pages: int
    skipped: list[str] = field(default_factory=list)  # "name (language): why"

    def as_dict(self) -> dict[str, Any]:
        return {"templates": self.templates, "pages": self.pages, "skipped": len(self.skipped)}


def _retryable(response: httpx.Response) -> bool:
    return response.status_code == 429 or response.status_code >= 500


def _wait(multiplier: float, maximum: float):  # noqa: ANN202 (a tenacity wait)
    exponential = wait_exponential(multiplier=multiplier, max=maximum)

    def wait(state: RetryCallState) -> float:
        retry_after = None
        if state.outcome is not None and not state.outcome.failed:
            retry_after = state.outcome.result().headers.get("Retry-After")
        if retry_after and retry_after.isdigit():
            return min(float(retry_after), maximum)
        return exponential(state)

    return wait


class TemplateListClient:
    """Lists one WhatsApp Business Account's templates."""

    def __init__(
        self,
        base_url: str,
        token: str,
        waba_id: str,
        api_version: str = DEFAULT_API_VERSION,
        *,
        page_size: int = 100,
        timeout: float = 20.0,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        if not token:
            raise ProviderConfigError(f"set {TOKEN_ENV} to list WhatsApp templates")
        if not waba_id:
            raise ProviderConfigError(f"set {WABA_ID_ENV} to list WhatsApp templates")
        self.base_url = base_url.rstrip("/")
        self.waba_id = waba_id
        self.api_version = api_version
        self.page_size = page_size
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"TemplateListClient(base_url={self.base_url!r}, waba_id={self.waba_id!r})"

    def _get(self, params: dict[str, str]) -> httpx.Response:
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=_wait(self.backoff_base, self.backoff_max),
            retry=retry_if_result(_retryable) | retry_if_exception_type(httpx.TransportError),
            retry_error_callback=lambda state: state.outcome.result(),  # type: ignore[union-attr]
            before_sleep=lambda state: logger.warning(
                "template list for WABA %s: attempt %d failed; retrying in %.2fs",
                self.waba_id,
                state.attempt_number,
                state.upcoming_sleep,
            ),
        )
        path = f"/{self.api_version}/{self.waba_id}/message_templates"
        return retrying(self._http.get, path, params=params)

    def pages(self) -> Iterator[list[dict[str, Any]]]:
        """Each page's template objects, first to last."""
        params = {"fields": TEMPLATE_FIELDS, "limit": str(self.page_size)}
        while True:
            response = self._get(params)
            try:
                body = response.json()
            except ValueError:
                body = {}
            if not response.is_success:
                error = body.get("error", {}) if isinstance(body, dict) else {}
                raise TemplateSyncError(
                    f"template list for WABA {self.waba_id}: HTTP {response.status_code}, "
                    f"code {error.get('code')}: {error.get('message', 'no error body')}"
                )
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise TemplateSyncError(f"template list for WABA {self.waba_id}: no `data` list")
            yield data
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                return
            params = {**params, "after": after}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TemplateListClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def sync_templates(client: TemplateListClient, target: Path) -> SyncResult:
    """Every template of the account into `target` (atomically); see the module doc."""
    kept: list[dict[str, Any]] = []
    skipped: list[str] = []
    pages = 0
    for page in client.pages():
        pages += 1
        for raw in page:
            try:
                template = Template.model_validate(raw)
            except ValidationError as exc:
                label = f"{raw.get('name')} ({raw.get('language')})" if isinstance(raw, dict) else "?"
                skipped.append(f"{label}: {describe(exc)}")
                continue
            kept.append(template.model_dump(mode="json", exclude_none=True))
    document = {
        "synced_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "waba_id": client.waba_id,
        "api_version": client.api_version,
        "data": kept,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, json.dumps(document, ensure_ascii=False, indent=1).encode())
    for reason in skipped:
        logger.warning("template left out of the sync: %s", reason)
    return SyncResult(target, len(kept), pages, skipped)


def client_from_env(env: Mapping[str, str] | None = None, **options: Any) -> TemplateListClient:
    source = os.environ if env is None else env
    return TemplateListClient(
        base_url=source.get(API_URL_ENV) or GRAPH_API_URL,
        token=source.get(TOKEN_ENV, ""),
        waba_id=source.get(WABA_ID_ENV, ""),
        api_version=source.get(API_VERSION_ENV) or DEFAULT_API_VERSION,
        **options,
    )


# -- as a Dagster resource (picked in pipelines/resources.py) -------------------------------


class TemplateSource(dg.ConfigurableResource):
    """Where the template list comes from; the asset only calls `open()`."""

    @property
    def name(self) -> str:
        raise NotImplementedError

    @contextmanager
    def open(self) -> Iterator[TemplateListClient]:
        raise NotImplementedError
        yield  # pragma: no cover


class SimulatorTemplateSource(TemplateSource):
    """No token configured: the local simulator, which lists senders/templates.yaml."""

    page_size: int = 100  # templates per page of the list

    @property
    def name(self) -> str:
        return "simulator"

    @contextmanager
    def open(self) -> Iterator[TemplateListClient]:
        from senders.simulator import CloudApiSimulator

        token = "simulator-token"
        with CloudApiSimulator(paths().landing, token=token) as simulator:
            with TemplateListClient(simulator.base_url, token, simulator.waba_id, page_size=self.page_size) as client:
                yield client


class CloudApiTemplateSource(TemplateSource):
    """The Cloud API (token as a Dagster EnvVar, so its value never shows)."""

    token: str = ""
    waba_id: str = ""
    api_url: str = GRAPH_API_URL
    api_version: str = DEFAULT_API_VERSION

    @property
    def name(self) -> str:
        return "cloud_api" if self.api_url.rstrip("/") == GRAPH_API_URL else "configured_url"

    @contextmanager
    def open(self) -> Iterator[TemplateListClient]:
        with TemplateListClient(self.api_url, self.token, self.waba_id, self.api_version) as client:
            yield client


def template_source(env: Mapping[str, str]) -> TemplateSource:
    if not env.get(TOKEN_ENV):
        return SimulatorTemplateSource()
    return CloudApiTemplateSource(
        token=dg.EnvVar(TOKEN_ENV),
        waba_id=env.get(WABA_ID_ENV, ""),
        api_url=env.get(API_URL_ENV) or GRAPH_API_URL,
        api_version=env.get(API_VERSION_ENV) or DEFAULT_API_VERSION,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sync WhatsApp templates from the Cloud API")
    parser.add_argument("--home", help="THREADLINE_HOME whose state/templates.json is written")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    where: Paths = paths(args.home).ensure()
    try:
        with client_from_env() as client:
            result = sync_templates(client, synced_templates_file(where))
    except (ProviderConfigError, TemplateSyncError) as exc:
        print(f"template sync failed: {exc}")
        return 1
    print(f"{result.templates} templates from {result.pages} pages into {result.path}")
    for reason in result.skipped:
        print(f"  left out: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
