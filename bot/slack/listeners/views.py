"""The new-promise modal: validate and store in the ack (errors show under each field),
then confirm to the person after the ack."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, time
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack.blocks import promises as blocks
from bot.slack.blocks.render import render
from bot.slack.modals import frame as modals
from bot.slack.modals import settings as settings_modal
from bot.slack.modals.frame import submitted
from bot.usecases.promises import FormErrors, FormInput, Invocation, Problem, Service, SettingsSaved

log = logging.getLogger(__name__)


def read_form(view: dict[str, Any]) -> FormInput:
    picked_time = submitted(view, "time").get("selected_time")
    meta = json.loads(view.get("private_metadata") or "{}")
    return FormInput(
        owner_id=submitted(view, "owner").get("selected_user") or "",
        what=submitted(view, "what").get("value") or "",
        client=submitted(view, "client").get("value"),
        day=date.fromisoformat(submitted(view, "date")["selected_date"]),
        at=time.fromisoformat(picked_time) if picked_time else None,
        channel_id=meta.get("channel"),
    )


def _who(body: dict[str, Any], channel: str | None) -> Invocation:
    user = body["user"]["id"]
    team = body.get("team", {}).get("id") or body["user"].get("team_id")
    return Invocation(team, user, channel)


def create_submitted(service: Service) -> Callable[..., None]:
    def on_submit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = read_form(view)
        result = service.create_from_form(_who(body, form.channel_id), form)
        if isinstance(result, FormErrors):
            ack(response_action="errors", errors=result.errors)
            return
        context["created"] = render(result)
        ack()

    return on_submit


def confirm_created(
    body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    message = context.get("created")
    if message:
        modals.tell(client, body, view, message)


def settings_submitted(service: Service) -> Callable[..., None]:
    """Check and store in the ack, so problems show under each field."""

    def on_submit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        who = _who(body, None)
        result = service.save_settings(who, settings_modal.read(view))
        if isinstance(result, FormErrors):
            ack(response_action="errors", errors=settings_modal.errors_by_block(result.errors))
            return
        if isinstance(result, Problem):
            ack(response_action="errors", errors={"lead": result.message})
            return
        context["settings_saved"] = result
        ack()

    return on_submit


def settings_applied(service: Service) -> Callable[..., None]:
    """After the ack: re-plan the workspace's open items, then say what changed."""

    def apply(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        saved = context.get("settings_saved")
        if not isinstance(saved, SettingsSaved):
            return
        team = _who(body, None).team_id
        replanned = service.replan_workspace(team) if saved.changes else 0
        message = settings_modal.saved_message(saved.changes, replanned)
        modals.tell(client, body, view, message)

    return apply


def register(app: App, service: Service) -> None:
    app.view(blocks.CREATE_CALLBACK)(ack=create_submitted(service), lazy=[confirm_created])
    app.view(settings_modal.CALLBACK)(
        ack=settings_submitted(service), lazy=[settings_applied(service)]
    )
