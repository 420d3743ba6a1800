"""Working days, hours, holidays, DST and business durations."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.calendar import WorkCalendar, parse_clock, parse_workdays

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
AUCKLAND = ZoneInfo("Pacific/Auckland")
UTC_ZONE = ZoneInfo("UTC")

US = WorkCalendar(tz=NY, holiday_country="US")


def local(zone: ZoneInfo, text: str) -> datetime:
    """`2026-03-05 15:00` as a wall-clock time in `zone` (first occurrence)."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def show(dt: datetime) -> str:
    """Wall clock with offset, so DST mistakes show up in assertions."""
    return dt.isoformat(sep=" ", timespec="minutes")


# parse_workdays / parse_clock


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("MON - FRI", {0, 1, 2, 3, 4}),
        ("mon,tue,thu", {0, 1, 3}),
        (" mon , tue , thu ", {0, 1, 3}),
        ("mon-sun", set(range(7))),
        ("sun-sat", set(range(7))),
        ("sat-mon", {5, 6, 0}),
        ("fri", {4}),
        ("monday-friday", {0, 1, 2, 3, 4}),
        ("mon-wed,fri", {0, 1, 2, 4}),
        ("Tues,Thurs", {1, 3}),
        ("sun-thu", {6, 0, 1, 2, 3}),
    ],
)
def test_it_parses_workdays(text: str, expected: set[int]) -> None:
    assert parse_workdays(text) == frozenset(expected)


@pytest.mark.parametrize(
    "text", ["", "funday", "mon-", "mon-tue-wed", "mon,,tue", "1-5", "weekdays"]
)
def test_it_rejects_bad_workdays_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape("use e.g. mon-fri")):
        parse_workdays(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:00", time(9)), ("9:00", time(9)), ("17:30", time(17, 30)), ("00:00", time(0))],
)
def test_it_parses_clock_times(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["25:00", "24:00", "17:60", "abc", "", "9", "-1:00", "9am"])
def test_it_rejects_bad_clock_times(text: str) -> None:
    with pytest.raises(ValueError, match="is not a time of day; use HH:MM"):
        parse_clock(text)


# Construction


def test_it_refuses_a_calendar_without_working_days() -> None:
    with pytest.raises(ValueError, match="at least one working day"):
        WorkCalendar(tz=NY, workdays=frozenset())


def test_it_refuses_a_day_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="start before it ends"):
        WorkCalendar(tz=NY, day_start=time(17), end_of_day=time(9))


def test_it_refuses_an_unknown_holiday_country_by_name() -> None:
    with pytest.raises(ValueError, match="'XX' is not a holiday calendar"):
        WorkCalendar(tz=NY, holiday_country="XX")


def test_it_accepts_holiday_country_codes_in_any_case_and_with_a_region() -> None:
    assert WorkCalendar(tz=NY, holiday_country="us").holiday_country == "US"
    scotland = WorkCalendar(tz=LONDON, holiday_country="GB-SCT")
    assert scotland.is_holiday(date(2026, 1, 2))  # a Scottish bank holiday only
    assert not WorkCalendar(tz=LONDON, holiday_country="GB-ENG").is_holiday(date(2026, 1, 2))


def test_it_builds_from_settings_text() -> None:
    cal = WorkCalendar.from_settings("Asia/Kolkata", "mon-sat", "10:00", "18:30", "IN")
    assert cal == WorkCalendar(
        tz=KOLKATA,
        workdays=frozenset(range(6)),
        day_start=time(10),
        end_of_day=time(18, 30),
        holiday_country="IN",
    )


def test_it_names_an_unknown_time_zone() -> None:
    with pytest.raises(ValueError, match="'Mars/Olympus' is not a time zone"):
        WorkCalendar.from_settings("Mars/Olympus")


def test_it_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        US.is_working_time(datetime(2026, 3, 5, 10))


# Days and holidays


@pytest.mark.parametrize(
    ("day", "holiday", "working"),
    [
        (date(2026, 12, 25), True, False),  # Christmas, a Friday
        (date(2026, 11, 26), True, False),  # Thanksgiving
        (date(2026, 11, 27), False, True),
        (date(2026, 7, 3), True, False),  # Independence Day observed (the 4th is a Saturday)
        (date(2026, 3, 7), False, False),  # Saturday
        (date(2026, 3, 9), False, True),
    ],
)
def test_it_knows_us_holidays_and_weekends(day: date, holiday: bool, working: bool) -> None:
    assert US.is_holiday(day) is holiday
    assert US.is_working_day(day) is working


