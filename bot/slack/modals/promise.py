"""The new-promise form `/promise` opens when given no text, and reading it back."""

from __future__ import annotations

import json
from datetime import date, time
from typing import Any

from bot.slack.modals import frame
from bot.slack.modals.frame import field, plain, submitted
from bot.usecases.results import FormInput, OpenForm

CALLBACK = "promise_create"
OWNER = "owner"
WHAT = "what"
CLIENT = "client"
DATE = "date"
TIME = "time"


def modal(opened: OpenForm, user_id: str, channel_id: str | None) -> dict[str, Any]:
    """The form, for the person who ran `/promise`: theirs, due today, unless they change it."""
    return frame.modal(
        CALLBACK,
        "New promise",
        "Record",
        json.dumps({"channel": channel_id}),
        [
            field(
                OWNER,
                "Who owns it?",
                {"type": "users_select", "action_id": "value", "initial_user": user_id},
            ),
            field(
                WHAT,
                "What was promised?",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": 500,
                    "placeholder": plain("Send the revised deck"),
                },
            ),
            field(
                CLIENT,
                "For which client?",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": 200,
                    "placeholder": plain("Acme"),
                },
                optional=True,
            ),
            field(
                DATE,
                "Due date",
                {
                    "type": "datepicker",
                    "action_id": "value",
                    "initial_date": opened.today.isoformat(),
                },
            ),
            field(
                TIME,
                "Due time (empty: end of the working day)",
                {"type": "timepicker", "action_id": "value"},
                optional=True,
            ),
        ],
    )


def read(view: dict[str, Any]) -> FormInput:
    """What was submitted, for the use case to check (it answers under each field)."""
    picked_time = submitted(view, TIME).get("selected_time")
    meta = json.loads(view.get("private_metadata") or "{}")
    return FormInput(
        owner_id=submitted(view, OWNER).get("selected_user") or "",
        what=submitted(view, WHAT).get("value") or "",
        client=submitted(view, CLIENT).get("value"),
        day=date.fromisoformat(submitted(view, DATE)["selected_date"]),
        at=time.fromisoformat(picked_time) if picked_time else None,
        channel_id=meta.get("channel"),
    )
