"""Env-style durations (`90s`, `45m`, `2h`, `3d`, `1h30m`) and their human wording.

Pure: used by config to read `PROMISE_*` durations and by messages ("late by 2 h 5 min").
"""

from __future__ import annotations

import re
from datetime import timedelta

# Units largest first; a duration names each at most once, in this order (`1d2h30m`).
_UNIT_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION_RE = re.compile(
    r"^(?=\d)(?:(?P<w>\d+)\s*w\s*)?(?:(?P<d>\d+)\s*d\s*)?(?:(?P<h>\d+)\s*h\s*)?"
    r"(?:(?P<m>\d+)\s*m\s*)?(?:(?P<s>\d+)\s*s)?$"
)
# Wording, largest first: (seconds, singular, plural).
_WORDS = ((86400, "day", "days"), (3600, "h", "h"), (60, "min", "min"))


def parse_duration(text: str) -> timedelta:
    """Read `90s`, `45m`, `2h`, `3d`, `1w` or combinations like `1h30m`; ValueError otherwise.

    Kept strict (whole numbers, known units, no sign) so a typo in an env variable stops
    start-up instead of silently becoming some other length of time.
    """
    cleaned = text.strip().lower()
    match = _DURATION_RE.match(cleaned) if cleaned else None
    if match is None:
        raise ValueError(f"{text!r} is not a duration; use e.g. 90s, 45m, 2h or 3d")
    seconds = sum(int(n) * _UNIT_SECONDS[unit] for unit, n in match.groupdict().items() if n)
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"{text!r} is too long a duration") from None


def format_duration(delta: timedelta) -> str:
    """Say a duration the way a person would: "2 h 5 min", "45 min", "1 day 2 h".

    Rounded to the minute and cut to the two largest units, because "late by 1 day 2 h"
    reads better than an exact figure; under a minute it shows seconds ("40 s").
    """
    if delta < timedelta(0):
        return "-" + format_duration(-delta)
    total = round(delta.total_seconds())
    if total < 60:
        return f"{total} s" if total else "0 min"
    remaining = (total + 30) // 60 * 60  # round to the nearest minute
    parts: list[str] = []
    for size, one, many in _WORDS:
        count, remaining = divmod(remaining, size)
        if parts or count:
            parts.append(f"{count} {one if count == 1 else many}" if count else "")
        if len(parts) == 2:
            break
    return " ".join(p for p in parts if p)


def spell_duration(delta: timedelta) -> str:
    """The setting's own spelling of a duration (`2h`, `1h30m`, `3d`), which parse_duration
    reads back: how a form shows a stored duration."""
    seconds = round(delta.total_seconds())
    parts = []
    for unit in ("d", "h", "m", "s"):
        count, seconds = divmod(seconds, _UNIT_SECONDS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
