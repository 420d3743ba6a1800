"""The intake: each request Slack sent, stored before its ack, until it has been processed.

A request is taken (inserted) in the request thread, so statements here are Core, built
once. Taking is idempotent on (team, key): Slack's retries, a replayed request and a copy
sent to another replica are taken once. Processing holds a claim with a lease; a request
whose lease ran out (its process died) is reclaimed by any process, at start and on each
tick, and processed again: what it records must be idempotent (see `Item.request_key`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Row, bindparam, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.core.intake import MAX_ATTEMPTS, Request, RequestKind
from bot.store.models import IntakeRequest

_T = IntakeRequest.__table__
_C = _T.c
# The request, while the caller's claim on it holds and it is not done yet.
_MINE = (
    _C.team_id == bindparam("team"),
    _C.id == bindparam("rid"),
    _C.claim == bindparam("token"),
    _C.done_at.is_(None),
)
# A start renews the claim; only a failure counts as an attempt. A request whose process
# was killed (or which waited past its lease behind others) did nothing wrong: counting
# those starts gave up acked requests silently after a few kills.
_START = update(_T).where(*_MINE).values(lease_until=bindparam("until"))
_DONE = update(_T).where(*_MINE).values(done_at=bindparam("at"))
_FAILED = update(_T).where(*_MINE).values(attempts=_C.attempts + 1)
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit = off")
_ROW = (_C.id, _C.team_id, _C.kind, _C.key, _C.body, _C.received_at, _C.claim, _C.attempts)


@dataclass(frozen=True, slots=True)
class Asked:
    """A request to take: Slack's payload as JSON text, under its idempotency key."""

    team_id: str
    kind: RequestKind
    key: str
    body: str


def _mine(request: Request) -> dict[str, object]:
    return {"team": request.team_id, "rid": request.id, "token": request.claim}


def _token() -> str:
    return uuid.uuid4().hex


class IntakeStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pg = engine.dialect.name == "postgresql"
        dialect = postgresql if self._pg else sqlite
        self._insert = (
            dialect.insert(_T)
            .on_conflict_do_nothing(index_elements=[_C.team_id, _C.key])
            .returning(_C.id, _C.key, sort_by_parameter_order=True)
        )

    def take(self, asked: Sequence[Asked], now: datetime, lease: timedelta) -> list[Request | None]:
        """Store several requests in one transaction (one commit for many requests at once);
        for each, the stored request, claimed by the caller until `now + lease`, or None
        when its key was taken before (a duplicate: not to be processed)."""
        token = _token()
        rows = [
            {
                "team_id": a.team_id,
                "kind": str(a.kind),
                "key": a.key,
                "body": a.body,
                "received_at": now,
                "claim": token,
                "lease_until": now + lease,
                "attempts": 0,
                "done_at": None,
            }
            for a in asked
        ]
        with self.engine.begin() as conn:
            if self._pg:
                # The bot's crash loses nothing committed so; only a crash of the database
                # server within its WAL writer's delay (0.2 s by default) could, as with
                # SQLite's synchronous=NORMAL. A waited-for flush tripled the ack's p99.
                conn.execute(_ASYNC_COMMIT)
            taken = {key: rid for rid, key in conn.execute(self._insert, rows)}
        # Two requests of one batch with the same key: the first one is taken.
        out: list[Request | None] = []
        for a in asked:
            rid = taken.pop(a.key, None)
            out.append(
                None
                if rid is None
                else Request(rid, a.team_id, a.kind, a.key, a.body, now, token, 0)
            )
        return out

    def start(self, request: Request, now: datetime, lease: timedelta) -> bool:
        """Renew the claim before processing; False when another process took the request
        over (its lease ran out first) or it was done meanwhile."""
        with self.engine.begin() as conn:
            result = conn.execute(_START, {**_mine(request), "until": now + lease})
            return bool(result.rowcount)

    def renew(self, requests: Sequence[Request], until: datetime) -> None:
        """Extend the leases of requests still in hand (those whose claim still holds)."""
        if requests:
            with self.engine.begin() as conn:
                conn.execute(_START, [{**_mine(r), "until": until} for r in requests])

    def failed(self, request: Request) -> None:
        """Count a failed try (MAX_ATTEMPTS of them and the request is given up)."""
        with self.engine.begin() as conn:
            conn.execute(_FAILED, _mine(request))

    def done(self, request: Request, now: datetime) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(_DONE, {**_mine(request), "at": now})
            return bool(result.rowcount)

    def again_later(self, team_id: str, key: str, at: datetime) -> bool:
        """Have the request under `key` processed again from `at` (its work is not all done:
        Slack failed the post that follows its change), counted as a failed try. Its claim
        passes to nobody, so the run in hand can't mark it done. False when it was tried
        MAX_ATTEMPTS times already, or is done."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(_T)
                .where(
                    _C.team_id == team_id,
                    _C.key == key,
                    _C.done_at.is_(None),
                    _C.attempts < MAX_ATTEMPTS - 1,
                )
                .values(claim=_token(), lease_until=at, attempts=_C.attempts + 1)
            )
            return bool(result.rowcount)

    def reclaim(
        self, now: datetime, lease: timedelta, busy: Collection[int] = (), limit: int = 200
    ) -> list[Request]:
        """Claim requests nobody is processing (their lease ran out: the process that took
        them died before finishing), oldest first, except the caller's `busy` ones; those
        that failed MAX_ATTEMPTS times are left (each failure was logged)."""
        token = _token()
        due = (
            select(_C.id)
            .where(_C.done_at.is_(None), _C.lease_until <= now, _C.attempts < MAX_ATTEMPTS)
            .order_by(_C.id)
            .limit(limit)
        )
        if busy:
            due = due.where(_C.id.not_in(list(busy)))
        with self.engine.begin() as conn:
            if self._pg:
                due = due.with_for_update(skip_locked=True)
            ids = list(conn.scalars(due))
            if not ids:
                return []
            conn.execute(
                update(_T)
                .where(_C.id.in_(ids), _C.done_at.is_(None), _C.lease_until <= now)
                .values(claim=token, lease_until=now + lease)
            )
            rows = conn.execute(
                select(*_ROW).where(_C.id.in_(ids), _C.claim == token).order_by(_C.id)
            ).all()
        return [_request(r) for r in rows]

    def forget(self, before: datetime) -> int:
        """Drop requests processed before `before`: their keys only catch late duplicates."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(_T).where(_C.done_at < before))
            return int(result.rowcount or 0)


def _request(r: Row[Any]) -> Request:
    return Request(
        r.id, r.team_id, RequestKind(r.kind), r.key, r.body, r.received_at, r.claim, r.attempts
    )
