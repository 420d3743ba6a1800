"""`/promise`: stored and acked in the request thread, then the work, answered on the
response_url (or, when that has expired since, in a DM)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.clock import Clock
from bot.core.commands import opens_form
from bot.core.intake import Request, RequestKind, response_url_valid
from bot.slack.blocks.common import Message
from bot.slack.blocks.render import render
from bot.slack.client import respond
from bot.slack.fair_use import TOO_FAST, CommandLimits
from bot.slack.intake import Handler, Intake
from bot.slack.modals import frame as modals
from bot.slack.modals import promise as promise_form
from bot.slack.modals import settings as settings_form
from bot.slack.modals.opening import open_form
from bot.slack.priority import AfterAckExecutor
from bot.usecases.commands import PromiseCommand
from bot.usecases.results import Invocation, OpenForm, OpenSettings

log = logging.getLogger(__name__)

SORRY = modals.UNSURE  # it may have failed after storing: say so, never "nothing changed"
NOT_STORED = {
    "response_type": "ephemeral",
    "text": ":warning: I couldn't save that just now, so nothing was done. "
    "Please send the same command again in a minute.",
}


def ack_now(ack: Ack) -> None:
    """Slack's 3-second budget is for this; everything else runs after it."""
    ack()


def ack_then(pool: AfterAckExecutor, work: Callable[..., None]) -> Callable[..., None]:
    """Ack, then run `work(body, client)` in the pool's first lane: for a click that opens a
    form, which Slack refuses 3 seconds after the click (Bolt's `lazy=` would queue it
    behind every command waiting)."""

    def run(body: dict[str, Any], client: WebClient) -> None:
        try:
            work(body, client)
        except Exception:
            log.exception("a click's work failed")

    def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        pool.submit_first(run, body, client)

    return listener


def store_then_ack(intake: Intake, limits: CommandLimits) -> Callable[..., None]:
    """The ack comes once the command is stored: a command that can't be stored is answered
    with an error (so its sender sends it again), never acked as if it would be done. A
    person over their limit is told so at once, and nothing is stored or done."""

    def listener(ack: Ack, body: dict[str, Any]) -> None:
        if not limits.admits(str(body.get("team_id") or ""), str(body.get("user_id") or "")):
            log.info("a /promise from %s over the per-person limit", body.get("user_id"))
            ack(**TOO_FAST)
            return
        try:
            intake.take(RequestKind.COMMAND, body, first=opens_form(body.get("text") or ""))
        except Exception:
            log.exception("could not store a /promise command")
            ack(**NOT_STORED)
            return
        ack()

    return listener


def answerer(
    client: WebClient, clock: Clock, request: Request, body: dict[str, Any]
) -> Callable[[Message], None]:
    """How this command is answered: on its response_url while Slack still takes it (a
    command processed after a restart may be older than that), else in a DM."""

    def answer(message: Message) -> None:
        url = body.get("response_url")
        if response_url_valid(request.received_at, clock.now()) and respond(url, message):
            return
        client.chat_postMessage(
            channel=body["user_id"], text=message["text"], blocks=message.get("blocks")
        )

    return answer


def run_promise(command: PromiseCommand, clock: Clock, client: WebClient) -> Handler:
    def promise(request: Request, body: dict[str, Any]) -> None:
        answer = answerer(client, clock, request, body)
        who = Invocation(
            body["team_id"],
            body["user_id"],
            body.get("channel_id"),
            request_key=request.key,
            asked_at=request.received_at,
        )
        try:
            result = command.handle(who, body.get("text") or "")
            if isinstance(result, OpenForm):
                view = promise_form.modal(result, who.user_id, who.channel_id)
                open_form(client, body, view)
                return
            if isinstance(result, OpenSettings):
                view = settings_form.modal(result.current, who.channel_id)
                open_form(client, body, view)
                return
            answer(render(result, clock.now()))
        except Exception:
            log.exception("/promise failed")
            answer(SORRY)

    return promise


def register(
    app: App, command: PromiseCommand, clock: Clock, intake: Intake, limits: CommandLimits
) -> None:
    intake.handle(RequestKind.COMMAND, run_promise(command, clock, app.client))
    app.command("/promise")(store_then_ack(intake, limits))
