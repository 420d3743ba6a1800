"""Away coverage rules: when someone is away, and when they should hear about their work.

Pure: no Slack, no SQL; every moment is a parameter. Three questions:

- Is a Slack status away-like (`is_away_status`)? Emoji and words people use for vacation,
  leave and sickness count; "in a meeting", "working remotely" (:house_with_garden:, Slack's
  own preset) or "commuting" do not.
- Which span does `/promise away FROM to UNTIL` name (`read_span`)? FROM and UNTIL are WHEN
  phrases read in the asker's calendar (bot.core.when). A day without a time means that
  whole calendar day: FROM starts at its midnight, UNTIL ends at the next midnight, so
  an item due at 8:00 or 18:00 on a day off is still "due while away".
- When does the coverage DM go (`coverage_moment`)? On the last working day before the
  absence starts, an hour into that day; or now, when that moment has passed (an absence
  starting tomorrow, recorded tonight, still gets its DM tonight).

An absence itself, as the store hands it out, is an `AbsenceView`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.core.calendar import WorkCalendar
from bot.core.when import WhenError, parse_when

# Slack status emoji (without colons) that mean "not working". Travel counts: a person on a
# plane is not going to deliver the 4 pm file. :house_with_garden: is Slack's "Working
# remotely" preset, so it does not.
AWAY_EMOJI = frozenset(
    {
        "palm_tree",  # Slack's "Vacationing" preset
        "face_with_thermometer",  # Slack's "Out sick" preset
        "desert_island",
        "beach_with_umbrella",
        "airplane",
        "airplane_departure",
        "small_airplane",
        "luggage",
        "baby",  # parental leave
        "sick",
        "mask",
    }
)

_AWAY_TEXT = re.compile(
    r"\b(?:"
    r"vacation(?:ing)?|holidays?|on hols|"
    r"out of (?:the )?office|ooo|pto|"
    r"on leave|(?:annual|parental|maternity|paternity|sick|medical|family) leave|"
    r"out sick|off sick|sick day|"
    r"time off|days? off|"
    r"(?:away|off|out) (?:until|till|til|through|thru)"
    r")\b",
    re.IGNORECASE,
)

# How FROM and UNTIL may be joined: `dec 22 to jan 2`, `dec 22 - jan 2`, `dec 22 through jan 2`.
SEPARATORS = (" to ", " through ", " thru ", " - ", " – ", " — ")

# A WHEN phrase that names a moment, not just a day: `3pm`, `14:00`, `noon`, `eod`, `in 2 hours`.
_HAS_CLOCK = re.compile(
    r"\d:\d\d|\d\.\d\d\s*[ap]\.?m|\d\s*[ap]\.?m\b|\b(?:noon|midday|eod|cob)\b"
    r"|\bend of (?:the )?(?:business )?day\b|\bclose of business\b|\bend of business\b"
    r"|^in .*(?:m|mins?|minutes?|h|hrs?|hours?)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class AbsenceView:
    """A person away from `starts_at` until `ends_at` (aware UTC), as stored: one per
    person per span (overlapping ones are merged). `source` is how it was set: `command`
    (`/promise away`) or `status` (an away-like Slack status, the truth about when they
    are back)."""

    id: int
    team_id: str
    user_id: str
    starts_at: datetime
    ends_at: datetime
    source: str
    created_by: str
    created_at: datetime


class SpanError(ValueError):
    """A FROM/UNTIL pair we can't use; `message` is a sentence to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def emoji_name(emoji: str) -> str:
    """`:palm_tree:` or `:palm_tree::skin-tone-2:` → `palm_tree`."""
    return emoji.strip().strip(":").split("::")[0].lower()


def is_away_status(text: str, emoji: str) -> bool:
    """Whether a Slack status says the person is away (vacation, leave, sick, travelling)."""
    return emoji_name(emoji) in AWAY_EMOJI or bool(_AWAY_TEXT.search(text or ""))


