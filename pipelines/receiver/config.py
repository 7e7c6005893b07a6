"""Receiver settings, read from the environment and validated once at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from pipelines.settings import paths

MIB = 1024 * 1024

# environment variable -> settings field
ENV_FIELDS = {
    "THREADLINE_META_APP_SECRET": "meta_app_secret",
    "THREADLINE_WEBHOOK_VERIFY_TOKEN": "verify_token",
    "THREADLINE_CHATWOOT_WEBHOOK_TOKEN": "chatwoot_token",
    "THREADLINE_RECEIVER_MAX_BODY_BYTES": "max_body_bytes",
    "THREADLINE_RECEIVER_ROTATE_SECONDS": "rotate_seconds",
    "THREADLINE_RECEIVER_ROTATE_BYTES": "rotate_bytes",
    "THREADLINE_RECEIVER_MAX_PENDING_BYTES": "max_pending_bytes",
}


class ReceiverSettings(BaseModel):
    """Everything the receiver needs; secrets are `SecretStr`, so they never print."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    landing: Path
    # Meta: HMAC key of X-Hub-Signature-256 (empty or unset: every POST is refused)
    meta_app_secret: SecretStr | None = None
    # Meta: the token echoed back on the subscription GET (unset: the GET is refused)
    verify_token: SecretStr | None = None
    # Chatwoot: shared token in `?token=` or X-Threadline-Webhook-Token (unset: refused)
    chatwoot_token: SecretStr | None = None
    max_body_bytes: int = Field(default=3 * MIB, gt=0)
    rotate_seconds: float = Field(default=10.0, gt=0)
    rotate_bytes: int = Field(default=64 * MIB, gt=0)
    # bodies accepted but not yet fsynced; beyond this the receiver answers 503
    max_pending_bytes: int = Field(default=256 * MIB, gt=0)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ReceiverSettings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            field: env[name] for name, field in ENV_FIELDS.items() if env.get(name, "") != ""
        }
        home = env.get("THREADLINE_HOME") or None
        return cls.model_validate({"landing": paths(home).landing, **values})

    @staticmethod
    def secret_bytes(secret: SecretStr | None) -> bytes:
        """The secret's UTF-8 bytes, or b"" when unset."""
        return secret.get_secret_value().encode("utf-8") if secret is not None else b""
