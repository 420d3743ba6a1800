"""App Home: gather a person's items for the Home tab, publish it, and keep it fresh.

`Home` gathers one person's data (`HomeData`; bot/slack/blocks/home.py renders it) and
publishes it through a `HomeScreen`. `HomeWatch` is told by the planner whose items changed;
`HomeRefresher` re-publishes those people's tabs on its own thread. Other features add to the
Home: the lead's figures of the week (bot.usecases.digest) and away cover
(bot.usecases.coverage); a part that fails is left out, never the Home.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.clock import Clock
from bot.core.agenda import sort_agenda
from bot.core.items import ItemView
from bot.store.home import HomeQueries, Row
from bot.store.repo import Repo
from bot.usecases.coverage import Coverage
from bot.usecases.digest import Digests
from bot.usecases.workplace import Workplace

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (team, user)
NUMBERS_TTL = 60.0  # seconds the lead's weekly figures are reused
# The most items each section shows before its summary line (the backlog grows on demand).
SHOWN = {"today": 8, "overdue": 8, "replies": 8, "coming": 5}
BACKLOG_STEP = 5
BACKLOG_MAX = 40  # never more than this many backlog items, however often "show more"
TEAM_OWNERS = 10  # the lead sees this many people's loads, most open items first
TEAM_ITEMS = 3  # …and each one's first few items, soonest first


@dataclass(frozen=True)
class Section:
    """A section's first items, in reading order, and how many it has in all."""

    items: Sequence[ItemView] = ()
    total: int = 0


@dataclass(frozen=True)
class OwnerLoad:
    """One teammate's open items, for the lead: counts and the first few, soonest first."""

    owner_id: str
    open: int
    overdue: int
    first: Sequence[ItemView] = ()


@dataclass(frozen=True)
class Team:
    owners: Sequence[OwnerLoad]  # most open items first
    people: int  # how many people own open items
    open: int
    overdue: int


@dataclass(frozen=True)
class HomeData:
    """Everything one person's Home tab shows; bot/slack/blocks/home.py renders it."""

    user_id: str
    tz: str  # the viewer's time zone, for the date tokens' fallback text
    now: datetime
    today: Section = field(default_factory=Section)
    overdue: Section = field(default_factory=Section)
    replies: Section = field(default_factory=Section)
    backlog: Section = field(default_factory=Section)
    coming: Section = field(default_factory=Section)
    backlog_wanted: int = BACKLOG_STEP  # how many backlog items the person asked to see
    watched: Sequence[str] = ()  # client channel IDs
    team: Team | None = None  # the lead's view of the team
    numbers: Sequence[str] | None = None  # this week's numbers, already formatted (lead)
    coverage: Sequence[str] | None = None  # away cover, already formatted lines
    notice: str | None = None  # what the person's last click did


class HomeScreen(Protocol):
    def publish(self, team_id: str, user_id: str, data: HomeData) -> None:
        """Render and publish the person's Home tab; raises when Slack refuses."""
        ...


class Home:
    """One person's Home tab: what they owe, and for the lead, the team at a glance."""

    def __init__(
        self,
        repo: Repo,
        workplace: Workplace,
        digests: Digests,
        coverage: Coverage,
        screen: HomeScreen,
        clock: Clock,
    ) -> None:
        self.repo = repo
        self.workplace = workplace
        self.digests = digests
        self.cover = coverage
        self.screen = screen
        self.clock = clock
        self.queries = HomeQueries(repo.sessions)
        self._backlog: dict[Key, int] = {}  # how much backlog each person last asked to see
        self._numbers: dict[str, tuple[float, list[str]]] = {}  # team → (expires, lines)
        self._lock = threading.Lock()

    def data(
        self, team_id: str, user_id: str, *, backlog: int | None = None, notice: str | None = None
    ) -> HomeData:
        """Everything the Home tab shows for this person, now."""
        now = self.clock.now()
        cal = self.workplace.calendar_for(team_id, user_id)
        wanted = self._wanted(team_id, user_id, backlog)
        agenda = sort_agenda(self.queries.open_rows(team_id, user_id), now, cal)
        picks: dict[str, list[Row]] = {
            "today": agenda.due_today[: SHOWN["today"]],
            "overdue": agenda.overdue[: SHOWN["overdue"]],
            "replies": agenda.replies[: SHOWN["replies"]],
            "backlog": agenda.backlog[:wanted],
            "coming": agenda.coming[: SHOWN["coming"]],
        }
        found = self.queries.items(team_id, [r.id for rows in picks.values() for r in rows])

        def section(key: str, rows: list[Row]) -> Section:
            # An item closed between the two queries is simply left out.
            return Section([found[r.id] for r in picks[key] if r.id in found], len(rows))

        is_lead = user_id == self.lead(team_id)
        return HomeData(
            user_id=user_id,
            tz=cal.tz.key,
            now=now,
            today=section("today", agenda.due_today),
            overdue=section("overdue", agenda.overdue),
            replies=section("replies", agenda.replies),
            backlog=section("backlog", agenda.backlog),
            coming=section("coming", agenda.coming),
            backlog_wanted=wanted,
            watched=[c.channel_id for c in self.repo.channels.all_watched(team_id)],
            team=self._team(team_id, now) if is_lead else None,
            numbers=self.week_numbers(team_id, now) if is_lead else None,
            coverage=self.coverage(team_id, user_id, now, lead=is_lead),
            notice=notice,
        )

    def publish(
        self, team_id: str, user_id: str, *, backlog: int | None = None, notice: str | None = None
    ) -> bool:
        """Publish the person's Home; a failure is logged, never raised (it is never the
        caller's problem that a Home tab could not be refreshed)."""
        try:
            data = self.data(team_id, user_id, backlog=backlog, notice=notice)
            self.screen.publish(team_id, user_id, data)
            return True
        except Exception:
            log.exception("could not publish the Home tab of %s", user_id)
            return False

    def lead(self, team_id: str) -> str | None:
        return self.workplace.lead(team_id)

    def _wanted(self, team_id: str, user_id: str, backlog: int | None) -> int:
        """Remember the backlog size asked for, so a refresh keeps what the person sees."""
        with self._lock:
            if backlog is None:
                return self._backlog.get((team_id, user_id), BACKLOG_STEP)
            wanted = min(max(backlog, BACKLOG_STEP), BACKLOG_MAX)
            self._backlog[(team_id, user_id)] = wanted
            return wanted

    def _team(self, team_id: str, now: datetime) -> Team:
        loads = self.queries.loads(team_id, now)
        shown = loads[:TEAM_OWNERS]
        first = self.queries.first_per_owner(team_id, [x.owner_id for x in shown], TEAM_ITEMS)
        return Team(
            owners=[OwnerLoad(x.owner_id, x.open, x.overdue, first[x.owner_id]) for x in shown],
            people=len(loads),
            open=sum(x.open for x in loads),
            overdue=sum(x.overdue for x in loads),
        )

    # ---- what other features add to the Home ------------------------------------------

    def week_numbers(self, team_id: str, now: datetime) -> list[str] | None:
        """The lead's "this week": the team's figures of the last 7 days, the same as
        `/promise stats week` (bot.usecases.digest.Digests.report → bot.core.stats.Numbers).

        Cached per workspace for NUMBERS_TTL: the lead's Home is re-published after every
        change in the team, and a week's figures need not move by the second."""
        with self._lock:
            hit = self._numbers.get(team_id)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        try:
            lines = list(
                self.digests.report(team_id, self.lead(team_id) or "", "week").team.summary_lines()
            )
        except Exception:
            log.exception("could not compute this week's numbers for App Home")
            return None
        with self._lock:
            self._numbers[team_id] = (time.monotonic() + NUMBERS_TTL, lines)
        return lines

    def coverage(self, team_id: str, user_id: str, now: datetime, *, lead: bool) -> list[str]:
        """Away cover (bot.usecases.coverage.Coverage): for the lead, who is away and what is due
        meanwhile; for anyone else, their own absences ahead and what to hand off."""
        try:
            if lead:
                return list(self.cover.for_lead(team_id, now))
            return list(self.cover.for_person(team_id, user_id, now))
        except Exception:
            log.exception("could not read away coverage for App Home")
            return []


