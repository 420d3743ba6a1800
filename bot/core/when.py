"""Read the WHEN of `/promise … by WHEN` into an aware deadline.

A closed vocabulary, read with a table of patterns rather than a general date parser
(dateparser returns past times for `4pm`, knows no `EOD` and guesses months). The text is
split into a day part and an optional time part (`fri 3pm`, `3pm fri`, `fri at 3pm`);
the day part picks a rule from `_DAY_RULES`, which decides the date. Relative phrases
(`in 2 hours`) are read whole. Rules of the contract:

- a day without a time means that day's end of day;
- a time already past today means the next working day;
- a weekday name means the next such day (today if it is today and the time is ahead);
- a date given explicitly is taken as given, even on a non-working day;
- a month and day already past this year mean next year; a full date in the past is refused;
- results must be in the future and at most a year away.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil import parser as _dateutil_parser

from bot.core.calendar import WorkCalendar

EXAMPLES = "`tomorrow 4pm`, `fri`, `dec 3` or `in 2 hours`"

# A time of day, or None for "that day's end of day" (`eod`, or no time at all).
Clock = time | None


class WhenError(ValueError):
    """A WHEN we can't use; `message` (and `str()`) is a sentence to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Vocabulary

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
_LONGEST_MONTH = {
    month: 29 if month == 2 else _stdlib_calendar.monthrange(2001, month)[1]
    for month in range(1, 13)
}


def _one_of(words: dict[str, int]) -> str:
    """A regex alternation, longest words first so `fri` doesn't eat `friday`."""
    return "|".join(sorted(words, key=len, reverse=True))


_MONTH = rf"(?P<month>{_one_of(_MONTHS)})"
_WEEKDAY = rf"(?P<weekday>{_one_of(_WEEKDAYS)})"
_DAY_NUMBER = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:\s+(?P<year>\d{4}))?"
_EOD_WORDS = r"eod|cob|end of (?:the )?(?:business )?day|close of business|end of business"
_TIME = (
    rf"(?:{_EOD_WORDS}|noon|midday"
    r"|\d{1,2}(?:[:.]\d{2})?\s*[ap]m|\d{1,2}:\d{2}(?::\d{2})?)"
)
_TIME_RE = re.compile(
    rf"(?P<eod>{_EOD_WORDS})|(?P<noon>noon|midday)"
    r"|(?P<h12>\d{1,2})(?:[:.](?P<m12>\d{2}))?\s*(?P<ampm>[ap]m)"
    r"|(?P<h24>\d{1,2}):(?P<m24>\d{2})(?::(?P<s24>\d{2}))?"
)

# Ways to split a text into day and time, tried in order (each must match the whole text).
_SPLITS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"(?P<day>.+?)\s+(?:(?:at|@)\s*)?(?P<time>{_TIME})",  # fri 3pm, dec 3 at 14:00
        rf"(?P<time>{_TIME})\s+(?:on\s+)?(?P<day>.+)",  # 3pm fri, eod on friday
        rf"(?P<time>{_TIME})",  # 4pm, eod
        r"(?P<day>.+)",  # tomorrow, dec 3
    )
)


# Reading the text


@dataclass(frozen=True)
class _Context:
    """What every rule needs: the moment of asking and the asker's calendar."""

    now: datetime  # UTC
    cal: WorkCalendar
    today: date

    def on(self, day: date, clock: Clock) -> datetime:
        """The deadline on `day`: at `clock`, or that day's end of day."""
        return self.cal.end_of_day_on(day) if clock is None else self.cal.at(day, clock)

    def ahead(self, moment: datetime) -> bool:
        """Strictly after now (compared in UTC; same-zone comparisons ignore DST)."""
        return moment.astimezone(UTC) > self.now


