"""The digest of closed loops: scheduling it in the outbox, and posting it when due.

Each digest is an outbox row (kind `digest`, or `weekly` with a chart) whose recipient is
the channel and whose key names its fire time, so replicas planning the same digest collide
harmlessly and the dispatcher's claim sends it once. A digest covers the loops closed from
the last digest that went out to that channel (or, for the first one, from the previous
fire time of its schedule) up to its own fire time; the next one starts there, so nothing is
counted twice or lost, however late a digest goes out. After downtime that swallowed
several fire times, only the latest is sent, covering them all.

Which channels: the workspace's digest channel (all loops), and with
`digest_client_channels` each watched client channel (its own loops). Settings come from
`Service.workspace(team)`; `replan(team)` re-queues after they change.
"""

from __future__ import annotations

import logging
import threading
import time as timer
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.chart import ChartError
from bot.chart import render as render_chart
from bot.clock import Clock
from bot.core import stats
from bot.core.nudges import Nudge
from bot.core.plan import Kind
from bot.core.schedule import default_daily, default_weekly, is_fire_time, next_fire, previous_fire
from bot.core.stats import Day, Facts, Numbers, StatsReport
from bot.store.outbox import Want
from bot.store.repo import Repo
from bot.usecases.nudge_kinds import Retry, TickResult
from bot.usecases.ports import NotifyError
from bot.usecases.workplace import Workplace

log = logging.getLogger(__name__)

KINDS = (Kind.DIGEST, Kind.WEEKLY)
TEAMS_TTL = 60.0  # seconds: how often the list of workspaces is read again
TARGETS_TTL = 30.0  # seconds: how often a workspace's digest channels are read again
# How far back to look for the previous fire time of a schedule, and the period when none.
LOOKBACK = {Kind.DIGEST: timedelta(days=7), Kind.WEEKLY: timedelta(days=31)}
FALLBACK = {Kind.DIGEST: timedelta(days=1), Kind.WEEKLY: timedelta(days=7)}
MAX_PERIOD = timedelta(days=31)  # a channel back on the list after months: a month at most
HISTORY_SLACK = timedelta(minutes=1)  # a previous attempt posted no earlier than this before due
STATS_DAYS = {"week": 7, "month": 30}

EMPTY = "nothing closed since the last digest"


class Poster(Protocol):
    """What the digest needs from Slack; each raises NotifyError when Slack refuses."""

    def post_digest(
        self,
        channel: str,
        numbers: Numbers,
        tz: str,
        nudge_id: int,
        weekly: bool,
        scope: str | None,
    ) -> tuple[str, str]: ...

    def upload_chart(
        self, channel: str, png: bytes, nudge_id: int, title: str, comment: str
    ) -> None: ...

    def find(self, channel: str, nudge_id: int, oldest: datetime) -> tuple[str | None, bool]: ...

    def chart_text(self, start: datetime, end: datetime, tz: str) -> tuple[str, str]: ...


def key(kind: str, at: datetime) -> str:
    return f"{kind}@{at.astimezone(UTC).isoformat()}"


