"""Reading the WHEN of `/promise … by WHEN`.

Unless a row says otherwise, "now" is Thursday 2026-03-05 15:00 in New York, on a
Mon–Fri 09:00–17:00 calendar. Expected deadlines carry their UTC offset so a DST
mistake shows up as a failed row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.calendar import WorkCalendar
from bot.core.when import WhenError, deadline_on, parse_when

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
AUCKLAND = ZoneInfo("Pacific/Auckland")
UTC_ZONE = ZoneInfo("UTC")
THURSDAY_3PM = "2026-03-05 15:00"


def ask(text: str, now: str = THURSDAY_3PM, cal: WorkCalendar | None = None) -> str:
    """The deadline for `text` asked at local `now`, as `2026-03-05 17:00-05:00`."""
    cal = cal or WorkCalendar(tz=NY)
    asked_at = datetime.fromisoformat(now).replace(tzinfo=cal.tz)
    result = parse_when(text, asked_at, cal)
    assert result.tzinfo is cal.tz
    return result.isoformat(sep=" ", timespec="minutes")


def refusal(text: str, now: str = THURSDAY_3PM, cal: WorkCalendar | None = None) -> str:
    """The friendly message `text` is refused with."""
    with pytest.raises(WhenError) as excinfo:
        ask(text, now, cal)
    assert str(excinfo.value) == excinfo.value.message
    return excinfo.value.message


# The contract's phrases and their spellings, asked on a Thursday afternoon.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A clock time today, or the next working day once past.
        ("4pm", "2026-03-05 16:00-05:00"),
        ("4 pm", "2026-03-05 16:00-05:00"),
        ("4PM", "2026-03-05 16:00-05:00"),
        ("4 p.m.", "2026-03-05 16:00-05:00"),
        ("at 4pm", "2026-03-05 16:00-05:00"),
        ("by 4pm", "2026-03-05 16:00-05:00"),
        ("4:30pm", "2026-03-05 16:30-05:00"),
        ("16:00", "2026-03-05 16:00-05:00"),
        ("16:00:30", "2026-03-05 16:00-05:00"),
        ("2pm", "2026-03-06 14:00-05:00"),
        ("15:00", "2026-03-06 15:00-05:00"),  # exactly now is not the future
        ("9.30am", "2026-03-06 09:30-05:00"),
        ("12am", "2026-03-06 00:00-05:00"),
        ("12pm", "2026-03-06 12:00-05:00"),
        ("noon", "2026-03-06 12:00-05:00"),
        ("midday", "2026-03-06 12:00-05:00"),
        # End of day.
        ("EOD", "2026-03-05 17:00-05:00"),
        ("eod", "2026-03-05 17:00-05:00"),
        ("COB", "2026-03-05 17:00-05:00"),
        ("end of day", "2026-03-05 17:00-05:00"),
        ("end of the day", "2026-03-05 17:00-05:00"),
        ("End of day.", "2026-03-05 17:00-05:00"),
        ("close of business", "2026-03-05 17:00-05:00"),
        ("today", "2026-03-05 17:00-05:00"),
        ("today 4pm", "2026-03-05 16:00-05:00"),
        ("  eod  ", "2026-03-05 17:00-05:00"),
        # Tomorrow.
        ("tomorrow", "2026-03-06 17:00-05:00"),
        ("tmrw", "2026-03-06 17:00-05:00"),
        ("Tomorrow.", "2026-03-06 17:00-05:00"),
        ("tomorrow 10am", "2026-03-06 10:00-05:00"),
        ("tomorrow at 10am", "2026-03-06 10:00-05:00"),
        ("tomorrow   at   10am", "2026-03-06 10:00-05:00"),
        ("tomorrow eod", "2026-03-06 17:00-05:00"),
        ("tomorrow noon", "2026-03-06 12:00-05:00"),
        ("10am tomorrow", "2026-03-06 10:00-05:00"),
        ("eod tomorrow", "2026-03-06 17:00-05:00"),
        ("day after tomorrow", "2026-03-07 17:00-05:00"),
        # Weekdays: the next such day, today if still ahead.
        ("friday", "2026-03-06 17:00-05:00"),
        ("fri", "2026-03-06 17:00-05:00"),
        ("Friday.", "2026-03-06 17:00-05:00"),
        ("on friday", "2026-03-06 17:00-05:00"),
        ("this friday", "2026-03-06 17:00-05:00"),
        ("fri 3pm", "2026-03-06 15:00-05:00"),
        ("fri at 3pm", "2026-03-06 15:00-05:00"),
        ("3pm fri", "2026-03-06 15:00-05:00"),
        ("3pm on friday", "2026-03-06 15:00-05:00"),
        ("friday eod", "2026-03-06 17:00-05:00"),
        ("monday 9:30am", "2026-03-09 09:30-04:00"),  # after the US switch to EDT
        ("next monday", "2026-03-09 17:00-04:00"),
        ("tues", "2026-03-10 17:00-04:00"),
        ("wednesday", "2026-03-11 17:00-04:00"),
        ("thursday", "2026-03-05 17:00-05:00"),  # today, end of day still ahead
        ("thurs", "2026-03-05 17:00-05:00"),
        ("thu 4pm", "2026-03-05 16:00-05:00"),
        ("thu 2pm", "2026-03-12 14:00-04:00"),  # today's 2pm has passed
        ("next thursday", "2026-03-12 17:00-04:00"),
        ("sat", "2026-03-07 17:00-05:00"),  # a named day is taken as given
        # Relative: minutes and hours are clock time, days and weeks keep the wall clock.
        ("in 2 hours", "2026-03-05 17:00-05:00"),
        ("in 2 hrs", "2026-03-05 17:00-05:00"),
        ("in 2h", "2026-03-05 17:00-05:00"),
        ("in 1.5 hours", "2026-03-05 16:30-05:00"),
        ("in an hour", "2026-03-05 16:00-05:00"),
        ("in half an hour", "2026-03-05 15:30-05:00"),
        ("in 90 minutes", "2026-03-05 16:30-05:00"),
        ("in 45 mins", "2026-03-05 15:45-05:00"),
        ("in 5m", "2026-03-05 15:05-05:00"),
        ("in 12 hours", "2026-03-06 03:00-05:00"),
        ("in 3 days", "2026-03-08 15:00-04:00"),
        ("in a day", "2026-03-06 15:00-05:00"),
        ("in 1 week", "2026-03-12 15:00-04:00"),
        ("in 2w", "2026-03-19 15:00-04:00"),
        # Month and day: this year, or next year once past; no time → end of day.
        ("dec 3", "2026-12-03 17:00-05:00"),
        ("Dec 3", "2026-12-03 17:00-05:00"),
        ("dec. 3", "2026-12-03 17:00-05:00"),
        ("december 3", "2026-12-03 17:00-05:00"),
        ("3 dec", "2026-12-03 17:00-05:00"),
        ("dec 3rd", "2026-12-03 17:00-05:00"),
        ("3rd of december", "2026-12-03 17:00-05:00"),
        ("the 3rd of december", "2026-12-03 17:00-05:00"),
        ("dec 3 2pm", "2026-12-03 14:00-05:00"),
        ("3 dec 2pm", "2026-12-03 14:00-05:00"),
        ("dec 3 at 14:00", "2026-12-03 14:00-05:00"),
        ("2pm dec 3", "2026-12-03 14:00-05:00"),
        ("december 3, 2026", "2026-12-03 17:00-05:00"),
        ("December 3rd, 2026 at 2:30 p.m.", "2026-12-03 14:30-05:00"),
        ("sept 30", "2026-09-30 17:00-04:00"),
        ("jan 2", "2027-01-02 17:00-05:00"),  # already past this year
        ("mar 5", "2026-03-05 17:00-05:00"),  # today, still ahead
        ("mar 5 2pm", "2027-03-05 14:00-05:00"),  # today, passed: a year on
        ("mar 4", "2027-03-04 17:00-05:00"),
        # Full dates, taken as given.
        ("2026-12-03", "2026-12-03 17:00-05:00"),
        ("2026-12-03 14:00", "2026-12-03 14:00-05:00"),
        ("2026-12-03T14:00", "2026-12-03 14:00-05:00"),
        ("2026-12-03 at 2pm", "2026-12-03 14:00-05:00"),
        ("2026-3-7", "2026-03-07 17:00-05:00"),  # a Saturday
        ("2026-03-05 16:00", "2026-03-05 16:00-05:00"),
        # Weeks.
        ("eow", "2026-03-06 17:00-05:00"),
        ("end of week", "2026-03-06 17:00-05:00"),
        ("end of the week", "2026-03-06 17:00-05:00"),
        ("next week", "2026-03-09 17:00-04:00"),
        # Other spellings with a month name, read by the guarded fallback.
        ("3-dec-2026 14:00", "2026-12-03 14:00-05:00"),
        ("dec-3", "2026-12-03 17:00-05:00"),
    ],
)
def test_it_reads_the_contract_phrases(text: str, expected: str) -> None:
    assert ask(text) == expected


# Late, on weekends, on holidays.


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # Thursday after end of day.
        ("2026-03-05 18:00", "eod", "2026-03-06 17:00-05:00"),
        ("2026-03-05 18:00", "today", "2026-03-06 17:00-05:00"),
        ("2026-03-05 18:00", "4pm", "2026-03-06 16:00-05:00"),
        ("2026-03-05 18:00", "thursday", "2026-03-12 17:00-04:00"),
        ("2026-03-05 18:00", "tomorrow", "2026-03-06 17:00-05:00"),
        ("2026-03-05 18:00", "2026-03-05", None),
        ("2026-03-05 17:00", "eod", "2026-03-06 17:00-05:00"),  # end of day is exclusive
        # Friday evening: the next working day is Monday (after the DST switch).
        ("2026-03-06 18:00", "eod", "2026-03-09 17:00-04:00"),
        ("2026-03-06 18:00", "4pm", "2026-03-09 16:00-04:00"),
        ("2026-03-06 18:00", "tomorrow", "2026-03-07 17:00-05:00"),  # literally Saturday
        ("2026-03-06 18:00", "eow", "2026-03-13 17:00-04:00"),
        ("2026-03-06 18:00", "next week", "2026-03-09 17:00-04:00"),
        # Saturday: end of day means the next working day's; a named time stays today.
        ("2026-03-07 10:00", "eod", "2026-03-09 17:00-04:00"),
        ("2026-03-07 10:00", "today", "2026-03-09 17:00-04:00"),
        ("2026-03-07 10:00", "4pm", "2026-03-07 16:00-05:00"),
        ("2026-03-07 10:00", "mon", "2026-03-09 17:00-04:00"),
        ("2026-03-07 10:00", "next week", "2026-03-09 17:00-04:00"),
        # Early on a working day.
        ("2026-03-05 07:00", "eod", "2026-03-05 17:00-05:00"),
        ("2026-03-05 07:00", "8am", "2026-03-05 08:00-05:00"),
        # On a Monday, `next monday` is a week away and `monday` is today.
        ("2026-03-09 10:00", "next monday", "2026-03-16 17:00-04:00"),
        ("2026-03-09 10:00", "monday", "2026-03-09 17:00-04:00"),
        ("2026-03-09 10:00", "this monday", "2026-03-09 17:00-04:00"),
        ("2026-03-09 10:00", "mon 9am", "2026-03-16 09:00-04:00"),
        ("2026-03-09 10:00", "next mon 11am", "2026-03-16 11:00-04:00"),
        # Month ends.
        ("2026-01-31 10:00", "tomorrow", "2026-02-01 17:00-05:00"),
        ("2026-01-31 10:00", "in 1 day", "2026-02-01 10:00-05:00"),
        ("2026-04-30 18:00", "eod", "2026-05-01 17:00-04:00"),
        ("2026-04-30 18:00", "tomorrow 9am", "2026-05-01 09:00-04:00"),
        ("2026-02-27 18:00", "eod", "2026-03-02 17:00-05:00"),
        # Year end.
        ("2026-12-31 18:00", "dec 31", "2027-12-31 17:00-05:00"),
        ("2026-12-31 18:00", "dec 31 11pm", "2026-12-31 23:00-05:00"),
        ("2026-12-31 18:00", "jan 2", "2027-01-02 17:00-05:00"),
        ("2026-12-31 18:00", "tomorrow", "2027-01-01 17:00-05:00"),
        ("2026-12-31 18:00", "eod", "2027-01-01 17:00-05:00"),  # no holiday calendar
        ("2026-12-31 18:00", "in 1 week", "2027-01-07 18:00-05:00"),
        ("2026-12-15 10:00", "jan 2", "2027-01-02 17:00-05:00"),
        ("2026-12-15 10:00", "dec 20", "2026-12-20 17:00-05:00"),
        # Leap day: only in leap years, at most a year away.
        ("2027-03-01 10:00", "feb 29", "2028-02-29 17:00-05:00"),
        ("2028-02-01 10:00", "feb 29", "2028-02-29 17:00-05:00"),
        ("2027-06-01 10:00", "2028-02-29", "2028-02-29 17:00-05:00"),
    ],
)
def test_it_reads_phrases_at_awkward_moments(now: str, text: str, expected: str | None) -> None:
    if expected is None:
        assert refusal(text, now).startswith("That time has already passed")
    else:
        assert ask(text, now) == expected


US = WorkCalendar(tz=NY, holiday_country="US")


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        ("2026-12-24 18:00", "eod", "2026-12-28 17:00-05:00"),  # Christmas Friday skipped
        ("2026-12-24 18:00", "10am", "2026-12-28 10:00-05:00"),
        ("2026-12-24 18:00", "dec 25", "2026-12-25 17:00-05:00"),  # explicit date as given
        ("2026-12-24 18:00", "tomorrow", "2026-12-25 17:00-05:00"),  # literally tomorrow
        ("2026-12-24 18:00", "fri", "2026-12-25 17:00-05:00"),  # a named day as given
        ("2026-12-25 09:00", "eod", "2026-12-28 17:00-05:00"),  # on the holiday itself
        ("2026-11-25 18:00", "eod", "2026-11-27 17:00-05:00"),  # over Thanksgiving
        ("2026-11-25 18:00", "9am", "2026-11-27 09:00-05:00"),
        ("2026-12-31 18:00", "eod", "2027-01-04 17:00-05:00"),  # New Year, then a weekend
        ("2026-12-21 10:00", "eow", "2026-12-24 17:00-05:00"),  # Friday is Christmas
    ],
)
def test_it_skips_holidays_where_the_day_is_not_named(now: str, text: str, expected: str) -> None:
    assert ask(text, now, US) == expected


def test_it_ends_the_day_on_weekends_for_seven_day_calendars() -> None:
    every_day = WorkCalendar(tz=NY, workdays=frozenset(range(7)))
    assert ask("eod", "2026-03-07 10:00", every_day) == "2026-03-07 17:00-05:00"
    assert ask("4pm", "2026-03-07 18:00", every_day) == "2026-03-08 16:00-04:00"
    assert ask("eow", "2026-03-07 10:00", every_day) == "2026-03-08 17:00-04:00"


# DST switches and other zones.


@pytest.mark.parametrize(
    ("zone", "now", "text", "expected"),
    [
        # US spring forward, Sunday 2026-03-08 02:00 → 03:00.
        (NY, "2026-03-07 12:00", "in 24 hours", "2026-03-08 13:00-04:00"),
        (NY, "2026-03-07 12:00", "in 1 day", "2026-03-08 12:00-04:00"),
        (NY, "2026-03-07 12:00", "tomorrow 2:30am", "2026-03-08 03:30-04:00"),  # the gap
        (NY, "2026-03-08 01:30", "in 1 hour", "2026-03-08 03:30-04:00"),
        (NY, "2026-03-06 10:00", "mon 9am", "2026-03-09 09:00-04:00"),
        # US fall back, Sunday 2026-11-01 02:00 → 01:00.
        (NY, "2026-10-31 12:00", "tomorrow 1:30am", "2026-11-01 01:30-04:00"),  # first one
        (NY, "2026-10-31 12:00", "in 1 day", "2026-11-01 12:00-05:00"),
        (NY, "2026-10-31 12:00", "in 24 hours", "2026-11-01 11:00-05:00"),
        (NY, "2026-10-30 18:00", "eod", "2026-11-02 17:00-05:00"),
        # EU spring forward, Sunday 2026-03-29 01:00 → 02:00 in London.
        (LONDON, "2026-03-28 12:00", "tomorrow 1:30am", "2026-03-29 02:30+01:00"),
        (LONDON, "2026-03-28 12:00", "in 1 day", "2026-03-29 12:00+01:00"),
        (LONDON, "2026-03-28 12:00", "in 24 hours", "2026-03-29 13:00+01:00"),
        (LONDON, "2026-03-27 18:00", "eod", "2026-03-30 17:00+01:00"),
        # EU fall back, Sunday 2026-10-25 02:00 → 01:00.
        (LONDON, "2026-10-24 12:00", "tomorrow 1:30am", "2026-10-25 01:30+01:00"),
        (LONDON, "2026-10-24 12:00", "in 24 hours", "2026-10-25 11:00+00:00"),
        (LONDON, "2026-10-23 18:00", "monday 9am", "2026-10-26 09:00+00:00"),
        # Half-hour offset.
        (KOLKATA, THURSDAY_3PM, "4pm", "2026-03-05 16:00+05:30"),
        (KOLKATA, THURSDAY_3PM, "eod", "2026-03-05 17:00+05:30"),
        (KOLKATA, THURSDAY_3PM, "in 2 hours", "2026-03-05 17:00+05:30"),
        (KOLKATA, THURSDAY_3PM, "dec 3 2pm", "2026-12-03 14:00+05:30"),
        # Southern hemisphere: Auckland leaves DST 2026-04-05 and enters it 2026-09-27.
        (AUCKLAND, "2026-04-04 12:00", "in 1 day", "2026-04-05 12:00+12:00"),
        (AUCKLAND, "2026-04-04 12:00", "in 24 hours", "2026-04-05 11:00+12:00"),
        (AUCKLAND, "2026-04-04 12:00", "tomorrow 2:30am", "2026-04-05 02:30+13:00"),
        (AUCKLAND, "2026-09-26 12:00", "tomorrow 2:30am", "2026-09-27 03:30+13:00"),
        (AUCKLAND, "2026-09-25 18:00", "eod", "2026-09-28 17:00+13:00"),
        (AUCKLAND, "2026-12-31 18:00", "jan 2", "2027-01-02 17:00+13:00"),
        (UTC_ZONE, THURSDAY_3PM, "fri 3pm", "2026-03-06 15:00+00:00"),
        (UTC_ZONE, THURSDAY_3PM, "dec 3", "2026-12-03 17:00+00:00"),
    ],
)
def test_it_handles_zones_and_dst(zone: ZoneInfo, now: str, text: str, expected: str) -> None:
    assert ask(text, now, WorkCalendar(tz=zone)) == expected


@pytest.mark.parametrize(
    ("zone", "text", "expected"),
    [
        # 2026-03-05 20:00 UTC is already Friday morning in Auckland and Kolkata.
        (AUCKLAND, "eod", "2026-03-06 17:00+13:00"),
        (AUCKLAND, "tomorrow", "2026-03-07 17:00+13:00"),
        (KOLKATA, "today", "2026-03-06 17:00+05:30"),
        (KOLKATA, "fri", "2026-03-06 17:00+05:30"),
        (NY, "eod", "2026-03-05 17:00-05:00"),  # 15:00 in New York: still Thursday
        (NY, "4pm", "2026-03-05 16:00-05:00"),
    ],
)
def test_it_reads_today_in_the_askers_zone_whatever_zone_now_is_in(
    zone: ZoneInfo, text: str, expected: str
) -> None:
    now = datetime(2026, 3, 5, 20, 0, tzinfo=UTC)
    result = parse_when(text, now, WorkCalendar(tz=zone))
    assert result.isoformat(sep=" ", timespec="minutes") == expected


def test_it_returns_the_asked_zone_even_when_now_is_in_the_same_zone_at_a_repeat() -> None:
    """During the repeated hour, compare instants, not wall clocks."""
    second_one_thirty = datetime(2026, 11, 1, 1, 30, tzinfo=NY, fold=1)  # EST
    result = parse_when("in 10 minutes", second_one_thirty, WorkCalendar(tz=NY))
    assert result.isoformat(timespec="minutes") == "2026-11-01T01:40-05:00"


# Refusals.


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "blursday",
            "I couldn't read 'blursday' as a time. "
            "Try e.g. `tomorrow 4pm`, `fri`, `dec 3` or `in 2 hours`.",
        ),
        ("", "Say when, e.g. `tomorrow 4pm`, `fri`, `dec 3` or `in 2 hours`."),
        ("   .", "Say when, e.g. `tomorrow 4pm`, `fri`, `dec 3` or `in 2 hours`."),
        ("2025-01-01", "That time has already passed: 2025-01-01 17:00."),
        ("2025-01-03 14:00", "That time has already passed: 2025-01-03 14:00."),
        ("2026-03-05 14:00", "That time has already passed: 2026-03-05 14:00."),
        ("dec 3 2025", "That time has already passed: 2025-12-03 17:00."),
        ("0001-01-01", "That time has already passed: 0001-01-01 17:00."),
        ("in 0 minutes", "That time has already passed: 2026-03-05 15:00."),
        ("feb 30", "There's no Feb 30; check the date."),
        ("31 april", "There's no Apr 31; check the date."),
        ("2026-13-01", "There's no 2026-13-01; check the date."),
        ("2027-02-29", "There's no 2027-02-29; check the date."),
        ("feb 29 2027", "There's no 2027-02-29; check the date."),
        ("25:00", "'25:00' isn't a time of day; use e.g. `16:00` or `4pm`."),
        ("17:60", "'17:60' isn't a time of day; use e.g. `16:00` or `4pm`."),
        ("13pm", "'13pm' isn't a time of day; use e.g. `16:00` or `4pm`."),
        ("tomorrow 0am", "'0am' isn't a time of day; use e.g. `16:00` or `4pm`."),
        ("in 400 days", "That's more than a year away: 2027-04-09 15:00."),
        ("in 53 weeks", "That's more than a year away: 2027-03-11 15:00."),
        ("2030-01-01", "That's more than a year away: 2030-01-01 17:00."),
        ("in 99999999999 weeks", "That's more than a year away."),
        ("feb 29", "That's more than a year away: 2028-02-29 17:00."),
        ("in 1.5 days", "Use whole days or weeks, e.g. `in 3 days`, or hours: `in 36 hours`."),
    ],
)
def test_it_refuses_with_a_friendly_reason(text: str, message: str) -> None:
    assert refusal(text) == message


@pytest.mark.parametrize(
    "text",
    [
        "in -3 hours",
        "-3 hours",
        "yesterday",
        "last friday",
        "next",
        "4",
        "at 4",
        "12/3",  # day-first or month-first? We don't guess.
        "3/12/2026",
        "dec 3 2pm EST",  # a zone we'd silently drop
        "dec 2026",
        "in 2 months",
        "someday",
        "friday friday",
        "4pm 4pm",
        "2026-12-03 25:00:00 extra",
        "dec 3 10",  # dateutil would guess the year 2010
        "dec 3 2026 10",  # … or 10:00
        "dec 3 2026 2027",  # … or 20:27
        "dec 3 2pm 3pm",  # … or pick one of two times
        "dec 3 jan",
        "dec 3 & 4",
    ],
)
def test_it_refuses_what_it_cannot_read(text: str) -> None:
    assert refusal(text).startswith(f"I couldn't read {text!r} as a time.")


def test_it_is_a_value_error_with_a_message() -> None:
    with pytest.raises(ValueError, match="blursday"):
        parse_when("blursday", datetime(2026, 3, 5, tzinfo=UTC), WorkCalendar(tz=NY))


def test_it_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("eod", datetime(2026, 3, 5, 15), WorkCalendar(tz=NY))


# Properties.

CALENDARS = [
    WorkCalendar(tz=NY),
    WorkCalendar(tz=NY, holiday_country="US"),
    WorkCalendar(tz=LONDON, holiday_country="GB"),
    WorkCalendar(tz=KOLKATA, workdays=frozenset(range(6))),
    WorkCalendar(tz=AUCKLAND, workdays=frozenset(range(7))),
    WorkCalendar(tz=UTC_ZONE, workdays=frozenset({5, 6})),
]
ALWAYS_READABLE = [
    "4pm", "16:00", "9.30am", "noon", "eod", "end of day", "today", "tomorrow",
    "tomorrow 10am", "tomorrow eod", "friday", "fri 3pm", "next monday", "this sunday",
    "mon 9am", "in 2 hours", "in 90 minutes", "in 3 days", "in 2 weeks", "dec 3",
    "3rd of december", "dec 3 2pm", "jan 1", "dec 31 11:59pm", "eow", "next week",
    "12am", "tomorrow 2:30am", "1:30am",
]  # fmt: skip
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


def a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


@settings(max_examples=400)
@given(st.sampled_from(ALWAYS_READABLE), moments, st.sampled_from(CALENDARS))
def test_it_always_answers_in_the_future_and_within_a_year(
    text: str, now: datetime, cal: WorkCalendar
) -> None:
    result = parse_when(text, now, cal)
    assert result > now
    assert result.tzinfo is cal.tz
    assert result.date() <= a_year_after(cal.today(now))


@given(st.integers(0, 23), st.integers(0, 59), moments, st.sampled_from(CALENDARS))
def test_it_puts_a_bare_time_today_or_on_the_next_working_day(
    hour: int, minute: int, now: datetime, cal: WorkCalendar
) -> None:
    result = parse_when(f"{hour}:{minute:02d}", now, cal)
    today = cal.today(now)
    assert result.date() in (today, cal.next_working_day(today))
    if result.date() != today:
        assert cal.at(today, time(hour, minute)) <= now


@given(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), moments)
def test_it_puts_a_weekday_within_the_coming_week(weekday: str, now: datetime) -> None:
    cal = WorkCalendar(tz=NY)
    result = parse_when(weekday, now, cal)
    assert f"{result:%a}".lower() == weekday
    assert result.date() - cal.today(now) <= timedelta(days=7)


WORDS = [
    "in", "at", "on", "by", "next", "this", "the", "of", "tomorrow", "today", "eod", "fri",
    "friday", "dec", "december", "feb", "29", "30", "3rd", "2026", "2025", "-", "4pm", "16:00",
    "25:00", "noon", "2", "hours", "days", "weeks", "an", "half", "a", "1.5", "2026-12-03",
    "T", "14:00", ",", ".", "pm", "EST", "week", "end", "day", "99999", "0", "/", "12/3",
]  # fmt: skip


@settings(max_examples=500)
@given(
    st.one_of(
        st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
        st.text(max_size=30),
    ),
    moments,
    st.sampled_from(CALENDARS),
)
def test_it_only_ever_answers_a_future_time_or_a_when_error(
    text: str, now: datetime, cal: WorkCalendar
) -> None:
    try:
        result = parse_when(text, now, cal)
    except WhenError as error:
        assert error.message
    else:
        assert now < result
        assert result.date() <= a_year_after(cal.today(now))


@pytest.mark.parametrize(
    ("day", "at", "says"),
    [
        (date(9999, 12, 31), None, "more than a year away"),
        (date(2030, 1, 1), time(9), "more than a year away"),
        (date(1, 1, 1), None, "already passed"),
        (date(2026, 12, 1), time(9), "already passed"),
    ],
)
def test_a_picked_day_is_held_to_the_typed_dates_rules(
    day: date, at: time | None, says: str
) -> None:
    cal = WorkCalendar(tz=ZoneInfo("America/New_York"))
    with pytest.raises(WhenError, match=says):
        deadline_on(day, at, datetime(2026, 12, 3, 15, tzinfo=UTC), cal)


def test_a_picked_day_without_a_time_is_its_end_of_day() -> None:
    cal = WorkCalendar(tz=ZoneInfo("America/New_York"))
    due = deadline_on(date(2026, 12, 4), None, datetime(2026, 12, 3, 15, tzinfo=UTC), cal)
    assert due == datetime.combine(date(2026, 12, 4), cal.end_of_day, tzinfo=cal.tz)
