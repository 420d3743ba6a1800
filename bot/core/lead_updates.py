"""Closing the loop with the lead: once an item's escalation reached them, each later change
that settles or reshapes it (delivered, cancelled, moved, handed off) is theirs to hear.

Pure: no SQL, no Slack. The changes come from the item's history (moves, hand-offs) and from
the item itself (however it closed, so any way of closing an item is covered); each has a
key unique within its item, so the same change is never queued twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.items import ItemStatus, ItemView
from bot.core.plan import Kind, Planned

MOVED = "moved"
HANDOFF = "handoff"
DONE = "done"
CANCELLED = "cancelled"
TOLD = (MOVED, HANDOFF)  # the history's kinds the lead hears about (closing comes from the item)


@dataclass(frozen=True, slots=True)
class Change:
    """One change to an item. `key` is unique within the item (`moved@17`, `done`)."""

    key: str
    kind: str  # moved | handoff | done | cancelled
    at: datetime
    actor_id: str
    due_after: datetime | None = None  # moved: the new deadline
    to_owner: str | None = None  # handoff: the new owner


@dataclass(frozen=True, slots=True)
class Escalation:
    """An escalation DM that went out: to whom, when, and where it is (to edit it in place)."""

    nudge_id: int
    lead_id: str
    sent_at: datetime
    channel_id: str
    ts: str


def changes_since(item: ItemView, history: Sequence[Change], since: datetime) -> list[Change]:
    """The changes at or after `since`, oldest first: the moves and hand-offs of `history`,
    then the item's closing, if it closed."""
    found = [c for c in history if c.kind in TOLD and c.at >= since]
    if item.status != ItemStatus.OPEN and item.closed_at is not None and item.closed_at >= since:
        kind = DONE if item.status == ItemStatus.DONE else CANCELLED
        found.append(Change(kind, kind, item.closed_at, item.closed_by or ""))
    return sorted(found, key=lambda c: c.at)


def lead_updates(
    item: ItemView, escalations: Sequence[Escalation], history: Sequence[Change]
) -> list[Planned]:
    """One line for each lead an escalation went to, about each change since it went (due
    at the change: its words don't depend on the time)."""
    wanted: dict[tuple[str, str], Planned] = {}
    for e in sorted(escalations, key=lambda e: e.sent_at):
        for c in changes_since(item, history, e.sent_at):
            reason = f"lead@{c.key}"
            wanted.setdefault(
                (e.lead_id, reason), Planned(Kind.LEAD_UPDATE, e.lead_id, c.at, reason)
            )
    return list(wanted.values())


def change_of(key: str) -> str:
    """The change's own key, from the outbox key of the lead's line (`42:lead@moved@17`)."""
    return key.split(":lead@", 1)[1]
