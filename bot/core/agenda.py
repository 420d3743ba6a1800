"""A person's open items sorted into what to do now: the sections of App Home.

Pure rules (time is a parameter). "Start where you are": today and the last working day
come first; anything older is the backlog, shown newest first, a few at a time.

- due today:    a promise due later today (in the person's time zone)
- overdue:      a promise that missed its deadline since the previous working day began
- replies owed: a client message waiting for a reply, due since the previous working day
                began (today's, yesterday's missed ones, and any due later)
- backlog:      anything (promise or reply) due before the previous working day began,
                newest first
- coming up:    a promise due after today
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, Protocol, TypeVar

from bot.core.calendar import WorkCalendar


class Dated(Protocol):
    """What the rules need of an item."""

    @property
    def kind(self) -> str: ...

    @property
    def due_at(self) -> datetime: ...

    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=Dated)


@dataclass(frozen=True)
class Agenda(Generic[T]):
    """Each section in display order; `backlog` newest first, the others as they are read."""

    due_today: list[T] = field(default_factory=list)  # soonest first
    overdue: list[T] = field(default_factory=list)  # most recently missed first
    replies: list[T] = field(default_factory=list)  # soonest first
    backlog: list[T] = field(default_factory=list)  # newest first
    coming: list[T] = field(default_factory=list)  # soonest first

    def total(self) -> int:
        return sum(
            len(s) for s in (self.due_today, self.overdue, self.replies, self.backlog, self.coming)
        )


def previous_working_day(cal: WorkCalendar, day: date) -> date:
    """The last working day before `day` (Friday, seen from a Monday)."""
    d = day - timedelta(days=1)
    for _ in range(366):
        if cal.is_working_day(d):
            return d
        d -= timedelta(days=1)
    return day - timedelta(days=1)  # a calendar with no working day in a year: just yesterday


@dataclass(frozen=True)
class Boundaries:
    """The moments that separate the sections, for one person at one `now`."""

    now: datetime
    end_of_today: datetime  # local midnight at the end of today
    recent_start: datetime  # the start of the previous working day: older is the backlog

    @classmethod
    def at(cls, now: datetime, cal: WorkCalendar) -> Boundaries:
        today = cal.today(now)
        tomorrow = today + timedelta(days=1)
        midnight = datetime.combine(tomorrow, datetime.min.time(), tzinfo=cal.tz)
        return cls(now, midnight, cal.start_of_day_on(previous_working_day(cal, today)))

    def section(self, kind: str, due_at: datetime) -> str:
        """Which section an open item belongs in: today, overdue, replies, backlog or coming."""
        if due_at < self.recent_start:
            return "backlog"
        if kind == "reply":
            return "replies"
        if due_at < self.now:
            return "overdue"
        if due_at < self.end_of_today:
            return "today"
        return "coming"


def sort_agenda(items: Iterable[T], now: datetime, cal: WorkCalendar) -> Agenda[T]:
    """Sort open items into the sections, each in its reading order."""
    b = Boundaries.at(now, cal)
    agenda: Agenda[T] = Agenda()
    lists: dict[str, list[T]] = {
        "today": agenda.due_today,
        "overdue": agenda.overdue,
        "replies": agenda.replies,
        "backlog": agenda.backlog,
        "coming": agenda.coming,
    }
    for item in items:
        lists[b.section(item.kind, item.due_at)].append(item)
    for soonest_first in (agenda.due_today, agenda.replies, agenda.coming):
        soonest_first.sort(key=lambda i: (i.due_at, i.id))
    for newest_first in (agenda.overdue, agenda.backlog):
        newest_first.sort(key=lambda i: (i.due_at, i.id), reverse=True)
    return agenda