def test_it_has_no_holidays_without_a_country() -> None:
    assert not WorkCalendar(tz=NY).is_holiday(date(2026, 12, 25))
    assert WorkCalendar(tz=NY).is_working_day(date(2026, 12, 25))


@pytest.mark.parametrize(
    ("cal", "day", "include", "expected"),
    [
        (US, date(2026, 3, 6), False, date(2026, 3, 9)),  # Fri → Mon
        (US, date(2026, 3, 6), True, date(2026, 3, 6)),
        (US, date(2026, 3, 7), True, date(2026, 3, 9)),  # Sat, include → Mon
        (US, date(2026, 12, 24), False, date(2026, 12, 28)),  # over Christmas
        (US, date(2026, 11, 25), False, date(2026, 11, 27)),  # over Thanksgiving
        (US, date(2026, 12, 31), False, date(2027, 1, 4)),  # over New Year and a weekend
        (
            WorkCalendar(tz=NY, workdays=frozenset(range(7))),
            date(2026, 3, 7),
            False,
            date(2026, 3, 8),
        ),
        (
            WorkCalendar(tz=NY, workdays=frozenset({1, 3})),
            date(2026, 3, 5),
            False,
            date(2026, 3, 10),
        ),
    ],
)
def test_it_finds_the_next_working_day(
    cal: WorkCalendar, day: date, include: bool, expected: date
) -> None:
    assert cal.next_working_day(day, include=include) == expected


# Wall-clock times and DST


@pytest.mark.parametrize(
    ("zone", "day", "clock", "expected"),
    [
        # US spring forward 2026-03-08 02:00 → 03:00: the gap moves forward.
        (NY, date(2026, 3, 8), time(2, 30), "2026-03-08 03:30-04:00"),
        (NY, date(2026, 3, 8), time(1, 59), "2026-03-08 01:59-05:00"),
        (NY, date(2026, 3, 8), time(3, 0), "2026-03-08 03:00-04:00"),
        # US fall back 2026-11-01: 01:00-02:00 happens twice; the first (EDT) wins.
        (NY, date(2026, 11, 1), time(1, 30), "2026-11-01 01:30-04:00"),
        (NY, date(2026, 11, 1), time(17), "2026-11-01 17:00-05:00"),
        # EU 2026-03-29 01:00 → 02:00 and 2026-10-25 02:00 → 01:00 in London.
        (LONDON, date(2026, 3, 29), time(1, 30), "2026-03-29 02:30+01:00"),
        (LONDON, date(2026, 10, 25), time(1, 30), "2026-10-25 01:30+01:00"),
        (LONDON, date(2026, 10, 25), time(9), "2026-10-25 09:00+00:00"),
        # Southern DST: Auckland ends 2026-04-05 03:00 → 02:00, starts 2026-09-27 02:00 → 03:00.
        (AUCKLAND, date(2026, 4, 5), time(2, 30), "2026-04-05 02:30+13:00"),
        (AUCKLAND, date(2026, 4, 5), time(9), "2026-04-05 09:00+12:00"),
        (AUCKLAND, date(2026, 9, 27), time(2, 30), "2026-09-27 03:30+13:00"),
        (KOLKATA, date(2026, 3, 5), time(17), "2026-03-05 17:00+05:30"),
        (UTC_ZONE, date(2026, 3, 5), time(17), "2026-03-05 17:00+00:00"),
    ],
)
def test_it_builds_wall_clock_times_across_dst(
    zone: ZoneInfo, day: date, clock: time, expected: str
) -> None:
    result = WorkCalendar(tz=zone).at(day, clock)
    assert show(result) == expected
    assert result.tzinfo is zone


def test_it_gives_the_end_of_day_in_local_time() -> None:
    cal = WorkCalendar(tz=KOLKATA, end_of_day=time(18, 30))
    assert cal.end_of_day_on(date(2026, 3, 5)) == datetime(2026, 3, 5, 13, 0, tzinfo=UTC)
    assert show(cal.start_of_day_on(date(2026, 3, 5))) == "2026-03-05 09:00+05:30"


