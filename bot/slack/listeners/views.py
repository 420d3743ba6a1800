"""The new-promise modal: validate and store in the ack (errors show under each field),
then confirm to the person after the ack. The settings form: checked in the ack, stored
in the intake, saved and applied after it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core.intake import Request
from bot.slack.blocks.render import render
from bot.slack.listeners.interactions import Check, Interactions, Work
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


def check_settings(settings: Settings) -> Check:
    """The settings form's ack: who may change them and every field's problem, under it."""

    def check(body: dict[str, Any], view: dict[str, Any]) -> dict[str, str]:
        result = settings.check(_who(body, None), settings_form.read(view))
        if isinstance(result, FormErrors):
            return settings_form.errors_by_block(result.errors)
        if isinstance(result, Problem):
            return {"lead": result.message}
        return {}

    return check


def apply_settings(settings: Settings, client: WebClient) -> Work:
    """After the ack (stored in the intake): save and re-plan, then say what changed."""

    def apply(request: Request, body: dict[str, Any]) -> None:
        view = body["view"]
        saved = settings.save(_who(body, None), settings_form.read(view))
        if not isinstance(saved, SettingsSaved):  # changed since the ack (another admin)
            modals.tell(client, body, view, render(saved))
            return
        modals.tell(client, body, view, settings_form.saved_message(saved.changes, saved.replanned))

    return apply


def register(app: App, interactions: Interactions, promises: Promises, settings: Settings) -> None:
    app.view(promise_form.CALLBACK)(ack=create_submitted(promises), lazy=[confirm_created])
    interactions.form(
        settings_form.CALLBACK,
        check_settings(settings),
        apply_settings(settings, app.client),
        "lead",
    )
