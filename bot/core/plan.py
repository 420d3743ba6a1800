"""Which nudges an item should get, and when: the rules of the outbox, with time as input.

Every time here is aware UTC. A nudge is meant for a person's working hours: one that
falls outside them waits for their next working start, unless the item's deadline comes
first — then it goes at the last working moment before that start.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from bot.core.calendar import WorkCalendar


class Kind(StrEnum):
    BEFORE = "before"  # the deadline is coming: deliver, ask for more time, snooze, hand off
    MISSED = "missed"  # the deadline passed: tell the client now
    HEADS_UP = "heads_up"  # the SLA sends this to the lead at …
    ESCALATE = "escalate"  # to the lead: item, owner, client, how late
    LEAD_UPDATE = (
        "lead_update"  # to the lead, after an escalation: delivered, moved, … (lead_updates.py)
    )
    FOLLOW_UP = "follow_up"  # after delivery: check it landed
    SNOOZED = "snoozed"  # the reminder a snooze asked for
    EOD = "eod"  # per person: what is due today, replies owed, a little backlog
    QUIET = "quiet"  # a client channel has gone quiet: reach out
    RESUME = "resume"  # not a message: the wait on the client ends, the clock runs again
    COVERAGE = "coverage"  # per absence: what falls due while you're away — hand it off
    ARRIVED = "arrived"  # a client message after today's end-of-day DM: still today's to answer
    DIGEST = "digest"  # per channel, not a DM: the digest of closed loops (bot/usecases/digest.py)
    WEEKLY = "weekly"  # the weekly digest, with its chart


@dataclass(frozen=True)
class Policy:
    remind_before: timedelta
    escalate_after: timedelta  # working time after a miss
    follow_up_after: timedelta  # working days (whole days of the duration) after delivery
    eod_cutoff: timedelta
    heads_up_before: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class ItemState:
    """What planning needs to know about an item."""

    kind: str  # promise | reply
    status: str  # open | done | cancelled
    owner_id: str
    due_at: datetime
    created_at: datetime
    closed_at: datetime | None = None
    snoozed_until: datetime | None = None
    waiting: bool = False  # waiting on the client: the clock is paused
    waiting_until: datetime | None = None


@dataclass(frozen=True)
class Planned:
    kind: Kind
    recipient: str
    at: datetime
    # Unique per item among nudges sent: the same reason is never sent twice.
    reason: str


def plan_item(
    item: ItemState,
    policy: Policy,
    now: datetime,
    owner_cal: WorkCalendar,
    lead: str | None = None,
    lead_cal: WorkCalendar | None = None,
) -> list[Planned]:
    """The nudges an item should have from `now` on (none that are already past)."""
    if item.status == "done":
        return _follow_up(item, policy, now, owner_cal)
    if item.status == "open" and item.waiting:
        if item.waiting_until is None:
            return []
        at = max(_utc(item.waiting_until), _utc(now))
        return [Planned(Kind.RESUME, item.owner_id, at, f"resume@{at.isoformat()}")]
    if item.status != "open":
        return []
    now = _utc(now)
    due = _utc(item.due_at)
    key = due.isoformat()
    snooze = _utc(item.snoozed_until) if item.snoozed_until is not None else None
    if snooze is not None and snooze <= now:
        snooze = None  # a snooze that has ended is forgotten
    out: list[Planned] = []
    if snooze is not None:
        # The reminder the snooze asked for replaces the before-nudge; a snooze that ends
        # after the deadline leaves only the missed nudge, held until the snooze ends.
        if snooze < due:
            out.append(
                Planned(
                    Kind.SNOOZED,
                    item.owner_id,
                    working(snooze, owner_cal),  # never earlier than the snooze end
                    f"snoozed@{snooze.isoformat()}",
                )
            )
    else:
        lead_time = policy.remind_before
        made = due - _utc(item.created_at)
        if made <= lead_time:  # made with little time left: about halfway
            lead_time = made / 2
        before = due - lead_time
        if before > now and lead_time >= timedelta(minutes=2):
            at = working(before, owner_cal, due)
            if at >= now:  # the last working moment before may already be past
                out.append(Planned(Kind.BEFORE, item.owner_id, at, f"before@{key}"))
    # Due at the end of the working day: missed at that moment, while the owner is still there.
    missed = due if _at_end_of_working_day(due, owner_cal) else working(due, owner_cal)
    out.append(Planned(Kind.MISSED, item.owner_id, missed, f"missed@{key}"))
    escalation_cal = lead_cal or owner_cal
    if lead and lead != item.owner_id:
        escalate = _utc(owner_cal.add_working_time(due, policy.escalate_after))
        heads_up = max(due, escalate - min(policy.heads_up_before, policy.escalate_after / 2))
        out.append(
            Planned(
                Kind.HEADS_UP,
                item.owner_id,
                working(heads_up, owner_cal, escalate),
                f"heads_up@{key}",
            )
        )
        out.append(
            Planned(Kind.ESCALATE, lead, working(escalate, escalation_cal), f"escalate@{key}")
        )
    # Nothing before now or before the snooze ends; held back, a nudge still waits for its
    # recipient's working hours.
    floor = max(now, snooze) if snooze is not None else now
    planned = [
        _not_before(p, floor, escalation_cal if p.kind is Kind.ESCALATE else owner_cal) for p in out
    ]
    heads_up_at = next((p.at for p in planned if p.kind is Kind.HEADS_UP), None)
    if heads_up_at is not None:  # the owner hears first, even when both were held back
        planned = [
            _not_before(p, heads_up_at, escalation_cal) if p.kind is Kind.ESCALATE else p
            for p in planned
        ]
    return [replace(p, at=_utc(p.at)) for p in planned]


def _follow_up(item: ItemState, policy: Policy, now: datetime, cal: WorkCalendar) -> list[Planned]:
    if item.kind != "promise" or item.closed_at is None:
        return []
    closed = _utc(item.closed_at)
    days = max(1, policy.follow_up_after.days)
    at = _utc(working(cal.add_working_days(closed, days), cal))
    if at < _utc(now):
        return []
    return [Planned(Kind.FOLLOW_UP, item.owner_id, at, f"follow_up@{closed.isoformat()}")]


def _not_before(p: Planned, floor: datetime, cal: WorkCalendar) -> Planned:
    """`p`, or `p` moved to `floor` in its recipient's working hours if it was earlier."""
    return p if _utc(p.at) >= _utc(floor) else replace(p, at=working(floor, cal))


