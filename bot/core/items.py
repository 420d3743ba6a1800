"""Items as the rest of the bot sees them: frozen values, whatever stores them.

Pure: no SQL, no Slack. The store reads rows into `ItemView`s and takes a `NewItem` to
create one; everything a new item starts with (open, its original deadline the one it has,
no moves, its owner credited) is decided here, by `NewItem.opened`, and nowhere else.

`ItemKind`, `ItemStatus` and `Role` are `StrEnum`s: each member is its string, so
`item.status == "open"` and f-strings read as they always did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ItemKind(StrEnum):
    PROMISE = "promise"  # something promised a client, by a deadline
    REPLY = "reply"  # a client message owed a reply (recorded from a channel, or by hand)


class ItemStatus(StrEnum):
    """Where an item stands. `NO_REPLY` is a client message the owner closed as needing no
    reply (an acknowledgement the bot could not recognise): closed, but not answered. It is
    a status of its own, not `done` with a note, so that every rule reading `done` as "the
    loop was closed" (stats, digests, follow-ups, thank-yous) leaves it out by construction;
    the status column is plain text, so it needs no migration."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
    NO_REPLY = "no_reply"


class Role(StrEnum):
    OWNER = "owner"  # owned the item at some point (handing off credits the new owner too)
    HELPER = "helper"  # named as a helper when it closed


class NotLoaded(LookupError):
    """An item's contributors were asked for, but it was read without them (lists for
    Home and the dispatcher's DMs skip them): a bug to fix, never an empty answer."""


@dataclass(frozen=True, slots=True)
class Credit:
    """A person credited when the item closes, in the order they were credited."""

    user_id: str
    role: Role


@dataclass(frozen=True, slots=True)
class ItemView:
    """Something the team owes a client, as stored when it was read. Times are aware UTC.

    `credits` is None when the item was read without its contributors; `contributors`
    then raises `NotLoaded` rather than say nobody is credited.
    """

    id: int
    team_id: str
    kind: ItemKind
    status: ItemStatus
    what: str
    client: str | None
    owner_id: str
    creator_id: str
    channel_id: str | None
    due_at: datetime
    original_due_at: datetime
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    moved_in_advance: int
    moved_late: int
    snoozed_until: datetime | None
    # A client message recorded from a watched channel: where it is, who wrote it.
    message_ts: str | None
    thread_ts: str | None
    client_user_id: str | None
    first_reply_at: datetime | None
    # Waiting on the client: the clock is paused from `waiting_since` (until `waiting_until`).
    waiting_since: datetime | None
    waiting_until: datetime | None
    credits: tuple[Credit, ...] | None = None

    @property
    def contributors(self) -> tuple[Credit, ...]:
        """Who is credited when it closes: its owners, then its helpers."""
        if self.credits is None:
            raise NotLoaded(f"item #{self.id} was read without its contributors")
        return self.credits


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item to create: what its creator decided. The store takes this (and only this)
    to create an item, and hands back `opened`: the item as it then stands.

    `created_at` None means when it is stored (the `now` of the store's call); a client
    message is created when it was written, `created_at`.
    """

    team_id: str
    kind: ItemKind
    what: str
    owner_id: str
    creator_id: str
    due_at: datetime
    channel_id: str | None = None
    client: str | None = None
    created_at: datetime | None = None
    message_ts: str | None = None
    thread_ts: str | None = None
    client_user_id: str | None = None
    # The intake key of the command asking for it: the store makes one item per key.
    request_key: str | None = None

    @classmethod
    def client_message(
        cls,
        *,
        team_id: str,
        channel_id: str,
        ts: str,
        thread_ts: str | None,
        client_user_id: str | None,
        what: str,
        client: str | None,
        owner_id: str,
        creator_id: str,
        due_at: datetime,
        created_at: datetime,
    ) -> NewItem:
        """A message in a channel, owed a reply. A thread's parent (Slack gives it
        `thread_ts == ts`) is not in a thread: it starts one."""
        return cls(
            team_id=team_id,
            kind=ItemKind.REPLY,
            what=what,
            owner_id=owner_id,
            creator_id=creator_id,
            due_at=due_at,
            channel_id=channel_id,
            client=client,
            created_at=created_at,
            message_ts=ts,
            thread_ts=thread_ts if thread_ts != ts else None,
            client_user_id=client_user_id,
        )

    def opened(self, item_id: int, now: datetime) -> ItemView:
        """The item once stored under `item_id`: open, due when asked (which is also its
        original deadline), never moved, snoozed or waiting, its owner credited."""
        return ItemView(
            id=item_id,
            team_id=self.team_id,
            kind=ItemKind(self.kind),
            status=ItemStatus.OPEN,
            what=self.what,
            client=self.client,
            owner_id=self.owner_id,
            creator_id=self.creator_id,
            channel_id=self.channel_id,
            due_at=self.due_at,
            original_due_at=self.due_at,
            created_at=now if self.created_at is None else self.created_at,
            closed_at=None,
            closed_by=None,
            moved_in_advance=0,
            moved_late=0,
            snoozed_until=None,
            message_ts=self.message_ts,
            thread_ts=self.thread_ts,
            client_user_id=self.client_user_id,
            first_reply_at=None,
            waiting_since=None,
            waiting_until=None,
            credits=(Credit(self.owner_id, Role.OWNER),),
        )


@dataclass(frozen=True, slots=True)
class Recorded:
    """A change a click or form made (its event), found by the request's intake key: a
    request processed again after a crash answers with it and changes nothing again."""

    item: ItemView
    kind: str
    at: datetime
    due_before: datetime | None
    due_after: datetime | None
    from_owner: str | None = None  # a hand-off's previous owner
    post: str | None = None  # the post that follows the change, as a PostState

    @property
    def post_owed(self) -> bool:
        return self.post == PostState.OWED

    @property
    def post_error(self) -> str | None:
        """Why Slack refused the post (the person was told so then), or None."""
        if self.post and self.post.startswith(PostState.FAILED):
            return self.post.removeprefix(PostState.FAILED)
        return None


class PostState:
    """What became of the post that follows a change (a thank-you, a note for the client, a
    hand-off DM). Owed from the change's own transaction until Slack answers, so a request
    processed again after a crash in between posts it then, and only then."""

    OWED = "owed"
    POSTED = "posted"
    FAILED = "failed:"  # + Slack's reason

    @staticmethod
    def failed(reason: str) -> str:
        return (PostState.FAILED + reason)[:80]
