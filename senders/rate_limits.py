"""The two rates Meta enforces on a sending number, kept on our side of the wire.

- Throughput: messages per second per number (20/s for numbers shared with the
  WhatsApp Business app, 80/s by default, up to 1,000/s after Meta's automatic
  upgrade). A leaky bucket (aiolimiter) holding `BURST_SECONDS` worth of messages:
  small enough that a second never carries more than ~1.1 x the rate, large enough
  that event-loop wake-ups do not throttle a 1,000/s sender below its rate.
- Pair rate: about one message per 6 s to the same user. `PairRateLimiter` remembers
  the last request per recipient only for the pair interval and forgets older ones, so
  memory is bounded by the recipients of the last two windows (at 1,000/s and 6 s,
  ~12k), not by the campaign's audience.

Every attempt, retries included, goes through both.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

MAX_MESSAGES_PER_SECOND = 1000
BURST_SECONDS = 0.1
TIERS = "20/s for numbers shared with the WhatsApp Business app, 80/s by default, 1,000/s after the automatic upgrade"


def throughput_limiter(messages_per_second: float) -> AsyncLimiter:
    """A limiter admitting `messages_per_second` (validated against Meta's tiers)."""
    if isinstance(messages_per_second, bool) or not isinstance(messages_per_second, int | float):
        raise ValueError(f"messages_per_second must be a number, got {messages_per_second!r}")
    if not 0 < messages_per_second <= MAX_MESSAGES_PER_SECOND:
        raise ValueError(
            f"messages_per_second={messages_per_second} is outside what Meta allows a number "
            f"(0 < rate <= {MAX_MESSAGES_PER_SECOND}; tiers: {TIERS}); set your number's tier"
        )
    burst = max(1.0, messages_per_second * BURST_SECONDS)
    return AsyncLimiter(burst, burst / messages_per_second)


@dataclass(frozen=True)
class PairSlot:
    """A recipient's turn, given back by `release` when Meta provably sent nothing."""

    to: str
    taken_at: float
    previous: float | None


class PairRateLimiter:
    """At most one request per `pair_seconds` to the same recipient (0 disables)."""

    def __init__(self, pair_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if pair_seconds < 0:
            raise ValueError(f"pair_seconds must not be negative, got {pair_seconds}")
        self.pair_seconds = pair_seconds
        self._clock = clock
        self._last: dict[str, float] = {}
        self._pruned_at = clock()

    def __len__(self) -> int:
        """Recipients remembered now (bounded by the recent window, see module doc)."""
        return len(self._last)

    async def acquire(self, to: str) -> PairSlot:
        """Wait until `to` may receive a request, and take that turn."""
        if not self.pair_seconds:
            return PairSlot(to, self._clock(), None)  # disabled: remember nobody
        while True:
            now = self._clock()
            self._prune(now)
            last = self._last.get(to)
            if last is None or now >= last + self.pair_seconds:
                self._last[to] = now
                return PairSlot(to, now, last)
            await asyncio.sleep(last + self.pair_seconds - now)

    def restamp(self, slot: PairSlot) -> PairSlot:
        """Move the turn to now, when the request actually starts: waits for a token or
        a connection after `acquire` must not shorten the gap Meta sees."""
        if self._last.get(slot.to) != slot.taken_at:
            return slot
        now = max(self._clock(), slot.taken_at)
        self._last[slot.to] = now
        return PairSlot(slot.to, now, slot.previous)

    def release(self, slot: PairSlot) -> None:
        """Give a turn back: the request was refused or never left, so no message
        reached the user and the next attempt need not wait the pair interval."""
        if self._last.get(slot.to) != slot.taken_at:
            return  # a later request took the recipient's turn since
        if slot.previous is None:
            del self._last[slot.to]
        else:
            self._last[slot.to] = slot.previous

    def _prune(self, now: float) -> None:
        """Forget recipients whose last request is older than the window, once per
        window (amortised O(1) per call); the dict is rebuilt so its memory shrinks too."""
        if now - self._pruned_at < max(self.pair_seconds, 1.0):
            return
        horizon = now - self.pair_seconds
        self._last = {to: at for to, at in self._last.items() if at > horizon}
        self._pruned_at = now
