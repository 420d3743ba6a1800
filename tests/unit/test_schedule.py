"""Digest schedules (bot.core.schedule): crontab lines in the workspace's time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.schedule import (
    default_daily,
    default_weekly,
    is_fire_time,
    next_fire,
    previous_fire,
    standard_weekdays,
)

NY = ZoneInfo("America/New_York")
TZ = "America/New_York"


def ny(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NY)


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("0,6", "sun,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("1-5/2", "mon,wed,fri"),
        ("5-7", "fri,sat,sun"),
        ("mon-fri", "mon-fri"),
        ("*", "*"),
    ],
)
def test_it_reads_weekday_numbers_as_crontab_does(field: str, names: str) -> None:
    assert standard_weekdays(field) == names


def test_weekday_numbers_fire_on_the_crontab_days() -> None:
    # Tuesday 1 December: `* * 1-5` is Monday to Friday, as in crontab (APScheduler alone
    # would read it as Tuesday to Saturday).
    fri = next_fire("0 17 * * 1-5", TZ, ny(12, 4, 18))
    assert fri == ny(12, 7, 17)  # Friday evening → Monday, not Saturday
    assert next_fire("0 9 * * 0", TZ, ny(12, 1, 10)) == ny(12, 6, 9)  # Sunday


def test_a_bad_line_is_refused() -> None:
    with pytest.raises(ValueError):
        next_fire("every friday", TZ, ny(12, 1, 10))
    with pytest.raises(ValueError):
        next_fire("0 17 * * 9", TZ, ny(12, 1, 10))


def test_the_defaults_are_end_of_day_on_working_days_and_friday() -> None:
    daily = default_daily(time(17, 30), frozenset(range(5)))
    assert daily == "30 17 * * mon,tue,wed,thu,fri"
    assert next_fire(daily, TZ, ny(12, 1, 10)) == ny(12, 1, 17, 30)
    assert next_fire(daily, TZ, ny(12, 4, 17, 30)) == ny(12, 7, 17, 30)  # over the weekend
    assert next_fire(default_weekly(time(17)), TZ, ny(12, 1, 10)) == ny(12, 4, 17)
    # a Sunday-to-Thursday week
    assert default_daily(time(16), frozenset({6, 0, 1, 2, 3})) == "0 16 * * mon,tue,wed,thu,sun"


def test_next_fire_is_strictly_after() -> None:
    assert next_fire("0 17 * * *", TZ, ny(12, 1, 17)) == ny(12, 2, 17)


def test_previous_fire_and_fire_times() -> None:
    line = "0 17 * * mon-fri"
    assert previous_fire(line, TZ, ny(12, 7, 10), timedelta(days=7)) == ny(12, 4, 17)
    assert previous_fire(line, TZ, ny(12, 7, 17), timedelta(days=7)) == ny(12, 7, 17)
    assert previous_fire(line, TZ, ny(12, 7, 10), timedelta(hours=3)) is None
    assert is_fire_time(line, TZ, ny(12, 4, 17))
    assert not is_fire_time(line, TZ, ny(12, 5, 17))  # a Saturday
    assert not is_fire_time(line, TZ, ny(12, 4, 17, 1))


def test_it_keeps_the_wall_clock_time_across_daylight_saving() -> None:
    # DST ended in New York on Sunday 1 November 2026: the same 17:00, 25 hours apart.
    before = next_fire("0 17 * * *", TZ, ny(10, 31, 12))
    after = next_fire("0 17 * * *", TZ, before)
    assert before == ny(10, 31, 17) and after == ny(11, 1, 17)
    utc = ZoneInfo("UTC")
    assert after.astimezone(utc) - before.astimezone(utc) == timedelta(hours=25)
