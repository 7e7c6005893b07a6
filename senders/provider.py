"""WhatsApp Cloud API clients for template sends: `CloudApiClient` (sync, httpx.Client)
and `AsyncCloudApiClient` (asyncio, httpx.AsyncClient, rate-limited), both over tenacity.

One call to `send(message)` ends in one of three outcomes (senders.send_results):

- `accepted`: Meta returned a message id (accepted, not yet delivered);
- `failed`: Meta refused the message, or every retry of a retryable refusal failed;
  nothing was sent. `result.error_class` says what the caller does next: `opt_out`
  (131050, record an opt-out), `marketing_limit` (131049, hold the contact 24 h),
  `no_retry` (fix the campaign or skip the number), `retry` (retries exhausted);
- `unknown`: the request may have reached Meta but no answer came back (read timeout,
  connection dropped mid-response). It is never retried: resending could send twice.
  Exactly-once wins over "retry timeouts": only timeouts where the request provably did
  not reach the server (connect and pool timeouts, connection refused) are retried.

Which refusals are retried is one table (senders.send_errors.ERROR_CLASSES) and how long
to wait one policy (senders.retry_policy): exponential backoff with full jitter,
honouring Retry-After, 131056 waiting at least the pair interval. 131048 (spam rate
limit) and 190 (access token) raise `CampaignHaltError`: the whole run must stop.

The async client also keeps Meta's rates (senders.rate_limits): `messages_per_second`
for every request (retries included) and one request per `pair_seconds` per recipient;
`max_in_flight` bounds concurrent requests and sizes the keep-alive pool.

The access token lives only in the clients' default headers (httpx masks the
Authorization header in reprs); it is never logged nor put into results or exceptions.
"""

from __future__ import annotations

import asyncio
import math
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import httpx
from tenacity import AsyncRetrying, Retrying

from senders import message_body
from senders.rate_limits import PairRateLimiter, throughput_limiter
from senders.retry_policy import RetryPolicy, mask_phone
from senders.send_errors import (
    ERROR_CLASSES,
    HALTING_CODES,
    PAIR_RATE_CODE,
    RETRYABLE_CODES,
    CampaignHaltError,
    ErrorClass,
)
from senders.send_results import (
    Outcome,
    SendResult,
    raise_if_halting,
    result_from_response,
    result_from_transport_error,
)

__all__ = [
    "DEFAULT_API_VERSION",
    "ERROR_CLASSES",
    "GRAPH_API_URL",
    "HALTING_CODES",
    "RETRYABLE_CODES",
    "AsyncCloudApiClient",
    "CampaignHaltError",
    "CloudApiClient",
    "ErrorClass",
    "Outcome",
    "ProviderConfigError",
    "SendResult",
    "async_client_from_env",
    "client_from_env",
    "mask_phone",
    "template_message",
]

GRAPH_API_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v23.0"
# Requests in flight by default: a quarter of a second of sends at the configured rate
# (Meta answers in ~100-300 ms), so the rate, not the pool, is what limits; at least a
# few, at most a pool one host should be asked to keep open.
IN_FLIGHT_SECONDS = 0.25
MIN_IN_FLIGHT, MAX_IN_FLIGHT = 8, 256


def default_max_in_flight(messages_per_second: float) -> int:
    """Requests in flight (and keep-alive connections) for a rate: 20 at 80/s, 250 at 1,000/s."""
    return min(MAX_IN_FLIGHT, max(MIN_IN_FLIGHT, math.ceil(messages_per_second * IN_FLIGHT_SECONDS)))


class ProviderConfigError(RuntimeError):
    """The environment does not describe a usable WhatsApp sender."""


def template_message(to: str, template_name: str, language: str, body_params: list[str]) -> dict[str, Any]:
    """The request body of a template message whose only parameters are the body's."""
    return message_body.template_message(to, template_name, language, message_body.body_component(body_params))


def _check_account(token: str, phone_number_id: str) -> None:
    if not token:
        raise ProviderConfigError("a WhatsApp access token is required")
    if not phone_number_id:
        raise ProviderConfigError("a WhatsApp phone_number_id is required")


def _messages_path(api_version: str, phone_number_id: str) -> str:
    return f"/{api_version}/{phone_number_id}/messages"


