"""Opening a form: Slack allows it only within 3 seconds of the click that asked for it.

A form opened late (a slow database, a queue after a burst) fails with
`expired_trigger_id`; the person then sees nothing happen. So every form is opened here,
and a form that could not open says so privately, with what to do, instead of a traceback
in the log and silence on screen.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

_TOO_LATE = ("expired_trigger_id", "invalid_trigger_id")


def open_form(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> bool:
    """views.open for the click or command in `body`; False (the person told) if it failed."""
    try:
        client.views_open(trigger_id=body["trigger_id"], view=view)
        return True
    except SlackApiError as e:
        error = str(e.response.get("error") or e.response.status_code)
    if error in _TOO_LATE:
        log.warning("a form opened too late for Slack (%s)", error)
        line = "Slack took too long to open the form. Please try again: it should open now."
    else:
        log.warning("views.open failed: %s", error)
        line = f"I couldn't open the form (Slack said `{error}`). Please try again."
    _tell(client, body, line)
    return False


def _tell(client: WebClient, body: dict[str, Any], line: str) -> None:
    """Privately where the person clicked, else in the DM with the app."""
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if not user:
        return
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, text=line)
            return
    except SlackApiError as e:
        log.info("ephemeral note failed (%s); sending a DM", e.response.get("error"))
    try:
        client.chat_postMessage(channel=user, text=line)
    except SlackApiError as e:
        log.warning("could not tell %s the form failed: %s", user, e.response.get("error"))