def _utc(dt: datetime) -> datetime:
    """The same instant in UTC, so arithmetic and comparisons never use wall clocks."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {dt!r}")
    return dt.astimezone(UTC)


def heard_today(
    item: ItemState, now: datetime, owner_cal: WorkCalendar, eod_sent_today: bool
) -> Planned | None:
    """A client message that arrives after the owner's end-of-day DM went out, but before
    their working day ends, is heard at once (a short DM), not tomorrow, even when the reply
    SLA gives until the next working day. Nothing for anything else."""
    if item.kind != "reply" or item.status != "open" or item.waiting or not eod_sent_today:
        return None
    today = owner_cal.today(now)
    if not owner_cal.is_working_day(today) or now >= owner_cal.end_of_day_on(today):
        return None
    return Planned(Kind.ARRIVED, item.owner_id, now, f"arrived@{today.isoformat()}")


def next_eod(owner_cal: WorkCalendar, cutoff: timedelta, now: datetime) -> tuple[datetime, str]:
    """The next end-of-day DM moment for a person, and its reason (one per local day)."""

    def moment(d: date) -> datetime:
        # `cutoff` before the end of day, but never before that day's start.
        return max(_utc(owner_cal.end_of_day_on(d)) - cutoff, _utc(owner_cal.start_of_day_on(d)))

    day = owner_cal.today(now)
    if not owner_cal.is_working_day(day) or moment(day) <= _utc(now):
        day = owner_cal.next_working_day(day)
    return moment(day), f"eod@{day.isoformat()}"


def working(at: datetime, cal: WorkCalendar, deadline: datetime | None = None) -> datetime:
    """`at` moved into the person's working hours (see the module docstring)."""
    if cal.is_working_time(at):
        return at
    start = cal.next_working_start(at)
    # A start at the deadline itself is too late to be "before" it.
    if deadline is None or _utc(start) < _utc(deadline):
        return start
    return last_working_moment_before(at, cal)


def _at_end_of_working_day(at: datetime, cal: WorkCalendar) -> bool:
    day = cal.today(at)
    return cal.is_working_day(day) and _utc(at) == _utc(cal.end_of_day_on(day))


def last_working_moment_before(at: datetime, cal: WorkCalendar) -> datetime:
    """The end of the last working stretch before `at` (a minute before its end of day)."""
    day = cal.today(at)
    if cal.is_working_day(day) and cal.start_of_day_on(day) <= at:
        return min(at, cal.end_of_day_on(day) - timedelta(minutes=1))
    d = day
    for _ in range(400):
        d = d - timedelta(days=1)
        if cal.is_working_day(d):
            return cal.end_of_day_on(d) - timedelta(minutes=1)
    return at


def quiet_at(last_heard: datetime, cal: WorkCalendar, quiet_after: timedelta) -> datetime:
    """When a client channel counts as quiet: `quiet_after` working days after the client
    last wrote, in the owner's working hours."""
    return working(cal.add_working_days(_utc(last_heard), max(1, quiet_after.days)), cal)