class CloudApiClient:
    """Sends template messages from one business phone number, one request at a time."""

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
        pair_seconds: float = 6.0,
    ) -> None:
        _check_account(token, phone_number_id)
        self.base_url = base_url.rstrip("/")
        self.phone_number_id = phone_number_id
        self.api_version = api_version
        self.retry_policy = RetryPolicy(max_attempts, backoff_base, backoff_max, pair_seconds)
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
        )

    @property
    def max_attempts(self) -> int:
        return self.retry_policy.max_attempts

    def __repr__(self) -> str:
        return (
            f"CloudApiClient(base_url={self.base_url!r}, phone_number_id={self.phone_number_id!r}, "
            f"api_version={self.api_version!r})"
        )

    @property
    def messages_path(self) -> str:
        return _messages_path(self.api_version, self.phone_number_id)

    def send_template(self, to: str, template_name: str, language: str, body_params: list[str]) -> SendResult:
        """Send one template message with body parameters (see `send`)."""
        return self.send(template_message(to, template_name, language, body_params))

    def send(self, body: dict[str, Any]) -> SendResult:
        """Send one message body (senders.message_body); see the module docstring for
        outcomes and retries."""
        attempts = 0

        def attempt() -> SendResult:
            nonlocal attempts
            attempts += 1
            return self._post_once(body)

        retrying = Retrying(**self.retry_policy.tenacity_options(str(body.get("to", ""))))
        return raise_if_halting(replace(retrying(attempt), attempts=attempts))

    def _post_once(self, body: dict[str, Any]) -> SendResult:
        try:
            response = self._http.post(self.messages_path, json=body)
        except httpx.TransportError as exc:
            return result_from_transport_error(exc)
        return result_from_response(response)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CloudApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncCloudApiClient:
    """Sends template messages from one business phone number, many at a time.

    Safe to share between tasks of one event loop: `send` may be awaited concurrently
    (e.g. `asyncio.gather` or a pool of workers); the client keeps the rates and the
    in-flight bound itself. Each attempt waits, in order, for the recipient's pair
    slot, a throughput token, then an in-flight slot, so a request waiting for its
    recipient holds neither a token nor a connection; the recipient's turn is stamped
    again when the request starts, so those waits never shorten the gap Meta sees.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        phone_number_id: str,
        api_version: str = DEFAULT_API_VERSION,
        *,
        messages_per_second: float = 80,
        pair_seconds: float = 6.0,
        max_in_flight: int | None = None,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        _check_account(token, phone_number_id)
        self._throughput = throughput_limiter(messages_per_second)  # validates the rate first
        if max_in_flight is None:
            max_in_flight = default_max_in_flight(messages_per_second)
        if isinstance(max_in_flight, bool) or not isinstance(max_in_flight, int) or max_in_flight < 1:
            raise ValueError(f"max_in_flight must be a whole number of requests >= 1, got {max_in_flight!r}")
        self.base_url = base_url.rstrip("/")
        self.phone_number_id = phone_number_id
        self.api_version = api_version
        self.messages_per_second = messages_per_second
        self.max_in_flight = max_in_flight
        self.retry_policy = RetryPolicy(max_attempts, backoff_base, backoff_max, pair_seconds)
        self._pairs = PairRateLimiter(pair_seconds)
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight),
        )

    @property
    def max_attempts(self) -> int:
        return self.retry_policy.max_attempts

    @property
    def pair_seconds(self) -> float:
        return self.retry_policy.pair_seconds

    @property
    def messages_path(self) -> str:
        return _messages_path(self.api_version, self.phone_number_id)

    @property
    def remembered_recipients(self) -> int:
        """Recipients the pair-rate limiter holds now (bounded; see senders.rate_limits)."""
        return len(self._pairs)

    def __repr__(self) -> str:
        return (
            f"AsyncCloudApiClient(base_url={self.base_url!r}, phone_number_id={self.phone_number_id!r}, "
            f"api_version={self.api_version!r}, messages_per_second={self.messages_per_second!r})"
        )

    async def send(self, message: dict[str, Any]) -> SendResult:
        """Send one message body (senders.message_body); outcomes, retries and halts as
        in the module docstring. Raises `CampaignHaltError` for 131048 and 190."""
        to = str(message.get("to", ""))
        attempts = 0

        async def attempt() -> SendResult:
            nonlocal attempts
            attempts += 1
            return await self._attempt_once(to, message)

        retrying = AsyncRetrying(**self.retry_policy.tenacity_options(to))
        result: SendResult = await retrying(attempt)
        return raise_if_halting(replace(result, attempts=attempts))

    async def _attempt_once(self, to: str, message: dict[str, Any]) -> SendResult:
        slot = await self._pairs.acquire(to)
        await self._throughput.acquire()
        async with self._in_flight:
            slot = self._pairs.restamp(slot)
            try:
                response = await self._http.post(self.messages_path, json=message)
            except httpx.TransportError as exc:
                result = result_from_transport_error(exc)
            else:
                result = result_from_response(response)
        if result.outcome == "failed" and result.error_code != PAIR_RATE_CODE:
            # Refused or never sent: nothing reached the user, the turn is not spent.
            self._pairs.release(slot)
        return result

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncCloudApiClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _account_from_env(source: Mapping[str, str]) -> dict[str, str]:
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
    return {
        "base_url": source.get("THREADLINE_WHATSAPP_API_URL") or GRAPH_API_URL,
        "token": token,
        "phone_number_id": phone_number_id,
        "api_version": source.get("THREADLINE_WHATSAPP_API_VERSION") or DEFAULT_API_VERSION,
    }


def client_from_env(env: Mapping[str, str] | None = None, **options: Any) -> CloudApiClient:
    """The client configured by the environment.

    THREADLINE_WHATSAPP_TOKEN and THREADLINE_WHATSAPP_PHONE_NUMBER_ID select the
    account; THREADLINE_WHATSAPP_API_URL overrides https://graph.facebook.com (point it
    at the local simulator); THREADLINE_WHATSAPP_API_VERSION overrides the API version.
    """
    return CloudApiClient(**_account_from_env(os.environ if env is None else env), **options)


def async_client_from_env(env: Mapping[str, str] | None = None, **options: Any) -> AsyncCloudApiClient:
    """The async client configured by the environment: the variables of
    `client_from_env`, plus THREADLINE_WHATSAPP_MESSAGES_PER_SECOND (the number's
    throughput tier, default 80). `options` win over the environment."""
    source = os.environ if env is None else env
    account = _account_from_env(source)
    name = "THREADLINE_WHATSAPP_MESSAGES_PER_SECOND"
    raw = source.get(name, "").strip()
    if raw and "messages_per_second" not in options:
        try:
            rate = float(raw)
        except ValueError:
            raise ProviderConfigError(f"{name} must be a number of messages per second, got {raw!r}") from None
        try:
            return AsyncCloudApiClient(**account, messages_per_second=rate, **options)
        except ValueError as exc:
            raise ProviderConfigError(f"{name}={raw}: {exc}") from None
    return AsyncCloudApiClient(**account, **options)
