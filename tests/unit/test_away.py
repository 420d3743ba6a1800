"""Away coverage rules: away-like statuses, the span `away FROM to UNTIL` names, and when
the coverage DM goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.calendar import WorkCalendar
from bot.core.coverage import (
    SpanError,
    coverage_moment,
    is_away_status,
    read_span,
    split_span,
    status_span,
)

NY = ZoneInfo("America/New_York")
CAL = WorkCalendar(tz=NY)
US_CAL = WorkCalendar(tz=NY, holiday_country="US")
# Tuesday 1 December 2026, 10:00 in New York.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=NY)


def ny(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY).astimezone(UTC)


# -- statuses


@pytest.mark.parametrize(
    ("text", "emoji"),
    [
        ("Vacationing", ":palm_tree:"),  # Slack's preset
        ("Out sick", ":face_with_thermometer:"),  # Slack's preset
        ("", ":palm_tree::skin-tone-3:"),
        ("", ":desert_island:"),
        ("Flying to Lisbon", ":airplane:"),
        ("On vacation, back Jan 4", ""),
        ("OOO until Monday", ":calendar:"),
        ("Out of the office", ""),
        ("PTO", ""),
        ("on parental leave", ""),
        ("Holiday!", ""),
        ("away until the 4th", ""),
    ],
)
def test_it_recognises_away_statuses(text: str, emoji: str) -> None:
    assert is_away_status(text, emoji)


@pytest.mark.parametrize(
    ("text", "emoji"),
    [
        ("Working remotely", ":house_with_garden:"),  # Slack's preset: working, not away
        ("In a meeting", ":spiral_calendar_pad:"),
        ("Commuting", ":bus:"),
        ("Focusing", ":headphones:"),
        ("away from my desk", ""),
        ("", ""),
        ("Looking at the woods", ":deciduous_tree:"),
    ],
)
def test_it_leaves_working_statuses_alone(text: str, emoji: str) -> None:
    assert not is_away_status(text, emoji)


def test_an_away_status_with_an_expiry_is_an_absence_from_now_until_it_expires() -> None:
    expires = ny(12, 24, 23, 59)
    assert status_span("Vacationing", ":palm_tree:", int(expires.timestamp()), NOW) == (
        NOW.astimezone(UTC),
        expires,
    )


@pytest.mark.parametrize(
    ("text", "emoji", "expires"),
    [
        ("Vacationing", ":palm_tree:", 0),  # no expiry: we can't tell when they are back
        ("Vacationing", ":palm_tree:", int(ny(11, 30).timestamp())),  # already over
        ("In a meeting", ":calendar:", int(ny(12, 1, 11).timestamp())),  # not away
    ],
)
def test_other_statuses_are_no_absence(text: str, emoji: str, expires: int) -> None:
    assert status_span(text, emoji, expires, NOW) is None


# -- `away FROM to UNTIL`


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dec 22 to jan 2", ("dec 22", "jan 2")),
        ("from dec 22 to jan 2", ("dec 22", "jan 2")),
        ("tomorrow TO fri", ("tomorrow", "fri")),
        ("2026-12-22 - 2027-01-02", ("2026-12-22", "2027-01-02")),
        ("tomorrow through monday", ("tomorrow", "monday")),
        ("dec 22", None),
    ],
)
def test_it_splits_from_and_until(text: str, expected: tuple[str, str] | None) -> None:
    assert split_span(text) == expected


def test_days_without_a_time_are_whole_days() -> None:
    start, end = read_span("dec 22", "jan 2", NOW, CAL)
    assert start == ny(12, 22)  # from the first day's start
    assert end == ny(1, 3, year=2027)  # to the end of the last day: an 18:00 item counts


def test_times_are_taken_as_given() -> None:
    start, end = read_span("tomorrow 2pm", "fri noon", NOW, CAL)
    assert (start, end) == (ny(12, 2, 14), ny(12, 4, 12))


def test_today_and_now_start_at_once() -> None:
    assert read_span("today", "fri", NOW, CAL) == (ny(12, 1), ny(12, 5))
    assert read_span("now", "today", NOW, CAL) == (NOW.astimezone(UTC), ny(12, 2))


def test_a_day_under_way_is_still_that_day_after_its_end_of_day() -> None:
    evening = ny(12, 1, 19)  # past the end of day, when `dec 1` as a deadline is next year's
    assert read_span("dec 1", "dec 3", evening, CAL) == (ny(12, 1), ny(12, 4))
    assert read_span("today", "tomorrow", evening, CAL) == (ny(12, 1), ny(12, 3))


def test_relative_days_are_whole_days_and_hours_are_moments() -> None:
    assert read_span("in 2 days", "in 3 days", NOW, CAL) == (ny(12, 3), ny(12, 5))
    assert read_span("in 2 hours", "in 5 hours", NOW, CAL) == (ny(12, 1, 12), ny(12, 1, 15))


def test_the_span_is_read_in_the_askers_time_zone() -> None:
    london = WorkCalendar(tz=ZoneInfo("Europe/London"))
    start, _ = read_span("dec 22", "dec 23", NOW, london)
    assert start == datetime(2026, 12, 22, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    ("start", "until", "says"),
    [
        ("fri", "wed", "must end after it starts"),  # fri Dec 4, wed Dec 2
        ("nov 30", "dec 5", "must end after it starts"),  # nov 30 has passed: next year's
        ("2026-11-20", "2026-11-25", "already passed"),
        ("blursday", "fri", "couldn't read 'blursday'"),
        ("tomorrow", "2028-01-01", "more than a year away"),
    ],
)
def test_it_refuses_spans_it_cannot_use(start: str, until: str, says: str) -> None:
    with pytest.raises(SpanError) as e:
        read_span(start, until, NOW, CAL)
    assert says in e.value.message


# -- when the coverage DM goes


def test_the_dm_goes_an_hour_into_the_working_day_before() -> None:
    assert coverage_moment(ny(12, 22), NOW, CAL) == ny(12, 21, 10)  # Monday for Tuesday


def test_an_absence_starting_monday_is_announced_on_friday() -> None:
    assert coverage_moment(ny(12, 14), NOW, CAL) == ny(12, 11, 10)


def test_holidays_are_skipped_back() -> None:
    # Friday Dec 25 is Christmas: an absence from Monday Dec 28 hears on Thursday Dec 24.
    assert coverage_moment(ny(12, 28), NOW, US_CAL) == ny(12, 24, 10)


def test_tomorrows_absence_recorded_tonight_hears_tonight() -> None:
    evening = ny(12, 1, 20)
    assert coverage_moment(ny(12, 2), evening, CAL) == evening


def test_an_absence_starting_now_hears_now() -> None:
    assert coverage_moment(NOW, NOW, CAL) == NOW.astimezone(UTC)


def test_a_one_hour_day_still_hears_before_its_end() -> None:
    short = WorkCalendar(
        tz=NY,
        day_start=datetime(2000, 1, 1, 9).time(),
        end_of_day=datetime(2000, 1, 1, 9, 30).time(),
    )
    assert coverage_moment(ny(12, 22), NOW, short) == ny(12, 21, 9, 30)


@given(
    start_in=st.integers(min_value=0, max_value=60 * 24 * 60),
    now_in=st.integers(min_value=0, max_value=60 * 24 * 60),
)
def test_the_dm_never_goes_before_now_nor_after_a_future_start(start_in: int, now_in: int) -> None:
    now = NOW + timedelta(minutes=now_in)
    start = NOW + timedelta(minutes=start_in)
    at = coverage_moment(start, now, CAL)
    assert at >= now
    if start > now:
        assert at < start or at == now
