"""Acks first: the work after an ack waits (briefly) while requests are being acked.

Slack gives each request 3 seconds to be acked, while the answer on a response_url may
come minutes later. Under a burst, work after the ack would compete with the acks for
the same CPU and GIL; instead it runs in the gaps, waiting at most `max_wait` per task so
it always progresses. Work that opens a form cannot wait like that (Slack refuses a form
opened 3 seconds after its click): it has a lane of its own, served first.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
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


class AfterAckExecutor(Executor):
    """The pool Bolt runs lazy listeners on, with two lanes.

    `submit` (Bolt's lazy listeners, the intake's commands and events) is first come, first
    served, and each task first lets pending acks go. `submit_first` is for work that opens
    a form: Slack refuses a form opened more than 3 seconds after its click, so that work is
    served before anything queued, never waits on the gate, and has a worker of its own
    (`reserved`) in case every other one is busy with a slow task.
    """

    def __init__(self, gate: AckFirst, max_workers: int = 2, reserved: int = 1) -> None:
        self.gate = gate
        self._workers = [True] * reserved + [False] * max_workers  # serves only the first lane?
        self._first: deque[_Task] = deque()
        self._rest: deque[_Task] = deque()
        self._pending = 0
        self._shutdown = False
        self._threads: list[threading.Thread] = []
        self._cond = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._queue(self._rest, _Task(fn, args, kwargs, after_acks=True))

    def submit_first(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run `fn` before anything queued by `submit`, without waiting for acks in flight."""
        return self._queue(self._first, _Task(fn, args, kwargs, after_acks=False))

    def _queue(self, lane: deque[_Task], task: _Task) -> Future[Any]:
        with self._cond:
            if self._shutdown:
                raise RuntimeError("cannot schedule new work after shutdown")
            if not self._threads:
                self._start()
            lane.append(task)
            self._pending += 1
            self._cond.notify_all()
        return task.future

    def _start(self) -> None:
        for n, first_only in enumerate(self._workers):
            name = f"after-ack-{'first' if first_only else 'any'}-{n}"
            thread = threading.Thread(target=self._work, args=(first_only,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _next(self, first_only: bool) -> _Task | None:
        with self._cond:
            while True:
                if self._first:
                    return self._first.popleft()
                if self._rest and not first_only:
                    return self._rest.popleft()
                if self._shutdown:
                    return None
                self._cond.wait()

    def _work(self, first_only: bool) -> None:
        while (task := self._next(first_only)) is not None:
            try:
                if task.future.set_running_or_notify_cancel():
                    if task.after_acks:
                        self.gate.wait_idle()
                    try:
                        task.future.set_result(task.fn(*task.args, **task.kwargs))
                    except BaseException as e:
                        task.future.set_exception(e)
            finally:
                with self._cond:
                    self._pending -= 1
                    self._cond.notify_all()

    def drain(self, timeout: float = 10) -> bool:
        """Wait until every submitted task, in both lanes, has run (graceful shutdown, tests)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout=timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """What is queued still runs (unless `cancel_futures`); nothing new is taken."""
        with self._cond:
            self._shutdown = True
            if cancel_futures:
                for task in (*self._first, *self._rest):
                    task.future.cancel()
            self._cond.notify_all()
            threads = list(self._threads)
        if wait:
            for thread in threads:
                thread.join()


@dataclass
class _Task:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    after_acks: bool
    future: Future[Any] = field(default_factory=Future)
