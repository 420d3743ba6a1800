"""Rows to the frozen values the store hands out: one function per table that leaves the
store. Called while the row's session is open (an item's contributors are read here)."""

from __future__ import annotations

from bot.core.clients import ClientChannelView
from bot.core.coverage import AbsenceView
from bot.core.items import Credit, ItemKind, ItemStatus, ItemView, Role
from bot.core.lead_updates import HANDOFF, Change
from bot.core.nudges import Nudge as NudgeValue
from bot.core.nudges import NudgeStatus
from bot.store.models import Absence, ClientChannel, Item, ItemEvent, Nudge


def item_view(row: Item, *, credits: bool = True) -> ItemView:
    """The item as read; `credits=False` for a row loaded without its contributors (its
    view's `contributors` then raise rather than say nobody)."""
    return ItemView(
        id=row.id,
        team_id=row.team_id,
        kind=ItemKind(row.kind),
        status=ItemStatus(row.status),
        what=row.what,
        client=row.client,
        owner_id=row.owner_id,
        creator_id=row.creator_id,
        channel_id=row.channel_id,
        due_at=row.due_at,
        original_due_at=row.original_due_at,
        created_at=row.created_at,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        moved_in_advance=row.moved_in_advance,
        moved_late=row.moved_late,
        snoozed_until=row.snoozed_until,
        message_ts=row.message_ts,
        thread_ts=row.thread_ts,
        client_user_id=row.client_user_id,
        first_reply_at=row.first_reply_at,
        waiting_since=row.waiting_since,
        waiting_until=row.waiting_until,
        credits=(
            tuple(Credit(c.user_id, Role(c.role)) for c in row.contributors) if credits else None
        ),
    )


def nudge_value(row: Nudge) -> NudgeValue:
    return NudgeValue(
        id=row.id,
        team_id=row.team_id,
        item_id=row.item_id,
        recipient_id=row.recipient_id,
        kind=row.kind,
        key=row.key,
        due_at=row.due_at,
        next_at=row.next_at,
        status=NudgeStatus(row.status),
        attempts=row.attempts,
        claim=row.claim,
        last_error=row.last_error,
        sent_at=row.sent_at,
        channel_id=row.channel_id,
        message_ts=row.message_ts,
        created_at=row.created_at,
        failures=row.failures,
    )


def channel_view(row: ClientChannel) -> ClientChannelView:
    return ClientChannelView(
        id=row.id,
        team_id=row.team_id,
        channel_id=row.channel_id,
        name=row.name,
        owner_id=row.owner_id,
        clients=row.clients,
        active=row.active,
        created_at=row.created_at,
        last_client_at=row.last_client_at,
    )


def absence_view(row: Absence) -> AbsenceView:
    return AbsenceView(
        id=row.id,
        team_id=row.team_id,
        user_id=row.user_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        source=row.source,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def handoff_note(before: str, after: str) -> str:
    """The note a hand-off's event keeps: who had it, who has it (read by `change_value`)."""
    return f"from {before} to {after}"


def change_value(row: ItemEvent) -> Change:
    """A move or hand-off from the item's history, keyed by its event (`moved@17`)."""
    to_owner = None
    if row.kind == HANDOFF and row.note and " to " in row.note:
        to_owner = row.note.rsplit(" to ", 1)[1]
    return Change(
        key=f"{row.kind}@{row.id}",
        kind=row.kind,
        at=row.at,
        actor_id=row.actor_id,
        due_after=row.due_after,
        to_owner=to_owner,
    )
