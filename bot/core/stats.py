"""The numbers of a period: loops closed, on-time rate, reply times, SLA hits, thanks.

Pure: the store hands in facts about closed items and counts of open ones; the digest,
`/promise stats` and App Home's lead view all read the same `Numbers`. Misses are counted,
never named: the SLA, not the people.

Definitions:
- A *loop* is an item closed as done (cancelled ones are not loops closed).
- *On time*: a promise closed by its deadline (`bot.core.outcome.judge`: early, on time,
  or on time after renegotiating in advance). A promise whose deadline was moved only after
  it had passed counts as missed, even when it met the new one.
- *Renegotiated in advance*: on-time promises whose deadline was moved before it passed.
- *Reply time*: for a client message owed a reply, from when it arrived to the team's first
  reply (or to when it was closed, for replies recorded by hand). *Within the SLA*: that
  reply came by the reply's due time — the deadline in force, which a wait on the client
  pushes back, unless someone moved it by hand; then the original one (an SLA is not
  renegotiated).
- *Needed no reply*: a client message the owner closed with "No reply needed" (status
  `no_reply`). It is not an answer: not a loop closed, not in the reply times or the SLA
  count, nobody thanked; it is counted on its own line, for the owner. Counting it as
  answered would reward closing by hand over replying; leaving it out altogether would hide
  how much of the channel's traffic needed nothing.
- Percentiles are computed like `statistics.quantiles(method="inclusive")`, in whole
  microseconds, so the median is never above the 90th percentile.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.core.durations import format_duration
from bot.core.outcome import Verdict, judge

_US = timedelta(microseconds=1)


class ClosedFact(NamedTuple):
    """One item closed as done (or, in `Facts.no_reply`, closed as needing no reply), as
    much of it as the numbers need (a NamedTuple: a digest builds thousands, and a frozen
    dataclass costs several times more to build)."""

    id: int
    kind: str  # promise | reply
    what: str
    client: str | None
    channel_id: str | None
    owner_id: str
    closed_by: str | None
    contributors: tuple[str, ...]  # owner first, then helpers, as credited when it closed
    created_at: datetime
    due_at: datetime
    original_due_at: datetime
    closed_at: datetime
    moved_in_advance: int = 0
    moved_late: int = 0
    first_reply_at: datetime | None = None

    @property
    def credited(self) -> tuple[str, ...]:
        """Who is thanked: a promise's owner and helpers; for a reply, whoever answered."""
        if self.kind == "reply" and self.closed_by and self.closed_by[:1] in ("U", "W"):
            return (self.closed_by,)
        return self.contributors

    @property
    def verdict(self) -> Verdict:
        return judge(
            self.due_at,
            self.closed_at,
            moved_in_advance=self.moved_in_advance,
            moved_late=self.moved_late,
        ).verdict

    @property
    def on_time(self) -> bool:
        """`verdict` is early, on time or renegotiated — the same rule, without building an
        Outcome for each of thousands of loops (a unit test holds the two together)."""
        return self.closed_at <= self.due_at and not self.moved_late

    @property
    def reply_time(self) -> timedelta:
        replied = self.first_reply_at or self.closed_at
        return max(replied - self.created_at, timedelta(0))

    @property
    def sla_met(self) -> bool:
        moved = self.moved_in_advance or self.moved_late
        due = self.original_due_at if moved else self.due_at
        return (self.first_reply_at or self.closed_at) <= due


@dataclass(frozen=True)
class Facts:
    """What a period's numbers are made of: its closed items, the open counts now, and
    the client messages closed as needing no reply (kept apart: they are not loops)."""

    closed: Sequence[ClosedFact]
    open: int = 0
    overdue: int = 0
    no_reply: Sequence[ClosedFact] = ()


@dataclass(frozen=True)
class ClientLoops:
    """The loops closed for one client (None: items with no client named)."""

    client: str | None
    promises: tuple[ClosedFact, ...]
    replies: int


@dataclass(frozen=True)
class Numbers:
    start: datetime
    end: datetime
    closed: int
    promises: int
    on_time: int
    renegotiated: int
    replies: int
    reply_median: timedelta | None
    reply_p90: timedelta | None
    sla_met: int
    open: int
    overdue: int
    thanks: tuple[tuple[str, int], ...] = ()  # (user ID, loops), most first
    clients: tuple[ClientLoops, ...] = field(default=())
    no_reply: int = 0  # client messages closed as needing no reply: not in `replies`

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.promises if self.promises else None

    @property
    def sla_rate(self) -> float | None:
        return self.sla_met / self.replies if self.replies else None

    def empty(self) -> bool:
        """Nothing closed: a digest of this would say nothing worth a post."""
        return self.closed == 0

    def summary_lines(self) -> list[str]:
        """The figures as short plain sentences (no names), for any surface."""
        lines = [_closed_line(self)]
        if self.promises:
            line = (
                f"On time: {self.on_time} of {self.promises} promises ({_pct(self.on_time_rate)})"
            )
            if self.renegotiated:
                line += f", {self.renegotiated} of them renegotiated in advance"
            lines.append(line)
        if self.replies and self.reply_median is not None and self.reply_p90 is not None:
            lines.append(
                f"Replies to clients: first response in {format_duration(self.reply_median)} "
                f"(median), {format_duration(self.reply_p90)} (90th percentile); "
                f"{self.sla_met} of {self.replies} within the SLA"
            )
        if self.no_reply:
            lines.append(
                f"{self.no_reply} client message{'s' * (self.no_reply != 1)} needed no reply "
                "(closed by hand, not counted as answered)"
            )
        lines.append(f"Still open: {self.open}, of which {self.overdue} overdue")
        return lines


