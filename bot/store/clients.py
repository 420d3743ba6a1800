"""Client channels and the client messages recorded in them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clients import ClientChannelView, Message, OpenItem, answers, fold
from bot.core.items import ItemKind, ItemStatus, ItemView, NewItem
from bot.core.nudges import NudgeStatus
from bot.store.items import insert_item
from bot.store.models import ClientChannel, Item, ItemEvent, ItemMessage, Nudge, SeenEvent
from bot.store.outbox import Want
from bot.store.values import channel_view, item_view

Plan = Callable[[ItemView], Sequence[Want]]


@dataclass(frozen=True)
class ClientWrote:
    """What a client's message did to the store (see `Channels.client_wrote`)."""

    outcome: str  # recorded | folded | duplicate
    item: ItemView | None = None  # the new reply-owed item, when recorded
    waiting: tuple[int, ...] = ()  # items here that were waiting on the client
    folded_into_owner: str | None = None  # when folded: whose item it joined


class Channels:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.engine: Engine = sessions.kw["bind"]

    def watch(
        self,
        team_id: str,
        channel_id: str,
        name: str,
        owner_id: str,
        clients: list[str],
        now: datetime,
    ) -> ClientChannelView:
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
            return channel_view(row)

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

    def watched(self, team_id: str, channel_id: str) -> ClientChannelView | None:
        with self.sessions() as s:
            row = s.scalar(
                select(ClientChannel).where(
                    ClientChannel.team_id == team_id,
                    ClientChannel.channel_id == channel_id,
                    ClientChannel.active.is_(True),
                )
            )
            return None if row is None else channel_view(row)

    def all_watched(self, team_id: str) -> list[ClientChannelView]:
        with self.sessions() as s:
            return [
                channel_view(row)
                for row in s.scalars(
                    select(ClientChannel)
                    .where(ClientChannel.team_id == team_id, ClientChannel.active.is_(True))
                    .order_by(ClientChannel.name)
                )
            ]

    def record_message(self, new: NewItem, now: datetime) -> ItemView | None:
        """Store a client message as a reply-owed item; None when it was recorded before."""
        try:
            with self.engine.begin() as conn:
                item = insert_item(conn, new, now, new.client_user_id or "")
                conn.execute(_FIRST_MESSAGE, _first_message(item))
                return item
        except IntegrityError:
            return None

    def client_wrote(
        self,
        new: NewItem,
        *,
        thread_ts: str | None,
        event_id: str | None,
        window: timedelta,
        plan: Plan,
        now: datetime,
    ) -> ClientWrote:
        """A client's message, in one transaction: its event ID marked seen (Slack's retries);
        then, unless the message was recorded before (a retry under a new event ID), folded
        into the open item it continues (bot.core.clients.fold: in `thread_ts`'s thread, or
        the same client's moments ago) or recorded as `new` with the nudges `plan` gives it;
        and the channel's last client message moved on. The items that were waiting on the
        client here are returned, to resume.

        Core statements compiled once, on a plain connection: this runs for every message.
        """
        at = now if new.created_at is None else new.created_at
        key = {"team": new.team_id, "channel": new.channel_id}
        try:
            with self.engine.begin() as conn:
                if event_id:
                    conn.execute(
                        _SEEN, {"team_id": new.team_id, "event_id": event_id, "seen_at": now}
                    )
                # The message itself, by (channel, ts): a copy under a new event ID stops
                # here even when the first was folded into another item (no row of its own).
                message = f"msg:{new.channel_id}:{new.message_ts}"
                conn.execute(_SEEN, {"team_id": new.team_id, "event_id": message, "seen_at": now})
                if conn.execute(_RECORDED, {**key, "ts": new.message_ts}).first() is not None:
                    return ClientWrote("duplicate")
                # One look at the channel's open items `fold` needs: those of this thread;
                # or, for a message outside threads, those waiting on the client anywhere in
                # the channel and the same client's within the window.
                if thread_ts:
                    rows = conn.execute(_OPEN_IN_THREAD, {**key, "thread": thread_ts})
                else:
                    params = {"client": new.client_user_id, "since": at - window, "until": at}
                    rows = conn.execute(_OPEN_WAITING_OR_RECENT, {**key, **params})
                decided = fold(
                    [OpenItem(*r) for r in rows],
                    ts=new.message_ts,
                    thread_ts=thread_ts,
                    client_user_id=new.client_user_id,
                    at=at,
                    window=window,
                )
                if decided.duplicate:
                    return ClientWrote("duplicate")  # committed by a replica since `_RECORDED`
                item = None
                if decided.into is not None:
                    # The item's row first: its lock orders concurrent folds into it, so
                    # each message's position is read after the one before it committed.
                    conn.execute(_APPEND, {"target": decided.into.id, "more": "\n" + new.what})
                    conn.execute(
                        _FOLDED_MESSAGE,
                        {
                            "team_id": new.team_id,
                            "item_id": decided.into.id,
                            "into": decided.into.id,
                            "channel_id": new.channel_id,
                            "ts": new.message_ts,
                            "thread_ts": thread_ts,
                            "text": new.what,
                        },
                    )
                else:
                    item = self._insert(conn, new, plan, now)
                conn.execute(_HEARD, {**key, "heard_at": at})
        except IntegrityError:
            return ClientWrote("duplicate")  # a replica recorded it (or its event) first
        if decided.into is not None:
            return ClientWrote(
                "folded", waiting=decided.waiting, folded_into_owner=decided.into.owner_id
            )
        return ClientWrote("recorded", item, decided.waiting)

    def client_acknowledged(
        self,
        team_id: str,
        channel_id: str,
        ts: str,
        event_id: str | None,
        at: datetime,
        now: datetime,
    ) -> bool:
        """A client's message that needs no reply (thanks, an acknowledgement): seen, not owed.
        Its event and (channel, ts) are marked seen and the channel's last client message moves
        on (the client is not quiet); no item. False when it was seen before (a retry)."""
        key = {"team": team_id, "channel": channel_id}
        try:
            with self.engine.begin() as conn:
                if event_id:
                    conn.execute(_SEEN, {"team_id": team_id, "event_id": event_id, "seen_at": now})
                message = f"msg:{channel_id}:{ts}"
                conn.execute(_SEEN, {"team_id": team_id, "event_id": message, "seen_at": now})
                conn.execute(_HEARD, {**key, "heard_at": at})
        except IntegrityError:
            return False
        return True

    @staticmethod
    def _insert(conn: Connection, new: NewItem, plan: Plan, now: datetime) -> ItemView:
        """The message as an item of its own, with the nudges `plan` gives it."""
        item = insert_item(conn, new, now, new.client_user_id or "")
        conn.execute(_FIRST_MESSAGE, _first_message(item))
        nudges = [
            {
                "team_id": item.team_id,
                "item_id": item.id,
                "recipient_id": w.recipient_id,
                "kind": w.kind,
                "key": w.key,
                "due_at": w.at,
                "next_at": w.at,
                "status": NudgeStatus.QUEUED,
                "attempts": 0,
                "created_at": now,
            }
            for w in plan(item)
        ]
        if nudges:
            conn.execute(_INSERT_NUDGE, nudges)
        return item

    def replied(
        self, team_id: str, channel_id: str, thread_ts: str | None, ts: str, by: str, now: datetime
    ) -> list[ItemView]:
        """Close the reply items a team member's message answers (bot.core.clients.answers,
        over every message each item is made of); silent, first reply timed."""
        q = _open_replies(team_id, channel_id, thread_ts)
        closed: list[ItemView] = []
        with self.sessions.begin() as s:
            items = list(s.scalars(q.with_for_update()))
            messages: dict[int, list[Message]] = {}
            if items:
                rows = s.execute(
                    select(ItemMessage.item_id, ItemMessage.ts, ItemMessage.thread_ts)
                    .where(ItemMessage.item_id.in_([i.id for i in items]))
                    .order_by(ItemMessage.item_id, ItemMessage.position)
                )
                for item_id, m_ts, m_thread in rows:
                    messages.setdefault(item_id, []).append(Message(m_ts, m_thread))
            for item in items:
                view = item_view(item, credits=False)
                if not answers(view, channel_id, thread_ts, ts, messages.get(item.id, ())):
                    continue
                item.status, item.closed_at, item.closed_by = ItemStatus.DONE, now, by
                item.first_reply_at = now
                s.add(ItemEvent(team_id=team_id, item_id=item.id, at=now, actor_id=by, kind="done"))
                closed.append(item_view(item))
        return closed

    def by_message(self, team_id: str, channel_id: str, ts: str) -> ItemView | None:
        """The item a client message is part of: the one it opened, or the one it folded
        into."""
        with self.sessions() as s:
            item = s.scalar(
                select(Item).where(
                    Item.team_id == team_id, Item.channel_id == channel_id, Item.message_ts == ts
                )
            )
            if item is None:
                item = s.scalar(
                    select(Item)
                    .join(ItemMessage, ItemMessage.item_id == Item.id)
                    .where(
                        ItemMessage.team_id == team_id,
                        ItemMessage.channel_id == channel_id,
                        ItemMessage.ts == ts,
                    )
                )
            return None if item is None else item_view(item)

    def edit_message(self, team_id: str, channel_id: str, ts: str, text: str) -> str | None:
        """Take a client's edit: only that message's part of its item's text changes (the
        messages folded into it keep theirs); returns the owner of the item, if any."""
        with self.sessions.begin() as s:
            message = s.scalar(_message_at(team_id, channel_id, ts).with_for_update())
            if message is None:  # an item recorded by hand before its messages were kept
                return s.scalar(
                    update(Item)
                    .where(
                        Item.team_id == team_id,
                        Item.channel_id == channel_id,
                        Item.message_ts == ts,
                    )
                    .values(what=text[:2000])
                    .returning(Item.owner_id)
                )
            message.text = text
            return _rejoin(s, message.item_id)

    def drop_message(self, team_id: str, channel_id: str, ts: str) -> str | None:
        """A client deleted a message folded into an item: its text leaves the item's (the
        item stays as it is otherwise); returns the item's owner, or None when `ts` is no
        folded message (the first message of an item is not one: see `by_message`)."""
        with self.sessions.begin() as s:
            message = s.scalar(_message_at(team_id, channel_id, ts).with_for_update())
            if message is None or message.position == 0:
                return None
            item_id = message.item_id
            s.delete(message)
            s.flush()
            return _rejoin(s, item_id)


