"""Builds the Bolt app and registers the listeners."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from bot.service import Service
from bot.slack.listeners import commands, events, shortcuts, views


def build_app(client: WebClient, signing_secret: str, service: Service) -> App:
    """A Bolt app on the shared client; it checks every request's signature."""
    app = App(
        client=client,
        signing_secret=signing_secret,
        # Ack functions run in the request thread and answer at once; the slow part of each
        # listener is a `lazy` function on this pool, so a burst of commands cannot delay
        # acks (Slack's 3-second budget is for the ack).
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(max_workers=2, thread_name_prefix="after-ack"),
        logger=logging.getLogger("bot.slack"),
    )
    commands.register(app, service)
    views.register(app, service)
    events.register(app)
    shortcuts.register(app)
    return app
