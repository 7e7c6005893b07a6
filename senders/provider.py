"""WhatsApp Cloud API client for template sends (httpx + tenacity).

One call to `send_template` ends in one of three outcomes:

- `accepted`: Meta returned a message id (accepted, not yet delivered);
- `failed`: Meta refused the message, or every retry of a retryable refusal failed;
  nothing was sent;
- `unknown`: the request may have reached Meta but no answer came back (read timeout,
  connection dropped mid-response). It is never retried: resending could send twice.

Retryable refusals (throughput, pair rate, upgrade, app/account rate limits, 131000
and 5xx) and connection failures before the request left (connect errors and
timeouts) are retried with exponential backoff. 131048 (spam rate limit) and 190
(access token) raise `CampaignHaltError`: the whole run must stop.

The access token lives only in the client's default headers (httpx masks the
Authorization header in reprs); it is never logged nor put into results or exceptions.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from typing import Any, Literal

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
)

from senders import message_body

logger = logging.getLogger(__name__)

GRAPH_API_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v23.0"

RETRYABLE_CODES = frozenset({130429, 131056, 131057, 4, 80007, 131000})
HALTING_CODES = frozenset({131048, 190})

Outcome = Literal["accepted", "failed", "unknown"]


class ProviderConfigError(RuntimeError):
    """The environment does not describe a usable WhatsApp sender."""


class CampaignHaltError(RuntimeError):
    """Meta answered with an error that must stop the whole run (131048 spam, 190 token)."""

    def __init__(self, error_code: int, error_title: str, error_detail: str, http_status: int):
        super().__init__(f"WhatsApp error {error_code} ({error_title}): {error_detail}")
        self.error_code = error_code
        self.error_title = error_title
        self.error_detail = error_detail
        self.http_status = http_status


@dataclass(frozen=True)
class SendResult:
    """What became of one send request."""

    outcome: Outcome
    wamid: str | None = None
    error_code: int | None = None
    error_title: str | None = None
    error_detail: str | None = None
    http_status: int | None = None
    attempts: int = 1

    @property
    def retryable(self) -> bool:
        if self.outcome != "failed":
            return False
        if self.error_code in RETRYABLE_CODES:
            return True
        return self.http_status is None or self.http_status >= 500


def template_message(
    to: str, template_name: str, language: str, body_params: list[str]
) -> dict[str, Any]:
    """The request body of a template message whose only parameters are the body's."""
    return message_body.template_message(to, template_name, language, message_body.body_component(body_params))


def mask_phone(phone: str) -> str:
    """A phone number fit for logs: only its last three digits."""
    return f"…{phone[-3:]}" if len(phone) > 3 else "…"


def _result_from_response(response: httpx.Response) -> SendResult:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_success:
        messages = body.get("messages") if isinstance(body, dict) else None
        if messages and isinstance(messages[0], dict) and messages[0].get("id"):
            return SendResult(
                "accepted", wamid=str(messages[0]["id"]), http_status=response.status_code
            )
        # Meta said yes but not with what: the message may well be on its way.
        return SendResult(
            "unknown",
            error_title="unreadable success response",
            error_detail=response.text[:500],
            http_status=response.status_code,
        )
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return SendResult(
            "failed",
            error_title=f"HTTP {response.status_code}",
            error_detail=response.text[:500],
            http_status=response.status_code,
        )
    error_data = error.get("error_data")
    details = error_data.get("details") if isinstance(error_data, dict) else None
    code = error.get("code")
    return SendResult(
        "failed",
        error_code=int(code) if isinstance(code, int | str) and str(code).isdigit() else None,
        error_title=str(error.get("message", "")),
        error_detail=str(details or error.get("message", "")),
        http_status=response.status_code,
    )


def _last_result(state: RetryCallState) -> SendResult:
    """Once retries are exhausted, the last attempt's result is the answer."""
    assert state.outcome is not None
    result: SendResult = state.outcome.result()
    return result