def _message_at(team_id: str, channel_id: str, ts: str) -> Select[tuple[ItemMessage]]:
    return select(ItemMessage).where(
        ItemMessage.team_id == team_id, ItemMessage.channel_id == channel_id, ItemMessage.ts == ts
    )


def _rejoin(s: Session, item_id: int) -> str | None:
    """Set the item's text to its messages' joined, in order; returns its owner."""
    s.flush()
    texts = s.scalars(
        select(ItemMessage.text)
        .where(ItemMessage.item_id == item_id)
        .order_by(ItemMessage.position)
    )
    return s.scalar(
        update(Item)
        .where(Item.id == item_id)
        .values(what="\n".join(texts)[:2000])
        .returning(Item.owner_id)
    )


def _first_message(item: ItemView) -> dict[str, object]:
    return {
        "team_id": item.team_id,
        "item_id": item.id,
        "channel_id": item.channel_id,
        "ts": item.message_ts,
        "thread_ts": item.thread_ts,
        "text": item.what,
    }


def _open_replies(team_id: str, channel_id: str, thread_ts: str | None) -> Select[tuple[Item]]:
    """Open recorded client messages in a channel: those with a message in a thread (or its
    parent), or those not in one (the ones `answers` may say a message answers). An item
    outside threads may have messages in threads (its own, or a parent's) folded into it;
    one begun in a thread has them all there."""
    q = select(Item).where(
        Item.team_id == team_id,
        Item.channel_id == channel_id,
        Item.kind == ItemKind.REPLY,
        Item.status == ItemStatus.OPEN,
        Item.message_ts.is_not(None),
    )
    if thread_ts:
        there = select(ItemMessage.item_id).where(
            ItemMessage.team_id == team_id,
            ItemMessage.channel_id == channel_id,
            or_(ItemMessage.thread_ts == thread_ts, ItemMessage.ts == thread_ts),
        )
        return q.where(
            or_(Item.thread_ts == thread_ts, Item.message_ts == thread_ts, Item.id.in_(there))
        )
    return q.where(Item.thread_ts.is_(None))


