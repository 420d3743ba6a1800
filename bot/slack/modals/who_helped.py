"""The "Who helped?" form Done opens: one optional multi-person picker, so closing stays
a click and a Return, and anyone picked is thanked by name in the channel."""

from __future__ import annotations

from typing import Any

from bot.core.items import ItemView
from bot.slack.blocks.common import describe, section
from bot.slack.modals import frame
from bot.slack.modals.frame import field, plain, submitted

CALLBACK = "done_helpers"
HELPERS = "helpers"
MAX_HELPERS = 20


def modal(item: ItemView, meta: str) -> dict[str, Any]:
    intro = (
        f"*#{item.id}* {describe(item)}\n"
        f"I'll thank <@{item.owner_id}> in <#{item.channel_id}>. Did anyone help? "
        "Add them to be thanked by name too, or just press *Close and thank*."
    )
    return frame.modal(
        CALLBACK,
        f"Close #{item.id}",
        "Close and thank",
        meta,
        [
            section(intro),
            field(
                HELPERS,
                "Who helped? (optional)",
                {
                    "type": "multi_users_select",
                    "action_id": "value",
                    "placeholder": plain("Pick teammates"),
                    "max_selected_items": MAX_HELPERS,
                },
                optional=True,
            ),
        ],
    )


def helpers_of(view: dict[str, Any]) -> tuple[str, ...]:
    """Who was picked, each once, in the order picked."""
    return tuple(dict.fromkeys(submitted(view, HELPERS).get("selected_users") or []))
