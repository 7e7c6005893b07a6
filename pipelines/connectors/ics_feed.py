"""A calendar feed (ICS URL, or a CalDAV collection's export URL) → landing/calendar/.

`GET` the URL (Google Calendar's secret iCal address, an Outlook published calendar, a
booking tool's feed, Nextcloud/Radicale `...?export`; `webcal://` is read as https)
and, when the body changed since the last landed one, write it whole to
`landing/calendar/<UTC date>/feed-<content hash>.ics` (written as `.part`, fsynced,
then renamed, so ingest never sees half a file). A feed is a full snapshot of the
calendar: `pipelines.ingest.calendar` loads every event of each changed version and
staging keeps the latest version of each event.

The next request is conditional (`If-None-Match` with the last ETag,
`If-Modified-Since` with the last `Last-Modified`); a 304, or a 200 with the same bytes
as the last landed body, lands nothing. The cursor is this connector's own file,
`state/ics_feed.json` (one entry per feed, keyed by a hash of the URL). The URL's path
often is the secret (Google's "secret address in iCal format"), so it is never stored,
logged or put in an exception: messages name the host only. Requests are retried on
429, 5xx and connection errors with the connectors' `RetryPolicy` (the server's
`Retry-After` when it sends one, else exponential backoff).

Environment: THREADLINE_CALENDAR_ICS_URL (the feed), and optionally
THREADLINE_CALENDAR_USERNAME / THREADLINE_CALENDAR_PASSWORD (HTTP basic auth, for a
CalDAV server).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential_jitter,
)

from pipelines.connectors import env
from pipelines.connectors.cursors import CursorStore
from pipelines.connectors.http import (
    ApiError,
    RetryPolicy,
    build_client,
    default_retryable,
    retry_after_seconds,
)
from pipelines.settings import Paths

logger = logging.getLogger(__name__)

URL_ENV = "THREADLINE_CALENDAR_ICS_URL"
USERNAME_ENV = "THREADLINE_CALENDAR_USERNAME"
PASSWORD_ENV = "THREADLINE_CALENDAR_PASSWORD"
STATE_FILE = "ics_feed.json"
LANDING = "calendar"
ACCEPT = "text/calendar, text/plain;q=0.5, */*;q=0.1"


class IcsFeedError(RuntimeError):
    """The feed answered, but not with an iCalendar body (a login page, an error page)."""


def feed_url(value: str) -> str:
    """`value` as an http(s) URL (`webcal://` becomes `https://`)."""
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() in {"webcal", "webcals"}:
        parts = parts._replace(scheme="https")
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{URL_ENV} is not an http(s) or webcal URL")
    return urlunsplit(parts)


def feed_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _auth_header(environ: Mapping[str, str] | None) -> dict[str, str]:
    user = env.optional(USERNAME_ENV, "", environ)
    if not user:
        return {}
    password = env.required(PASSWORD_ENV, f"the password for {USERNAME_ENV}", environ)
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def looks_like_icalendar(body: bytes) -> bool:
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    return head.startswith(b"BEGIN:VCALENDAR")


def write_atomically(path: Path, data: bytes) -> Path:
    """Write `data` to `<path>.part`, fsync, rename to `path`, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return path


class _RedactPaths(logging.Filter):
    """Keeps httpx's own "HTTP Request: GET <url>" lines, without the URL's path."""

    _URL = re.compile(r"(https?://[^/\s\"']+)[^\s\"']*")

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._URL.sub(r"\1/<path redacted>", record.getMessage())
        record.args = ()
        return True


