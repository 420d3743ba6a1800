"""Events: client messages in watched channels, replies, ✅ reactions.

Those in watched channels are stored (the intake) and acked, then processed; Slack's
retries are recognised by event_id and ignored. Messages in channels nobody watches are
answered from memory: no query, no Web API call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from bot.core.intake import Request, RequestKind
from bot.slack.intake import Handler, Intake
from bot.usecases.clients import ChannelMessage, Clients

log = logging.getLogger(__name__)


def to_message(body: dict[str, Any], event: dict[str, Any]) -> ChannelMessage:
    team = body.get("team_id") or event.get("team") or ""
    subtype = event.get("subtype")
    event_id = body.get("event_id") or None
    if subtype == "message_changed":
        inner = event.get("message") or {}
        return ChannelMessage(
            team,
            event.get("channel", ""),
            event.get("ts", ""),
            inner.get("user"),
            inner.get("text") or "",
            subtype=subtype,
            edited_ts=inner.get("ts"),
            event_id=event_id,
        )
    if subtype == "message_deleted":
        return ChannelMessage(
            team,
            event.get("channel", ""),
            event.get("ts", ""),
            None,
            subtype=subtype,
            deleted_ts=event.get("deleted_ts"),
            event_id=event_id,
        )
    return ChannelMessage(
        team_id=team,
        channel_id=event.get("channel", ""),
        ts=event.get("ts", ""),
        user=event.get("user"),
        text=event.get("text") or _files_text(event),
        thread_ts=event.get("thread_ts"),
        user_team=event.get("user_team") or event.get("team"),
        subtype=subtype,
        bot=bool(event.get("bot_id")) or subtype == "bot_message",
        event_id=event_id,
        enterprise=bool(body.get("enterprise_id") or body.get("context_enterprise_id")),
        ext_shared=bool(body.get("is_ext_shared_channel")),
    )


def _files_text(event: dict[str, Any]) -> str:
    """A file shared without a word: the item says which file ("Shared a file: brief.pdf")."""
    names = [
        str(f.get("title") or f.get("name") or "a file")
        for f in event.get("files") or []
        if isinstance(f, dict)
    ]
    if not names:
        return ""
    return ("Shared a file: " if len(names) == 1 else "Shared files: ") + ", ".join(names)


def in_client_channel(clients: Clients) -> Callable[..., bool]:
    """Listener matcher: a message in a watched channel (answered from memory)."""

    def matches(body: dict[str, Any]) -> bool:
        event = body.get("event") or {}
        return clients.is_watched(body.get("team_id", ""), event.get("channel", ""))

    return matches


def on_message(clients: Clients) -> Handler:
    def message(_: Request, body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        # A failure is the intake's to log and retry: swallowed here, the request would be
        # marked done with its work undone.
        outcome = clients.on_message(to_message(body, event))
        log.debug("message %s in %s: %s", event.get("ts"), event.get("channel"), outcome)

    return message


def on_reaction(clients: Clients) -> Handler:
    def reaction(_: Request, body: dict[str, Any]) -> None:
        # A retry of the event was not taken (the intake's key is its event_id), and closing
        # an item is conditional: processing this twice after a crash closes it once.
        event = body.get("event") or {}
        item = event.get("item") or {}
        if event.get("reaction") != "white_check_mark" or item.get("type") != "message":
            return
        clients.on_check_mark(
            body.get("team_id", ""),
            item.get("channel", ""),
            item.get("ts", ""),
            event.get("user", ""),
        )

    return reaction


def _ignore() -> None:
    """Acked so Slack does not retry; nothing to do (unwatched channels, other reactions)."""


def store_then_ack(intake: Intake, kind: RequestKind) -> Callable[..., None]:
    """Store the event, then ack; the work runs on the after-ack pool with the body itself,
    not the deep copy of the whole request Bolt makes for each lazy function (about half of
    the CPU of acking a watched channel's message event, measured). An event that can't be
    stored is not acked: the error (HTTP 500) makes Slack send it again later."""

    def listener(ack: Ack, body: dict[str, Any]) -> None:
        intake.take(kind, body)  # nothing changes `body` after the ack
        ack()

    return listener


def register(app: App, clients: Clients, intake: Intake) -> None:
    intake.handle(RequestKind.MESSAGE, on_message(clients))
    intake.handle(RequestKind.REACTION, on_reaction(clients))
    # Registered first, as most requests are message events; the first matching listener wins.
    app.event("message", matchers=[in_client_channel(clients)])(
        store_then_ack(intake, RequestKind.MESSAGE)
    )
    app.event("message")(_ignore)  # everywhere else: ack, nothing more (no copy, no query)
    app.event("reaction_added", matchers=[in_client_channel_of_item(clients)])(
        store_then_ack(intake, RequestKind.REACTION)
    )
    app.event("reaction_added")(_ignore)
    # app_home_opened: bot/slack/listeners/home.py


def in_client_channel_of_item(clients: Clients) -> Callable[..., bool]:
    def matches(body: dict[str, Any]) -> bool:
        event = body.get("event") or {}
        item = event.get("item") or {}
        if event.get("reaction") != "white_check_mark" or item.get("type") != "message":
            return False
        return clients.is_watched(body.get("team_id", ""), item.get("channel", ""))

    return matches
