"""What was asked of the bot, as stored before the ack (the intake), and when a slash
command's answer may still go to its response_url."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# Slack keeps a response_url valid for 30 minutes (and 5 uses); a minute's margin so an
# answer sent at the very end does not meet an expired URL.
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
RESPONSE_URL_MARGIN = timedelta(minutes=1)
# A request whose processing failed this many times is given up (logged), not retried again.
MAX_ATTEMPTS = 5


class RequestKind(StrEnum):
    COMMAND = "command"  # /promise
    MESSAGE = "message"  # a message event in a watched channel
    REACTION = "reaction"  # a ✅ on a message in a watched channel
    INTERACTION = "interaction"  # a click or a form submission that changes something


@dataclass(frozen=True, slots=True)
class Request:
    """One acked request, stored before its ack: `body` is Slack's payload as JSON text,
    `claim` the token of whoever may process it now (renewed with its lease)."""

    id: int
    team_id: str
    kind: RequestKind
    key: str
    body: str
    received_at: datetime
    claim: str
    attempts: int


def response_url_valid(received_at: datetime, now: datetime) -> bool:
    """Whether an answer `now` may still use the response_url of a command `received_at`.

    A command is answered on its URL once, or twice when it is processed again after a
    crash, well inside Slack's five uses: only the age matters."""
    return now - received_at < RESPONSE_URL_LIFETIME - RESPONSE_URL_MARGIN
