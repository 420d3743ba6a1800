"""Durable intake: an ack is a promise. What Slack asked is stored before the ack, processed
after it on the after-ack pool, and marked done; a request left undone by a crash (its
lease ran out) is processed again by whichever process reclaims it first, at start and on
each tick, through the same `run` as live requests.

Slack does not redeliver what it got a 200 for, and a person who saw no error does not
retype: so a request that cannot be stored is not acked as if it were (see the callers).
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from datetime import timedelta
from functools import partial
from typing import Any

from bot.clock import Clock
from bot.core.intake import MAX_ATTEMPTS, Request, RequestKind
from bot.slack.priority import AfterAckExecutor
from bot.store.intake import Asked, IntakeStore
from bot.usecases.ports import DirectoryUnavailable

log = logging.getLogger(__name__)

# What processes one kind of request: the request (when it came, its key) and its payload.
Handler = Callable[[Request, dict[str, Any]], None]


def request_key(body: dict[str, Any]) -> str:
    """The idempotency key of a payload: Slack's event ID for events; for anything else a
    hash of the payload, which carries a trigger_id and response_url unique to each
    invocation, so a replay of the same signed request (to any replica) has the same key."""
    event_id = body.get("event_id")
    if event_id:
        return f"e:{event_id}"
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return "h:" + hashlib.sha256(canonical.encode()).hexdigest()


class GroupCommit:
    """One writer thread stores the requests of all request threads waiting at that moment
    in one transaction: one commit (and lock, and fsync on PostgreSQL) for many acks, which
    keeps the ack's tail near a bare Bolt app's under concurrent requests (measured, see
    benchmarks/README.md)."""

    def __init__(self, store: IntakeStore, clock: Clock, lease: timedelta) -> None:
        self.store = store
        self.clock = clock
        self.lease = lease
        self._queue: queue.SimpleQueue[tuple[Asked, Future[Request | None]]] = queue.SimpleQueue()
        self._started = False
        self._start_lock = threading.Lock()

    def take(self, asked: Asked) -> Request | None:
        """Store `asked` with whatever else is waiting; blocks until committed (or raises)."""
        if not self._started:
            self._start()
        done: Future[Request | None] = Future()
        self._queue.put((asked, done))
        return done.result()

    def _start(self) -> None:
        with self._start_lock:
            if not self._started:
                threading.Thread(target=self._write, name="intake-writer", daemon=True).start()
                self._started = True

    def _write(self) -> None:
        while True:
            batch = [self._queue.get()]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                taken = self.store.take([a for a, _ in batch], self.clock.now(), self.lease)
            except Exception as e:
                for _, done in batch:
                    done.set_exception(e)
                continue
            for (_, done), request in zip(batch, taken, strict=True):
                done.set_result(request)


class Intake:
    """Takes requests before their ack, runs their handlers after it, reclaims the undone."""

    def __init__(
        self, store: IntakeStore, pool: AfterAckExecutor, clock: Clock, lease: timedelta
    ) -> None:
        self.store = store
        self.pool = pool
        self.clock = clock
        self.lease = lease
        self._commits = GroupCommit(store, clock, lease)
        self._handlers: dict[RequestKind, Handler] = {}
        # Requests this process has queued or is running: never reclaimed from itself, and
        # their leases renewed (`renew`), so that no other process takes one up while it
        # is still at work here (a slow Slack can outlast a lease).
        self._busy: dict[int, Request] = {}
        self._busy_lock = threading.Lock()
        self._in_order = InOrder(pool)

    def handle(self, kind: RequestKind, handler: Handler) -> None:
        """Register what processes `kind` (the listeners do, as they register with Bolt)."""
        self._handlers[kind] = handler

    def take(self, kind: RequestKind, body: dict[str, Any], *, first: bool = False) -> bool:
        """Store the request, then queue its processing (`first`: in the pool's first lane,
        for a command that opens a form); False for one taken before (a retry or replay:
        ack it, do nothing). Raises when it cannot be stored."""
        request = self._commits.take(Asked(_team(body), kind, request_key(body), json.dumps(body)))
        if request is None:
            return False
        self._submit(request, body, first)
        return True

    def _submit(self, request: Request, body: dict[str, Any] | None, first: bool = False) -> None:
        with self._busy_lock:
            self._busy[request.id] = request
        if first:
            self.pool.submit_first(self.run, request, body)
        elif request.kind in _IN_ORDER:
            channel = _channel(body if body is not None else json.loads(request.body))
            self._in_order.submit((request.team_id, channel), self.run, request, body)
        else:
            self.pool.submit(self.run, request, body)

    def renew(self) -> None:
        """Extend the leases of the requests this process has in hand; the scheduler runs
        this on a timer of its own (bot/scheduler.py), so a slow tick can't hold it up."""
        with self._busy_lock:
            busy = list(self._busy.values())
        self.store.renew(busy, self.clock.now() + self.lease)

    def recover(self) -> int:
        """Queue every request whose process died before finishing it (at start, each tick)."""
        with self._busy_lock:
            busy = list(self._busy)
        try:
            requests = self.store.reclaim(self.clock.now(), self.lease, busy)
        except Exception:
            log.exception("could not look for unfinished requests; the next tick tries again")
            return 0
        for request in requests:
            self._submit(request, None)
        if requests:
            log.info("processing %s request(s) acked before a restart", len(requests))
        return len(requests)

    def run(self, request: Request, body: dict[str, Any] | None) -> None:
        """Process one request once: claim it, run its handler, mark it done. A handler that
        raises leaves it for a later reclaim (up to MAX_ATTEMPTS tries)."""
        try:
            # A live request whose lease still holds is ours: nobody may reclaim it yet. A
            # reclaimed one, or one that waited past its lease, renews its claim first.
            live = body is not None and self.clock.now() < request.received_at + self.lease
            if not live and not self.store.start(request, self.clock.now(), self.lease):
                return  # another process took it over, or it is done
            self._handlers[request.kind](request, body or json.loads(request.body))
            self.store.done(request, self.clock.now())
        except Exception as error:
            try:
                self.store.failed(request)
            except Exception:  # the database is down too: the next reclaim tries again
                log.warning("could not count the failed try of request %s", request.id)
            last = request.attempts + 1 >= MAX_ATTEMPTS
            args = (
                request.kind,
                request.id,
                request.attempts + 1,
                MAX_ATTEMPTS,
                "; giving up" if last else "; it is tried again later",
            )
            if isinstance(error, DirectoryUnavailable):  # Slack's trouble, not a bug: a line
                log.warning("%s request %s failed (try %s of %s)%s: users.info: %s", *args, error)
            else:
                log.exception("%s request %s failed (try %s of %s)%s", *args)
        finally:
            with self._busy_lock:
                self._busy.pop(request.id, None)


