"""Absences: who is away when (from `/promise away` or an away-like Slack status).

One row per person per span: a new absence that overlaps (or touches) the person's others
is merged into one row, so coverage is planned once per span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.coverage import AbsenceView
from bot.core.items import ItemStatus, ItemView
from bot.core.nudges import Nudge as NudgeValue
from bot.core.nudges import NudgeStatus
from bot.store.models import Absence, Item, Nudge
from bot.store.values import absence_view, item_view, nudge_value

COMMAND = "command"
STATUS = "status"


@dataclass(frozen=True)
class Stored:
    """The person's absence after recording one, and what changed to get there."""

    absence: AbsenceView
    created: bool
    merged_ids: list[int] = field(default_factory=list)  # rows folded into `absence`, now gone


class Absences:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def record(
        self,
        team_id: str,
        user_id: str,
        starts_at: datetime,
        ends_at: datetime,
        source: str,
        created_by: str,
        now: datetime,
    ) -> Stored:
        """Store an absence, merged with the person's overlapping ones.

        Merging takes the union, except between status absences: the Slack status is the
        truth about when the person is back, so a shortened status shortens the absence.
        """
        with self.sessions.begin() as s:
            rows = list(
                s.scalars(
                    select(Absence)
                    .where(
                        Absence.team_id == team_id,
                        Absence.user_id == user_id,
                        Absence.starts_at <= ends_at,
                        Absence.ends_at >= starts_at,
                    )
                    .order_by(Absence.id)
                    .with_for_update()
                )
            )
            if not rows:
                row = Absence(
                    team_id=team_id,
                    user_id=user_id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    source=source,
                    created_by=created_by,
                    created_at=now,
                )
                s.add(row)
                s.flush()
                return Stored(absence_view(row), created=True)
            keep, others = rows[0], rows[1:]
            all_status = source == STATUS and all(r.source == STATUS for r in rows)
            keep.starts_at = min([starts_at, *(r.starts_at for r in rows)])
            keep.ends_at = ends_at if all_status else max([ends_at, *(r.ends_at for r in rows)])
            keep.source = STATUS if all_status else COMMAND
            for other in others:
                s.delete(other)
            s.flush()
            return Stored(absence_view(keep), created=False, merged_ids=[r.id for r in others])

    def end_status(self, team_id: str, user_id: str, now: datetime) -> list[int]:
        """The away status was cleared: status absences under way end now. Returns their ids."""
        return self._end(team_id, user_id, now, Absence.source == STATUS)

    def clear(self, team_id: str, user_id: str, now: datetime) -> list[int]:
        """`away off`: the absence under way ends now, coming ones are dropped. Returns ids."""
        return self._end(team_id, user_id, now)

    def _end(
        self, team_id: str, user_id: str, now: datetime, *only: ColumnElement[bool]
    ) -> list[int]:
        """End the person's absences not over yet (those matching `only`) at `now`: one under
        way is cut short, a coming one dropped. Returns their ids."""
        with self.sessions.begin() as s:
            rows = s.scalars(
                select(Absence)
                .where(
                    Absence.team_id == team_id,
                    Absence.user_id == user_id,
                    *only,
                    Absence.ends_at > now,
                )
                .with_for_update()
            ).all()
            for row in rows:
                if row.starts_at >= now:
                    s.delete(row)
                else:
                    row.ends_at = now
            return [r.id for r in rows]

    def get(self, team_id: str, absence_id: int) -> AbsenceView | None:
        with self.sessions() as s:
            row = s.scalar(
                select(Absence).where(Absence.team_id == team_id, Absence.id == absence_id)
            )
            return None if row is None else absence_view(row)

    def ahead(
        self,
        team_id: str,
        now: datetime,
        *,
        user_id: str | None = None,
        starting_before: datetime | None = None,
    ) -> list[AbsenceView]:
        """Absences not over yet (under way or coming), soonest first."""
        q = select(Absence).where(Absence.team_id == team_id, Absence.ends_at > now)
        if user_id is not None:
            q = q.where(Absence.user_id == user_id)
        if starting_before is not None:
            q = q.where(Absence.starts_at < starting_before)
        with self.sessions() as s:
            return [absence_view(a) for a in s.scalars(q.order_by(Absence.starts_at, Absence.id))]

    def items_due(
        self, team_id: str, owner_id: str, start: datetime, end: datetime, limit: int = 200
    ) -> list[ItemView]:
        """The person's open items due from `start` up to `end`, soonest first."""
        with self.sessions() as s:
            rows = s.scalars(
                select(Item)
                .where(
                    Item.team_id == team_id,
                    Item.owner_id == owner_id,
                    Item.status == ItemStatus.OPEN,
                    Item.due_at >= start,
                    Item.due_at <= end,
                )
                .order_by(Item.due_at, Item.id)
                .limit(limit)
            )
            return [item_view(i) for i in rows]

    def reschedule(self, team_id: str, recipient_id: str, key: str, at: datetime) -> bool:
        """Move a coverage DM that still waits (queued, not being sent) to `at`."""
        with self.sessions.begin() as s:
            result = s.execute(
                update(Nudge)
                .where(
                    Nudge.team_id == team_id,
                    Nudge.recipient_id == recipient_id,
                    Nudge.key == key,
                    Nudge.status == NudgeStatus.QUEUED,
                    Nudge.claim.is_(None),
                )
                .values(due_at=at, next_at=at)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    def nudge(self, team_id: str, recipient_id: str, key: str) -> NudgeValue | None:
        """The coverage DM planned under `key`, whatever became of it (to tell the asker)."""
        with self.sessions() as s:
            row = s.scalar(
                select(Nudge).where(
                    Nudge.team_id == team_id,
                    Nudge.recipient_id == recipient_id,
                    Nudge.key == key,
                )
            )
            return None if row is None else nudge_value(row)
