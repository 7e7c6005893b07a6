"""Settings of the whole messaging programme, configured once in senders/programme.yaml:
the global control group and the business's messaging limit per sending number."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from senders.campaign import MessagingLimit
from senders.templates import SENDERS_DIR, CampaignConfigError, describe, read_yaml

PROGRAMME_FILE = SENDERS_DIR / "programme.yaml"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GlobalControl(_Frozen):
    """A stable share of contacts that receives no marketing at all (any campaign)."""

    percent: Annotated[float, Field(ge=0, lt=100)] = 0.0
    # changing the salt draws a new group: do it only when starting a new measurement
    salt: Annotated[str, Field(min_length=1)] = "threadline-global-control"

    def includes(self, contact_id: str) -> bool:
        if self.percent <= 0:
            return False
        digest = hashlib.sha256(f"{self.salt}:{contact_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 * 100 < self.percent


class Programme(_Frozen):
    global_control: GlobalControl = GlobalControl()
    # Meta's messaging limit: unique recipients outside the customer service window per
    # rolling 24 h; per inbox (sending number), else the default
    messaging_limit: MessagingLimit = "unlimited"
    inbox_messaging_limits: dict[str, MessagingLimit] = Field(default_factory=dict)
    # a number that failed with 131026 (not on WhatsApp) is not tried again for this long
    undeliverable_days: Annotated[int, Field(ge=0)] = 30

    def messaging_limit_for(self, inbox_id: str, override: MessagingLimit | None = None) -> int | None:
        """The limit as a number, None for unlimited."""
        limit = override or self.inbox_messaging_limits.get(inbox_id, self.messaging_limit)
        return None if limit == "unlimited" else int(limit)


def load_programme(path: Path = PROGRAMME_FILE) -> Programme:
    if not path.exists():
        return Programme()
    try:
        return Programme.model_validate(read_yaml(path) or {})
    except ValidationError as exc:
        raise CampaignConfigError(f"{path}: {describe(exc)}") from exc
