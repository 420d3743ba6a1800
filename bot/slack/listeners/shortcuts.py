"""The "Track client message" shortcut: answered politely until client messages arrive."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.slack.client import respond
from bot.slack.listeners.commands import ack_now


def track_client_message(body: dict[str, Any]) -> None:
    respond(
        body.get("response_url"),
        {
            "text": ":construction: Tracking client messages is coming in a later release; "
            "nothing was recorded. For now use `/promise reply to CLIENT about WHAT`."
        },
    )


def register(app: App) -> None:
    app.shortcut("track_client_message")(ack=ack_now, lazy=[track_client_message])
