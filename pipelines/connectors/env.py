"""Reading connector settings from the environment, once, at the edge."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class MissingCredentialError(RuntimeError):
    """A required environment variable is not set (the message names it)."""

    def __init__(self, variable: str, purpose: str) -> None:
        super().__init__(f"{variable} is not set: {purpose}")
        self.variable = variable


def required(variable: str, purpose: str, env: Mapping[str, str] | None = None) -> str:
    value = (env if env is not None else os.environ).get(variable, "").strip()
    if not value:
        raise MissingCredentialError(variable, purpose)
    return value


def optional(variable: str, default: str, env: Mapping[str, str] | None = None) -> str:
    value = (env if env is not None else os.environ).get(variable, "").strip()
    return value or default


def base_url(value: str, variable: str) -> str:
    """`value` as a base URL without a trailing slash; a bare host gets https://."""
    url = value.strip().rstrip("/")
    if "://" not in url:
        url = f"https://{url}"
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{variable} is not an http(s) URL: {value!r}")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        logger.warning("%s uses plain http to %s: credentials travel unencrypted",
                       variable, parts.hostname)
    return url
