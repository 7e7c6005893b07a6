"""Meta's sending limits as the simulator enforces them, with bounded memory.

- Throughput: at most `messages_per_second` messages per sending phone number in any
  one-second window (Meta's default 80, up to 1000); one more answers HTTP 429, code
  130429, with `Retry-After` in whole seconds. None turns it off. Memory: at most
  `messages_per_second` timestamps per phone number.
- Pair rate: a message to a `to` that was accepted less than `pair_seconds` ago (Meta:
  about one per 6 s) answers 400, code 131056. None or 0 turns it off. Memory: only
  the recipients accepted in the last `pair_seconds`.

Both use the monotonic clock of the simulator process (real time), never the
simulated clock.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque


class Limits:
    def __init__(self, messages_per_second: int | None = 80, pair_seconds: float | None = None) -> None:
        if messages_per_second is not None and not 1 <= messages_per_second <= 1000:
            raise ValueError("messages_per_second must be 1..1000 (Meta's range) or None")
        if pair_seconds is not None and pair_seconds < 0:
            raise ValueError("pair_seconds must be >= 0 or None")
        self.messages_per_second = messages_per_second
        self.pair_seconds = pair_seconds or None
        self._lock = threading.Lock()
        self._windows: dict[str, deque[float]] = {}
        self._recent: OrderedDict[str, float] = OrderedDict()

    def throughput_retry_after(self, phone_number_id: str, now: float | None = None) -> int | None:
        """Count one message for the phone number; seconds to wait if over the limit."""
        if self.messages_per_second is None:
            return None
        now = time.monotonic() if now is None else now
        with self._lock:
            window = self._windows.setdefault(phone_number_id, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= self.messages_per_second:
                return max(1, math.ceil(window[0] + 1.0 - now))
            window.append(now)
            return None

    def pair_blocked(self, wa_id: str, now: float | None = None) -> bool:
        """True when `wa_id` had a message accepted within `pair_seconds`."""
        if self.pair_seconds is None:
            return False
        now = time.monotonic() if now is None else now
        with self._lock:
            self._forget_before(now - self.pair_seconds)
            return wa_id in self._recent

    def note_accepted(self, wa_id: str, now: float | None = None) -> None:
        if self.pair_seconds is None:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent[wa_id] = now
            self._recent.move_to_end(wa_id)
            self._forget_before(now - self.pair_seconds)

    def _forget_before(self, cutoff: float) -> None:
        while self._recent:
            wa_id, at = next(iter(self._recent.items()))
            if at > cutoff:
                break
            del self._recent[wa_id]

    @property
    def recent_recipients(self) -> int:
        with self._lock:
            return len(self._recent)
