"""What the digest and `/promise stats` read: closed items of a period with their people,
open and overdue counts, and when the last digest went out. Every query is scoped by team;
a period costs three queries whatever its size (items, their contributors, open counts).
Client messages closed as needing no reply come in the same items query and are handed out
apart (`Facts.no_reply`): they are not loops closed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String, case, func, literal, select, type_coerce, union, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.items import ItemKind, ItemStatus
from bot.core.nudges import NudgeStatus
from bot.core.stats import ClosedFact, Facts
from bot.store.models import ClientChannel, Contributor, Item, Nudge

_COLUMNS = (
    Item.id,
    Item.kind,
    # only promises are listed by name: a client's message can be long and is never shown
    case((Item.kind == ItemKind.PROMISE, Item.what), else_=literal("")),
    Item.client,
    Item.channel_id,
    Item.owner_id,
    Item.closed_by,
    Item.moved_in_advance,
    Item.moved_late,
)
_TIMES = (
    Item.created_at,
    Item.due_at,
    Item.original_due_at,
    Item.closed_at,
    Item.first_reply_at,
)


class StatsStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def teams(self) -> list[str]:
        """The workspaces the bot holds data for (items or client channels)."""
        with self.sessions() as s:
            q = union(select(Item.team_id).distinct(), select(ClientChannel.team_id).distinct())
            return sorted(str(t) for t in s.scalars(q))

    def closed(
        self, team_id: str, since: datetime, until: datetime, channel_id: str | None = None
    ) -> tuple[list[ClosedFact], list[ClosedFact]]:
        """Items closed in [since, until), oldest first: those done, with who is credited,
        and the client messages closed as needing no reply."""
        where = [
            Item.team_id == team_id,
            Item.status.in_([ItemStatus.DONE, ItemStatus.NO_REPLY]),
            Item.closed_at >= since,
            Item.closed_at < until,
        ]
        if channel_id is not None:
            where.append(Item.channel_id == channel_id)
        with self.sessions() as s:
            # Core rows, not ORM ones, and times decoded in bulk: at 10,000 loops the
            # per-value type processing would be most of a digest's cost.
            conn = s.connection()
            sqlite = conn.dialect.name == "sqlite"
            q = select(*_COLUMNS, *_raw_times(conn.dialect.name), Item.status)
            items = conn.execute(q.where(*where).order_by(Item.closed_at, Item.id)).all()
            people: dict[int, list[str]] = defaultdict(list)
            if items:
                # The owner is in every row already: only the others (helpers, earlier
                # owners) are read, and only for promises (a reply credits who answered).
                found = conn.execute(
                    select(Contributor.item_id, Contributor.user_id)
                    .join(Item, Item.id == Contributor.item_id)
                    .where(
                        *where,
                        Item.kind == ItemKind.PROMISE,  # never closed as needing no reply
                        Contributor.team_id == team_id,
                        Contributor.user_id != Item.owner_id,
                    )
                    .order_by(Contributor.id)
                ).all()
                for item_id, user_id in found:
                    people[item_id].append(user_id)
        done = [r for r in items if r[14] == ItemStatus.DONE]
        no_reply = [r for r in items if r[14] == ItemStatus.NO_REPLY]
        return _facts(done, people, sqlite), _facts(no_reply, {}, sqlite)

    def open_counts(
        self,
        team_id: str,
        now: datetime,
        *,
        channel_id: str | None = None,
        owner_id: str | None = None,
    ) -> tuple[int, int]:
        """(open, overdue) right now; an item waiting on the client is not overdue."""
        overdue = case(
            (Item.due_at < now, case((Item.waiting_since.is_(None), 1), else_=0)), else_=0
        )
        q = select(func.count(), func.coalesce(func.sum(overdue), 0)).where(
            Item.team_id == team_id, Item.status == ItemStatus.OPEN
        )
        if channel_id is not None:
            q = q.where(Item.channel_id == channel_id)
        if owner_id is not None:
            q = q.where(Item.owner_id == owner_id)
        with self.sessions() as s:
            total, late = s.execute(q).one()
        return int(total or 0), int(late or 0)

    def facts(
        self,
        team_id: str,
        since: datetime,
        until: datetime,
        now: datetime,
        channel_id: str | None = None,
    ) -> Facts:
        closed, no_reply = self.closed(team_id, since, until, channel_id)
        open_, overdue = self.open_counts(team_id, now, channel_id=channel_id)
        return Facts(closed, open_, overdue, no_reply)

    def last_sent(
        self, team_id: str, recipient_id: str, kinds: Iterable[str], before: datetime
    ) -> datetime | None:
        """When the last digest of these kinds that went out to this channel was due."""
        with self.sessions() as s:
            return s.scalar(
                select(func.max(Nudge.due_at)).where(
                    Nudge.team_id == team_id,
                    Nudge.recipient_id == recipient_id,
                    Nudge.kind.in_(list(kinds)),
                    Nudge.status == NudgeStatus.SENT,
                    Nudge.due_at < before,
                )
            )

    def first_planned(
        self, team_id: str, recipient_id: str, kinds: Iterable[str]
    ) -> datetime | None:
        """When the first digest of these kinds ever planned for this channel was due."""
        with self.sessions() as s:
            return s.scalar(
                select(func.min(Nudge.due_at)).where(
                    Nudge.team_id == team_id,
                    Nudge.recipient_id == recipient_id,
                    Nudge.kind.in_(list(kinds)),
                )
            )

    def cancel_queued(self, team_id: str, kinds: Iterable[str]) -> int:
        """Cancel the workspace's queued digests (the schedule or channels changed)."""
        with self.sessions.begin() as s:
            result = s.execute(
                update(Nudge)
                .where(
                    Nudge.team_id == team_id,
                    Nudge.kind.in_(list(kinds)),
                    Nudge.status == NudgeStatus.QUEUED,
                    Nudge.claim.is_(None),
                )
                .values(status=NudgeStatus.CANCELLED)
                .execution_options(synchronize_session=False)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _raw_times(dialect: str) -> list[Any]:
    """The time columns read without the UTCDateTime decorator (decoded in `_facts`)."""
    if dialect == "sqlite":
        return [type_coerce(c, String) for c in _TIMES]
    return [type_coerce(c, DateTime(timezone=True)) for c in _TIMES]


def _facts(rows: Sequence[Any], people: dict[int, list[str]], sqlite: bool) -> list[ClosedFact]:
    """Rows of `_COLUMNS` + `_TIMES` (+ the status, unread) → facts, positionally:
    thousands per digest.

    psycopg already returns aware datetimes for timestamptz. SQLite keeps UTC as ISO text:
    parsed in C by fromisoformat with "+00:00" appended (several times cheaper than
    `.replace(tzinfo=UTC)` afterwards), and an original deadline equal to the deadline in
    force is not parsed twice.
    """
    if not sqlite:
        return [
            ClosedFact(
                r[0], r[1], r[2], r[3], r[4], r[5], r[6],
                (r[5], *people.get(r[0], ())),
                r[9], r[10], r[11], r[12], r[7] or 0, r[8] or 0, r[13],
            )
            for r in rows
        ]  # fmt: skip
    parse, z = datetime.fromisoformat, "+00:00"
    return [
        ClosedFact(
            r[0],  # id
            r[1],  # kind
            r[2],  # what
            r[3],  # client
            r[4],  # channel_id
            r[5],  # owner_id
            r[6],  # closed_by
            (r[5], *people.get(r[0], ())),  # contributors: the owner, then the others
            parse(r[9] + z),  # created_at
            (due := parse(r[10] + z)),  # due_at
            due if r[11] == r[10] else parse(r[11] + z),  # original_due_at
            parse(r[12] + z),  # closed_at
            r[7] or 0,  # moved_in_advance
            r[8] or 0,  # moved_late
            None if r[13] is None else parse(r[13] + z),  # first_reply_at
        )
        for r in rows
    ]
