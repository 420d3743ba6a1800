"""A use case's result → the message that answers the person (a command, a click, a form).

The one module that knows every feature's renderers. Imports run one way: common <- the
feature modules (App Home also reuses the nudges' buttons) <- this table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.core.stats import StatsReport
from bot.slack.blocks import clients, coverage, digest, promises
from bot.slack.blocks.common import Message, when
from bot.usecases.coverage import AwayCleared, AwaySet
from bot.usecases.results import (
    AlreadyClosed,
    Cancelled,
    Closed,
    Created,
    HandedOff,
    HelpText,
    Listed,
    Moved,
    NeedsInvite,
    NoReplyNeeded,
    OpenForm,
    Problem,
    Snoozed,
    Unwatched,
    Waiting,
    Watching,
)

RENDERERS: dict[type, Callable[[Any], Message]] = {
    Problem: promises.problem,
    Created: promises.created,
    Closed: promises.closed,
    AlreadyClosed: promises.already_closed,
    Moved: promises.moved,
    Cancelled: promises.cancelled,
    NoReplyNeeded: promises.no_reply_needed,
    Snoozed: promises.snoozed,
    Waiting: promises.waiting,
    HandedOff: promises.handed_off,
    HelpText: promises.help_text,
    Watching: clients.watching,
    NeedsInvite: clients.needs_invite,
    Unwatched: clients.unwatched,
    AwaySet: coverage.away_set,
    AwayCleared: coverage.away_cleared,
    StatsReport: digest.stats_message,
}


def render(result: object, now: datetime | None = None) -> Message:
    """The ephemeral answer to `result`; `now` flags a listing's overdue items."""
    if isinstance(result, Listed):
        return promises.listing(result, now)
    if isinstance(result, OpenForm):
        raise ValueError("OpenForm is rendered as a modal, not a message")
    for kind in type(result).__mro__:
        if kind in RENDERERS:
            return RENDERERS[kind](result)
    raise AssertionError(f"unrendered result {result!r}")


def summary(result: object) -> str:
    """What a button or its form did, in a line: it takes the place of the item's buttons
    on the nudge, or heads the Home tab."""
    match result:
        case Closed(item=item, outcome=outcome):
            return f":white_check_mark: #{item.id} done — {outcome.describe()}. Thank you!"
        case Moved(item=item, tz=tz, in_advance=in_advance):
            how = "renegotiated in advance" if in_advance else "moved after the deadline"
            return f":calendar: #{item.id} now due {when(item.due_at, tz)} ({how})."
        case Snoozed(item=item, until=until, tz=tz):
            return f":zzz: #{item.id} snoozed until {when(until, tz)}."
        case HandedOff(item=item):
            return f":handshake: #{item.id} handed off to <@{item.owner_id}>."
        case NoReplyNeeded(item=item):
            return f":ok_hand: #{item.id} closed: no reply needed (not counted as answered)."
    return render(result)["text"]
