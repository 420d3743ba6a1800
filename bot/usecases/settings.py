"""The settings form: the lead or an admin changes a workspace's hours, SLA, lead and
digest; saving re-plans everything those settings time (open items, end-of-day DMs,
digests, waiting coverage DMs)."""

from __future__ import annotations

from bot.clock import Clock
from bot.usecases.coverage import Coverage
from bot.usecases.digest import Digests
from bot.usecases.planner import Planner
from bot.usecases.results import FormErrors, Invocation, OpenSettings, Problem, SettingsSaved
from bot.usecases.workplace import Workplace


class Settings:
    def __init__(
        self,
        workplace: Workplace,
        planner: Planner,
        digests: Digests,
        coverage: Coverage,
        clock: Clock,
    ) -> None:
        self.workplace = workplace
        self.planner = planner
        self.digests = digests
        self.coverage = coverage
        self.clock = clock

    def open(self, who: Invocation) -> OpenSettings | Problem:
        """The form, filled with what is in force, for those who may change it."""
        return self.workplace.may_configure(who) or OpenSettings(
            self.workplace.settings(who.team_id)
        )

    def check(self, who: Invocation, values: dict[str, str]) -> FormErrors | Problem | None:
        """Whether `who` may save the form's values (by variable name), and each field's
        problem; None when all is fine. Nothing is stored."""
        if problem := self.workplace.may_configure(who):
            return problem
        errors = self.workplace.check(values)
        return FormErrors(errors) if errors else None

    def save(self, who: Invocation, values: dict[str, str]) -> SettingsSaved | FormErrors | Problem:
        """Check and store the form's values (by variable name), then re-plan the workspace.
        The re-plan runs after every save, changes or not: a save done again after a crash
        finds nothing left to change, but the first run's re-plan may never have happened."""
        if refused := self.check(who, values):
            return refused
        changes = self.workplace.save(who.team_id, values, who.user_id, self.clock.now())
        return SettingsSaved(changes, self.replan_workspace(who.team_id))

    def replan_workspace(self, team_id: str) -> int:
        """After a save: re-plan every open item, the end-of-day DMs, the digests and the
        coverage DMs of absences ahead; returns how many items were re-planned."""
        count = self.planner.replan_workspace(team_id)
        self.digests.replan(team_id)
        self.coverage.replan(team_id)
        return count