def parse_when(text: str, now: datetime, cal: WorkCalendar) -> datetime:
    """The deadline `text` names, as an aware datetime in `cal.tz`, or a WhenError.

    `now` is the moment of asking (aware, any zone); the result is strictly after it and
    no more than a year away.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("parse_when needs an aware `now`")
    ctx = _Context(now=now.astimezone(UTC), cal=cal, today=cal.today(now))
    cleaned = _normalise(text)
    if not cleaned:
        raise WhenError(f"Say when, e.g. {EXAMPLES}.")
    try:
        result = _read(cleaned, ctx)
    except OverflowError:
        raise WhenError("That's more than a year away.") from None
    if result is None:
        raise WhenError(f"I couldn't read {text.strip()!r} as a time. Try e.g. {EXAMPLES}.")
    return _checked(result, ctx)


def deadline_on(day: date, at: time | None, now: datetime, cal: WorkCalendar) -> datetime:
    """A day (and time) picked in a form, held to the same rules as a typed full date:
    in the future and at most a year away; no time means that day's end of day."""
    ctx = _Context(now=now.astimezone(UTC), cal=cal, today=cal.today(now))
    return _checked(_on_full_date(ctx, day.year, day.month, day.day, at), ctx)


def _normalise(text: str) -> str:
    """Lower-case, single spaces, no commas or trailing full stop, `p.m.` → `pm`."""
    text = text.lower().replace("a.m.", "am").replace("p.m.", "pm").replace(",", " ")
    text = re.sub(r"(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", text)  # ISO 2026-12-03T14:00
    text = re.sub(r"(?<=[a-z])\.(?=\s|$)", "", text)  # dec. 3, friday.
    text = " ".join(text.split()).rstrip(".!").strip()
    return re.sub(r"^(?:by|due|on|at|before)\s+", "", text)


def _read(text: str, ctx: _Context) -> datetime | None:
    """Try the whole-text rules, then each day/time split against the day rules."""
    for pattern, whole_rule in _WHOLE_RULES:
        match = pattern.fullmatch(text)
        if match:
            return whole_rule(match, ctx)
    for split in _SPLITS:
        parts = split.fullmatch(text)
        if parts is None:
            continue
        day_text, time_text = parts.groupdict().get("day") or "", parts.groupdict().get("time")
        for pattern, day_rule in _DAY_RULES:
            match = pattern.fullmatch(day_text)
            if match:
                return day_rule(match, ctx, _parse_clock(time_text))
    return _fallback(text, ctx)


