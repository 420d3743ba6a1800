"""Catch-up: when a person's due nudges become one summary instead of a stack of lines.

After downtime, or when someone inherits items already overdue, every missed and heads-up
line of those items falls due at once. Read one after another they are noise ("missed",
"missed", "goes to the lead…") about things the person cannot all act on this minute; one
summary with the most urgent few, and the rest in App Home, is what helps.

Pure rules: time is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.core.agenda import Boundaries, Dated
from bot.core.calendar import WorkCalendar
from bot.core.plan import Kind

# Lines whose words depend on when they are read: "missed its deadline", "goes to the lead".
TIME_BOUND = frozenset({Kind.MISSED, Kind.HEADS_UP})
# A line this long after its planned time is stale: a tick normally sends it within seconds,
# so the bot (or Slack) was down meanwhile.
STALE_AFTER = timedelta(minutes=30)
# Stale lines about this many items (or more) make a catch-up; one item's lines stay as is.
FROM_ITEMS = 2
SHOWN = 5  # items listed in the summary, with their buttons; the rest are in App Home


@dataclass(frozen=True)
class Line:
    """One due nudge about an item, as the rule needs it."""

    nudge_id: int
    kind: str
    item_id: int
    planned_at: datetime  # when the nudge was meant to go
    queued_at: datetime  # when the row was first queued for this person
    item_due: datetime  # the item's deadline


def is_stale(line: Line, now: datetime) -> bool:
    """A time-bound line that lost its moment: meant for well before now (downtime), or
    queued for this person only after the item was already overdue (they inherited it)."""
    if line.kind not in TIME_BOUND:
        return False
    return now - line.planned_at >= STALE_AFTER or line.queued_at >= line.item_due


def folded(lines: Iterable[Line], now: datetime) -> frozenset[int]:
    """The nudges a person's DM summarises instead of sending line by line: every
    time-bound line, once stale lines concern FROM_ITEMS items or more; else none."""
    bound = [line for line in lines if line.kind in TIME_BOUND]
    stale_items = {line.item_id for line in bound if is_stale(line, now)}
    if len(stale_items) < FROM_ITEMS:
        return frozenset()
    return frozenset(line.nudge_id for line in bound)


T = TypeVar("T", bound=Dated)


@dataclass(frozen=True)
class Order(Generic[T]):
    """The summarised items as read: today's first, then the backlog, each newest first
    ("start where you are"); `backlog` counts how many of them are from the backlog."""

    items: tuple[T, ...]
    backlog: int

    @property
    def today(self) -> int:
        return len(self.items) - self.backlog


def order(items: Sequence[T], now: datetime, cal: WorkCalendar) -> Order[T]:
    """Newest deadline first; the backlog is App Home's (before the previous working day
    began), so it comes last by construction and is counted apart."""
    unique = {i.id: i for i in items}.values()
    ranked = sorted(unique, key=lambda i: (i.due_at, i.id), reverse=True)
    start = Boundaries.at(now, cal).recent_start
    return Order(tuple(ranked), sum(1 for i in ranked if i.due_at < start))
