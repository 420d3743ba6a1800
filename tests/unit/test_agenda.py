"""Which Home section an open item belongs in, and in what order each section reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.agenda import Boundaries, previous_working_day, sort_agenda
from bot.core.calendar import WorkCalendar

NY = ZoneInfo("America/New_York")
CAL = WorkCalendar(tz=NY)


@dataclass(frozen=True)
class Row:
    id: int
    kind: str
    due_at: datetime


def ny(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NY)


MONDAY_10 = ny(11, 30, 10)  # 30 November 2026 is a Monday
TUESDAY_10 = ny(12, 1, 10)


def section(kind: str, due: datetime, now: datetime = TUESDAY_10) -> str:
    return Boundaries.at(now, CAL).section(kind, due)


def test_the_previous_working_day_of_a_monday_is_friday() -> None:
    assert previous_working_day(CAL, MONDAY_10.date()) == ny(11, 27, 0).date()


def test_promises_are_due_today_overdue_backlog_or_coming_up() -> None:
    assert section("promise", ny(12, 1, 16)) == "today"
    assert section("promise", ny(12, 1, 23, 59)) == "today"  # the person's own day
    assert section("promise", ny(12, 2, 0)) == "coming"
    assert section("promise", ny(12, 1, 9, 30)) == "overdue"  # missed this morning
    assert section("promise", ny(11, 30, 9)) == "overdue"  # since yesterday's start
    assert section("promise", ny(11, 30, 8, 59)) == "backlog"


def test_on_a_monday_fridays_misses_are_still_overdue() -> None:
    assert section("promise", ny(11, 27, 15), MONDAY_10) == "overdue"
    assert section("promise", ny(11, 26, 15), MONDAY_10) == "backlog"


def test_replies_owed_are_their_own_section_until_they_are_backlog() -> None:
    assert section("reply", ny(12, 1, 17)) == "replies"
    assert section("reply", ny(11, 30, 17)) == "replies"  # missed yesterday: still owed now
    assert section("reply", ny(12, 3, 17)) == "replies"
    assert section("reply", ny(11, 27, 17)) == "backlog"


def test_today_follows_the_persons_time_zone_not_utc() -> None:
    kolkata = WorkCalendar(tz=ZoneInfo("Asia/Kolkata"))
    now = ny(12, 1, 10)  # 20:30 in Kolkata
    due = ny(12, 1, 14)  # 00:30 on 2 December in Kolkata
    assert Boundaries.at(now, CAL).section("promise", due) == "today"
    assert Boundaries.at(now, kolkata).section("promise", due) == "coming"


def test_each_section_reads_in_its_order_backlog_newest_first() -> None:
    rows = [
        Row(1, "promise", ny(11, 2, 12)),
        Row(2, "promise", ny(11, 20, 12)),
        Row(3, "promise", ny(11, 10, 12)),
        Row(4, "promise", ny(12, 1, 17)),
        Row(5, "promise", ny(12, 1, 12)),
        Row(6, "promise", ny(11, 30, 12)),
        Row(7, "promise", ny(12, 1, 9)),
        Row(8, "reply", ny(12, 1, 17)),
        Row(9, "reply", ny(12, 1, 11)),
        Row(10, "promise", ny(12, 9, 12)),
        Row(11, "promise", ny(12, 4, 12)),
    ]
    agenda = sort_agenda(rows, TUESDAY_10, CAL)
    assert [r.id for r in agenda.due_today] == [5, 4]
    assert [r.id for r in agenda.overdue] == [7, 6]  # most recently missed first
    assert [r.id for r in agenda.replies] == [9, 8]
    assert [r.id for r in agenda.backlog] == [2, 3, 1]  # start where you are
    assert [r.id for r in agenda.coming] == [11, 10]
    assert agenda.total() == len(rows)
