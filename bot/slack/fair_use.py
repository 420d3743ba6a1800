"""Per-person command limits, held in this process (each replica counts on its own).

The rule is `bot.core.fair_use`; this keeps one bucket per workspace and person, and
forgets full ones so the table stays as small as the set of people busy right now.
"""

from __future__ import annotations

import threading
from datetime import datetime

from bot.clock import Clock
from bot.core.fair_use import Allowance, Bucket, admit, is_full

TOO_FAST = {
    "response_type": "ephemeral",
    "text": ":hourglass_flowing_sand: You're sending commands faster than I can keep up with "
    "— wait a few seconds and send it again.",
}

_FORGET_ABOVE = 1000  # buckets tracked before the full ones are dropped


class CommandLimits:
    """Admits a person's command while their bucket has credit."""

    def __init__(self, clock: Clock, allowance: Allowance) -> None:
        self.clock = clock
        self.allowance = allowance
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._lock = threading.Lock()

    def admits(self, team_id: str, user_id: str) -> bool:
        now = self.clock.now()
        with self._lock:
            admitted, bucket = admit(self._buckets.get((team_id, user_id)), now, self.allowance)
            self._buckets[(team_id, user_id)] = bucket
            if len(self._buckets) > _FORGET_ABOVE:
                self._forget_full(now)
            return admitted

    def _forget_full(self, now: datetime) -> None:
        for key in [k for k, b in self._buckets.items() if is_full(b, now, self.allowance)]:
            del self._buckets[key]
