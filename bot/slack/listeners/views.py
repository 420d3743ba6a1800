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
from slack_sdk.errors import SlackApiError

from bot.service import FormErrors, FormInput, Invocation, Service
from bot.slack import blocks

log = logging.getLogger(__name__)


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    return values.get(block, {}).get("value", {})


def read_form(view: dict[str, Any]) -> FormInput:
    values = view["state"]["values"]
    picked_time = _value(values, "time").get("selected_time")
    meta = json.loads(view.get("private_metadata") or "{}")
    return FormInput(
        owner_id=_value(values, "owner").get("selected_user") or "",
        what=_value(values, "what").get("value") or "",
        client=_value(values, "client").get("value"),
        day=date.fromisoformat(_value(values, "date")["selected_date"]),
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
        context["created"] = blocks.render(result)
        ack()

    return on_submit


def confirm_created(
    body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """Tell the person it's recorded: ephemerally where they were, else in a DM."""
    message = context.get("created")
    if not message:
        return
    user = body["user"]["id"]
    channel = json.loads(view.get("private_metadata") or "{}").get("channel")
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, **message)
            return
    except SlackApiError as e:
        log.info("ephemeral confirmation failed (%s); sending a DM", e.response.get("error"))
    try:
        client.chat_postMessage(channel=user, **message)
    except SlackApiError:
        log.exception("could not confirm a new promise to %s", user)


def register(app: App, service: Service) -> None:
    app.view(blocks.CREATE_CALLBACK)(ack=create_submitted(service), lazy=[confirm_created])
