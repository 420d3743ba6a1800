"""Working days, working hours, holidays and business durations in one time zone.

Pure: every function takes the moment it reasons about; nothing reads the clock.

DST rules, in one place (`WorkCalendar.at`): wall-clock times are built with
`datetime.combine(date, time, tzinfo=tz)` with `fold=0` and normalised by a round trip
through UTC. So a time that does not exist (the spring-forward gap, e.g. 02:30 on
2026-03-08 in New York) moves forward by the gap (03:30 EDT), and an ambiguous time
(the fall-back repeat, e.g. 01:30 on 2026-11-01) means its first occurrence (EDT).
All arithmetic and comparisons happen in UTC: Python compares and subtracts two
datetimes that share a tzinfo by their wall-clock fields, which is wrong across DST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Longer spellings people type in PROMISE_WORKDAYS; the first three letters are the key.
_DAY_ALIASES = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    **{
        name: i
        for i, names in enumerate(
            (
                ("monday",),
                ("tues", "tuesday"),
                ("weds", "wednesday"),
                ("thur", "thurs", "thursday"),
                ("friday",),
                ("saturday",),
                ("sunday",),
            )
        )
        for name in names
    },
}
_WORKDAYS_HINT = "use e.g. mon-fri, mon,tue,thu or mon-sun"
_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
# A year of days is more than any real holiday calendar can swallow; loops stop there.
_SEARCH_DAYS = 400
_MON_TO_FRI = frozenset(range(5))
_MAX_WORKING_DAYS = 100_000


def parse_workdays(text: str) -> frozenset[int]:
    """Read `mon-fri`, `mon,tue,thu`, `mon-sun` or a wrapping range like `sat-mon`.

    Returns weekday numbers (0 = Monday), the form `date.weekday()` gives.
    """
    days: set[int] = set()
    for part in text.lower().split(","):
        ends = [_weekday_number(end.strip(), text) for end in part.split("-")]
        if len(ends) == 1:
            days.add(ends[0])
        elif len(ends) == 2:
            first, last = ends
            days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
        else:
            raise ValueError(f"{text!r} is not a list of working days; {_WORKDAYS_HINT}")
    return frozenset(days)


def _weekday_number(name: str, text: str) -> int:
    """One day name → 0..6, or a ValueError that quotes the whole setting."""
    try:
        return _DAY_ALIASES[name]
    except KeyError:
        raise ValueError(
            f"{text!r} is not a list of working days ({name!r} is not a day); {_WORKDAYS_HINT}"
        ) from None


def parse_clock(text: str) -> time:
    """Read a 24-hour `HH:MM` such as `09:00`, `9:00` or `17:30`."""
    match = _CLOCK_RE.match(text.strip())
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(f"{text!r} is not a time of day; use HH:MM, e.g. 09:00 or 17:30")


@lru_cache(maxsize=256)
def _holidays_for(country: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    """The holiday table for one country and year; built once, since building is slow."""
    return holidays.country_holidays(country, subdiv=subdivision, years=year)


def _split_country(code: str) -> tuple[str, str | None]:
    """`US` → (`US`, None); `GB-SCT` → (`GB`, `SCT`) for regional calendars."""
    country, _, subdivision = code.partition("-")
    return country, subdivision or None


def _utc(dt: datetime) -> datetime:
    """The same instant in UTC; refuses naive datetimes, whose instant is unknown."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {dt!r}")
    return dt.astimezone(UTC)


