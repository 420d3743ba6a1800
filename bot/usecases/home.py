"""App Home: gather a person's items, render the Home tab, publish it — and keep it fresh.

`Home` is the use case (one person's data → bot.slack.blocks.home's view → `views.publish`).
`HomeRefresher` re-publishes after changes: `Service.replan` calls `changed()` after every
change to an item, up to hundreds of times a second when client messages pour in, so
`changed()` only marks the person dirty; a worker publishes each dirty person at most once
per `interval`, and only people who have opened their Home tab (publishing one nobody
looks at is a wasted call). Tests call `flush()` instead of waiting for the worker.

Other features add to the Home through `Home.week_numbers` (the lead's figures, from
bot.usecases.digest / bot.core.stats) and `Home.coverage` (bot.usecases.coverage); either missing or failing
leaves its part out, never the Home.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.core.agenda import sort_agenda
from bot.slack.blocks.home import (
    BACKLOG_MAX,
    BACKLOG_STEP,
    SHOWN,
    TEAM_ITEMS,
    TEAM_OWNERS,
    HomeData,
    OwnerLoad,
    Section,
    Team,
    render_home,
)
from bot.store.home import HomeQueries, Row

log = logging.getLogger(__name__)

Publish = Callable[[str, str, dict[str, Any]], None]  # (team, user, view) → views.publish
Key = tuple[str, str]  # (team, user)
NUMBERS_TTL = 60.0  # seconds the lead's weekly figures are reused


class Home:
    """One person's Home tab: what they owe, and for the lead, the team at a glance."""

    def __init__(self, service: Any, publish: Publish, queries: HomeQueries | None = None) -> None:
        self.service = (
            service  # bot.usecases.promises.Service: calendars, settings, the watched channels
        )
        self.queries = queries or HomeQueries(service.repo.sessions)
        self._publish = publish
        self._backlog: dict[Key, int] = {}  # how much backlog each person last asked to see
        self._numbers: dict[str, tuple[float, list[str]]] = {}  # team → (expires, lines)
        self._lock = threading.Lock()

    def data(
        self, team_id: str, user_id: str, *, backlog: int | None = None, notice: str | None = None
    ) -> HomeData:
        """Everything the Home tab shows for this person, now."""
        now = self.service.clock.now()
        cal = self.service.calendar_for(team_id, user_id)
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
            watched=[c.channel_id for c in self.service.repo.channels.all_watched(team_id)],
            team=self._team(team_id, now) if is_lead else None,
            numbers=self.week_numbers(team_id, now) if is_lead else None,
            coverage=self.coverage(team_id, user_id, now, lead=is_lead),
            notice=notice,
        )

    def view(self, team_id: str, user_id: str, **kw: Any) -> dict[str, Any]:
        return render_home(self.data(team_id, user_id, **kw))

    def publish(
        self, team_id: str, user_id: str, *, backlog: int | None = None, notice: str | None = None
    ) -> bool:
        """Publish the person's Home; a failure is logged, never raised (it is never the
        caller's problem that a Home tab could not be refreshed)."""
        try:
            view = self.view(team_id, user_id, backlog=backlog, notice=notice)
            self._publish(team_id, user_id, view)
            return True
        except Exception:
            log.exception("could not publish the Home tab of %s", user_id)
            return False

    def lead(self, team_id: str) -> str | None:
        return self.service.workspace(team_id).lead  # type: ignore[no-any-return]

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
        digests = getattr(self.service, "digests", None)
        if digests is None:
            return None
        with self._lock:
            hit = self._numbers.get(team_id)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        try:
            lines = list(
                digests.report(team_id, self.lead(team_id) or "", "week").team.summary_lines()
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
        cover = getattr(self.service, "coverage", None)
        if cover is None:
            return []
        try:
            if lead:
                return list(cover.for_lead(team_id, now))
            return list(cover.for_person(team_id, user_id, now))
        except Exception:
            log.exception("could not read away coverage for App Home")
            return []


class HomeRefresher:
    """Debounced re-publishing of Home tabs after changes, on its own thread."""

    def __init__(
        self,
        home: Home,
        interval: float = 2.0,
        before_publish: Callable[[], None] | None = None,
    ) -> None:
        self.home = home
        self.interval = interval
        # e.g. AckFirst.wait_idle: let Slack's requests be acked before this work.
        self._before_publish = before_publish
        self._lock = threading.Lock()
        self._opened: set[Key] = set()
        self._dirty: set[Key] = set()
        self._dirty_teams: set[str] = set()  # their lead's Home shows every item
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- called from request threads: O(1), never blocks on I/O, never raises

    def changed(self, team_id: str, user_id: str) -> None:
        """This person's items changed: their Home (and their lead's) needs re-publishing."""
        key = (team_id, user_id)
        with self._lock:
            if key in self._opened:
                self._dirty.add(key)
            self._dirty_teams.add(team_id)
        self._wake.set()

    def opened(self, team_id: str, user_id: str) -> None:
        with self._lock:
            self._opened.add((team_id, user_id))

    def publish(
        self, team_id: str, user_id: str, *, backlog: int | None = None, notice: str | None = None
    ) -> bool:
        """Publish now, on the caller's thread: the tab was opened or a button on it used."""
        key = (team_id, user_id)
        with self._lock:
            self._opened.add(key)
            self._dirty.discard(key)  # what is published now already has the change
        return self.home.publish(team_id, user_id, backlog=backlog, notice=notice)

    # -- the worker

    def flush(self) -> int:
        """Publish every dirty Home now (the lead's when their team's items changed);
        returns how many were published."""
        with self._lock:
            dirty, teams = self._dirty, self._dirty_teams
            self._dirty, self._dirty_teams = set(), set()
        for team in teams:
            try:
                lead = self.home.lead(team)
            except Exception:
                log.exception("could not read the lead of %s", team)
                continue
            with self._lock:
                if lead and (team, lead) in self._opened:
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
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            if self._stopping.is_set():
                return
            self._wake.clear()
            try:
                if self._before_publish is not None:
                    self._before_publish()
                self.flush()
            except Exception:
                log.exception("Home refresh failed")
            # Each person at most once per interval; changes meanwhile wait for the next round.
            self._stopping.wait(self.interval)
