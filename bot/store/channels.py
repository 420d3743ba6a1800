"""Client channels and the client messages recorded in them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import ClientChannel, Contributor, Item, ItemEvent


class Channels:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def watch(
        self,
        team_id: str,
        channel_id: str,
        name: str,
        owner_id: str,
        clients: list[str],
        now: datetime,
    ) -> ClientChannel:
        with self.sessions.begin() as s:
            row = s.scalar(
                select(ClientChannel).where(
                    ClientChannel.team_id == team_id, ClientChannel.channel_id == channel_id
                )
            )
            if row is None:
                row = ClientChannel(team_id=team_id, channel_id=channel_id, created_at=now)
                s.add(row)
            row.name, row.owner_id, row.active = name, owner_id, True
            row.clients = ",".join(dict.fromkeys(clients))
            s.flush()
            return row

    def heard_from_client(self, team_id: str, channel_id: str, at: datetime) -> None:
        with self.sessions.begin() as s:
            s.execute(
                update(ClientChannel)
                .where(
                    ClientChannel.team_id == team_id,
                    ClientChannel.channel_id == channel_id,
                    or_(ClientChannel.last_client_at.is_(None), ClientChannel.last_client_at < at),
                )
                .values(last_client_at=at)
            )

    def unwatch(self, team_id: str, channel_id: str) -> bool:
        with self.sessions.begin() as s:
            result = s.execute(
                update(ClientChannel)
                .where(
                    ClientChannel.team_id == team_id,
                    ClientChannel.channel_id == channel_id,
                    ClientChannel.active.is_(True),
                )
                .values(active=False)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    def watched(self, team_id: str, channel_id: str) -> ClientChannel | None:
        with self.sessions() as s:
            return s.scalar(
                select(ClientChannel).where(
                    ClientChannel.team_id == team_id,
                    ClientChannel.channel_id == channel_id,
                    ClientChannel.active.is_(True),
                )
            )

    def all_watched(self, team_id: str) -> list[ClientChannel]:
        with self.sessions() as s:
            return list(
                s.scalars(
                    select(ClientChannel)
                    .where(ClientChannel.team_id == team_id, ClientChannel.active.is_(True))
                    .order_by(ClientChannel.name)
                )
            )

    def record_message(self, item: Item, now: datetime) -> Item | None:
        """Store a client message as a reply-owed item; None when it was recorded before."""
        try:
            with self.sessions.begin() as s:
                item.contributors.append(
                    Contributor(team_id=item.team_id, user_id=item.owner_id, role="owner")
                )
                s.add(item)
                s.flush()
                s.add(
                    ItemEvent(
                        team_id=item.team_id,
                        item_id=item.id,
                        at=now,
                        actor_id=item.client_user_id or "",
                        kind="created",
                        due_after=item.due_at,
                    )
                )
            return item
        except IntegrityError:
            return None

    def fold_target(
        self,
        team_id: str,
        channel_id: str,
        client: str,
        thread_ts: str | None,
        at: datetime,
        window: timedelta,
    ) -> Item | None:
        """An open reply item this message belongs to: same thread, or same client moments ago."""
        q = _open_replies(team_id, channel_id, thread_ts)
        if not thread_ts:
            q = q.where(
                Item.client_user_id == client,
                Item.created_at >= at - window,
                Item.created_at <= at,
            )
        with self.sessions() as s:
            return s.scalar(q.order_by(Item.created_at.desc()).limit(1))

    def append_text(self, team_id: str, item_id: int, text: str) -> None:
        with self.sessions.begin() as s:
            item = s.get(Item, item_id)
            if item is not None and item.team_id == team_id:
                item.what = (item.what + "\n" + text)[:2000]

    def replied(
        self, team_id: str, channel_id: str, thread_ts: str | None, ts: str, by: str, now: datetime
    ) -> list[Item]:
        """Close the reply items a team member's message answers; silent, first reply timed."""
        q = _open_replies(team_id, channel_id, thread_ts)
        closed: list[Item] = []
        with self.sessions.begin() as s:
            for item in s.scalars(q.with_for_update()):
                if item.message_ts is not None and _ts(item.message_ts) >= _ts(ts):
                    continue  # events can arrive out of order: only later messages answer
                item.status, item.closed_at, item.closed_by = "done", now, by
                item.first_reply_at = now
                s.add(ItemEvent(team_id=team_id, item_id=item.id, at=now, actor_id=by, kind="done"))
                closed.append(item)
        return closed

    def waiting_in(self, team_id: str, channel_id: str, thread_ts: str | None) -> list[Item]:
        """Open items waiting on the client in this channel (or this thread)."""
        q = select(Item).where(
            Item.team_id == team_id,
            Item.channel_id == channel_id,
            Item.status == "open",
            Item.waiting_since.is_not(None),
        )
        if thread_ts:
            q = q.where(or_(Item.thread_ts == thread_ts, Item.message_ts == thread_ts))
        with self.sessions() as s:
            return list(s.scalars(q))

    def by_message(self, team_id: str, channel_id: str, ts: str) -> Item | None:
        with self.sessions() as s:
            return s.scalar(
                select(Item).where(
                    Item.team_id == team_id, Item.channel_id == channel_id, Item.message_ts == ts
                )
            )

    def edit_message(self, team_id: str, channel_id: str, ts: str, text: str) -> bool:
        with self.sessions.begin() as s:
            result = s.execute(
                update(Item)
                .where(
                    Item.team_id == team_id, Item.channel_id == channel_id, Item.message_ts == ts
                )
                .values(what=text[:2000])
            )
            return result.rowcount == 1  # type: ignore[attr-defined]


def _open_replies(team_id: str, channel_id: str, thread_ts: str | None) -> Select[tuple[Item]]:
    """Open recorded client messages in a channel: those of a thread, or those not in one."""
    q = select(Item).where(
        Item.team_id == team_id,
        Item.channel_id == channel_id,
        Item.kind == "reply",
        Item.status == "open",
        Item.message_ts.is_not(None),
    )
    if thread_ts:
        return q.where(or_(Item.thread_ts == thread_ts, Item.message_ts == thread_ts))
    return q.where(Item.thread_ts.is_(None))


def _ts(ts: str) -> tuple[int, int]:
    whole, _, frac = ts.partition(".")
    return int(whole), int(frac or 0)
