"""When digests fire: crontab lines read in the workspace's time zone.

APScheduler 3 provides the cron arithmetic (it holds no state here: the outbox rows are the
schedule). One trap is handled on the way in: APScheduler numbers weekdays from Monday = 0,
while crontab numbers them from Sunday = 0 (7 is Sunday too), so `30 16 * * 1-5` would fire
Tuesday to Saturday. Numeric day-of-week fields are rewritten into weekday names first.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache

from apscheduler.triggers.cron import CronTrigger

_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_BY_WEEKDAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
_TINY = timedelta(microseconds=1)
_MAX_STEPS = 50_000  # fire times walked to find a previous one (a minutely cron for a month)


def default_daily(end_of_day: time, workdays: frozenset[int]) -> str:
    """End of day on working days (weekday numbers as `date.weekday()` gives them)."""
    days = ",".join(_BY_WEEKDAY[d] for d in sorted(workdays)) or "mon-fri"
    return f"{end_of_day.minute} {end_of_day.hour} * * {days}"


def default_weekly(end_of_day: time) -> str:
    """Friday at end of day."""
    return f"{end_of_day.minute} {end_of_day.hour} * * fri"


def standard_weekdays(field: str) -> str:
    """A crontab day-of-week field with its numbers (0 or 7 = Sunday) spelled as names.

    Names pass through; `*` stays `*`; `1-5`, `0,6`, `*/2` and `1-5/2` are expanded.
    """
    if field == "*" or not any(ch.isdigit() for ch in field):
        return field
    out: list[str] = []
    for part in field.split(","):
        if any(ch.isalpha() for ch in part):
            out.append(part)
            continue
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"step {step_text!r} in day of week must be at least 1")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            a, b = span.split("-", 1)
            first, last = int(a), int(b)
        else:
            first = int(span)
            last = 6 if step_text else first
        if not (0 <= first <= 7 and 0 <= last <= 7) or first > last:
            raise ValueError(f"day of week {part!r} is out of range (0-7, 0 and 7 = Sunday)")
        out.extend(_NAMES[d % 7] for d in range(first, last + 1, step))
    return ",".join(dict.fromkeys(out))


@lru_cache(maxsize=256)
def trigger(line: str, tz: str) -> CronTrigger:
    """A CronTrigger for a standard 5-field crontab line in the time zone `tz`."""
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(
            f"{line!r} is not a crontab line (5 fields: minute hour day month weekday)"
        )
    fields[4] = standard_weekdays(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=tz)


def next_fire(line: str, tz: str, after: datetime) -> datetime | None:
    """The first fire time strictly after `after` (None if the line never fires again)."""
    return trigger(line, tz).get_next_fire_time(None, after + _TINY)


def is_fire_time(line: str, tz: str, at: datetime) -> bool:
    """Whether the line fires at exactly `at` (a queued digest still matches the schedule)."""
    found = next_fire(line, tz, at - timedelta(seconds=1))
    return found is not None and found == at


def previous_fire(
    line: str, tz: str, at_or_before: datetime, lookback: timedelta
) -> datetime | None:
    """The latest fire time at or before `at_or_before`, looking back at most `lookback`."""
    found: datetime | None = None
    cursor = at_or_before - lookback
    for _ in range(_MAX_STEPS):
        following = next_fire(line, tz, cursor)
        if following is None or following > at_or_before:
            return found
        found = cursor = following
    return found
