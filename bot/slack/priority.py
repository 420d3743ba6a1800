"""Acks first: the work after an ack waits (briefly) while requests are being acked.

Slack gives each request 3 seconds to be acked, while the answer on a response_url may
come minutes later. Under a burst, work after the ack would compete with the acks for
the same CPU and GIL; instead it runs in the gaps, waiting at most `max_wait` per task so
it always progresses.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class AckFirst:
    """Tracks requests from Slack; `wait_idle` blocks until none arrived for `quiet` seconds."""

    def __init__(self, max_wait: float = 2.0, quiet: float = 0.02) -> None:
        self.max_wait = max_wait
        self.quiet = quiet
        self._in_flight = 0
        self._last = 0.0
        self._idle = threading.Condition()

    def enter(self) -> None:
        with self._idle:
            self._in_flight += 1
            self._last = time.monotonic()

    def leave(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def wait_idle(self) -> None:
        deadline = time.monotonic() + self.max_wait
        with self._idle:
            while True:
                now = time.monotonic()
                quiet_for = now - self._last
                if (self._in_flight == 0 and quiet_for >= self.quiet) or now >= deadline:
                    return
                self._idle.wait(min(deadline - now, max(self.quiet - quiet_for, 0.001)))


class AfterAckExecutor(ThreadPoolExecutor):
    """The pool Bolt runs lazy listeners on; each task first lets pending acks go."""

    def __init__(self, gate: AckFirst, max_workers: int = 2) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="after-ack")
        self.gate = gate
        self._pending = 0
        self._drained = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        def after_acks() -> Any:
            try:
                self.gate.wait_idle()
                return fn(*args, **kwargs)
            finally:
                with self._drained:
                    self._pending -= 1
                    self._drained.notify_all()

        with self._drained:
            self._pending += 1
        return super().submit(after_acks)

    def drain(self, timeout: float = 10) -> bool:
        """Wait until every submitted task has run (graceful shutdown, tests)."""
        with self._drained:
            return self._drained.wait_for(lambda: self._pending == 0, timeout=timeout)
