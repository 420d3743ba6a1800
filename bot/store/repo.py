"""The few queries the service needs. Every one is scoped by team."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, raiseload, sessionmaker

from bot.core.items import ItemStatus, ItemView, NewItem, PostState, Recorded, Role
from bot.core.lead_updates import HANDOFF, TOLD, Change
from bot.store.clients import Channels
from bot.store.coverage import Absences
from bot.store.db import make_sessions
from bot.store.items import insert_item
from bot.store.models import Contributor, Item, ItemEvent, SeenEvent
from bot.store.outbox import Outbox
from bot.store.settings import SettingsStore
from bot.store.stats import StatsStore
from bot.store.values import change_value, handoff_note, item_view


class Repo:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = make_sessions(engine)
        self.outbox = Outbox(self.sessions)
        self.channels = Channels(self.sessions)
        self.settings = SettingsStore(self.sessions)
        self.absences = Absences(self.sessions)
        self.stats = StatsStore(self.sessions)

    def create_item(self, new: NewItem, now: datetime) -> ItemView:
        """Store a new item (created `now`, by its creator); returns it as it opens. A
        request processed again (after a crash) gets the item it made the first time."""
        try:
            with self.engine.begin() as conn:
                return insert_item(conn, new, now, new.creator_id)
        except IntegrityError:
            made = self._made_by(new.team_id, new.request_key)
            if made is None:
                raise
            return made

    def _made_by(self, team_id: str, request_key: str | None) -> ItemView | None:
        if request_key is None:
            return None
        with self.sessions() as s:
            item = s.scalar(
                select(Item).where(Item.team_id == team_id, Item.request_key == request_key)
            )
            return None if item is None else item_view(item)

    def get_item(self, team_id: str, item_id: int) -> ItemView | None:
        with self.sessions() as s:
            item = s.scalar(select(Item).where(Item.team_id == team_id, Item.id == item_id))
            return None if item is None else item_view(item)

    def get_items(self, team_id: str, item_ids: Iterable[int]) -> dict[int, ItemView]:
        """Many items at once, by ID (those that exist in the team): one query, where
        `get_item` per ID would be one each. For reading their fields (the dispatcher's
        DMs): their contributors are not loaded, and asking for them raises."""
        ids = sorted(set(item_ids))
        found: dict[int, ItemView] = {}
        with self.sessions() as s:
            for start in range(0, len(ids), 500):  # bounded IN lists
                q = select(Item).where(
                    Item.team_id == team_id, Item.id.in_(ids[start : start + 500])
                )
                for item in s.scalars(q.options(raiseload(Item.contributors))):
                    found[item.id] = item_view(item, credits=False)
        return found

    def open_items(
        self,
        team_id: str,
        *,
        user_id: str | None = None,
        owner_id: str | None = None,
        limit: int = 200,
    ) -> list[ItemView]:
        """Open items, soonest first; with user_id, the ones they own or created."""
        q = select(Item).where(Item.team_id == team_id, Item.status == ItemStatus.OPEN)
        if user_id is not None:
            q = q.where(or_(Item.owner_id == user_id, Item.creator_id == user_id))
        if owner_id is not None:
            q = q.where(Item.owner_id == owner_id)
        with self.sessions() as s:
            return [item_view(i) for i in s.scalars(q.order_by(Item.due_at, Item.id).limit(limit))]

    def count_open(
        self, team_id: str, *, user_id: str | None = None, owner_id: str | None = None
    ) -> int:
        q = (
            select(func.count())
            .select_from(Item)
            .where(Item.team_id == team_id, Item.status == ItemStatus.OPEN)
        )
        if user_id is not None:
            q = q.where(or_(Item.owner_id == user_id, Item.creator_id == user_id))
        if owner_id is not None:
            q = q.where(Item.owner_id == owner_id)
        with self.sessions() as s:
            return int(s.scalar(q) or 0)

    def close_item(
        self,
        team_id: str,
        item_id: int,
        actor: str,
        now: datetime,
        helpers: Iterable[str] = (),
        key: str | None = None,
        post: bool = False,
    ) -> ItemView | None:
        """Mark done if still open; None when someone else closed or cancelled it first.
        `post`: a post follows (the thank-you), owed until `settle_post`."""
        with self.sessions.begin() as s:
            if not _transition(s, team_id, item_id, ItemStatus.DONE, now, actor):
                return None
            item = s.get_one(Item, item_id)
            known = {c.user_id for c in item.contributors}
            for user in helpers:
                if user not in known:
                    known.add(user)
                    item.contributors.append(
                        Contributor(team_id=team_id, user_id=user, role=Role.HELPER)
                    )
            s.add(_event(item, actor, "done", now, key=key, post=post))
            s.flush()
            s.refresh(item)
            return item_view(item)

    def recorded(self, team_id: str, key: str | None) -> Recorded | None:
        """The change the click or form stored under `key` made, if it made one already."""
        if key is None:
            return None
        with self.sessions.begin() as s:
            event = s.scalars(
                select(ItemEvent).where(ItemEvent.team_id == team_id, ItemEvent.request_key == key)
            ).one_or_none()
            if event is None:
                return None
            item = s.get_one(Item, event.item_id)
            before = (event.note or "").removeprefix("from ").split(" to ")[0]
            return Recorded(
                item_view(item),
                event.kind,
                event.at,
                event.due_before,
                event.due_after,
                from_owner=before if event.kind == HANDOFF else None,
                post=event.post,
            )

    def settle_post(self, team_id: str, key: str, state: str) -> None:
        """Record what became of the post that followed the change made under `key`."""
        with self.sessions.begin() as s:
            s.execute(
                update(ItemEvent)
                .where(ItemEvent.team_id == team_id, ItemEvent.request_key == key)
                .values(post=state)
            )

    def cancel_item(self, team_id: str, item_id: int, actor: str, now: datetime) -> ItemView | None:
        with self.sessions.begin() as s:
            if not _transition(s, team_id, item_id, ItemStatus.CANCELLED, now, actor):
                return None
            item = s.get_one(Item, item_id)
            s.add(_event(item, actor, "cancelled", now))
            return item_view(item)

    def close_no_reply(
        self, team_id: str, item_id: int, actor: str, now: datetime, key: str | None = None
    ) -> ItemView | None:
        """Close a client message as needing no reply (status `no_reply`, event `no_reply`);
        None when it was no longer open. Its first reply, if any, is left as it was."""
        with self.sessions.begin() as s:
            if not _transition(s, team_id, item_id, ItemStatus.NO_REPLY, now, actor):
                return None
            item = s.get_one(Item, item_id)
            s.add(_event(item, actor, "no_reply", now, key=key))
            return item_view(item)

    def move_item(
        self,
        team_id: str,
        item_id: int,
        actor: str,
        new_due: datetime,
        now: datetime,
        note: str | None = None,
        key: str | None = None,
        post: bool = False,
    ) -> ItemView | None:
        """Move an open item's deadline, counting whether it moved before or after it passed.
        `post`: a post follows (the note for the client), owed until `settle_post`."""
        with self.sessions.begin() as s:
            item = _open_for_update(s, team_id, item_id)
            if item is None:
                return None
            before = item.due_at
            if now <= before:
                item.moved_in_advance += 1
            else:
                item.moved_late += 1
            item.due_at = new_due
            item.snoozed_until = None
            s.add(
                _event(
                    item,
                    actor,
                    "moved",
                    now,
                    due_before=before,
                    due_after=new_due,
                    note=note,
                    key=key,
                    post=post,
                )
            )
            s.flush()
            return item_view(item)

    def snooze_item(
        self,
        team_id: str,
        item_id: int,
        actor: str,
        until: datetime,
        now: datetime,
        key: str | None = None,
    ) -> ItemView | None:
        with self.sessions.begin() as s:
            item = _open_for_update(s, team_id, item_id)
            if item is None:
                return None
            item.snoozed_until = until
            s.add(_event(item, actor, "snoozed", now, due_after=until, key=key))
            s.flush()
            return item_view(item)

    def hand_off(
        self,
        team_id: str,
        item_id: int,
        actor: str,
        new_owner: str,
        now: datetime,
        key: str | None = None,
        post: bool = False,
    ) -> ItemView | None:
        """Give an open item to someone else; they are credited when it closes. `post`: a
        DM tells them, owed until `settle_post`."""
        with self.sessions.begin() as s:
            item = _open_for_update(s, team_id, item_id)
            if item is None:
                return None
            before = item.owner_id
            item.owner_id = new_owner
            item.snoozed_until = None
            if new_owner not in {c.user_id for c in item.contributors}:
                item.contributors.append(
                    Contributor(team_id=team_id, user_id=new_owner, role=Role.OWNER)
                )
            note = handoff_note(before, new_owner)
            s.add(_event(item, actor, HANDOFF, now, note=note, key=key, post=post))
            s.flush()
            s.refresh(item)
            return item_view(item)

    def wait_item(
        self, team_id: str, item_id: int, actor: str, until: datetime | None, now: datetime
    ) -> ItemView | None:
        """Pause the item's clock while the client is the one who owes an answer."""
        with self.sessions.begin() as s:
            item = _open_for_update(s, team_id, item_id)
            if item is None:
                return None
            item.waiting_since = item.waiting_since or now
            item.waiting_until = until
            s.add(_event(item, actor, "waiting", now, due_after=until))
            s.flush()
            return item_view(item)

    def resume_item(self, team_id: str, item_id: int, now: datetime) -> ItemView | None:
        """End a wait: the deadline moves by as long as the clock was paused."""
        with self.sessions.begin() as s:
            item = _open_for_update(s, team_id, item_id)
            if item is None or item.waiting_since is None:
                return None
            paused = max(now - item.waiting_since, timedelta(0))
            item.due_at = item.due_at + paused
            item.waiting_since = item.waiting_until = None
            s.add(_event(item, "client", "resumed", now, due_after=item.due_at))
            s.flush()
            return item_view(item)

    def changes(self, team_id: str, item_id: int, since: datetime) -> list[Change]:
        """The item's moves and hand-offs at or after `since`, oldest first (what a lead who
        was told about it hears next; its closing comes from the item itself)."""
        with self.sessions() as s:
            rows = s.scalars(
                select(ItemEvent)
                .where(
                    ItemEvent.team_id == team_id,
                    ItemEvent.item_id == item_id,
                    ItemEvent.kind.in_(TOLD),
                    ItemEvent.at >= since,
                )
                .order_by(ItemEvent.at, ItemEvent.id)
            )
            return [change_value(e) for e in rows]

    def forget_events(self, before: datetime) -> int:
        """Drop event IDs seen before `before`: Slack retries an event for about an hour, so
        older ones only make the table grow (a busy workspace sends thousands a day)."""
        with self.sessions.begin() as s:
            result = s.execute(
                delete(SeenEvent)
                .where(SeenEvent.seen_at < before)
                .execution_options(synchronize_session=False)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def mark_event_seen(self, team_id: str, event_id: str, now: datetime) -> bool:
        """Record a Slack event ID; False when it was already recorded (a retry)."""
        try:
            with self.sessions.begin() as s:
                s.add(SeenEvent(team_id=team_id, event_id=event_id, seen_at=now))
            return True
        except IntegrityError:
            return False


def _open_for_update(s: Session, team_id: str, item_id: int) -> Item | None:
    return s.scalar(
        select(Item)
        .where(Item.team_id == team_id, Item.id == item_id, Item.status == ItemStatus.OPEN)
        .with_for_update()
    )


def _transition(
    s: Session, team_id: str, item_id: int, status: ItemStatus, now: datetime, actor: str
) -> bool:
    """open → status, as one conditional update: exactly one row changed, or it was not open."""
    result = s.execute(
        update(Item)
        .where(Item.team_id == team_id, Item.id == item_id, Item.status == ItemStatus.OPEN)
        .values(status=status, closed_at=now, closed_by=actor)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def _event(
    item: Item,
    actor: str,
    kind: str,
    at: datetime,
    *,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    note: str | None = None,
    key: str | None = None,
    post: bool = False,
) -> ItemEvent:
    # Only a change made under an intake key can be found again to settle its post.
    return ItemEvent(
        team_id=item.team_id,
        item_id=item.id,
        at=at,
        actor_id=actor,
        kind=kind,
        due_before=due_before,
        due_after=due_after,
        note=note,
        request_key=key,
        post=PostState.OWED if post and key else None,
    )