def _parse_clock(text: str | None) -> Clock:
    """`4pm`, `4:30 pm`, `9.30am`, `16:00`, `noon` → a time; `eod` or nothing → None."""
    match = _TIME_RE.fullmatch(text) if text else None
    if match is None or match["eod"]:
        return None
    if match["noon"]:
        return time(12)
    if match["ampm"]:
        hour, minute = int(match["h12"]), int(match["m12"] or 0)
        if 1 <= hour <= 12 and minute < 60:
            return time(hour % 12 + (12 if match["ampm"] == "pm" else 0), minute)
    else:
        hour, minute, second = int(match["h24"]), int(match["m24"]), int(match["s24"] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raise WhenError(f"{text!r} isn't a time of day; use e.g. `16:00` or `4pm`.")


def _checked(result: datetime, ctx: _Context) -> datetime:
    """Enforce "in the future, at most a year away" on whatever a rule produced."""
    result = ctx.cal.local(result)
    if not ctx.ahead(result):
        raise _passed(result)
    if result.date() > _a_year_after(ctx.today):
        raise _too_far(result)
    return result


def _a_year_after(day: date) -> date:
    """Same day next year (Feb 29 → Feb 28)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _passed(moment: datetime) -> WhenError:
    return WhenError(f"That time has already passed: {_show(moment)}.")


def _too_far(moment: datetime | None = None) -> WhenError:
    when = f": {_show(moment)}" if moment else ""
    return WhenError(f"That's more than a year away{when}.")


def _show(moment: datetime) -> str:
    """Local wall-clock `2026-12-03 14:00` (isoformat pads years below 1000; %Y doesn't)."""
    return f"{moment.date().isoformat()} {moment:%H:%M}"


# Day rules: (match of the day part, context, clock) → deadline


def _today(match: re.Match[str], ctx: _Context, clock: Clock) -> datetime:
    """No day, or `today`: today if still ahead, else the next working day.

    Without a time this is the end of day, and a non-working today counts as past:
    nobody promises "by end of day" on a Sunday meaning Sunday.
    """
    cal, today = ctx.cal, ctx.today
    first = ctx.on(today, clock)
    if ctx.ahead(first) and (clock is not None or cal.is_working_day(today)):
        return first
    return ctx.on(cal.next_working_day(today), clock)


def _days_ahead(days: int) -> Callable[[re.Match[str], _Context, Clock], datetime]:
    """`tomorrow` and friends: a calendar day, working or not."""

    def rule(match: re.Match[str], ctx: _Context, clock: Clock) -> datetime:
        return ctx.on(ctx.today + timedelta(days=days), clock)

    return rule


def _weekday(match: re.Match[str], ctx: _Context, clock: Clock) -> datetime:
    """`fri`, `this friday`, `next monday` (on a Monday: a week later)."""
    ahead = (_WEEKDAYS[match["weekday"]] - ctx.today.weekday()) % 7
    if ahead == 0 and match["which"] == "next":
        ahead = 7
    candidate = ctx.on(ctx.today + timedelta(days=ahead), clock)
    if ctx.ahead(candidate):
        return candidate
    return ctx.on(ctx.today + timedelta(days=ahead + 7), clock)


def _month_day(match: re.Match[str], ctx: _Context, clock: Clock) -> datetime:
    """`dec 3`, `3rd of december`, `dec 3 2026`."""
    year = int(match["year"]) if match["year"] else None
    return _on_date(ctx, year, _MONTHS[match["month"]], int(match["day"]), clock)


def _iso(match: re.Match[str], ctx: _Context, clock: Clock) -> datetime:
    """`2026-12-03`: a full date, taken as given."""
    return _on_full_date(ctx, int(match["year"]), int(match["month"]), int(match["day"]), clock)


def _on_date(ctx: _Context, year: int | None, month: int, day: int, clock: Clock) -> datetime:
    """A month and day, with a year (taken as given) or without (rolls to next year)."""
    label = f"{_stdlib_calendar.month_abbr[month]} {day}"
    if not 1 <= day <= _LONGEST_MONTH[month]:
        raise WhenError(f"There's no {label}; check the date.")
    if year is not None:
        return _on_full_date(ctx, year, month, day, clock)
    for candidate_year in range(ctx.today.year, ctx.today.year + 5):  # Feb 29 needs 4
        try:
            candidate = ctx.on(date(candidate_year, month, day), clock)
        except ValueError:  # Feb 29 in a common year
            continue
        if ctx.ahead(candidate):
            return candidate
    raise WhenError(f"There's no {label} in the next few years.")


def _on_full_date(ctx: _Context, year: int, month: int, day: int, clock: Clock) -> datetime:
    """An explicit date: refused if past, never rolled forward."""
    try:
        day_ = date(year, month, day)
    except ValueError:
        raise WhenError(f"There's no {year:04d}-{month:02d}-{day:02d}; check the date.") from None
    wall = datetime.combine(day_, clock or ctx.cal.end_of_day)
    # Far years are decided before any zone arithmetic, which overflows near year 1 or 9999.
    if year < ctx.today.year - 1:
        raise _passed(wall)
    if year > ctx.today.year + 1:
        raise _too_far(wall)
    candidate = ctx.on(day_, clock)
    if not ctx.ahead(candidate):
        raise _passed(candidate)
    return candidate


def _end_of_week(match: re.Match[str], ctx: _Context, clock: Clock) -> datetime:
    """`eow`: the last working day of this week (Mon–Sun), or next week's if that's past."""
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    for week in range(53):
        days = [monday + timedelta(days=7 * week + i) for i in range(7)]
        working = [d for d in days if ctx.cal.is_working_day(d)]
        if working and ctx.ahead(ctx.on(working[-1], clock)):
            return ctx.on(working[-1], clock)
    raise _too_far()


def _next_week(match: re.Match[str], ctx: _Context, clock: Clock) -> datetime:
    """`next week`: the first working day of next week."""
    next_monday = ctx.today + timedelta(days=7 - ctx.today.weekday())
    return ctx.on(ctx.cal.next_working_day(next_monday, include=True), clock)


_DAY_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], _Context, Clock], datetime]], ...]
_DAY_RULES = tuple(
    (re.compile(pattern), rule)
    for pattern, rule in (
        (r"(?:today)?", _today),
        (r"tomorrow|tmrw|tmr|tomorow|tommorow|tommorrow", _days_ahead(1)),
        (r"(?:the )?day after tomorrow", _days_ahead(2)),
        (rf"(?:(?P<which>next|this) )?{_WEEKDAY}", _weekday),
        (rf"{_MONTH} (?:the )?{_DAY_NUMBER}{_YEAR}", _month_day),
        (rf"(?:the )?{_DAY_NUMBER} (?:of )?{_MONTH}{_YEAR}", _month_day),
        (r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})", _iso),
        (r"eow|end of (?:the )?week|this week", _end_of_week),
        (r"next week", _next_week),
    )
)