@dataclass(frozen=True)
class WorkCalendar:
    """One person's (or workspace's) working week in their time zone."""

    tz: ZoneInfo
    workdays: frozenset[int] = _MON_TO_FRI  # 0 = Monday
    day_start: time = time(9)
    end_of_day: time = time(17)
    holiday_country: str | None = None

    def __post_init__(self) -> None:
        """Refuse calendars that would make day searches loop forever or mean nothing."""
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        if not self.workdays:
            raise ValueError("a work calendar needs at least one working day, e.g. mon-fri")
        if not self.workdays <= frozenset(range(7)):
            raise ValueError(f"working days must be 0 (Monday) to 6, got {sorted(self.workdays)}")
        if self.day_start >= self.end_of_day:
            raise ValueError(
                f"the day must start before it ends: {self.day_start:%H:%M} is not before "
                f"{self.end_of_day:%H:%M}"
            )
        if self.holiday_country is not None:
            code = self.holiday_country.strip().upper()
            object.__setattr__(self, "holiday_country", code or None)
            if code:
                try:
                    holidays.country_holidays(*_split_country(code))
                except NotImplementedError:
                    raise ValueError(
                        f"{self.holiday_country!r} is not a holiday calendar we know; "
                        "use a country code such as US, GB or DE"
                    ) from None

    @classmethod
    def from_settings(
        cls,
        tz: str = "UTC",
        workdays: str = "mon-fri",
        day_start: str = "09:00",
        end_of_day: str = "17:00",
        holiday_country: str | None = None,
    ) -> WorkCalendar:
        """Build from the text form settings use (`PROMISE_TIMEZONE`, `PROMISE_WORKDAYS`, …)."""
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{tz!r} is not a time zone; use e.g. UTC or Europe/London") from None
        return cls(
            tz=zone,
            workdays=parse_workdays(workdays),
            day_start=parse_clock(day_start),
            end_of_day=parse_clock(end_of_day),
            holiday_country=holiday_country or None,
        )

    # Days

    def is_holiday(self, d: date) -> bool:
        """Whether `d` is a public holiday (observed days included) in the chosen country."""
        if not self.holiday_country:
            return False
        country, subdivision = _split_country(self.holiday_country)
        return d in _holidays_for(country, subdivision, d.year)

    def is_working_day(self, d: date) -> bool:
        """A working weekday that is not a holiday."""
        return d.weekday() in self.workdays and not self.is_holiday(d)

    def next_working_day(self, d: date, *, include: bool = False) -> date:
        """The first working day after `d` (or `d` itself when `include` and it works)."""
        day = d if include else d + timedelta(days=1)
        for _ in range(_SEARCH_DAYS):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no working day within {_SEARCH_DAYS} days of {d}")

    # Moments

    def local(self, dt: datetime) -> datetime:
        """The same instant on this calendar's wall clock."""
        return _utc(dt).astimezone(self.tz)

    def today(self, now: datetime) -> date:
        """The local date at `now`."""
        return self.local(now).date()

    def at(self, d: date, t: time) -> datetime:
        """Wall-clock `t` on `d` here; gaps move forward, repeats take the first (see top)."""
        wall = datetime.combine(d, t.replace(tzinfo=None, fold=0), tzinfo=self.tz)
        return wall.astimezone(UTC).astimezone(self.tz)

    def start_of_day_on(self, d: date) -> datetime:
        """When work starts on `d` (whether or not `d` is a working day)."""
        return self.at(d, self.day_start)

    def end_of_day_on(self, d: date) -> datetime:
        """The end of day on `d` (whether or not `d` is a working day)."""
        return self.at(d, self.end_of_day)

    def is_working_time(self, dt: datetime) -> bool:
        """Inside working hours on a working day: day start ≤ dt < end of day."""
        day = self.today(dt)
        return self.is_working_day(day) and _utc(self.start_of_day_on(day)) <= _utc(dt) < _utc(
            self.end_of_day_on(day)
        )

    def next_working_start(self, dt: datetime) -> datetime:
        """`dt` itself if in working time, else the next start of a working day."""
        if self.is_working_time(dt):
            return self.local(dt)
        day = self.today(dt)
        if self.is_working_day(day) and _utc(dt) < _utc(self.start_of_day_on(day)):
            return self.start_of_day_on(day)
        return self.start_of_day_on(self.next_working_day(day))

    # Business durations

    def add_working_time(self, start: datetime, delta: timedelta) -> datetime:
        """The moment `delta` of working time after `start` (2 h from 16:30 → 10:30 next day).

        A result that uses up a day exactly is that day's end of day, not the next morning.
        """
        if delta < timedelta(0):
            raise ValueError(f"working time to add must not be negative, got {delta}")
        cursor = _utc(self.next_working_start(start))
        left = delta
        for _ in range(_MAX_WORKING_DAYS):
            day = self.today(cursor)
            room = max(_utc(self.end_of_day_on(day)) - cursor, timedelta(0))
            if left <= room:
                return self.local(cursor + left)
            left -= room
            cursor = _utc(self.start_of_day_on(self.next_working_day(day)))
        raise ValueError(f"{delta} of working time is too far ahead to count")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """`days` working days after `start`, at the same wall-clock time clamped into
        working hours (before day start → day start, after end of day → end of day).

        `days=0` means the same day if it is a working day, else the next one.
        """
        if days < 0:
            raise ValueError(f"working days to add must not be negative, got {days}")
        local = self.local(start)
        day = self.next_working_day(local.date(), include=True) if days == 0 else local.date()
        for _ in range(days):
            day = self.next_working_day(day)
        clock = min(max(local.time(), self.day_start), self.end_of_day)
        # A clock inside a DST gap moves forward, possibly past the end of day: clamp again.
        return min(self.at(day, clock), self.end_of_day_on(day), key=_utc)

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from `a` to `b` (negative when `b` is earlier), for SLA maths."""
        start, end = _utc(a), _utc(b)
        if end < start:
            return -self.working_time_between(b, a)
        total = timedelta(0)
        day, last = self.today(start), self.today(end)
        while day <= last:
            if self.is_working_day(day):
                low = max(start, _utc(self.start_of_day_on(day)))
                high = min(end, _utc(self.end_of_day_on(day)))
                total += max(high - low, timedelta(0))
            day += timedelta(days=1)
        return total
