"""Block Kit for the catch-up summary: one message in place of a stack of stale missed and
heads-up lines (the rule is bot.core.catchup). Pure functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.core.catchup import SHOWN
from bot.core.items import ItemView
from bot.slack.blocks.common import button, context, describe, section, when
from bot.usecases.ports import CatchUp

OPEN_HOME = "catch_up_open_home"
WHAT_MAX = 300  # characters of an item's text in a row (2 blocks per row)


def home_link(team_id: str, app_id: str) -> str:
    """Slack's deep link to the app's Home tab in that workspace."""
    return f"slack://app?team={team_id}&id={app_id}&tab=home"


def catch_up_blocks(
    summary: CatchUp,
    tz: str,
    nudge_id: int,
    home: str | None,
    actions: Callable[[ItemView], dict[str, Any]],
) -> tuple[str, list[dict[str, Any]]]:
    """Counts, the most urgent few items each with its `actions` block (the nudges'
    buttons), and a button to App Home (`home`, the deep link; without it, words saying
    where App Home is)."""
    count = len(summary.items)
    today = count - summary.backlog
    if summary.backlog and today:
        order = f"today first ({today}), then {summary.backlog} from the backlog"
    elif summary.backlog:
        order = f"all {summary.backlog} from the backlog, newest first"
    else:
        order = "all from today, newest first"
    head = (
        f":inbox_tray: *Catching up: {count} of your items are past their deadline* — "
        f"{order}. Tell each client where things stand: _Need more time_ posts your note "
        "where they see it."
    )
    blocks: list[dict[str, Any]] = [section(head)]
    for item in summary.items[:SHOWN]:
        blocks.append(
            section(f"• *#{item.id}* {describe(item, WHAT_MAX)} — was due {when(item.due_at, tz)}")
        )
        blocks.append(actions(item))
    if count > SHOWN:
        blocks.append(context(f"…and {count - SHOWN} more in App Home, newest first."))
    if home is not None:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"catch-up-{nudge_id}",
                "elements": [
                    {**button("Open App Home", OPEN_HOME, "home", "primary"), "url": home}
                ],
            }
        )
    else:
        blocks.append(context("All of them are in App Home: open promise-bot in your sidebar."))
    return f"Catching up: {count} items past their deadline — {order}", blocks
