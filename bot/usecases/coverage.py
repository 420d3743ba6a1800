"""Away coverage: nobody should find out on the morning the client calls that the owner is
on a beach.

An absence comes from `/promise away FROM to UNTIL` or from an away-like Slack status with
an expiry (a `user_change` event). Each absence gets one coverage DM, planned in the outbox
for the last working day before it starts (or now, when that has passed): it lists the
person's open items due while they are away, each with the Hand off button, and is skipped
with a reason when nothing is due by then. The lead sees every coming absence, with its
items, in App Home (`for_lead`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.core import commands as cmd
from bot.core.coverage import AbsenceView, SpanError, coverage_moment, read_span, status_span
from bot.core.items import ItemView
from bot.core.nudges import Nudge
from bot.core.plan import Kind
from bot.store.coverage import COMMAND, STATUS
from bot.store.outbox import Want
from bot.store.repo import Repo
from bot.usecases.nudge_kinds import Due, Skip
from bot.usecases.planner import Planner
from bot.usecases.ports import NudgeView, Person
from bot.usecases.results import Invocation, Problem
from bot.usecases.workplace import Workplace

log = logging.getLogger(__name__)

# How far ahead the lead's App Home looks for absences.
LEAD_HORIZON = timedelta(days=30)
# Items named in one line for the lead; the DM lists up to MAX_LISTED with buttons.
IDS_SHOWN = 10
PREFIX = "coverage:"


@dataclass(frozen=True)
class AwaySet:
    """An absence recorded (or merged into the person's overlapping one)."""

    user_id: str
    actor_id: str
    starts_at: datetime
    ends_at: datetime
    tz: str
    recorded_at: datetime
    due: list[ItemView] = field(default_factory=list)  # their open items due during it, now
    dm_at: datetime | None = None  # when the coverage DM goes (None: already sent)
    merged: bool = False


@dataclass(frozen=True)
class AwayCleared:
    """`away off`: the absence under way ended now, coming ones dropped."""

    user_id: str
    count: int


class Coverage:
    def __init__(self, repo: Repo, workplace: Workplace, planner: Planner, clock: Clock) -> None:
        self.repo = repo
        self.workplace = workplace
        self.planner = planner
        self.clock = clock

    # -- recording

    def command(
        self, who: Invocation, c: cmd.Away | cmd.AwayOff
    ) -> AwaySet | AwayCleared | Problem:
        """`/promise away [@user] FROM to UNTIL` and `away [@user] off`."""
        user = c.user or who.user_id
        if problem := self._may_set(who, user):
            return problem
        now = self.clock.now()
        if isinstance(c, cmd.AwayOff):
            ids = self.repo.absences.clear(who.team_id, user, now)
            self._cancel_dms(who.team_id, ids)
            self.planner.changed(who.team_id, user)
            return AwayCleared(user, len(ids))
        cal = self.workplace.calendar_for(who.team_id, who.user_id)
        try:
            start, end = read_span(c.start, c.until, now, cal)
        except SpanError as e:
            return Problem(e.message, cmd.EXAMPLE_AWAY)
        stored = self.repo.absences.record(who.team_id, user, start, end, COMMAND, who.user_id, now)
        self._cancel_dms(who.team_id, stored.merged_ids)
        dm_at = self.plan(who.team_id, stored.absence, now)
        self.planner.changed(who.team_id, user)
        absence = stored.absence
        due = list(
            self.repo.absences.items_due(who.team_id, user, absence.starts_at, absence.ends_at)
        )
        return AwaySet(
            user_id=user,
            actor_id=who.user_id,
            starts_at=absence.starts_at,
            ends_at=absence.ends_at,
            tz=self.workplace.calendar_for(who.team_id, user).tz.key,
            recorded_at=now,
            due=due,
            dm_at=dm_at,
            merged=not stored.created,
        )

    def on_status(self, team_id: str, person: Person) -> str:
        """A person's Slack profile changed: an away-like status with an expiry is an absence
        from now until it expires; clearing it ends a status absence under way. Returns what
        was done, for the log."""
        if person.is_bot or person.deleted or person.external:
            return "not a teammate"
        now = self.clock.now().replace(microsecond=0)
        span = status_span(person.status_text, person.status_emoji, person.status_expiration, now)
        if span is None:
            ended = self.repo.absences.end_status(team_id, person.id, now)
            self._cancel_dms(team_id, ended)
            if ended:
                self.planner.changed(team_id, person.id)
            return f"ended {len(ended)} status absence(s)" if ended else "not away"
        start, end = span
        stored = self.repo.absences.record(team_id, person.id, start, end, STATUS, person.id, now)
        self._cancel_dms(team_id, stored.merged_ids)
        self.plan(team_id, stored.absence, now)
        self.planner.changed(team_id, person.id)
        return f"away until {end.isoformat()}"

    def plan(self, team_id: str, absence: AbsenceView, now: datetime) -> datetime | None:
        """Queue the absence's coverage DM; returns when it goes (None: already dealt with).

        One DM per absence. While it waits, it follows the absence (merged with an earlier
        one, it goes earlier); once sent, or skipped for want of anything due, it is not
        planned again, however often Slack reports the same status.
        """
        cal = self.workplace.calendar_for(team_id, absence.user_id)
        at = coverage_moment(absence.starts_at, now, cal)
        key = _key(absence.id)
        store = self.repo.absences
        if not self.repo.outbox.ensure(team_id, Want(absence.user_id, Kind.COVERAGE, key, at), now):
            store.reschedule(team_id, absence.user_id, key, at)
        nudge = store.nudge(team_id, absence.user_id, key)
        if nudge is not None and nudge.status == "queued":
            return nudge.due_at
        return None

    def replan(self, team_id: str) -> None:
        """The workspace's hours or days changed: move each waiting coverage DM with them."""
        now = self.clock.now()
        for absence in self.repo.absences.ahead(team_id, now):
            self.plan(team_id, absence, now)

    def _cancel_dms(self, team_id: str, absence_ids: list[int]) -> None:
        """Coverage DMs of absences that were merged away or cleared are not sent."""
        for absence_id in absence_ids:
            self.repo.outbox.cancel_others(team_id, _key(absence_id), keep="")

    def _may_set(self, who: Invocation, user: str) -> Problem | None:
        """Yourself, or the lead for someone else; never a bot or a deactivated account."""
        if user != who.user_id:
            lead = self.workplace.settings(who.team_id).lead
            if who.user_id != lead:
                whom = f"the lead (<@{lead}>)" if lead else "the lead (none is set yet)"
                return Problem(
                    f"Only {whom} can set someone else's absence. You can set your own:",
                    "/promise away dec 22 to jan 2",
                )
        problem = self.workplace.check_person(who.team_id, user)
        if problem:
            return Problem(problem, cmd.EXAMPLE_AWAY)
        return None

    # -- the coverage DM

    def view(self, team_id: str, nudge: Nudge) -> NudgeView | str:
        """What a due coverage DM lists, or why it is no longer worth sending."""
        absence_id = int(nudge.key.removeprefix(PREFIX).split(":", 1)[0])
        absence = self.repo.absences.get(team_id, absence_id)
        if absence is None:
            return "the absence was cancelled"
        if absence.ends_at <= self.clock.now():
            return "the absence is over"
        items = self.repo.absences.items_due(
            team_id, absence.user_id, absence.starts_at, absence.ends_at
        )
        if not items:
            return "nothing of theirs falls due while they're away"
        return NudgeView(
            nudge.id,
            Kind.COVERAGE,
            away_from=absence.starts_at,
            away_until=absence.ends_at,
            items=tuple(items),
        )

    # -- App Home

    def for_lead(self, team_id: str, now: datetime) -> list[str]:
        """One mrkdwn line per absence under way or starting within LEAD_HORIZON, soonest
        first: who, when, and the open items due then (the lead's coverage view)."""
        lines = []
        for absence in self.repo.absences.ahead(team_id, now, starting_before=now + LEAD_HORIZON):
            items = self.repo.absences.items_due(
                team_id, absence.user_id, absence.starts_at, absence.ends_at
            )
            tz = self._tz(team_id, absence.user_id)
            who = f"<@{absence.user_id}> is away {span_text(absence.starts_at, absence.ends_at, now, tz)}"
            if items:
                lines.append(f"{who} with {count(items)} due then ({ids(items)})")
            else:
                lines.append(f"{who}; nothing of theirs is due then")
        return lines

    def for_person(self, team_id: str, user_id: str, now: datetime) -> list[str]:
        """The person's own absences ahead, with what they still need to hand off."""
        lines = []
        tz = self._tz(team_id, user_id)
        for absence in self.repo.absences.ahead(
            team_id, now, user_id=user_id, starting_before=now + LEAD_HORIZON
        ):
            items = self.repo.absences.items_due(
                team_id, user_id, absence.starts_at, absence.ends_at
            )
            span = span_text(absence.starts_at, absence.ends_at, now, tz)
            if items:
                lines.append(
                    f"You're away {span} with {count(items)} due then ({ids(items)}): "
                    "hand them off with `/promise handoff ID @someone`, or move them with "
                    "the client now."
                )
            else:
                lines.append(f"You're away {span}; nothing of yours is due then.")
        return lines

    def _tz(self, team_id: str, user_id: str) -> str:
        return self.workplace.calendar_for(team_id, user_id).tz.key


class CoverageNudge:
    """The DM the working day before an absence: what falls due meanwhile — hand it off."""

    needs_escalation = False
    may_go_early = True

    def __init__(self, coverage: Coverage) -> None:
        self.coverage = coverage

    def check(self, n: Nudge, due: Due) -> NudgeView | Skip:
        said = self.coverage.view(n.team_id, n)
        return Skip(said) if isinstance(said, str) else said


def _key(absence_id: int) -> str:
    """The outbox key of an absence's DM; no key is a prefix of another's (`:dm`)."""
    return f"{PREFIX}{absence_id}:dm"


def day_token(at: datetime, tz: str) -> str:
    """A date each reader sees in their own zone (`Dec 22`, `tomorrow`), with a fallback."""
    local = at.astimezone(ZoneInfo(tz))
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}}|{local:%a %b} {local.day}>"


def last_day(ends_at: datetime) -> datetime:
    """The last moment away: an absence ending at midnight ends with the day before."""
    return ends_at - timedelta(minutes=1)


def span_text(start: datetime, end: datetime, now: datetime, tz: str) -> str:
    """`Dec 22 – Jan 2`, or `until Jan 2` when the absence is under way."""
    until = day_token(last_day(end), tz)
    if start <= now:
        return f"until {until}"
    return f"{day_token(start, tz)} – {until}"


def count(items: Sequence[ItemView]) -> str:
    """`3 open items`."""
    return f"{len(items)} open item{'s' if len(items) != 1 else ''}"


def ids(items: Sequence[ItemView]) -> str:
    """`#12, #14, #19` (the first IDS_SHOWN)."""
    shown = ", ".join(f"#{i.id}" for i in items[:IDS_SHOWN])
    return shown + (", …" if len(items) > IDS_SHOWN else "")