class HomeWatch:
    """Whose Home tab is out of date. The planner tells it after every change to an item, up
    to hundreds of times a second when client messages pour in, so `changed()` only marks the
    person (and their team, whose lead sees every item); only people who have opened their
    Home tab are marked (publishing one nobody looks at is a wasted call)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._opened: set[Key] = set()
        self._dirty: set[Key] = set()
        self._dirty_teams: set[str] = set()
        self.wake = threading.Event()

    # -- called from request threads: O(1), never blocks on I/O, never raises

    def changed(self, team_id: str, user_id: str) -> None:
        """This person's items changed: their Home (and their lead's) needs re-publishing."""
        key = (team_id, user_id)
        with self._lock:
            if key in self._opened:
                self._dirty.add(key)
            self._dirty_teams.add(team_id)
        self.wake.set()

    def opened(self, team_id: str, user_id: str) -> None:
        with self._lock:
            self._opened.add((team_id, user_id))

    def published(self, team_id: str, user_id: str) -> None:
        """Published just now, with every change so far: opened, and no longer dirty."""
        key = (team_id, user_id)
        with self._lock:
            self._opened.add(key)
            self._dirty.discard(key)

    def is_open(self, team_id: str, user_id: str) -> bool:
        with self._lock:
            return (team_id, user_id) in self._opened

    def take(self) -> tuple[set[Key], set[str]]:
        """The dirty people and teams, which are then clean."""
        with self._lock:
            dirty, teams = self._dirty, self._dirty_teams
            self._dirty, self._dirty_teams = set(), set()
        return dirty, teams


class HomeRefresher:
    """Debounced re-publishing of the Home tabs `HomeWatch` marks, on its own thread; at most
    once per `interval` each. Tests call `flush()` instead of waiting for the worker."""

    def __init__(
        self,
        watch: HomeWatch,
        home: Home,
        interval: float = 2.0,
        before_publish: Callable[[], None] | None = None,
    ) -> None:
        self.watch = watch
        self.home = home
        self.interval = interval
        # e.g. AckFirst.wait_idle: let Slack's requests be acked before this work.
        self._before_publish = before_publish
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def publish(
        self, team_id: str, user_id: str, *, backlog: int | None = None, notice: str | None = None
    ) -> bool:
        """Publish now, on the caller's thread: the tab was opened or a button on it used."""
        self.watch.published(team_id, user_id)  # what is published now has the change
        return self.home.publish(team_id, user_id, backlog=backlog, notice=notice)

    def flush(self) -> int:
        """Publish every dirty Home now (the lead's when their team's items changed);
        returns how many were published."""
        dirty, teams = self.watch.take()
        for team in teams:
            try:
                lead = self.home.lead(team)
            except Exception:
                log.exception("could not read the lead of %s", team)
                continue
            if lead and self.watch.is_open(team, lead):
                dirty.add((team, lead))
        return sum(self.home.publish(team, user) for team, user in sorted(dirty))

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="home-refresh", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self.watch.wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            self.watch.wake.wait()
            if self._stopping.is_set():
                return
            self.watch.wake.clear()
            try:
                if self._before_publish is not None:
                    self._before_publish()
                self.flush()
            except Exception:
                log.exception("Home refresh failed")