def test_it_reads_today_in_its_own_zone() -> None:
    now = datetime(2026, 3, 5, 20, 0, tzinfo=UTC)
    assert WorkCalendar(tz=AUCKLAND).today(now) == date(2026, 3, 6)
    assert WorkCalendar(tz=NY).today(now) == date(2026, 3, 5)
    assert show(WorkCalendar(tz=KOLKATA).local(now)) == "2026-03-06 01:30+05:30"


# Working time


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        ("2026-03-05 09:00", True),
        ("2026-03-05 08:59", False),
        ("2026-03-05 16:59", True),
        ("2026-03-05 17:00", False),
        ("2026-03-07 12:00", False),  # Saturday
        ("2026-11-26 12:00", False),  # Thanksgiving
    ],
)
def test_it_knows_working_time(moment: str, working: bool) -> None:
    assert US.is_working_time(local(NY, moment)) is working


def test_it_knows_working_time_given_any_zone() -> None:
    assert US.is_working_time(datetime(2026, 3, 5, 14, 0, tzinfo=UTC))  # 09:00 EST
    assert not US.is_working_time(datetime(2026, 3, 5, 22, 0, tzinfo=UTC))  # 17:00 EST


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-03-05 10:15", "2026-03-05 10:15-05:00"),  # already working
        ("2026-03-05 07:00", "2026-03-05 09:00-05:00"),  # before the day starts
        ("2026-03-05 17:00", "2026-03-06 09:00-05:00"),  # at end of day
        ("2026-03-06 18:00", "2026-03-09 09:00-04:00"),  # Friday evening, over DST weekend
        ("2026-11-25 18:00", "2026-11-27 09:00-05:00"),  # over Thanksgiving
        ("2026-12-24 23:59", "2026-12-28 09:00-05:00"),  # over Christmas and a weekend
    ],
)
def test_it_finds_the_next_working_start(moment: str, expected: str) -> None:
    assert show(US.next_working_start(local(NY, moment))) == expected


@pytest.mark.parametrize(
    ("start", "delta", "expected"),
    [
        ("2026-03-05 16:30", timedelta(hours=2), "2026-03-06 10:30-05:00"),
        ("2026-03-05 15:00", timedelta(hours=1), "2026-03-05 16:00-05:00"),
        ("2026-03-05 15:00", timedelta(hours=2), "2026-03-05 17:00-05:00"),  # ends at EOD
        ("2026-03-05 15:00", timedelta(0), "2026-03-05 15:00-05:00"),
        ("2026-03-07 11:00", timedelta(0), "2026-03-09 09:00-04:00"),  # Saturday
        ("2026-03-06 16:00", timedelta(hours=2), "2026-03-09 10:00-04:00"),  # over DST
        ("2026-03-06 09:00", timedelta(hours=9), "2026-03-09 10:00-04:00"),
        ("2026-11-25 16:00", timedelta(hours=3), "2026-11-27 11:00-05:00"),  # Thanksgiving
        ("2026-03-05 20:00", timedelta(hours=16), "2026-03-09 17:00-04:00"),
        ("2026-03-02 09:00", timedelta(hours=40), "2026-03-06 17:00-05:00"),  # one week
    ],
)
def test_it_adds_working_time(start: str, delta: timedelta, expected: str) -> None:
    assert show(US.add_working_time(local(NY, start), delta)) == expected


def test_it_counts_half_hour_zones_and_seven_day_weeks() -> None:
    cal = WorkCalendar(tz=KOLKATA, workdays=frozenset(range(7)))
    start = datetime(2026, 3, 7, 11, 0, tzinfo=UTC)  # Saturday 16:30 IST
    assert show(cal.add_working_time(start, timedelta(hours=2))) == "2026-03-08 10:30+05:30"


def test_it_refuses_negative_working_time() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        US.add_working_time(local(NY, "2026-03-05 10:00"), timedelta(hours=-1))


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-03-06 10:00", 2, "2026-03-10 10:00-04:00"),  # Fri → Tue, over DST
        ("2026-03-06 20:00", 1, "2026-03-09 17:00-04:00"),  # clamped to end of day
        ("2026-03-05 07:00", 1, "2026-03-06 09:00-05:00"),  # clamped to day start
        ("2026-03-07 07:00", 0, "2026-03-09 09:00-04:00"),  # Saturday, no days
        ("2026-03-05 11:00", 0, "2026-03-05 11:00-05:00"),
        ("2026-12-23 14:00", 2, "2026-12-28 14:00-05:00"),  # over Christmas
        ("2026-10-30 10:00", 1, "2026-11-02 10:00-05:00"),  # over the fall-back weekend
    ],
)
def test_it_adds_working_days(start: str, days: int, expected: str) -> None:
    assert show(US.add_working_days(local(NY, start), days)) == expected