def status_span(
    text: str, emoji: str, expiration: int, now: datetime
) -> tuple[datetime, datetime] | None:
    """The absence an away-like status with an expiry means: from now until it expires.

    A status without an expiry says nothing about when the person is back, and one that has
    expired is over: both give None, as does a status that is not away-like.
    """
    if not expiration or not is_away_status(text, emoji):
        return None
    until = datetime.fromtimestamp(expiration, UTC)
    now = _utc(now)
    if until <= now:
        return None
    return now, until


def split_span(text: str) -> tuple[str, str] | None:
    """`dec 22 to jan 2` → (`dec 22`, `jan 2`); None when there is no separator."""
    lowered = f" {text.lower()} "
    for sep in SEPARATORS:
        idx = lowered.find(sep)
        if idx >= 0:
            start = text[: max(idx - 1, 0)].strip()
            until = text[idx - 1 + len(sep) :].strip()
            if start.lower().startswith("from "):
                start = start[5:].strip()
            return start, until
    return None


def read_span(
    start_text: str, until_text: str, now: datetime, cal: WorkCalendar
) -> tuple[datetime, datetime]:
    """The absence `FROM to UNTIL` names, in UTC, or a SpanError that says what is wrong."""
    now = _utc(now)
    start = _read_start(start_text, now, cal)
    until = _read_until(until_text, now, cal)
    if until <= start:
        raise SpanError(
            f"The absence must end after it starts: I read {start_text!r} as "
            f"{_show(start, cal)} and {until_text!r} as {_show(until, cal)}."
        )
    return start, until


def _read_start(text: str, now: datetime, cal: WorkCalendar) -> datetime:
    if text.strip().lower() == "now":
        return now
    moment, whole_day = _read(text, now, cal)
    return _utc(cal.at(cal.today(moment), time(0))) if whole_day else moment


def _read_until(text: str, now: datetime, cal: WorkCalendar) -> datetime:
    moment, whole_day = _read(text, now, cal)
    return _utc(cal.at(cal.today(moment) + timedelta(days=1), time(0))) if whole_day else moment


def _read(text: str, now: datetime, cal: WorkCalendar) -> tuple[datetime, bool]:
    """The moment `text` names, and whether it named a whole day rather than a time.

    A day is read as its last minute, so a day already under way (`today`, `dec 1` on
    Dec 1 after the end of day) is still that day, not the next working one or next year's.
    """
    if not _HAS_CLOCK.search(text.strip().lower()):
        try:
            return _utc(parse_when(f"{text} 23:59", now, cal)), True
        except WhenError:
            pass  # not a plain day (`in 3 days`): read it as it is
    try:
        moment = _utc(parse_when(text, now, cal))
    except WhenError as e:
        raise SpanError(e.message) from None
    return moment, not _HAS_CLOCK.search(text.strip().lower())


def coverage_moment(start: datetime, now: datetime, cal: WorkCalendar) -> datetime:
    """When to DM the person about work due while away (UTC).

    An hour into the last working day before the absence starts (never after that day's
    end), so there is a day left to hand things off; or `now` when that moment has passed.
    """
    first_day = cal.today(start)
    day = first_day - timedelta(days=1)
    for _ in range(400):
        if cal.is_working_day(day):
            break
        day -= timedelta(days=1)
    else:  # pragma: no cover - a calendar always has working days (WorkCalendar checks)
        return _utc(now)
    opening = _utc(cal.start_of_day_on(day))
    moment = min(opening + timedelta(hours=1), _utc(cal.end_of_day_on(day)))
    return max(moment, _utc(now))


def _show(moment: datetime, cal: WorkCalendar) -> str:
    local = cal.local(moment)
    return f"{local:%a %b} {local.day}, {local.year} {local:%H:%M}"


def _utc(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {dt!r}")
    return dt.astimezone(UTC)
