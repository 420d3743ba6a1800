"""Builds the Bolt app and registers the listeners."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from bot.clock import Clock
from bot.slack.directory import SlackDirectory
from bot.slack.fair_use import CommandLimits
from bot.slack.intake import Intake
from bot.slack.listeners import actions, commands, coverage, done, events, home, shortcuts, views
from bot.slack.listeners.interactions import Interactions
from bot.slack.notifier import SlackNotifier
from bot.slack.priority import AfterAckExecutor
from bot.usecases.clients import Clients
from bot.usecases.commands import PromiseCommand
from bot.usecases.coverage import Coverage
from bot.usecases.home import HomeRefresher
from bot.usecases.promises import Promises
from bot.usecases.settings import Settings
from bot.usecases.workplace import Workplace


@dataclass(frozen=True)
class UseCases:
    """What the listeners act through; each listener module takes the few it uses."""

    command: PromiseCommand
    promises: Promises
    clients: Clients
    coverage: Coverage
    settings: Settings
    workplace: Workplace
    home: HomeRefresher
    clock: Clock


class _ClientGiven(logging.Filter):
    """Bolt warns at every start that SLACK_BOT_TOKEN (which it reads by itself) is unused
    because a client was given: that is the design here (one shared, configured client)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "will be unused" not in record.getMessage()


def build_app(
    client: WebClient,
    signing_secret: str,
    uses: UseCases,
    notifier: SlackNotifier,
    directory: SlackDirectory,
    intake: Intake,
    after_ack: AfterAckExecutor,
    limits: CommandLimits,
) -> App:
    """A Bolt app on the shared client; it checks every request's signature. Commands and
    watched channels' events go through `intake` (stored before the ack, processed on
    `after_ack`, the pool the intake was given); `limits` hold each person's commands to a
    fair share."""
    logger = logging.getLogger("bot.slack")
    if not any(isinstance(f, _ClientGiven) for f in logger.filters):
        logger.addFilter(_ClientGiven())
    app = App(
        client=client,
        signing_secret=signing_secret,
        # Ack functions run in the request thread and answer at once; the slow part of each
        # listener is a `lazy` function on this pool, which yields to pending acks (Slack's
        # 3-second budget is for the ack; a response_url stays valid for 30 minutes).
        process_before_response=True,
        listener_executor=after_ack,
        logger=logger,
    )
    events.register(app, uses.clients, intake)  # first: most requests are events
    commands.register(app, uses.command, uses.clock, intake, limits)
    clicks = Interactions(app, intake)  # clicks and forms that change something
    actions.register(app, clicks, uses.promises, uses.workplace, uses.home, notifier, after_ack)
    done.register(clicks, uses.promises, uses.workplace, uses.home, notifier)
    coverage.register(app, uses.coverage, directory)
    views.register(app, clicks, uses.promises, uses.settings)
    shortcuts.register(app, uses.clients, after_ack)
    home.register(app, uses.home)
    return app
