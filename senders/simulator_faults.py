"""Seeded, reproducible fault injection for the Cloud API simulator.

A `Faults` gives shares (0..1) of requests and of status webhooks that go wrong:

| field                | what happens                                                        |
| -------------------- | ------------------------------------------------------------------- |
| server_errors        | HTTP 500 or 503, code 131000; the message is not accepted           |
| timeouts             | the request is held `timeout_seconds` (past the client's timeout),  |
|                      | then the connection closes with no answer; not accepted             |
| slow                 | the answer comes after `slow_seconds`; accepted as usual            |
| drops                | accepted (send log, webhooks scheduled), then the connection closes |
|                      | with no answer: the sender cannot know the message went out         |
| webhooks_lost        | a status webhook is never delivered                                 |
| webhooks_duplicated  | a status webhook is delivered twice                                 |
| webhooks_reordered   | a message's status webhooks are delivered newest first              |

The request faults exclude each other (their shares add up to at most 1) and apply
only to sends that pass validation, the limits and the digit table. Whether a request
is hit depends only on (`seed`, recipient, the recipient's attempt number), and a
webhook on (`seed`, wamid-free message key, status), never on arrival order, so the
same sends give the same faults however concurrently they arrive.

JSON (CLI `--faults`, `POST /_simulator/faults`): the same field names, e.g.
`{"server_errors": 0.05, "drops": 0.01, "timeout_seconds": 3, "seed": 7}`; fields
left out keep their defaults (0, i.e. no fault).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

RequestFault = Literal["timeout", "server_error", "slow", "drop"]
_REQUEST_SHARES: tuple[tuple[str, RequestFault], ...] = (
    ("timeouts", "timeout"),
    ("server_errors", "server_error"),
    ("slow", "slow"),
    ("drops", "drop"),
)


@dataclass(frozen=True)
class Faults:
    server_errors: float = 0.0
    timeouts: float = 0.0
    slow: float = 0.0
    drops: float = 0.0
    webhooks_lost: float = 0.0
    webhooks_duplicated: float = 0.0
    webhooks_reordered: float = 0.0
    slow_seconds: float = 1.0
    timeout_seconds: float = 30.0
    seed: int = 0

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name == "seed":
                if not isinstance(value, int) or isinstance(value, bool):
                    raise ValueError("faults.seed must be an integer")
                continue
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise ValueError(f"faults.{field.name} must be a number >= 0, got {value!r}")
            if field.name.endswith("_seconds"):
                continue
            if value > 1:
                raise ValueError(f"faults.{field.name} is a share: 0..1, got {value!r}")
        total = sum(getattr(self, name) for name, _ in _REQUEST_SHARES)
        if total > 1 + 1e-9:
            raise ValueError(
                f"faults: server_errors + timeouts + slow + drops = {total:g}; at most 1"
            )

    @classmethod
    def from_json(cls, data: Any, base: Faults | None = None) -> Faults:
        """Faults from a JSON object: the named fields replace those of `base`."""
        if not isinstance(data, dict):
            raise ValueError("faults must be a JSON object")
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault fields {unknown}; known: {sorted(known)}")
        return replace(base or cls(), **data)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def any_webhook_faults(self) -> bool:
        return bool(self.webhooks_lost or self.webhooks_duplicated or self.webhooks_reordered)

    def _draw(self, *key: object) -> float:
        digest = hashlib.blake2b(
            "\x1f".join(map(str, (self.seed, *key))).encode(), digest_size=8
        ).digest()
        return int.from_bytes(digest, "big") / 2**64

    def request_fault(self, wa_id: str, attempt: int) -> RequestFault | None:
        """The fault of the `attempt`-th request (1, 2, ...) to `wa_id`, or None."""
        draw = self._draw("request", wa_id, attempt)
        edge = 0.0
        for name, fault in _REQUEST_SHARES:
            edge += getattr(self, name)
            if draw < edge:
                return fault
        return None

    def server_error_status(self, wa_id: str, attempt: int) -> int:
        return 503 if self._draw("status", wa_id, attempt) < 0.5 else 500

    def webhook_plan(self, wa_id: str, attempt: int, count: int) -> list[int]:
        """Which of a message's `count` status bodies are delivered, in delivery order
        (indexes into them; an index twice is a duplicate, a missing one is lost)."""
        order = list(range(count))
        if self._draw("reorder", wa_id, attempt) < self.webhooks_reordered:
            order.reverse()
        plan: list[int] = []
        for index in order:
            if self._draw("lost", wa_id, attempt, index) < self.webhooks_lost:
                continue
            plan.append(index)
            if self._draw("dup", wa_id, attempt, index) < self.webhooks_duplicated:
                plan.append(index)
        return plan
