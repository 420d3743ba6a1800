"""Modals as plain dicts, like every block (bot/slack/blocks/common.py says why): the frame
every form shares, its input fields, reading back what a submitted form holds (each
input's element has the action ID `value`), and telling the person who submitted it
what happened."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def modal(
    callback_id: str, title: str, submit: str, meta: str, blocks: list[dict[str, Any]]
) -> dict[str, Any]:
    """A modal for views.open, with a Cancel button; the title cut to Slack's 24 characters."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title[:24]),
        "submit": plain(submit),
        "close": plain("Cancel"),
        "private_metadata": meta,
        "blocks": blocks,
    }


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def field(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    """An input block; `element` needs the action ID `value` for `submitted` to find it."""
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
    }
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = plain(hint)
    return block


def submitted(view: dict[str, Any], block: str) -> dict[str, Any]:
    """The state of the input `block` in a submitted view; empty when it was left out."""
    return view["state"]["values"].get(block, {}).get("value", {})


UNSURE = {
    "text": ":warning: Something went wrong on my side while saving that, and I can't be "
    "sure it was saved. `/promise list` shows what I have; please check before trying again."
}


def tell(client: WebClient, body: dict[str, Any], view: dict[str, Any], message: Any) -> None:
    """Tell the person who submitted: ephemerally where they were, else in a DM."""
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
        log.exception("could not confirm to %s", user)
