"""What `GET /healthz` answers: can this process do its job right now?

Two things can stop it while the process still runs: the database is unreachable, or, in
Socket Mode, the websocket to Slack is down. slack-sdk reconnects by itself, so a short
gap is normal (Slack asks clients to reconnect every few hours); only a gap longer than
`grace` makes the process unhealthy, so an orchestrator restarts a replica that reconnects
in a loop instead of serving nothing while it says "ok".
"""

from __future__ import annotations

import time
from collections.abc import Callable

GRACE = 30.0  # seconds a Socket Mode connection may be down before /healthz says so


class Health:
    def __init__(
        self,
        database_ok: Callable[[], bool],
        *,
        grace: float = GRACE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database_ok = database_ok
        self.grace = grace
        self.monotonic = monotonic
        self._socket: Callable[[], bool] | None = None
        self._down_since: float | None = None

    def watch_socket(self, is_connected: Callable[[], bool]) -> None:
        """From now on, the Socket Mode connection counts (after it first connected)."""
        self._socket = is_connected
        self._down_since = None

    def problem(self) -> str | None:
        """None when healthy; otherwise what is wrong, in a few words for the probe's log."""
        if not self.database_ok():
            return "database unreachable"
        if self._socket is None:
            return None
        now = self.monotonic()
        if self._socket():
            self._down_since = None
            return None
        if self._down_since is None:
            self._down_since = now
        down = now - self._down_since
        return f"Socket Mode disconnected for {down:.0f}s" if down > self.grace else None
