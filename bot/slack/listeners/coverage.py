"""`user_change`: a teammate's Slack status may say they are away (vacation, leave, sick).

Slack sends the whole user object, for every profile change of everyone in the workspace:
the ack is immediate, and after it the directory's cached copy is refreshed from the event
(no users.info call) and the status is read (one indexed query when it is not away-like).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.slack.directory import SlackDirectory
from bot.slack.listeners.commands import ack_now
from bot.usecases.coverage import Coverage

log = logging.getLogger(__name__)


def on_user_change(coverage: Coverage, directory: SlackDirectory) -> Callable[..., None]:
    def user_change(body: dict[str, Any], event: dict[str, Any]) -> None:
        team = body.get("team_id") or ""
        user = event.get("user") or {}
        if not team or not isinstance(user, dict) or not user.get("id"):
            return
        try:
            person = directory.remember(team, user)
            outcome = coverage.on_status(team, person)
            log.debug("user_change for %s: %s", person.id, outcome)
        except Exception:
            log.exception("could not handle a user_change event")

    return user_change


def register(app: App, coverage: Coverage, directory: SlackDirectory) -> None:
    app.event("user_change")(ack=ack_now, lazy=[on_user_change(coverage, directory)])
