"""The "Track client message" shortcut: any message becomes a reply owed, via a small form."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack.blocks.render import render
from bot.slack.listeners.commands import ack_then
from bot.slack.modals import frame as modals
from bot.slack.modals import opening
from bot.slack.modals import track as track_form
from bot.slack.priority import AfterAckExecutor
from bot.usecases.clients import ChannelMessage, Clients
from bot.usecases.results import Invocation, Problem

log = logging.getLogger(__name__)


def open_track_form(clients: Clients) -> Callable[..., None]:
    def open_form(body: dict[str, Any], client: WebClient) -> None:
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id", "")
        team = (body.get("team") or {}).get("id", "")
        owner = clients.owner_of(team, channel) or body["user"]["id"]
        meta = {
            "channel": channel,
            "ts": message.get("ts"),
            "thread_ts": message.get("thread_ts"),
            "user": message.get("user"),
            "text": (message.get("text") or "")[:1500],
        }
        opening.open_form(client, body, track_form.modal(owner, json.dumps(meta)))

    return open_form


def track_submitted(clients: Clients) -> Callable[..., None]:
    def submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        meta = json.loads(view["private_metadata"])
        team = (body.get("team") or {}).get("id") or body["user"].get("team_id")
        who = Invocation(team, body["user"]["id"], meta["channel"])
        message = ChannelMessage(
            team,
            meta["channel"],
            meta["ts"],
            meta.get("user"),
            meta.get("text") or "",
            thread_ts=meta.get("thread_ts"),
        )
        owner, when = track_form.read(view)
        try:
            result = clients.track(who, message, owner, when)
            rendered = None if isinstance(result, Problem) else render(result)
        except Exception:  # maybe after storing: close the form (no resubmit), say so
            log.exception("the Track form failed")
            context["tracked"] = modals.UNSURE
            ack()
            return
        if isinstance(result, Problem):
            field = track_form.OWNER if "owner" in result.example.lower() else track_form.WHEN
            ack(response_action="errors", errors={field: result.message})
            return
        context["tracked"] = rendered
        ack()

    return submitted


def confirm_tracked(
    body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    message = context.get("tracked")
    if message:
        modals.tell(client, body, view, message)


def register(app: App, clients: Clients, pool: AfterAckExecutor) -> None:
    # It opens a form, which Slack allows only within 3 seconds: the pool's first lane.
    app.shortcut("track_client_message")(ack_then(pool, open_track_form(clients)))
    app.view(track_form.CALLBACK)(ack=track_submitted(clients), lazy=[confirm_tracked])
