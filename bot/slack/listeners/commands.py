"""`/promise`: ack in the request thread, then do the work and answer on the response_url."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.clock import Clock
from bot.slack.blocks.render import render
from bot.slack.client import respond
from bot.slack.modals import frame as modals
from bot.slack.modals import promise as promise_form
from bot.slack.modals import settings as settings_form
from bot.usecases.commands import PromiseCommand
from bot.usecases.results import Invocation, OpenForm, OpenSettings

log = logging.getLogger(__name__)

SORRY = modals.UNSURE  # it may have failed after storing: say so, never "nothing changed"


def ack_now(ack: Ack) -> None:
    """Slack's 3-second budget is for this; everything else runs after it."""
    ack()


def run_promise(command: PromiseCommand, clock: Clock) -> Callable[..., None]:
    def promise(body: dict[str, Any], client: WebClient) -> None:
        url = body.get("response_url")
        who = Invocation(body["team_id"], body["user_id"], body.get("channel_id"))
        try:
            result = command.handle(who, body.get("text") or "")
            if isinstance(result, OpenForm):
                view = promise_form.modal(result, who.user_id, who.channel_id)
                client.views_open(trigger_id=body["trigger_id"], view=view)
                return
            if isinstance(result, OpenSettings):
                view = settings_form.modal(result.current, who.channel_id)
                client.views_open(trigger_id=body["trigger_id"], view=view)
                return
            respond(url, render(result, clock.now()))
        except Exception:
            log.exception("/promise failed")
            respond(url, SORRY)

    return promise


def register(app: App, command: PromiseCommand, clock: Clock) -> None:
    app.command("/promise")(ack=ack_now, lazy=[run_promise(command, clock)])
