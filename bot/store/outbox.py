"""The outbox: planning nudges, claiming due ones with a lease, recording what happened."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import Nudge

QUEUED = "queued"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"
CANCELLED = "cancelled"
FINAL = (SENT, FAILED, SKIPPED)


@dataclass(frozen=True)
class Want:
    """A nudge the planner wants: `key` is unique per recipient (e.g. `42:before@…`)."""

    recipient_id: str
    kind: str
    key: str
    at: datetime


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
    ) -> list[Nudge]:
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
            ).all()
            return list(rows)

    def claim_recipient(
        self,
        team_id: str,
        recipient_id: str,
        until: datetime,
        now: datetime,
        lease_until: datetime,
        token: str,
    ) -> list[Nudge]:
        """Also claim a person's nudges due soon, so they arrive as one DM."""
        return self._claim(
            and_(
                Nudge.team_id == team_id,
                Nudge.recipient_id == recipient_id,
                Nudge.next_at <= until,
                # not leased by anyone (including us), unless the lease ran out
                or_(Nudge.claim.is_(None), Nudge.next_at <= now),
            ),
            now,
            lease_until,
            token,
        )

    def _claim(self, where, now: datetime, lease_until: datetime, token: str) -> list[Nudge]:  # type: ignore[no-untyped-def]
        with self.sessions.begin() as s:
            rows = s.scalars(
                update(Nudge)
                .where(where, Nudge.status == QUEUED)
                .values(next_at=lease_until, attempts=Nudge.attempts + 1, claim=token)
                .returning(Nudge)
                .execution_options(synchronize_session=False)
            ).all()
            return list(rows)

    def renew(self, ids: Sequence[int], token: str, lease_until: datetime) -> set[int]:
        """Extend the lease on rows this claim still holds; returns their ids. A row whose
        lease ran out may have been claimed by another process since: it is not ours."""
        if not ids:
            return set()
        with self.sessions.begin() as s:
            return set(
                s.scalars(
                    update(Nudge)
                    .where(Nudge.id.in_(ids), Nudge.claim == token, Nudge.status == QUEUED)
                    .values(next_at=lease_until)
                    .returning(Nudge.id)
                    .execution_options(synchronize_session=False)
                )
            )

    def mark_sent(self, nudge_id: int, token: str, now: datetime, channel: str, ts: str) -> bool:
        return self._finish(
            nudge_id, token, status=SENT, sent_at=now, channel_id=channel, message_ts=ts
        )

    def mark_skipped(self, nudge_id: int, token: str, reason: str) -> bool:
        return self._finish(nudge_id, token, status=SKIPPED, last_error=reason)

    def mark_failed(self, nudge_id: int, token: str, error: str) -> bool:
        return self._finish(nudge_id, token, status=FAILED, last_error=error)

    def retry_later(self, nudge_id: int, token: str, at: datetime, error: str) -> bool:
        return self._finish(
            nudge_id, token, status=QUEUED, next_at=at, claim=None, last_error=error
        )

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

    def get(self, nudge_id: int) -> Nudge | None:
        with self.sessions() as s:
            return s.get(Nudge, nudge_id)

    def for_item(self, team_id: str, item_id: int) -> list[Nudge]:
        with self.sessions() as s:
            return list(
                s.scalars(
                    select(Nudge)
                    .where(Nudge.team_id == team_id, Nudge.item_id == item_id)
                    .order_by(Nudge.due_at, Nudge.id)
                )
            )

    def sent_message(self, team_id: str, item_id: int, recipient_id: str) -> list[Nudge]:
        """Sent DMs about an item to a person, newest first (to update them in place)."""
        with self.sessions() as s:
            return list(
                s.scalars(
                    select(Nudge)
                    .where(
                        Nudge.team_id == team_id,
                        Nudge.item_id == item_id,
                        Nudge.recipient_id == recipient_id,
                        Nudge.status == SENT,
                    )
                    .order_by(Nudge.sent_at.desc())
                )
            )


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
