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

from bot.store.models import ClientChannel, Contributor, Item, ItemEvent, Nudge, SeenEvent
from bot.store.outbox import QUEUED, Want


@dataclass(frozen=True)
class ClientWrote:
    """What a client's message did to the store (see `Channels.client_wrote`)."""

    outcome: str  # recorded | folded | duplicate
    item: Item | None = None  # the new reply-owed item, when recorded
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

    def client_wrote(
        self,
        item: Item,
        *,
        thread_ts: str | None,
        event_id: str | None,
        window: timedelta,
        plan: Callable[[Item], Sequence[Want]],
        now: datetime,
    ) -> ClientWrote:
        """A client's message, in one transaction: its event ID marked seen (Slack's retries);
        then, unless the message was recorded before (a retry under a new event ID), folded
        into the open item it continues (in `thread_ts`'s thread, or the same client's
        moments ago) or recorded as `item` with the nudges `plan` gives it; and the channel's
        last client message moved on. The items that were waiting on the client here are
        returned, to resume.

        Core statements compiled once, on a plain connection: this runs for every message.
        """
        key = {"team": item.team_id, "channel": item.channel_id}
        try:
            with self.engine.begin() as conn:
                if event_id:
                    conn.execute(
                        _SEEN, {"team_id": item.team_id, "event_id": event_id, "seen_at": now}
                    )
                # The message itself, by (channel, ts): a copy under a new event ID stops
                # here even when the first was folded into another item (no row of its own).
                message = f"msg:{item.channel_id}:{item.message_ts}"
                conn.execute(_SEEN, {"team_id": item.team_id, "event_id": message, "seen_at": now})
                if conn.execute(_RECORDED, {**key, "ts": item.message_ts}).first() is not None:
                    return ClientWrote("duplicate")
                # One look at the channel's open items for both: those waiting on the client
                # (in this thread, or anywhere in the channel for a message outside threads)
                # and the one this message continues.
                if thread_ts:
                    rows = conn.execute(_OPEN_IN_THREAD, {**key, "thread": thread_ts}).all()
                    continues = [r for r in rows if r.kind == "reply" and r.message_ts]
                else:
                    since = item.created_at - window
                    rows = conn.execute(
                        _OPEN_WAITING_OR_RECENT,
                        {
                            **key,
                            "client": item.client_user_id,
                            "since": since,
                            "until": item.created_at,
                        },
                    ).all()
                    continues = [
                        r
                        for r in rows
                        if r.kind == "reply"
                        and r.message_ts
                        and r.thread_ts is None
                        and r.client_user_id == item.client_user_id
                        and since <= r.created_at <= item.created_at
                    ]
                if any(r.message_ts == item.message_ts for r in rows):
                    return ClientWrote("duplicate")  # committed by a replica since `_RECORDED`
                waiting = tuple(r.id for r in rows if r.waiting_since is not None)
                if continues:
                    target = max(continues, key=lambda r: r.created_at)
                    conn.execute(_APPEND, {"target": target.id, "more": "\n" + item.what})
                else:
                    self._insert(conn, item, plan, now)
                conn.execute(_HEARD, {**key, "heard_at": item.created_at})
        except IntegrityError:
            return ClientWrote("duplicate")  # a replica recorded it (or its event) first
        if continues:
            return ClientWrote("folded", waiting=waiting, folded_into_owner=target.owner_id)
        return ClientWrote("recorded", item, waiting)

    @staticmethod
    def _insert(
        conn: Connection, item: Item, plan: Callable[[Item], Sequence[Want]], now: datetime
    ) -> None:
        values = {c: getattr(item, c) for c in _ITEM_COLUMNS}
        item.id = conn.execute(_INSERT_ITEM, values).inserted_primary_key[0]
        conn.execute(
            _INSERT_CONTRIBUTOR,
            {
                "team_id": item.team_id,
                "item_id": item.id,
                "user_id": item.owner_id,
                "role": "owner",
            },
        )
        conn.execute(
            _INSERT_EVENT,
            {
                "team_id": item.team_id,
                "item_id": item.id,
                "at": now,
                "actor_id": item.client_user_id or "",
                "kind": "created",
                "due_after": item.due_at,
            },
        )
        nudges = [
            {
                "team_id": item.team_id,
                "item_id": item.id,
                "recipient_id": w.recipient_id,
                "kind": w.kind,
                "key": w.key,
                "due_at": w.at,
                "next_at": w.at,
                "status": QUEUED,
                "attempts": 0,
                "created_at": now,
            }
            for w in plan(item)
        ]
        if nudges:
            conn.execute(_INSERT_NUDGE, nudges)

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

    def by_message(self, team_id: str, channel_id: str, ts: str) -> Item | None:
        with self.sessions() as s:
            return s.scalar(
                select(Item).where(
                    Item.team_id == team_id, Item.channel_id == channel_id, Item.message_ts == ts
                )
            )

    def edit_message(self, team_id: str, channel_id: str, ts: str, text: str) -> str | None:
        """Take a client's edit; returns the owner of the item it changed, if any."""
        with self.sessions.begin() as s:
            return s.scalar(
                update(Item)
                .where(
                    Item.team_id == team_id, Item.channel_id == channel_id, Item.message_ts == ts
                )
                .values(what=text[:2000])
                .returning(Item.owner_id)
            )


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


# -- the statements of `Channels.client_wrote`, built once

_items = Item.__table__
_ITEM_COLUMNS = (
    "team_id",
    "kind",
    "status",
    "what",
    "client",
    "owner_id",
    "creator_id",
    "channel_id",
    "due_at",
    "original_due_at",
    "created_at",
    "moved_in_advance",
    "moved_late",
    "message_ts",
    "thread_ts",
    "client_user_id",
)
_SEEN = insert(SeenEvent.__table__)
_INSERT_ITEM = insert(_items)
_INSERT_CONTRIBUTOR = insert(Contributor.__table__)
_INSERT_EVENT = insert(ItemEvent.__table__)
_INSERT_NUDGE = insert(Nudge.__table__)
_in_channel = (
    _items.c.team_id == bindparam("team"),
    _items.c.channel_id == bindparam("channel"),
)
_RECORDED = select(_items.c.id).where(*_in_channel, _items.c.message_ts == bindparam("ts"))
_open = (*_in_channel, _items.c.status == "open")
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


def _ts(ts: str) -> tuple[int, int]:
    whole, _, frac = ts.partition(".")
    return int(whole), int(frac or 0)