def _log_retry(state: RetryCallState, to: str) -> None:
    result = state.outcome.result() if state.outcome and not state.outcome.failed else None
    logger.warning(
        "send to %s: attempt %d failed (code=%s, http=%s); retrying in %.2fs",
        mask_phone(to),
        state.attempt_number,
        getattr(result, "error_code", None),
        getattr(result, "http_status", None),
        state.upcoming_sleep,
    )


class CloudApiClient:
    """Sends template messages from one business phone number."""

    def __init__(
        self,
        base_url: str,
        token: str,
        phone_number_id: str,
        api_version: str = DEFAULT_API_VERSION,
        *,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        if not token:
            raise ProviderConfigError("a WhatsApp access token is required")
        if not phone_number_id:
            raise ProviderConfigError("a WhatsApp phone_number_id is required")
        self.base_url = base_url.rstrip("/")
        self.phone_number_id = phone_number_id
        self.api_version = api_version
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
        )

    def __repr__(self) -> str:
        return (
            f"CloudApiClient(base_url={self.base_url!r}, phone_number_id={self.phone_number_id!r}, "
            f"api_version={self.api_version!r})"
        )

    @property
    def messages_path(self) -> str:
        return f"/{self.api_version}/{self.phone_number_id}/messages"

    def send_template(
        self, to: str, template_name: str, language: str, body_params: list[str]
    ) -> SendResult:
        """Send one template message with body parameters (see `send`)."""
        return self.send(template_message(to, template_name, language, body_params))

    def send(self, body: dict[str, Any]) -> SendResult:
        """Send one message body (senders.message_body); see the module docstring for
        outcomes and retries."""
        to = str(body.get("to", ""))
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=wait_exponential(multiplier=self.backoff_base, max=self.backoff_max),
            retry=retry_if_result(lambda result: result.retryable),
            retry_error_callback=_last_result,
            before_sleep=lambda state: _log_retry(state, to),
        )
        attempts = 0

        def attempt() -> SendResult:
            nonlocal attempts
            attempts += 1
            return self._post_once(body)

        result = replace(retrying(attempt), attempts=attempts)
        if result.error_code in HALTING_CODES:
            raise CampaignHaltError(
                result.error_code or 0,
                result.error_title or "",
                result.error_detail or "",
                result.http_status or 0,
            )
        return result

    def _post_once(self, body: dict[str, Any]) -> SendResult:
        try:
            response = self._http.post(self.messages_path, json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # The request never left: safe to try again.
            return SendResult(
                "failed", error_title="connection error", error_detail=type(exc).__name__
            )
        except httpx.TransportError as exc:
            # Sent (perhaps completely), answer lost: Meta may have accepted it.
            return SendResult("unknown", error_title="no response", error_detail=type(exc).__name__)
        return _result_from_response(response)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CloudApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def client_from_env(env: dict[str, str] | None = None, **options: Any) -> CloudApiClient:
    """The client configured by the environment.

    THREADLINE_WHATSAPP_TOKEN and THREADLINE_WHATSAPP_PHONE_NUMBER_ID select the
    account; THREADLINE_WHATSAPP_API_URL overrides https://graph.facebook.com (point it
    at the local simulator); THREADLINE_WHATSAPP_API_VERSION overrides the API version.
    """
    source = os.environ if env is None else env
    token = source.get("THREADLINE_WHATSAPP_TOKEN", "")
    phone_number_id = source.get("THREADLINE_WHATSAPP_PHONE_NUMBER_ID", "")
    missing = [
        name
        for name, value in (
            ("THREADLINE_WHATSAPP_TOKEN", token),
            ("THREADLINE_WHATSAPP_PHONE_NUMBER_ID", phone_number_id),
        )
        if not value
    ]
    if missing:
        raise ProviderConfigError(
            f"set {' and '.join(missing)} to send WhatsApp messages "
            "(and THREADLINE_WHATSAPP_API_URL to use the local simulator)"
        )
    return CloudApiClient(
        base_url=source.get("THREADLINE_WHATSAPP_API_URL") or GRAPH_API_URL,
        token=token,
        phone_number_id=phone_number_id,
        api_version=source.get("THREADLINE_WHATSAPP_API_VERSION") or DEFAULT_API_VERSION,
        **options,
    )
