"""Nudges keep working hours, weekends, holidays, time zones and DST; the end-of-day moment."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest

from bot.core.plan import (
    last_working_moment_before,
    next_eod,
    plan_item,
    working,
)
from tests.unit.plan_cases import (
    CALENDARS,
    LEAD,
    NZ_CAL,
    POLICY,
    UTC_CAL,
    promise,
    show,
    t,
    when,
)

# Working hours, weekends, holidays, time zones, DST


@pytest.mark.parametrize(
    ("cal", "remind_before", "due", "now", "expected"),
    [
        # a before-nudge at 07:00 waits for 09:00 (the deadline is later)
        (
            "UTC",
            180,
            "2026-03-04 10:00",
            "2026-03-03 12:00",
            {"before": "2026-03-04 09:00+00:00", "missed": "2026-03-04 10:00+00:00"},
        ),
        # a deadline at 07:00: missed waits for 09:00, the before-nudge goes the evening before
        (
            "UTC",
            60,
            "2026-03-04 07:00",
            "2026-03-03 12:00",
            {"before": "2026-03-03 16:59+00:00", "missed": "2026-03-04 09:00+00:00"},
        ),
        # a deadline on Saturday: missed waits for Monday 09:00, the before-nudge goes Friday
        (
            "UTC",
            60,
            "2026-03-07 11:00",
            "2026-03-05 12:00",
            {"before": "2026-03-06 16:59+00:00", "missed": "2026-03-09 09:00+00:00"},
        ),
        # Monday 08:30: the before-nudge at the last working moment before (Friday 16:59)
        (
            "UTC",
            60,
            "2026-03-09 08:30",
            "2026-03-05 12:00",
            {"before": "2026-03-06 16:59+00:00", "missed": "2026-03-09 09:00+00:00"},
        ),
        # Monday 09:00 sharp: a before-nudge at the deadline says nothing; Friday 16:59 it is
        (
            "UTC",
            60,
            "2026-03-09 09:00",
            "2026-03-05 12:00",
            {"before": "2026-03-06 16:59+00:00", "missed": "2026-03-09 09:00+00:00"},
        ),
        # Monday 09:30: the before-nudge (08:30) waits for 09:00, still before the deadline
        (
            "UTC",
            60,
            "2026-03-09 09:30",
            "2026-03-05 12:00",
            {"before": "2026-03-09 09:00+00:00", "missed": "2026-03-09 09:30+00:00"},
        ),
        # an evening deadline: before-nudge at 16:59, missed next morning
        (
            "UTC",
            60,
            "2026-03-04 18:00",
            "2026-03-04 12:00",
            {"before": "2026-03-04 16:59+00:00", "missed": "2026-03-05 09:00+00:00"},
        ),
        # the before-nudge at 16:30 is inside working hours as it is
        (
            "UTC",
            60,
            "2026-03-04 17:30",
            "2026-03-04 12:00",
            {"before": "2026-03-04 16:30+00:00", "missed": "2026-03-05 09:00+00:00"},
        ),
        # Christmas Day (a Friday) is a US holiday: Thursday 16:59 and Monday 09:00
        (
            "US",
            60,
            "2026-12-25 12:00",
            "2026-12-22 12:00",
            {"before": "2026-12-24 16:59-05:00", "missed": "2026-12-28 09:00-05:00"},
        ),
        # Thanksgiving: Wednesday 16:59 and Friday 09:00
        (
            "US",
            60,
            "2026-11-26 10:00",
            "2026-11-23 12:00",
            {"before": "2026-11-25 16:59-05:00", "missed": "2026-11-27 09:00-05:00"},
        ),
        # the same day without a holiday calendar is an ordinary Friday
        (
            "NY",
            60,
            "2026-12-25 12:00",
            "2026-12-22 12:00",
            {"before": "2026-12-25 11:00-05:00", "missed": "2026-12-25 12:00-05:00"},
        ),
        # New York evening → next morning there
        (
            "NY",
            60,
            "2026-03-04 18:00",
            "2026-03-04 12:00",
            {"before": "2026-03-04 16:59-05:00", "missed": "2026-03-05 09:00-05:00"},
        ),
        # Kolkata (UTC+05:30): a Friday night deadline → Monday 09:00 IST
        (
            "IN",
            60,
            "2026-03-06 20:00",
            "2026-03-06 10:00",
            {"before": "2026-03-06 16:59+05:30", "missed": "2026-03-09 09:00+05:30"},
        ),
        (
            "IN",
            60,
            "2026-03-06 12:30",
            "2026-03-06 10:00",
            {"before": "2026-03-06 11:30+05:30", "missed": "2026-03-06 12:30+05:30"},
        ),
        # Auckland (UTC+13:00 in March): early-morning deadline
        (
            "NZ",
            60,
            "2026-03-06 08:00",
            "2026-03-04 12:00",
            {"before": "2026-03-05 16:59+13:00", "missed": "2026-03-06 09:00+13:00"},
        ),
        # US spring-forward (Sunday 2026-03-08): Saturday deadline → Monday 09:00 EDT
        (
            "NY",
            60,
            "2026-03-07 12:00",
            "2026-03-05 12:00",
            {"before": "2026-03-06 16:59-05:00", "missed": "2026-03-09 09:00-04:00"},
        ),
        # a deadline in the spring-forward gap itself (02:30 does not exist → 03:30 EDT)
        (
            "NY",
            60,
            "2026-03-08 02:30",
            "2026-03-05 12:00",
            {"before": "2026-03-06 16:59-05:00", "missed": "2026-03-09 09:00-04:00"},
        ),
        # US fall-back (Sunday 2026-11-01): the ambiguous 01:30 is its first (EDT) occurrence
        (
            "NY",
            60,
            "2026-11-01 01:30",
            "2026-10-29 12:00",
            {"before": "2026-10-30 16:59-04:00", "missed": "2026-11-02 09:00-05:00"},
        ),
        # NZ DST ends Sunday 2026-04-05
        (
            "NZ",
            60,
            "2026-04-04 12:00",
            "2026-04-01 12:00",
            {"before": "2026-04-03 16:59+13:00", "missed": "2026-04-06 09:00+12:00"},
        ),
    ],
)
def test_it_keeps_nudges_in_the_owners_working_hours(
    cal: str, remind_before: int, due: str, now: str, expected: dict[str, str]
) -> None:
    calendar = CALENDARS[cal]
    policy = dataclasses.replace(POLICY, remind_before=timedelta(minutes=remind_before))
    item = promise(t(due, calendar))
    plans = plan_item(item, policy, t(now, calendar), calendar)
    assert when(plans, calendar) == expected
    for p in plans:
        assert calendar.is_working_time(p.at), p


@pytest.mark.parametrize(
    ("cal", "due", "heads_up", "escalate"),
    [
        # spring-forward between the deadline and the escalation
        ("NY", "2026-03-06 16:30", "2026-03-09 10:00-04:00", "2026-03-09 10:30-04:00"),
        # fall-back between them
        ("NY", "2026-10-30 16:30", "2026-11-02 10:00-05:00", "2026-11-02 10:30-05:00"),
        # the Friday before a Monday holiday? Christmas is on Friday: Thursday → Monday
        ("US", "2026-12-24 16:30", "2026-12-28 10:00-05:00", "2026-12-28 10:30-05:00"),
        ("NZ", "2026-04-03 16:30", "2026-04-06 10:00+12:00", "2026-04-06 10:30+12:00"),
        ("IN", "2026-03-06 16:30", "2026-03-09 10:00+05:30", "2026-03-09 10:30+05:30"),
    ],
)
def test_it_counts_the_grace_in_working_time_across_dst_and_holidays(
    cal: str, due: str, heads_up: str, escalate: str
) -> None:
    calendar = CALENDARS[cal]
    plans = plan_item(promise(t(due, calendar)), POLICY, t("2026-01-01 00:00"), calendar, lead=LEAD)
    shown = when(plans, calendar)
    assert (shown["heads_up"], shown["escalate"]) == (heads_up, escalate)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-03-04 07:00", "2026-03-04 09:00+00:00"),  # before hours → 09:00
        ("2026-03-04 10:00", "2026-03-04 10:00+00:00"),  # inside → as is
        ("2026-03-04 17:00", "2026-03-05 09:00+00:00"),  # the end of day is not working time
        ("2026-03-07 10:00", "2026-03-09 09:00+00:00"),  # Saturday → Monday 09:00
        ("2026-03-08 23:59", "2026-03-09 09:00+00:00"),
    ],
)
def test_it_moves_a_moment_into_working_hours(at: str, expected: str) -> None:
    assert show(working(t(at), UTC_CAL)) == expected


@pytest.mark.parametrize(
    ("at", "deadline", "expected"),
    [
        ("2026-03-09 07:30", "2026-03-09 08:30", "2026-03-06 16:59+00:00"),  # Mon → Fri
        ("2026-03-04 17:30", "2026-03-04 18:00", "2026-03-04 16:59+00:00"),  # the same evening
        ("2026-03-07 10:00", "2026-03-07 11:00", "2026-03-06 16:59+00:00"),  # Saturday → Friday
        ("2026-03-04 07:00", "2026-03-04 10:00", "2026-03-04 09:00+00:00"),  # start comes first
    ],
)
def test_it_goes_at_the_last_working_moment_when_the_deadline_comes_first(
    at: str, deadline: str, expected: str
) -> None:
    assert show(working(t(at), UTC_CAL, t(deadline))) == expected


@pytest.mark.parametrize(
    ("cal", "at", "expected"),
    [
        ("UTC", "2026-03-09 08:30", "2026-03-06 16:59+00:00"),
        ("UTC", "2026-03-04 18:00", "2026-03-04 16:59+00:00"),
        ("UTC", "2026-03-04 12:00", "2026-03-04 12:00+00:00"),
        ("US", "2026-12-26 10:00", "2026-12-24 16:59-05:00"),
        ("US", "2026-12-28 08:00", "2026-12-24 16:59-05:00"),
        ("NY", "2026-03-09 08:00", "2026-03-06 16:59-05:00"),  # over spring-forward
        ("NZ", "2026-04-06 08:00", "2026-04-03 16:59+13:00"),  # over NZ DST end
    ],
)
def test_it_finds_the_last_working_moment_before(cal: str, at: str, expected: str) -> None:
    calendar = CALENDARS[cal]
    assert show(last_working_moment_before(t(at, calendar), calendar), calendar) == expected


# End of day


@pytest.mark.parametrize(
    ("cal", "cutoff", "now", "expected_at", "expected_reason"),
    [
        ("UTC", 30, "2026-03-04 10:00", "2026-03-04 16:30+00:00", "eod@2026-03-04"),
        ("UTC", 30, "2026-03-04 07:00", "2026-03-04 16:30+00:00", "eod@2026-03-04"),
        ("UTC", 30, "2026-03-04 16:29", "2026-03-04 16:30+00:00", "eod@2026-03-04"),
        ("UTC", 30, "2026-03-04 16:31", "2026-03-05 16:30+00:00", "eod@2026-03-05"),
        ("UTC", 30, "2026-03-04 23:30", "2026-03-05 16:30+00:00", "eod@2026-03-05"),
        ("UTC", 30, "2026-03-06 16:45", "2026-03-09 16:30+00:00", "eod@2026-03-09"),  # Fri late
        ("UTC", 30, "2026-03-07 10:00", "2026-03-09 16:30+00:00", "eod@2026-03-09"),  # Saturday
        ("UTC", 30, "2026-03-08 10:00", "2026-03-09 16:30+00:00", "eod@2026-03-09"),  # Sunday
        ("UTC", 60, "2026-03-04 10:00", "2026-03-04 16:00+00:00", "eod@2026-03-04"),
        ("UTC", 0, "2026-03-04 16:50", "2026-03-04 17:00+00:00", "eod@2026-03-04"),
        # a cutoff longer than the day: at the start of the day, never the day before
        ("UTC", 600, "2026-03-04 08:00", "2026-03-04 09:00+00:00", "eod@2026-03-04"),
        ("US", 30, "2026-12-24 17:00", "2026-12-28 16:30-05:00", "eod@2026-12-28"),  # Christmas
        ("US", 30, "2026-12-25 10:00", "2026-12-28 16:30-05:00", "eod@2026-12-28"),
        ("NY", 30, "2026-03-06 18:00", "2026-03-09 16:30-04:00", "eod@2026-03-09"),  # DST
        ("NY", 30, "2026-10-30 18:00", "2026-11-02 16:30-05:00", "eod@2026-11-02"),  # DST
        ("IN", 30, "2026-03-04 17:30", "2026-03-05 16:30+05:30", "eod@2026-03-05"),
        # Auckland: the local day, not the UTC one (02:00 UTC on the 6th is 15:00 NZDT)
        ("NZ", 30, "2026-03-06 15:00", "2026-03-06 16:30+13:00", "eod@2026-03-06"),
        ("NZ", 30, "2026-03-06 23:00", "2026-03-09 16:30+13:00", "eod@2026-03-09"),
    ],
)
def test_it_finds_the_next_end_of_day_moment(
    cal: str, cutoff: int, now: str, expected_at: str, expected_reason: str
) -> None:
    calendar = CALENDARS[cal]
    at, reason = next_eod(calendar, timedelta(minutes=cutoff), t(now, calendar))
    assert (show(at, calendar), reason) == (expected_at, expected_reason)


def test_it_gives_one_eod_reason_per_local_day() -> None:
    seen: dict[str, datetime] = {}
    now = t("2026-03-02 00:00", NZ_CAL)
    while now < t("2026-04-30 00:00", NZ_CAL):
        at, reason = next_eod(NZ_CAL, timedelta(minutes=30), now)
        assert seen.setdefault(reason, at) == at  # the same day always has the same moment
        assert reason == f"eod@{NZ_CAL.today(at).isoformat()}"
        now += timedelta(minutes=47)
    days = sorted(seen)
    assert len(days) == len(set(seen.values()))
    assert all(NZ_CAL.is_working_day(date.fromisoformat(r[4:])) for r in days)