@dataclass(frozen=True)
class Day:
    """One day of the weekly chart, in the workspace's time zone."""

    day: date
    closed: int
    promises: int
    on_time: int
    replies: int
    reply_median: timedelta | None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.promises if self.promises else None


@dataclass(frozen=True)
class StatsReport:
    """`/promise stats`: the invoker's own figures and the team's, over the last days."""

    period: str  # week | month
    days: int
    user_id: str
    mine: Numbers
    team: Numbers


def numbers(facts: Facts, start: datetime, end: datetime) -> Numbers:
    """The figures of the items closed in [start, end) (the facts may hold more)."""
    closed = [c for c in facts.closed if start <= c.closed_at < end]
    promises = [c for c in closed if c.kind != "reply"]
    replies = [c for c in closed if c.kind == "reply"]
    kept = [c for c in promises if c.on_time]
    times = sorted(_micros(c.reply_time) for c in replies)
    thanks = Counter(person for c in closed for person in dict.fromkeys(c.credited))
    return Numbers(
        start=start,
        end=end,
        closed=len(closed),
        promises=len(promises),
        on_time=len(kept),
        renegotiated=sum(1 for c in kept if c.moved_in_advance),
        replies=len(replies),
        reply_median=_delta(quantile(times, 1, 2)) if times else None,
        reply_p90=_delta(quantile(times, 9, 10)) if times else None,
        sla_met=sum(c.sla_met for c in replies),
        open=facts.open,
        overdue=facts.overdue,
        thanks=tuple(sorted(thanks.items(), key=lambda kv: (-kv[1], kv[0]))),
        clients=_by_client(closed),
        no_reply=sum(1 for c in facts.no_reply if start <= c.closed_at < end),
    )


def for_person(facts: Facts, user_id: str, open_: int = 0, overdue: int = 0) -> Facts:
    """The facts about one person's work: the loops they are credited for, and the client
    messages they own that needed no reply."""
    return Facts(
        [c for c in facts.closed if user_id in c.credited],
        open_,
        overdue,
        [c for c in facts.no_reply if c.owner_id == user_id],
    )


def by_day(closed: Iterable[ClosedFact], start: datetime, end: datetime, tz: str) -> list[Day]:
    """Per local day from `start` to `end`: on-time rate and median reply time (the chart)."""
    zone = ZoneInfo(tz)
    first, last = start.astimezone(zone).date(), (end - _US).astimezone(zone).date()
    dates = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    # Where each local day after the first begins, in UTC: a loop's day is found by bisection
    # (DST-safe: midnight is built in the zone, never by adding 24 hours).
    starts = [datetime.combine(d, time(0), tzinfo=zone).astimezone(UTC) for d in dates[1:]]
    buckets: list[list[ClosedFact]] = [[] for _ in dates]
    for c in closed:
        if start <= c.closed_at < end:
            buckets[bisect_right(starts, c.closed_at)].append(c)
    days: list[Day] = []
    for d, items in zip(dates, buckets, strict=True):
        promises = [c for c in items if c.kind != "reply"]
        times = sorted(_micros(c.reply_time) for c in items if c.kind == "reply")
        days.append(
            Day(
                day=d,
                closed=len(items),
                promises=len(promises),
                on_time=sum(1 for c in promises if c.on_time),
                replies=len(times),
                reply_median=_delta(quantile(times, 1, 2)) if times else None,
            )
        )
    return days


def quantile(sorted_values: Sequence[int], num: int, den: int) -> int:
    """The num/den quantile of sorted integers, interpolated as `statistics.quantiles` does
    with method="inclusive" (the median for 1/2), rounded down to an integer."""
    if not sorted_values:
        raise ValueError("quantile of no data")
    n = len(sorted_values)
    lo, rem = divmod(num * (n - 1), den)
    if rem == 0:
        return sorted_values[lo]
    a, b = sorted_values[lo], sorted_values[lo + 1]
    return a + (b - a) * rem // den


def _by_client(closed: list[ClosedFact]) -> tuple[ClientLoops, ...]:
    groups: dict[str | None, list[ClosedFact]] = {}
    for c in sorted(closed, key=lambda c: (c.closed_at, c.id)):
        groups.setdefault(c.client or None, []).append(c)
    ordered = sorted(groups, key=lambda name: (name is None, (name or "").lower()))
    return tuple(
        ClientLoops(
            client=name,
            promises=tuple(c for c in groups[name] if c.kind != "reply"),
            replies=sum(c.kind == "reply" for c in groups[name]),
        )
        for name in ordered
    )


def _closed_line(n: Numbers) -> str:
    parts = []
    if n.promises:
        parts.append(f"{n.promises} promise{'s' * (n.promises != 1)} delivered")
    if n.replies:
        parts.append(f"{n.replies} client message{'s' * (n.replies != 1)} answered")
    loops = f"{n.closed} loop{'s' * (n.closed != 1)} closed"
    return f"{loops}: {', '.join(parts)}" if parts else loops


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def _micros(delta: timedelta) -> int:
    return delta // _US


def _delta(micros: int) -> timedelta:
    return timedelta(microseconds=micros)
