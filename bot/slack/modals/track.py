"""The "Track client message" form: who replies to the message, and by when."""

from __future__ import annotations

from typing import Any

from bot.core import text as txt
from bot.slack.modals import frame
from bot.slack.modals.frame import field, plain, submitted

CALLBACK = "track_message"
OWNER = "owner"
WHEN = "when"


def modal(owner: str, meta: str) -> dict[str, Any]:
    """The form, with `owner` (the channel's, else whoever used the shortcut) picked."""
    return frame.modal(
        CALLBACK,
        "Track client message",
        "Track",
        meta,
        [
            field(
                OWNER,
                "Who replies?",
                {"type": "users_select", "action_id": "value", "initial_user": owner},
            ),
            field(
                WHEN,
                "Reply by (empty: end of the working day)",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "placeholder": plain("tomorrow noon, 4pm, fri"),
                },
                optional=True,
            ),
        ],
    )


def read(view: dict[str, Any]) -> tuple[str, str | None]:
    """Who replies, and by when as typed (None: by the end of the working day)."""
    owner = submitted(view, OWNER).get("selected_user") or ""
    when = txt.one_line(submitted(view, WHEN).get("value") or "") or None
    return owner, when
