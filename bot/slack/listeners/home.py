"""App Home: publish the tab when it is opened, grow the backlog on "show more", and show
on the tab what a button there did (the nudge buttons' handlers call `show_on_home`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.slack.blocks.catch_up import OPEN_HOME
from bot.slack.blocks.home import HOME_MORE
from bot.slack.listeners.commands import ack_now
from bot.usecases.home import BACKLOG_STEP, HomeRefresher
from bot.usecases.results import Invocation

log = logging.getLogger(__name__)


def from_home(body: dict[str, Any]) -> bool:
    """Whether a click came from the Home tab (there is no message to update then)."""
    view = body.get("view") or {}
    return view.get("type") == "home" and not body.get("message")


def show_on_home(refresher: HomeRefresher, who: Invocation, line: str) -> None:
    """Re-publish the clicker's Home with what was done at the top."""
    refresher.publish(who.team_id, who.user_id, notice=line)


def _home_tab(event: dict[str, Any]) -> bool:
    return event.get("tab") == "home"


def on_opened(refresher: HomeRefresher) -> Callable[..., None]:
    def opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        team = body.get("team_id") or ""
        # Each visit starts where you are: today first, the backlog's newest five.
        refresher.publish(team, event.get("user", ""), backlog=BACKLOG_STEP)

    return opened


def on_more(refresher: HomeRefresher) -> Callable[..., None]:
    def more(body: dict[str, Any]) -> None:
        team = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
        value = str((body.get("actions") or [{}])[0].get("value") or "")
        wanted = int(value) if value.isdigit() else BACKLOG_STEP
        refresher.publish(team, body["user"]["id"], backlog=wanted)

    return more


def _ignore() -> None:
    """The Messages tab was opened: nothing to publish."""


def register(app: App, refresher: HomeRefresher) -> None:
    app.event("app_home_opened", matchers=[_home_tab])(ack=ack_now, lazy=[on_opened(refresher)])
    app.event("app_home_opened")(_ignore)
    app.action(HOME_MORE)(ack=ack_now, lazy=[on_more(refresher)])
    # A link button (the catch-up DM's): Slack opens the link; the click only needs an ack.
    app.action(OPEN_HOME)(ack_now)
