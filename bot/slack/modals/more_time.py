"""The "Need more time" form: a new deadline, typed or picked, and a note for the client
(posted in the item's channel), and reading the deadline back."""

from __future__ import annotations

from typing import Any

from bot.core import text as txt
from bot.slack.modals import frame
from bot.slack.modals.frame import field, plain, submitted

CALLBACK = "more_time"
WHEN = "when"
DATE = "date"
TIME = "time"
NOTE = "note"
NOTE_MAX = txt.MAX_NOTE  # Slack counts what is typed; the bot checks it once escaped


def modal(item_id: int, what: str, meta: str) -> dict[str, Any]:
    """The form, its note already written (as plain text: `what` is stored escaped) so a
    click and a Return tell the client."""
    note = (
        f"Quick update on {txt.unescape(what)}: we need a little more time to get it right. "
        "You'll have it by the new time below. Thanks for your patience!"
    )
    return frame.modal(
        CALLBACK,
        f"More time for #{item_id}",
        "Move and tell",
        meta,
        [
            field(
                WHEN,
                "New deadline",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "placeholder": plain("tomorrow 10am, fri 3pm, dec 3"),
                },
                optional=True,
                hint="Type it, or pick a date (and time) below.",
            ),
            field(DATE, "…or a date", {"type": "datepicker", "action_id": "value"}, optional=True),
            field(
                TIME,
                "…and a time (empty: end of day)",
                {"type": "timepicker", "action_id": "value"},
                optional=True,
            ),
            field(
                NOTE,
                "Note for the client (posted in the channel)",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": NOTE_MAX,
                    "initial_value": note[:NOTE_MAX],
                },
            ),
        ],
    )


def new_deadline(view: dict[str, Any]) -> str:
    """The typed deadline, or the pickers' date and time as text the same reader takes."""
    typed = txt.one_line(submitted(view, WHEN).get("value") or "")
    if typed:
        return typed
    day = submitted(view, DATE).get("selected_date")
    at = submitted(view, TIME).get("selected_time")
    if not day:
        return ""
    return f"{day} {at}" if at else day


def note(view: dict[str, Any]) -> str:
    """The note for the client, Slack-escaped as it is posted, without control characters."""
    return txt.escape(txt.clean(submitted(view, NOTE).get("value") or "").strip())