# Whole-text rules: relative times


_AMOUNTS = {"a": 1.0, "an": 1.0, "one": 1.0, "half a": 0.5, "half an": 0.5}
_UNITS = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "hours"),
    **dict.fromkeys(("d", "day", "days"), "days"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "weeks"),
}


def _relative(match: re.Match[str], ctx: _Context) -> datetime:
    """`in 2 hours` is clock time; `in 3 days` keeps the wall-clock time (DST-safe)."""
    amount_text, unit = match["amount"], _UNITS[match["unit"]]
    amount = _AMOUNTS.get(amount_text) or float(amount_text)
    if unit in ("minutes", "hours"):
        return ctx.cal.local(ctx.now + timedelta(**{unit: amount}))
    if amount != int(amount):
        raise WhenError("Use whole days or weeks, e.g. `in 3 days`, or hours: `in 36 hours`.")
    days = int(amount) * (7 if unit == "weeks" else 1)
    local = ctx.cal.local(ctx.now)
    return ctx.cal.at(local.date() + timedelta(days=days), local.time())


_WHOLE_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], _Context], datetime]], ...]
_WHOLE_RULES = (
    (
        re.compile(
            rf"in (?P<amount>\d+(?:\.\d+)?|{_one_of(_AMOUNTS)}) ?(?P<unit>{_one_of(_UNITS)})"
        ),
        _relative,
    ),
)


# Fallback: other spellings of a month and day, via dateutil, kept on a short leash


_MONTH_WORD_RE = re.compile(rf"\b(?:{_one_of(_MONTHS)})\b")
_RELATIVE_WORD_RE = re.compile(
    rf"\b(?:{_one_of(_WEEKDAYS)}|today|tomorrow|yesterday|next|last|this|ago|in|now)\b"
)
# Letters, digits, `-` and `:` only: no `/` (is 12/3 Dec 3 or 12 Mar?), no `'` or `&`.
_FALLBACK_TEXT_RE = re.compile(r"[a-z0-9:\- ]+")
_FOUR_DIGITS_RE = re.compile(r"\b\d{4}\b")
_CLOCK_MARK_RE = re.compile(r"\d:\d\d|\d ?[ap]m\b")
# Two defaults that differ in every field: a field equal in both parses came from the text.
_DEFAULTS = (datetime(2000, 1, 1, 0, 0, 0), datetime(2004, 2, 2, 1, 1, 1))


def _fallback(text: str, ctx: _Context) -> datetime | None:
    """Let dateutil read spellings like `3-dec-2026 14:00`, only when they name a month.

    Numeric dates (`12/3`) are day-first in some places and month-first in others, and
    relative words (`next`, weekdays) are ours to read, so both are left to fail; so is
    anything where dateutil would have to guess a year or an hour from a bare number.
    """
    if not _FALLBACK_TEXT_RE.fullmatch(text) or _RELATIVE_WORD_RE.search(text):
        return None
    if len(_MONTH_WORD_RE.findall(text)) != 1 or len(_CLOCK_MARK_RE.findall(text)) > 1:
        return None  # one month, at most one time: dateutil silently picks among several
    if len(_FOUR_DIGITS_RE.findall(text)) > 1:
        return None
    parsed = []
    for default in _DEFAULTS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = _dateutil_parser.parse(text, default=default, fuzzy=False)
            except (ValueError, OverflowError):
                return None
        if caught or result.tzinfo is not None:  # a zone we'd get wrong, e.g. "EST"
            return None
        parsed.append(result)
    first, second = parsed
    if first.month != second.month or first.day != second.day:
        return None  # no day of the month given: `dec 2026`
    year = first.year if first.year == second.year else None
    if year is not None and not _FOUR_DIGITS_RE.search(text):
        return None  # a guessed year: `dec 3 10` would be 2010
    clock = None
    if first.hour == second.hour:
        if not _CLOCK_MARK_RE.search(text):
            return None  # a guessed hour: `dec 3 2026 10` would be 10:00
        minute = first.minute if first.minute == second.minute else 0
        second_ = first.second if first.second == second.second else 0
        clock = time(first.hour, minute, second_)
    return _on_date(ctx, year, first.month, first.day, clock)
