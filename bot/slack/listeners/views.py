"""The new-promise modal: validate and store in the ack (errors show under each field),
then confirm to the person after the ack."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack.blocks.render import render
from bot.slack.modals import frame as modals
from bot.slack.modals import promise as promise_form
from bot.slack.modals import settings as settings_form
from bot.usecases.promises import Promises
from bot.usecases.results import FormErrors, Invocation, Problem, SettingsSaved
from bot.usecases.settings import Settings

log = logging.getLogger(__name__)


def _who(body: dict[str, Any], channel: str | None) -> Invocation:
    user = body["user"]["id"]
    team = body.get("team", {}).get("id") or body["user"].get("team_id")
    return Invocation(team, user, channel)


def create_submitted(promises: Promises) -> Callable[..., None]:
    def on_submit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = promise_form.read(view)
        try:
            result = promises.create_from_form(_who(body, form.channel_id), form)
            message = None if isinstance(result, FormErrors) else render(result)
        except Exception:  # maybe after storing: close the form (no resubmit), say so
            log.exception("the new-promise form failed")
            context["created"] = modals.UNSURE
            ack()
            return
        if isinstance(result, FormErrors):
            ack(response_action="errors", errors=result.errors)
            return
        context["created"] = message
        ack()

    return on_submit


def confirm_created(
    body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    message = context.get("created")
    if message:
        modals.tell(client, body, view, message)


def settings_submitted(settings: Settings) -> Callable[..., None]:
    """Check and store in the ack, so problems show under each field."""

    def on_submit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        who = _who(body, None)
        result = settings.save(who, settings_form.read(view))
        if isinstance(result, FormErrors):
            ack(response_action="errors", errors=settings_form.errors_by_block(result.errors))
            return
        if isinstance(result, Problem):
            ack(response_action="errors", errors={"lead": result.message})
            return
        context["settings_saved"] = result
        ack()

    return on_submit


def settings_applied(settings: Settings) -> Callable[..., None]:
    """After the ack: re-plan the workspace's open items, then say what changed."""

    def apply(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        saved = context.get("settings_saved")
        if not isinstance(saved, SettingsSaved):
            return
        team = _who(body, None).team_id
        replanned = settings.replan_workspace(team) if saved.changes else 0
        message = settings_form.saved_message(saved.changes, replanned)
        modals.tell(client, body, view, message)

    return apply


def register(app: App, promises: Promises, settings: Settings) -> None:
    app.view(promise_form.CALLBACK)(ack=create_submitted(promises), lazy=[confirm_created])
    app.view(settings_form.CALLBACK)(
        ack=settings_submitted(settings), lazy=[settings_applied(settings)]
    )
