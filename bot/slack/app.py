"""Builds the Bolt app and registers the listeners."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.service import Service
from bot.slack.listeners import commands, events, shortcuts, views


def build_app(client: WebClient, signing_secret: str, service: Service) -> App:
    """A Bolt app on the shared client; it checks every request's signature."""
    app = App(
        client=client,
        signing_secret=signing_secret,
        process_before_response=False,
        logger=logging.getLogger("bot.slack"),
    )
    commands.register(app, service)
    views.register(app, service)
    events.register(app)
    shortcuts.register(app)
    return app