# A channel's events run in the order they were taken (see InOrder).
_IN_ORDER = frozenset({RequestKind.MESSAGE, RequestKind.REACTION})


class InOrder:
    """Work for one key (a channel) runs one piece after another, in the order submitted;
    different keys run side by side on the pool. Without it, a teammate's reply could be
    processed before the client message it answers (two workers take them at once, or
    both are reclaimed together after a crash): the reply would close nothing, and the
    message would wait for an answer it already had."""

    def __init__(self, pool: AfterAckExecutor) -> None:
        self.pool = pool
        self._lock = threading.Lock()
        self._queues: dict[tuple[str, str], deque[Callable[[], None]]] = {}

    def submit(self, key: tuple[str, str], fn: Callable[..., None], *args: Any) -> None:
        work = partial(fn, *args)
        with self._lock:
            waiting = self._queues.get(key)
            if waiting is not None:  # a drain for this key is queued or running: it takes it
                waiting.append(work)
                return
            self._queues[key] = deque([work])
        self.pool.submit(self._drain, key)

    def _drain(self, key: tuple[str, str]) -> None:
        while True:
            with self._lock:
                waiting = self._queues[key]
                if not waiting:
                    del self._queues[key]
                    return
                work = waiting.popleft()
            try:
                work()
            except Exception:  # one failing piece never stops the channel's others
                log.exception("processing an event of %s failed", key[1])


def _channel(body: dict[str, Any]) -> str:
    event = body.get("event") or {}
    return str(event.get("channel") or (event.get("item") or {}).get("channel") or "")


def _team(body: dict[str, Any]) -> str:
    team = body.get("team_id") or (body.get("team") or {}).get("id") or ""
    return str(team)
