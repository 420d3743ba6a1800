"""Tables. Every row carries the Slack team ID; times are stored as UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Item(Base):
    """Something the team owes a client: a promise, or a reply to a client message."""

    __tablename__ = "items"
    __table_args__ = (
        Index("ix_items_team_owner_status", "team_id", "owner_id", "status"),
        Index("ix_items_team_creator_status", "team_id", "creator_id", "status"),
        Index("ix_items_team_status_due", "team_id", "status", "due_at"),
        Index("ix_items_team_status_closed", "team_id", "status", "closed_at"),  # digests
        Index("ux_items_team_channel_message", "team_id", "channel_id", "message_ts", unique=True),
        Index("ux_items_team_request", "team_id", "request_key", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # promise | reply
    # open | done | cancelled | no_reply (bot.core.items.ItemStatus)
    status: Mapped[str] = mapped_column(String(16), default="open")
    what: Mapped[str] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[str] = mapped_column(String(32))
    creator_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    original_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(32))
    moved_in_advance: Mapped[int] = mapped_column(Integer, default=0)
    moved_late: Mapped[int] = mapped_column(Integer, default=0)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A client message recorded from a watched channel: where it is, who wrote it.
    message_ts: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    client_user_id: Mapped[str | None] = mapped_column(String(32))
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Waiting on the client: the clock is paused from `waiting_since` (until `waiting_until`).
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    waiting_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The intake key of the command that created it: a command processed again after a
    # crash finds its item instead of making a second one.
    request_key: Mapped[str | None] = mapped_column(String(80))

    contributors: Mapped[list[Contributor]] = relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="Contributor.id",
    )


class ItemMessage(Base):
    """A client message an item is made of: the one that opened it (position 0) and each
    folded into it since. Where a teammate's reply or a ✅ closes the item, and what an edit
    or a delete changes; the item's `what` is their texts joined, in position order."""

    __tablename__ = "item_messages"
    __table_args__ = (
        Index("ux_item_messages_team_channel_ts", "team_id", "channel_id", "ts", unique=True),
        Index("ix_item_messages_team_channel_thread", "team_id", "channel_id", "thread_ts"),
        Index("ix_item_messages_item", "item_id", "position"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class Contributor(Base):
    """A person credited when the item closes: its owner and every helper."""

    __tablename__ = "contributors"
    __table_args__ = (Index("ux_contributors_item_user", "item_id", "user_id", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))  # owner | helper

    item: Mapped[Item] = relationship(back_populates="contributors")


class ItemEvent(Base):
    """What happened to an item and when: the history digests and stats are built from."""

    __tablename__ = "item_events"
    __table_args__ = (
        Index("ix_item_events_team_at", "team_id", "at"),
        Index("ux_item_events_team_request", "team_id", "request_key", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # created | moved | done | no_reply | …
    due_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    # The intake key of the click or form that made this change: it is made once per key.
    request_key: Mapped[str | None] = mapped_column(String(80))
    # The post that follows the change (bot.core.items.PostState): None when none does.
    post: Mapped[str | None] = mapped_column(String(80))


class ClientChannel(Base):
    """A channel the team marked as a client's: client messages there are recorded."""

    __tablename__ = "client_channels"
    __table_args__ = (
        Index("ux_client_channels_team_channel", "team_id", "channel_id", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[str] = mapped_column(String(32))
    clients: Mapped[str] = mapped_column(
        Text, default=""
    )  # user IDs named as clients, comma-separated
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_client_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SeenEvent(Base):
    """Slack event IDs already handled, so Slack's retries are not processed twice."""

    __tablename__ = "seen_events"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class IntakeRequest(Base):
    """What Slack asked, stored before the ack so that a crash after it loses nothing.

    `key` is unique per team (the event ID, or a hash of a command's body), so a request
    delivered twice is taken once; `claim` and `lease_until` say who processes it and until
    when; `done_at` is set once processed, and done rows are dropped after a few days.
    """

    __tablename__ = "intake"
    __table_args__ = (
        Index("ux_intake_team_key", "team_id", "key", unique=True),
        Index("ix_intake_done_lease", "done_at", "lease_until"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # command | message | reaction
    key: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claim: Mapped[str] = mapped_column(String(32))
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Nudge(Base):
    """The outbox, and so the schedule: one row per message meant for a person at a time.

    `next_at` is when the row may next be claimed: its due time, a retry time, or the end of
    a claimer's lease (after a crash the row becomes claimable again and is checked against
    the DM history before any re-send). `key` is unique per recipient, so a reason is never
    planned twice and replicas planning the same thing collide harmlessly.
    """

    __tablename__ = "nudges"
    __table_args__ = (
        Index("ux_nudges_team_recipient_key", "team_id", "recipient_id", "key", unique=True),
        Index("ix_nudges_status_next_at", "status", "next_at"),
        Index("ix_nudges_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    recipient_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))  # queued | sent | failed | skipped | cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # claims, a crashed one too
    # Attempts that failed (Slack refused or could not be reached): these give a row up;
    # claims cut short by a crash don't, they only make the next one look for a sent DM.
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    claim: Mapped[str | None] = mapped_column(String(36))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkspaceSettings(Base):
    """What the settings modal stored for a workspace: JSON of the overridden settings only,
    so a setting left alone keeps following its environment default."""

    __tablename__ = "workspace_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    values: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(32))


class Absence(Base):
    """A person away (vacation, leave, sick) from `starts_at` until `ends_at`: the open items
    they own that fall due in between need someone else. One row per person per span:
    overlapping absences are merged, not stacked."""

    __tablename__ = "absences"
    __table_args__ = (
        Index("ix_absences_team_user_ends", "team_id", "user_id", "ends_at"),
        Index("ix_absences_team_ends", "team_id", "ends_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(16))  # command | status
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
