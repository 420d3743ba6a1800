"""The "Hand off" form: who takes the item over."""

from __future__ import annotations

from typing import Any

from bot.slack.modals import frame
from bot.slack.modals.frame import field, submitted

CALLBACK = "hand_off"
TO = "to"


def modal(item_id: int, meta: str) -> dict[str, Any]:
    return frame.modal(
        CALLBACK,
        f"Hand off #{item_id}",
        "Hand off",
        meta,
        [field(TO, "Who takes it over?", {"type": "users_select", "action_id": "value"})],
    )


def new_owner(view: dict[str, Any]) -> str:
    return submitted(view, TO).get("selected_user") or ""
