"""`/promise TEXT`: parse it, and hand the command to the use case it belongs to."""

from __future__ import annotations

import logging

from bot.core import commands as cmd
from bot.core.stats import StatsReport
from bot.store import StoreError
from bot.usecases.clients import Clients
from bot.usecases.coverage import AwayCleared, AwaySet, Coverage
from bot.usecases.digest import Digests
from bot.usecases.promises import Promises
from bot.usecases.results import (
    HelpText,
    Invocation,
    NeedsInvite,
    Problem,
    Result,
    Unwatched,
    Watching,
)
from bot.usecases.settings import Settings
from bot.usecases.workplace import Workplace

log = logging.getLogger(__name__)

Answer = Result | Watching | NeedsInvite | Unwatched | AwaySet | AwayCleared | StatsReport


class PromiseCommand:
    def __init__(
        self,
        workplace: Workplace,
        promises: Promises,
        clients: Clients,
        coverage: Coverage,
        digests: Digests,
        settings: Settings,
    ) -> None:
        self.workplace = workplace
        self.promises = promises
        self.clients = clients
        self.coverage = coverage
        self.digests = digests
        self.settings = settings

    def handle(self, who: Invocation, text: str) -> Answer:
        """Run one `/promise` text. Never raises for bad input; storage errors become Problems."""
        try:
            command = cmd.parse_command(text)
        except cmd.UsageError as e:
            return Problem(e.message, e.example)
        try:
            return self._run(who, command)
        except cmd.UsageError as e:
            return Problem(e.message, e.example)
        except StoreError:
            log.exception("database error while handling /promise")
            return Problem(
                "I couldn't reach my database just now, so nothing was saved or changed. "
                "Please try again in a minute."
            )

    def _run(self, who: Invocation, command: cmd.Command) -> Answer:
        p = self.promises
        match command:
            case cmd.OpenModal():
                return p.form_defaults(who)
            case cmd.Help():
                return HelpText(self.workplace.lead(who.team_id))
            case cmd.Create():
                return p.create(who, command)
            case cmd.Reply():
                return p.reply(who, command)
            case cmd.ListItems():
                return p.list(who, command)
            case cmd.Done():
                return p.close(who, command.item_id, command.helpers)
            case cmd.Move():
                return p.move(who, command.item_id, command.when, command.note)
            case cmd.Cancel():
                return p.cancel(who, command)
            case cmd.HandOff():
                return p.hand_off(who, command.item_id, command.to)
            case cmd.Wait():
                return p.wait(who, command.item_id, command.until)
            case cmd.Watch():
                return self.clients.watch(who, command)
            case cmd.Unwatch():
                return self.clients.unwatch(who)
            case cmd.Settings():
                return self.settings.open(who)
            case cmd.Away() | cmd.AwayOff():
                return self.coverage.command(who, command)
            case cmd.Stats(period=period):
                return self.digests.report(who.team_id, who.user_id, period)
        raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover
