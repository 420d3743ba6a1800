"""How a closed item went against its deadline: the words the thank-you uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.durations import format_duration

# Closing this much ahead of the deadline counts as early, not just on time.
EARLY_MARGIN = timedelta(minutes=30)


class Verdict(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    RENEGOTIATED = "renegotiated"  # moved before the deadline, then met
    RECOVERED = "recovered"  # moved after missing, then met the new deadline
    LATE = "late"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    by: timedelta  # how early or late; zero when on time

    def describe(self) -> str:
        match self.verdict:
            case Verdict.EARLY:
                return f"early by {format_duration(self.by)}"
            case Verdict.ON_TIME:
                return "on time"
            case Verdict.RENEGOTIATED:
                return "on time, after renegotiating the deadline in advance"
            case Verdict.RECOVERED:
                return "by the new deadline, agreed after the first one had passed"
            case Verdict.LATE:
                return f"late by {format_duration(self.by)}"


def judge(
    due_at: datetime, closed_at: datetime, *, moved_in_advance: int, moved_late: int
) -> Outcome:
    """Compare the close with the deadline in force when it closed."""
    if closed_at > due_at:
        return Outcome(Verdict.LATE, closed_at - due_at)
    if moved_late:
        return Outcome(Verdict.RECOVERED, timedelta(0))
    if moved_in_advance:
        return Outcome(Verdict.RENEGOTIATED, timedelta(0))
    ahead = due_at - closed_at
    if ahead >= EARLY_MARGIN:
        return Outcome(Verdict.EARLY, ahead)
    return Outcome(Verdict.ON_TIME, timedelta(0))