class Digests:
    def __init__(
        self,
        repo: Repo,
        workplace: Workplace,
        poster: Poster,
        clock: Clock,
        chart: Callable[[list[Day], str], bytes] = render_chart,
    ) -> None:
        self.repo = repo
        self.workplace = workplace
        self.poster = poster
        self.clock = clock
        self.chart = chart
        self._lock = threading.Lock()
        self._teams: tuple[float, list[str]] = (0.0, [])
        self._targets: dict[str, tuple[float, list[str]]] = {}
        # (team, channel, kind) → ((cron line, tz), next fire time) already queued here.
        self._queued: dict[tuple[str, str, str], tuple[tuple[str, str], datetime]] = {}

    # -- scheduling

    def schedule(self, team_id: str, kind: str) -> tuple[str, str]:
        """The crontab line and time zone of a workspace's digest of this kind."""
        d = self.workplace.settings(team_id)
        if kind == Kind.WEEKLY:
            line = d.digest_weekly_cron or default_weekly(d.end_of_day)
        else:
            line = d.digest_cron or default_daily(d.end_of_day, d.workdays)
        return line, d.timezone

    def targets(self, team_id: str, *, fresh: bool = False) -> list[str]:
        """The channels that get this workspace's digests."""
        now = timer.monotonic()
        with self._lock:
            hit = self._targets.get(team_id)
        if hit is not None and hit[0] > now and not fresh:
            return hit[1]
        d = self.workplace.settings(team_id)
        channels = [d.digest_channel] if d.digest_channel else []
        if d.digest_client_channels:
            for c in self.repo.channels.all_watched(team_id):
                if c.channel_id not in channels:
                    channels.append(c.channel_id)
        with self._lock:
            self._targets[team_id] = (now + TARGETS_TTL, channels)
        return channels

    def ensure_all(self) -> None:
        """From every tick: queue each workspace's next digests. Never raises (the tick's
        nudges matter more); cheap when they are queued already."""
        try:
            now = timer.monotonic()
            expires, teams = self._teams
            if expires <= now:
                teams = self.repo.stats.teams()
                self._teams = (now + TEAMS_TTL, teams)
            for team in teams:
                self.ensure(team)
        except Exception:
            log.exception("could not plan the next digests; the next tick tries again")

    def ensure(self, team_id: str) -> None:
        """Queue the next digest and weekly digest of each channel, unless already queued."""
        now = self.clock.now()
        for channel in self.targets(team_id):
            for kind in KINDS:
                line, tz = self.schedule(team_id, kind)
                memo = self._queued.get((team_id, channel, kind))
                if memo is not None and memo[0] == (line, tz) and now < memo[1]:
                    continue
                at = next_fire(line, tz, now)
                if at is None:
                    continue
                at = at.astimezone(UTC)
                self.repo.outbox.ensure(team_id, Want(channel, kind, key(kind, at), at), now)
                self._queued[(team_id, channel, kind)] = ((line, tz), at)

    def replan(self, team_id: str) -> None:
        """The settings changed: cancel the queued digests and queue them anew."""
        with self._lock:
            self._targets.pop(team_id, None)
        for k in [k for k in list(self._queued) if k[0] == team_id]:  # list(): one C call,
            self._queued.pop(k, None)  # safe while the tick's thread adds keys
        self.repo.stats.cancel_queued(team_id, KINDS)
        self.ensure(team_id)

    # -- delivery (the dispatcher hands over the digest rows it claimed for a channel)

    def deliver(
        self,
        team: str,
        channel: str,
        nudges: list[Nudge],
        token: str,
        now: datetime,
        result: TickResult,
        retry: Retry,
    ) -> None:
        weekly_due = any(n.kind == Kind.WEEKLY and n.due_at <= now for n in nudges)
        for n in sorted(nudges, key=lambda n: (n.kind != Kind.WEEKLY, n.due_at, n.id)):
            try:
                self._deliver_one(team, channel, n, token, now, result, weekly_due)
            except NotifyError as e:
                if e.transient:
                    retry(n, token, now, e.reason, result)
                else:
                    log.warning("digest %s to %s failed for good: %s", n.id, channel, e.reason)
                    self.repo.outbox.mark_failed(n.id, token, e.reason)
                    result.failed += 1
        self.ensure(team)  # the following one

    def _deliver_one(
        self,
        team: str,
        channel: str,
        n: Nudge,
        token: str,
        now: datetime,
        result: TickResult,
        weekly_due: bool,
    ) -> None:
        outbox = self.repo.outbox
        if n.due_at > now:
            # Claimed a little early along with another row: a digest covers the loops up to
            # its own time, so it waits for it.
            outbox.put_back(n.id, token, n.due_at)
            return
        why_not = self._stale(team, channel, n, now)
        if why_not is None and n.kind == Kind.DIGEST and (weekly_due or self._weekly_at(team, n)):
            why_not = "the weekly digest went out at the same time and covers it"
        if why_not:
            outbox.mark_skipped(n.id, token, why_not)
            result.skipped += 1
            return
        line, tz = self.schedule(team, n.kind)
        weekly = n.kind == Kind.WEEKLY
        found, chart_found = (None, False)
        if n.attempts > 1:  # an earlier attempt may have posted before it could record it
            found, chart_found = self.poster.find(channel, n.id, n.due_at - HISTORY_SLACK)
        if found is not None and (chart_found or not weekly):
            log.info("digest %s was already posted before a crash; not posting it again", n.id)
            outbox.mark_sent(n.id, token, self.clock.now(), channel, found)
            result.sent += 1
            return
        since = self.since(team, channel, n.kind, n.due_at, line, tz)
        facts, numbers, scope = self.period(team, channel, since, n.due_at, now)
        if found is None:
            if numbers.empty():
                outbox.mark_skipped(n.id, token, EMPTY)
                result.skipped += 1
                return
            posted = self.poster.post_digest(channel, numbers, tz, n.id, weekly, scope)
        else:
            log.info("digest %s was posted before a crash; uploading only its chart", n.id)
            posted = (channel, found)
        if weekly and not chart_found:
            self._chart(channel, n, facts, since, tz)
        outbox.mark_sent(n.id, token, self.clock.now(), *posted)
        result.sent += 1

    def _stale(self, team: str, channel: str, n: Nudge, now: datetime) -> str | None:
        """Why a due digest row should not be posted, or None when it should."""
        if channel not in self.targets(team, fresh=True):
            return "this channel no longer gets digests"
        line, tz = self.schedule(team, n.kind)
        if not is_fire_time(line, tz, n.due_at):
            return "the digest schedule changed"
        if n.kind == Kind.DIGEST and not self.workplace.settings(team).digest_cron:
            # The default daily digest keeps the working calendar: none on a holiday (the
            # next working day's covers it); a schedule of one's own is taken as given.
            cal = self.workplace.calendar_in(team, tz)
            if not cal.is_working_day(cal.today(n.due_at)):
                return "not a working day (a holiday): the next digest covers it"
        latest = previous_fire(line, tz, now, now - n.due_at + timedelta(seconds=1))
        if latest is not None and latest > n.due_at:
            # Down over several fire times: send only the latest, covering them all.
            at = latest.astimezone(UTC)
            self.repo.outbox.ensure(team, Want(channel, n.kind, key(n.kind, at), at), now)
            return "a later digest time passed while I was away; that digest covers this one"
        return None

    def _weekly_at(self, team: str, n: Nudge) -> bool:
        """Whether a weekly digest already went out to this channel at this very moment."""
        tiny = timedelta(microseconds=1)
        weekly = self.repo.stats.last_sent(team, n.recipient_id, (Kind.WEEKLY,), n.due_at + tiny)
        return weekly == n.due_at

    def _chart(self, channel: str, n: Nudge, facts: Facts, since: datetime, tz: str) -> None:
        days = stats.by_day(facts.closed, since, n.due_at, tz)
        title, comment = self.poster.chart_text(since, n.due_at, tz)
        try:
            png = self.chart(days, title)
        except ChartError as e:
            log.warning("the weekly chart for digest %s could not be drawn: %s", n.id, e)
            return
        try:
            self.poster.upload_chart(channel, png, n.id, title, comment)
        except NotifyError as e:
            if e.transient:
                raise  # retried: the next attempt finds the digest and uploads only the chart
            log.warning("the weekly chart for digest %s was not uploaded: %s", n.id, e.reason)

    # -- the numbers

    def since(
        self, team: str, channel: str, kind: str, due: datetime, line: str, tz: str
    ) -> datetime:
        """Where a digest's period starts: when the last digest that went out to the channel
        was due (a daily one after a weekly one too). Before the first one went out, the
        schedule's fire time before the first digest planned for the channel (a first digest
        missed while the bot was down is covered by the one sent instead). Never more than
        MAX_PERIOD back."""
        kinds = KINDS if kind == Kind.DIGEST else (Kind.WEEKLY,)
        start = self.repo.stats.last_sent(team, channel, kinds, due)
        if start is None:
            first = min(self.repo.stats.first_planned(team, channel, kinds) or due, due)
            previous = previous_fire(line, tz, first - timedelta(microseconds=1), LOOKBACK[kind])
            start = previous.astimezone(UTC) if previous else first - FALLBACK[kind]
        return max(start, due - MAX_PERIOD)

    def period(
        self, team: str, channel: str, since: datetime, until: datetime, now: datetime
    ) -> tuple[Facts, Numbers, str | None]:
        """The facts and figures of a channel's digest: the whole workspace's loops in the
        digest channel, a client channel's own loops there. Also the scope (None: all)."""
        scope = None if channel == self.workplace.settings(team).digest_channel else channel
        facts = self.repo.stats.facts(team, since, until, now, channel_id=scope)
        return facts, stats.numbers(facts, since, until), scope

    def report(self, team: str, user: str, period: str) -> StatsReport:
        """`/promise stats [week|month]`: the invoker's figures and the team's."""
        days = STATS_DAYS[period]
        now = self.clock.now()
        since, until = now - timedelta(days=days), now + timedelta(microseconds=1)
        facts = self.repo.stats.facts(team, since, until, now)
        open_, overdue = self.repo.stats.open_counts(team, now, owner_id=user)
        mine = stats.numbers(stats.for_person(facts, user, open_, overdue), since, until)
        return StatsReport(period, days, user, mine, stats.numbers(facts, since, until))
