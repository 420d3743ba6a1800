"""The outbox: planning nudges, claiming due ones with a lease, recording what happened."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.nudges import Nudge as NudgeValue
from bot.core.nudges import NudgeStatus
from bot.store.models import Nudge
from bot.store.values import nudge_value

QUEUED = NudgeStatus.QUEUED
SENT = NudgeStatus.SENT
FAILED = NudgeStatus.FAILED
SKIPPED = NudgeStatus.SKIPPED
CANCELLED = NudgeStatus.CANCELLED

T = TypeVar("T")


@dataclass(frozen=True)
class Delivered:
    """A DM that went out: the nudges it carried, where it is (channel, ts), and when."""

    ids: Sequence[int]
    channel: str
    ts: str
    at: datetime


@dataclass(frozen=True)
class Want:
    """A nudge the planner wants: `key` is unique per recipient (e.g. `42:before@…`)."""

    recipient_id: str
    kind: str
    key: str
    at: datetime


# The dispatcher's statements for every DM, built once (Core: no ORM bookkeeping per call).
_NUDGES = Nudge.__table__.c
_RENEW = (
    update(Nudge.__table__)
    .where(
        _NUDGES.id.in_(bindparam("ids", expanding=True)),
        _NUDGES.claim == bindparam("token"),
        _NUDGES.status == QUEUED,
    )
    .values(next_at=bindparam("lease_until"))
    .returning(_NUDGES.id)
)
_MARK_SENT = (
    update(Nudge.__table__)
    .where(
        _NUDGES.id == bindparam("nudge_id"),
        _NUDGES.claim == bindparam("token"),
        _NUDGES.status == QUEUED,
    )
    .values(
        status=SENT,
        sent_at=bindparam("at"),
        channel_id=bindparam("channel"),
        message_ts=bindparam("ts"),
    )
)


class Outbox:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def replan(self, team_id: str, item_id: int, wants: Sequence[Want], now: datetime) -> None:
        """Make the item's queued nudges exactly `wants`; sent ones are never sent again."""
        with self.sessions.begin() as s:
            existing = {
                (n.recipient_id, n.key): n
                for n in s.scalars(
                    select(Nudge)
                    .where(Nudge.team_id == team_id, Nudge.item_id == item_id)
                    .with_for_update()
                )
            }
            wanted = {(w.recipient_id, w.key): w for w in wants}
            for pair, nudge in existing.items():
                if nudge.status == QUEUED and pair not in wanted:
                    nudge.status = CANCELLED
            for pair, want in wanted.items():
                nudge = existing.get(pair)
                if nudge is None:
                    s.add(_new(team_id, item_id, want, now))
                elif nudge.status in (QUEUED, CANCELLED):
                    nudge.status = QUEUED
                    nudge.kind = want.kind
                    nudge.due_at = want.at
                    if nudge.claim is None or nudge.attempts == 0:
                        nudge.next_at = want.at

    def ensure(self, team_id: str, want: Want, now: datetime, item_id: int | None = None) -> bool:
        """Queue a nudge unless one with its key exists (replicas may race: one wins).
        A cancelled one is queued again, at the wanted time (re-planned after a change)."""
        try:
            with self.sessions.begin() as s:
                found = s.scalar(
                    select(Nudge).where(
                        Nudge.team_id == team_id,
                        Nudge.recipient_id == want.recipient_id,
                        Nudge.key == want.key,
                    )
                )
                if found is not None:
                    if found.status != CANCELLED:
                        return False
                    found.status, found.kind, found.claim = QUEUED, want.kind, None
                    found.due_at = found.next_at = want.at
                    return True
                s.add(_new(team_id, item_id, want, now))
            return True
        except IntegrityError:
            return False

    def cancel_others(self, team_id: str, prefix: str, keep: str) -> None:
        """Cancel queued nudges whose key starts with `prefix`, except `keep`."""
        with self.sessions.begin() as s:
            s.execute(
                update(Nudge)
                .where(
                    Nudge.team_id == team_id,
                    Nudge.status == QUEUED,
                    Nudge.key.startswith(prefix, autoescape=True),
                    Nudge.key != keep,
                )
                .values(status=CANCELLED)
                .execution_options(synchronize_session=False)
            )

    def claim_due(
        self, now: datetime, lease_until: datetime, token: str, limit: int = 100
    ) -> list[NudgeValue]:
        """Claim up to `limit` due rows for this dispatcher.

        Two statements in one transaction: PostgreSQL locks the picked rows (SKIP LOCKED, so
        replicas pick different ones), then they are leased. As one UPDATE … WHERE id IN
        (subquery), PostgreSQL may re-run the subquery per row and ignore the LIMIT. On
        SQLite the single writer and the conditional WHERE (still due) are the guard.
        """
        with self.sessions.begin() as s:
            ids = s.scalars(
                select(Nudge.id)
                .where(Nudge.status == QUEUED, Nudge.next_at <= now)
                .order_by(Nudge.next_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            if not ids:
                return []
            rows = s.scalars(
                update(Nudge)
                .where(Nudge.id.in_(ids), Nudge.status == QUEUED, Nudge.next_at <= now)
                .values(next_at=lease_until, attempts=Nudge.attempts + 1, claim=token)
                .returning(Nudge)
                .execution_options(synchronize_session=False)
            )
            return [nudge_value(n) for n in rows]

    def claim_batch(
        self,
        now: datetime,
        until: datetime,
        lease_until: datetime,
        token: str,
        limit: int = 200,
        early: Collection[str] = (),
    ) -> list[NudgeValue]:
        """Claim up to `limit` due rows, and with them their recipients' other rows due by
        `until` (not leased by anyone, unless the lease ran out) of the `early` kinds, so
        that each person's nudges go out as one DM: `claim_due` and a `claim_recipient` per
        person, in one transaction. Rows of other kinds are claimed only once due: their
        words depend on the time ("missed its deadline"), so they never go out before it.

        On PostgreSQL both SELECTs lock what they pick and skip rows another replica holds
        (SKIP LOCKED), so replicas never wait on each other; on SQLite the conditional
        UPDATE (still queued, due by `until`, and due now or unclaimed) is the guard.
        """
        with self.sessions.begin() as s:
            due = s.execute(
                select(Nudge.id, Nudge.team_id, Nudge.recipient_id)
                .where(Nudge.status == QUEUED, Nudge.next_at <= now)
                .order_by(Nudge.next_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            if not due:
                return []
            people: dict[str, set[str]] = {}
            for _, team_id, recipient_id in due:
                people.setdefault(team_id, set()).add(recipient_id)
            claimable = and_(
                Nudge.status == QUEUED,
                Nudge.next_at <= until,
                # not leased by anyone (including us), unless the lease ran out
                or_(Nudge.claim.is_(None), Nudge.next_at <= now),
                or_(Nudge.next_at <= now, Nudge.kind.in_(sorted(early))),
            )
            ids = {row.id for row in due}
            for team_id, recipients in people.items():
                for chunk in _chunks(sorted(recipients)):
                    ids.update(
                        s.scalars(
                            select(Nudge.id)
                            .where(
                                Nudge.team_id == team_id,
                                Nudge.recipient_id.in_(chunk),
                                claimable,
                            )
                            .with_for_update(skip_locked=True)
                        )
                    )
            claimed: list[NudgeValue] = []
            for chunk in _chunks(sorted(ids)):
                claimed += map(
                    nudge_value,
                    s.scalars(
                        update(Nudge)
                        .where(Nudge.id.in_(chunk), claimable)
                        .values(next_at=lease_until, attempts=Nudge.attempts + 1, claim=token)
                        .returning(Nudge)
                        .execution_options(synchronize_session=False)
                    ),
                )
            return claimed

    def renew(self, ids: Sequence[int], token: str, lease_until: datetime) -> set[int]:
        """Extend the lease on rows this claim still holds; returns their ids. A row whose
        lease ran out may have been claimed by another process since: it is not ours."""
        if not ids:
            return set()
        held: set[int] = set()
        with self.sessions.begin() as s:
            for chunk in _chunks(sorted(ids)):
                held.update(
                    s.scalars(_RENEW, {"ids": chunk, "token": token, "lease_until": lease_until})
                )
        return held

    def mark_sent(self, nudge_id: int, token: str, now: datetime, channel: str, ts: str) -> bool:
        return self._finish(
            nudge_id, token, status=SENT, sent_at=now, channel_id=channel, message_ts=ts
        )

    def mark_sent_many(self, token: str, dms: Sequence[Delivered]) -> int:
        """Record DMs that went out, each carrying one or more nudges: one UPDATE run for
        every nudge (executemany), one transaction. Returns how many rows this claim still
        held; a row another process took over meanwhile is left alone."""
        params = [
            {"nudge_id": i, "token": token, "at": dm.at, "channel": dm.channel, "ts": dm.ts}
            for dm in dms
            for i in dm.ids
        ]
        if not params:
            return 0
        with self.sessions.begin() as s:
            return int(s.execute(_MARK_SENT, params).rowcount)  # type: ignore[attr-defined]

    def mark_skipped(self, nudge_id: int, token: str, reason: str) -> bool:
        return self._finish(nudge_id, token, status=SKIPPED, last_error=reason)

    def mark_failed(self, nudge_id: int, token: str, error: str) -> bool:
        return self._finish(nudge_id, token, status=FAILED, last_error=error)

    def retry_later(self, nudge_id: int, token: str, at: datetime, error: str) -> bool:
        """A failed attempt: counted, and the row queued again for `at`."""
        return self._finish(
            nudge_id,
            token,
            status=QUEUED,
            next_at=at,
            claim=None,
            last_error=error,
            failures=Nudge.failures + 1,
        )

    def put_back(self, nudge_id: int, token: str, at: datetime) -> bool:
        """Unclaimed, not failed: claimed early along with others, the row waits for `at`."""
        return self._finish(nudge_id, token, status=QUEUED, next_at=at, claim=None)

    def _finish(self, nudge_id: int, token: str, **values: object) -> bool:
        """Record an outcome only while still holding the claim."""
        with self.sessions.begin() as s:
            result = s.execute(
                update(Nudge)
                .where(Nudge.id == nudge_id, Nudge.claim == token, Nudge.status == QUEUED)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    def for_item(self, team_id: str, item_id: int) -> list[NudgeValue]:
        with self.sessions() as s:
            return [
                nudge_value(n)
                for n in s.scalars(
                    select(Nudge)
                    .where(Nudge.team_id == team_id, Nudge.item_id == item_id)
                    .order_by(Nudge.due_at, Nudge.id)
                )
            ]

    def was_sent(self, team_id: str, recipient_id: str, key: str) -> bool:
        """Whether the recipient's row with this key went out (e.g. today's end-of-day DM);
        one look-up by the unique (team, recipient, key) index."""
        with self.sessions() as s:
            status = s.scalar(
                select(Nudge.status).where(
                    Nudge.team_id == team_id,
                    Nudge.recipient_id == recipient_id,
                    Nudge.key == key,
                )
            )
        return status == SENT

    def sent_of(self, team_id: str, item_id: int, kind: str) -> list[NudgeValue]:
        """The item's nudges of `kind` that went out (e.g. its escalations), oldest first."""
        with self.sessions() as s:
            return [
                nudge_value(n)
                for n in s.scalars(
                    select(Nudge)
                    .where(
                        Nudge.team_id == team_id,
                        Nudge.item_id == item_id,
                        Nudge.kind == kind,
                        Nudge.status == SENT,
                    )
                    .order_by(Nudge.sent_at, Nudge.id)
                )
            ]

    def first_queued(self, team_id: str, item_ids: Iterable[int], kind: str) -> dict[int, datetime]:
        """Each item's earliest queued nudge of `kind` (e.g. when its lead is told), by item
        ID: what `for_item` would say about many items, in one query."""
        found: dict[int, datetime] = {}
        with self.sessions() as s:
            for chunk in _chunks(sorted(set(item_ids))):
                rows = s.execute(
                    select(Nudge.item_id, Nudge.due_at).where(
                        Nudge.team_id == team_id,
                        Nudge.item_id.in_(chunk),
                        Nudge.kind == kind,
                        Nudge.status == QUEUED,
                    )
                )
                for item_id, at in rows:
                    if item_id not in found or at < found[item_id]:
                        found[item_id] = at
        return found


def _new(team_id: str, item_id: int | None, want: Want, now: datetime) -> Nudge:
    return Nudge(
        team_id=team_id,
        item_id=item_id,
        recipient_id=want.recipient_id,
        kind=want.kind,
        key=want.key,
        due_at=want.at,
        next_at=want.at,
        status=QUEUED,
        attempts=0,
        created_at=now,
    )


def _chunks(values: Sequence[T], size: int = 500) -> Iterator[list[T]]:
    """IN lists of a bounded length (SQLite limits bound parameters per statement)."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
