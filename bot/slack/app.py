"""Builds the Bolt app and registers the listeners."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.listeners import actions, commands, coverage, done, events, home, shortcuts, views
from bot.slack.notifier import SlackNotifier
from bot.slack.priority import AckFirst, AfterAckExecutor
from bot.usecases.clients import Inbox
from bot.usecases.promises import Service


def build_app(
    client: WebClient,
    signing_secret: str,
    service: Service,
    notifier: SlackNotifier,
    inbox: Inbox,
    after_ack: AfterAckExecutor | None = None,
) -> App:
    """A Bolt app on the shared client; it checks every request's signature."""
    app = App(
        client=client,
        signing_secret=signing_secret,
        # Ack functions run in the request thread and answer at once; the slow part of each
        # listener is a `lazy` function on this pool, which yields to pending acks (Slack's
        # 3-second budget is for the ack; a response_url stays valid for 30 minutes).
        process_before_response=True,
        listener_executor=after_ack or AfterAckExecutor(AckFirst()),
        logger=logging.getLogger("bot.slack"),
    )
    events.register(app, inbox)  # first: most requests are events
    commands.register(app, service)
    actions.register(app, service, notifier)
    done.register(app, service, notifier)
    coverage.register(app, service.coverage)
    views.register(app, service)
    shortcuts.register(app, inbox)
    home.register(app, service)
    return app
