"""Fair use: a token bucket per person, so one person's burst cannot crowd out everyone else.

A bucket holds up to `burst` commands and earns one more every `every`. The credit is kept
as a timedelta (whole microseconds), so the arithmetic is exact: in any window of length t,
no more than burst + t / every commands are admitted. Time is passed in; nothing here
reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Allowance:
    """How many at once, then one more per `every`."""

    burst: int
    every: timedelta

    def __post_init__(self) -> None:
        if self.burst < 1 or self.every <= timedelta(0):
            raise ValueError("an allowance needs burst >= 1 and a positive interval")


# A person types a command in seconds, not tenths: ten in a row (a quick series of
# `/promise list`, `done`, `move`) pass untouched; after that one every two seconds, 30 a
# minute, is still far above anyone typing, and a script looping on the command is held to it.
COMMANDS = Allowance(burst=10, every=timedelta(seconds=2))


@dataclass(frozen=True)
class Bucket:
    """What is left (as time earned: one command costs `every`), as of `at`."""

    credit: timedelta
    at: datetime


def _filled(bucket: Bucket | None, now: datetime, allowance: Allowance) -> Bucket:
    cap = allowance.every * allowance.burst
    if bucket is None:
        return Bucket(cap, now)
    # A clock set back earns nothing (and does not move `at` back, which would pay twice).
    at = max(now, bucket.at)
    return Bucket(min(cap, bucket.credit + (at - bucket.at)), at)


def admit(bucket: Bucket | None, now: datetime, allowance: Allowance) -> tuple[bool, Bucket]:
    """Whether one more command is admitted at `now`, and the bucket after it."""
    filled = _filled(bucket, now, allowance)
    if filled.credit >= allowance.every:
        return True, Bucket(filled.credit - allowance.every, filled.at)
    return False, filled


def is_full(bucket: Bucket, now: datetime, allowance: Allowance) -> bool:
    """A full bucket is the same as none: it can be forgotten."""
    return _filled(bucket, now, allowance).credit >= allowance.every * allowance.burst