def fetch(
    http: httpx.Client, url: str, headers: Mapping[str, str], policy: RetryPolicy
) -> httpx.Response:
    """GET with retries; 200 and 304 are answers, anything else raises `ApiError`.

    Like `pipelines.connectors.http.send`, but every log line and error names only the
    host: the feed's path is a credential.
    """
    where = f"calendar feed on {urlsplit(url).hostname}"
    backoff = wait_exponential_jitter(multiplier=policy.backoff_base, max=policy.backoff_max,
                                      jitter=policy.backoff_base)

    def wait(state: RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            told = retry_after_seconds(outcome.result())
            if told is not None:
                return min(told, policy.retry_after_max)
        return float(backoff(state))

    def log_retry(state: RetryCallState) -> None:
        outcome = state.outcome
        if outcome is None:
            return
        what = (type(outcome.exception()).__name__ if outcome.failed
                else f"HTTP {outcome.result().status_code}")
        logger.warning("GET %s: %s (attempt %d of %d); retrying", where, what,
                       state.attempt_number, policy.max_attempts)

    retrying = Retrying(
        stop=stop_after_attempt(policy.max_attempts),
        wait=wait,
        retry=retry_if_result(default_retryable) | retry_if_exception_type(httpx.TransportError),
        sleep=policy.sleep,
        before_sleep=log_retry,
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        reraise=True,
    )
    redact = _RedactPaths()
    httpx_logger = logging.getLogger("httpx")
    httpx_logger.addFilter(redact)
    try:
        response: httpx.Response = retrying(http.get, url, headers=dict(headers))
    except httpx.TransportError as error:
        raise ApiError("GET", where, 0, type(error).__name__) from None
    finally:
        httpx_logger.removeFilter(redact)
    if response.status_code not in (200, 304):
        raise ApiError("GET", where, response.status_code, response.reason_phrase, response)
    return response


def sync(
    paths: Paths,
    url: str | None = None,
    client: httpx.Client | None = None,
    *,
    policy: RetryPolicy | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Fetch the feed once; land its body if it changed. Returns counts."""
    target = feed_url(url or env.required(URL_ENV, "the calendar feed's ICS URL", environ))
    key = feed_key(target)
    store = CursorStore(paths.state / STATE_FILE)
    cursor = store.get(key) or {}
    headers = {"Accept": ACCEPT, **_auth_header(environ)}
    if cursor.get("etag"):
        headers["If-None-Match"] = str(cursor["etag"])
    if cursor.get("last_modified"):
        headers["If-Modified-Since"] = str(cursor["last_modified"])

    owned = client is None
    http = client or build_client()
    if owned:
        http.follow_redirects = True  # published calendars often redirect to a CDN
    try:
        response = fetch(http, target, headers, policy or RetryPolicy())
    finally:
        if owned:
            http.close()

    host = urlsplit(target).hostname
    checked_at = datetime.now(UTC).isoformat(timespec="seconds")
    counts = {"requests": 1, "not_modified": 0, "unchanged": 0, "files": 0, "bytes": 0}
    if response.status_code == 304:
        logger.info("calendar feed on %s: not modified", host)
        store.put(key, {**cursor, "checked_at": checked_at})
        counts["not_modified"] = 1
        return counts

    body = response.content
    if not looks_like_icalendar(body):
        kind = response.headers.get("Content-Type", "no content type")
        raise IcsFeedError(f"the calendar feed on {host} answered {kind}, not an iCalendar "
                           f"body (BEGIN:VCALENDAR)")
    digest = hashlib.sha256(body).hexdigest()
    if digest == cursor.get("sha256"):
        counts["unchanged"] = 1
        logger.info("calendar feed on %s: unchanged (%d bytes)", host, len(body))
    else:
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        path = paths.landing / LANDING / day / f"feed-{digest[:16]}.ics"
        write_atomically(path, body)
        counts["files"], counts["bytes"] = 1, len(body)
        logger.info("calendar feed on %s: landed %d bytes as %s", host, len(body), path.name)
    store.put(key, {
        "etag": response.headers.get("ETag"),
        "last_modified": response.headers.get("Last-Modified"),
        "sha256": digest,
        "checked_at": checked_at,
    })
    return counts
