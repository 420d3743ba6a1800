"""The end-of-day DM: what is due today, replies owed, and a little of the backlog, sent
before the owner's working day ends (a nudge kind of bot.usecases.nudge_kinds)."""

from __future__ import annotations

from bot.core.items import ItemView
from bot.core.nudges import Nudge
from bot.store.repo import Repo
from bot.usecases.nudge_kinds import Due, Skip
from bot.usecases.planner import Planner
from bot.usecases.ports import EndOfDay, NudgeView
from bot.usecases.workplace import Workplace

BACKLOG_SHOWN = 3


class EndOfDayNudge:
    needs_escalation = False
    may_go_early = True

    def __init__(self, repo: Repo, workplace: Workplace, planner: Planner) -> None:
        self.repo = repo
        self.workplace = workplace
        self.planner = planner

    def check(self, n: Nudge, due: Due) -> NudgeView | Skip:
        """Today's lists, or why not; either way the next end-of-day DM is queued (today's
        again after a skip, while today's working day is not over)."""
        why_not, content = self._lists(n, due)
        self.planner.ensure_eod(n.team_id, n.recipient_id, catch_up=why_not is not None)
        if why_not is not None:
            return Skip(why_not)
        return NudgeView(n.id, n.kind, end_of_day=content)

    def _lists(self, n: Nudge, due: Due) -> tuple[str | None, EndOfDay | None]:
        cal = self.workplace.calendar_for(n.team_id, n.recipient_id)
        day = cal.today(n.due_at)
        if due.now >= cal.end_of_day_on(day):
            return "the working day was over before it could be sent", None
        start, end = cal.start_of_day_on(day), cal.end_of_day_on(day)
        overdue: list[ItemView] = []
        due_today: list[ItemView] = []
        replies: list[ItemView] = []
        backlog: list[ItemView] = []
        for item in self.repo.open_items(n.team_id, owner_id=n.recipient_id, limit=1000):
            if start <= item.due_at <= end:
                if item.due_at < due.now:  # missed today: the client must hear now
                    overdue.append(item)
                else:
                    (replies if item.kind == "reply" else due_today).append(item)
            elif item.due_at < start:
                backlog.append(item)
        overdue.sort(key=lambda i: (i.due_at, i.id), reverse=True)  # the latest miss first
        due_today.sort(key=lambda i: (i.due_at, i.id))
        replies.sort(key=lambda i: (i.due_at, i.id))
        backlog.sort(key=lambda i: i.due_at, reverse=True)  # start where you are: newest first
        content = EndOfDay(
            due_today,
            replies,
            backlog[:BACKLOG_SHOWN],
            max(0, len(backlog) - BACKLOG_SHOWN),
            overdue,
        )
        if content.empty():
            return "nothing to say", None
        return None, content