# -- the statements of `Channels.client_wrote`, built once

_items = Item.__table__
_SEEN = insert(SeenEvent.__table__)
_INSERT_NUDGE = insert(Nudge.__table__)
_in_channel = (
    _items.c.team_id == bindparam("team"),
    _items.c.channel_id == bindparam("channel"),
)
_RECORDED = select(_items.c.id).where(*_in_channel, _items.c.message_ts == bindparam("ts"))
_open = (*_in_channel, _items.c.status == ItemStatus.OPEN)
# The columns of bot.core.clients.OpenItem, in its order.
_ROW = (
    _items.c.id,
    _items.c.owner_id,
    _items.c.kind,
    _items.c.message_ts,
    _items.c.thread_ts,
    _items.c.client_user_id,
    _items.c.created_at,
    _items.c.waiting_since,
)
# A thread's messages are its parent (ts == thread_ts) and the replies after it: the range on
# message_ts keeps the scan of the unique index to what was recorded since the thread began.
_OPEN_IN_THREAD = select(*_ROW).where(
    *_open,
    _items.c.message_ts >= bindparam("thread"),
    or_(_items.c.thread_ts == bindparam("thread"), _items.c.message_ts == bindparam("thread")),
)
_OPEN_WAITING_OR_RECENT = select(*_ROW).where(
    *_open,
    or_(
        _items.c.waiting_since.is_not(None),
        and_(
            _items.c.thread_ts.is_(None),
            _items.c.client_user_id == bindparam("client"),
            _items.c.created_at >= bindparam("since"),
            _items.c.created_at <= bindparam("until"),
        ),
    ),
)
_APPEND = (
    update(_items)
    .where(_items.c.id == bindparam("target"))
    .values(what=func.substr(_items.c.what + bindparam("more"), 1, 2000))
)
_messages = ItemMessage.__table__
_FIRST_MESSAGE = insert(_messages).values(position=0)
# A folded message goes after the item's others.
_FOLDED_MESSAGE = insert(_messages).values(
    position=select(func.coalesce(func.max(_messages.c.position), -1) + 1)
    .where(_messages.c.item_id == bindparam("into"))
    .scalar_subquery()
)
_channels = ClientChannel.__table__
_HEARD = (
    update(_channels)
    .where(
        _channels.c.team_id == bindparam("team"),
        _channels.c.channel_id == bindparam("channel"),
        or_(
            _channels.c.last_client_at.is_(None),
            _channels.c.last_client_at < bindparam("heard_at"),
        ),
    )
    .values(last_client_at=bindparam("heard_at"))
)