def test_it_refuses_negative_working_days() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        US.add_working_days(local(NY, "2026-03-05 10:00"), -1)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2026-03-05 10:00", "2026-03-05 12:30", timedelta(hours=2, minutes=30)),
        ("2026-03-05 16:00", "2026-03-06 10:00", timedelta(hours=2)),
        ("2026-03-05 18:00", "2026-03-06 08:00", timedelta(0)),
        ("2026-03-06 16:00", "2026-03-09 10:00", timedelta(hours=2)),  # weekend + DST
        ("2026-11-25 09:00", "2026-11-27 17:00", timedelta(hours=16)),  # Thanksgiving
        ("2026-03-02 00:00", "2026-03-09 00:00", timedelta(hours=40)),
        ("2026-03-06 10:00", "2026-03-05 10:00", -timedelta(hours=8)),
    ],
)
def test_it_measures_working_time_between(a: str, b: str, expected: timedelta) -> None:
    assert US.working_time_between(local(NY, a), local(NY, b)) == expected


def test_it_measures_real_hours_on_a_dst_day() -> None:
    """A 24-hour working day is 23 real hours on spring-forward day."""
    cal = WorkCalendar(
        tz=NY, workdays=frozenset(range(7)), day_start=time(0), end_of_day=time(23, 59)
    )
    day_start = cal.start_of_day_on(date(2026, 3, 8))
    day_end = cal.end_of_day_on(date(2026, 3, 8))
    assert cal.working_time_between(day_start, day_end) == timedelta(hours=22, minutes=59)


# Properties

CALENDARS = [
    US,
    WorkCalendar(tz=LONDON, holiday_country="GB"),
    WorkCalendar(tz=KOLKATA, day_start=time(10), end_of_day=time(18, 30)),
    WorkCalendar(tz=AUCKLAND, workdays=frozenset({0, 1, 3})),
    WorkCalendar(
        tz=UTC_ZONE, workdays=frozenset(range(7)), day_start=time(0), end_of_day=time(23, 59)
    ),
    # Working hours that span the DST switches, every day.
    WorkCalendar(tz=NY, workdays=frozenset(range(7)), day_start=time(1), end_of_day=time(3)),
]
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
business_deltas = st.integers(min_value=0, max_value=200 * 60).map(lambda m: timedelta(minutes=m))


@settings(max_examples=300)
@given(st.sampled_from(CALENDARS), moments, business_deltas)
def test_it_adds_working_time_that_measures_back_exactly(
    cal: WorkCalendar, start: datetime, delta: timedelta
) -> None:
    result = cal.add_working_time(start, delta)
    day = cal.today(result)
    assert cal.is_working_time(result) or (
        cal.is_working_day(day) and result == cal.end_of_day_on(day)
    )
    assert cal.working_time_between(start, result) == delta
    assert result >= start


@given(st.sampled_from(CALENDARS), moments, moments)
def test_it_never_counts_more_working_time_than_real_time(
    cal: WorkCalendar, a: datetime, b: datetime
) -> None:
    between = cal.working_time_between(a, b)
    assert abs(between) <= abs(b - a)
    assert cal.working_time_between(b, a) == -between


@given(st.sampled_from(CALENDARS), moments)
def test_it_finds_a_working_start_that_is_working_time(cal: WorkCalendar, moment: datetime) -> None:
    start = cal.next_working_start(moment)
    assert start >= moment
    assert cal.is_working_time(start)
    assert start.tzinfo is cal.tz


@given(st.sampled_from(CALENDARS), moments, st.integers(min_value=0, max_value=30))
def test_it_adds_working_days_onto_working_days(
    cal: WorkCalendar, start: datetime, days: int
) -> None:
    result = cal.add_working_days(start, days)
    assert cal.is_working_day(cal.today(result))
    assert cal.start_of_day_on(cal.today(result)) <= result <= cal.end_of_day_on(cal.today(result))
