"""Block Kit for closing the loop with the lead: the short line about an escalated item that
changed, and the escalation DM rewritten in place to say what became of the item.

Pure functions; bot/slack/notifier.py reads the escalation DM and sends the edit.
"""

from __future__ import annotations

from typing import Any

from bot.core import lead_updates as kinds
from bot.core.items import ItemView
from bot.core.lead_updates import Change
from bot.slack.blocks.common import (
    MESSAGE_BLOCKS_MAX,
    context,
    describe,
    located,
    section,
    when,
)
from bot.usecases.ports import EscalationEdit, NudgeView

LINE_WHAT_MAX = 150  # characters of the item's text in the lead's short line


def escalation_block_id(nudge_id: int) -> str:
    """The block of an escalation DM that says what became of its item (edited in place)."""
    return f"escalation-{nudge_id}"


def change_words(item: ItemView, change: Change, tz: str) -> str:
    """What happened, in a few words: `:white_check_mark: Delivered by @maria <date>`."""
    by = f"<@{change.actor_id}>" if change.actor_id and change.actor_id != "client" else ""
    at = when(change.at, tz)
    match change.kind:
        case kinds.DONE:
            verb = "Answered" if item.kind == "reply" else "Delivered"
            return f":white_check_mark: {verb}" + (f" by {by}" if by else "") + f" {at}"
        case kinds.CANCELLED:
            if change.actor_id == "client":
                return f":heavy_multiplication_x: Cancelled {at}: the client deleted their message"
            return ":heavy_multiplication_x: Cancelled" + (f" by {by}" if by else "") + f" {at}"
        case kinds.MOVED:
            new = when(change.due_after, tz) if change.due_after else "a new time"
            return f":spiral_calendar_pad: Moved to {new}" + (f" by {by}" if by else "")
        case kinds.HANDOFF:
            to = f"<@{change.to_owner}>" if change.to_owner else "someone else"
            return f":handshake: Handed to {to}" + (f" by {by}" if by else "")
    return f"Changed {at}"


def lead_update_blocks(
    view: NudgeView, tz: str, links: dict[int, str] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The lead's one short line about an item they were told was late."""
    item, change = view.item, view.change
    assert item is not None and change is not None
    words = change_words(item, change, tz)
    line = f"{words} — *#{item.id}* {describe(item, LINE_WHAT_MAX)}{located(item, links)}"
    done = "answered" if item.kind == "reply" else "delivered"
    said = {kinds.DONE: done, kinds.HANDOFF: "handed off"}.get(change.kind, change.kind)
    return f"#{item.id} {said}", [section(line)]


def settled(message: dict[str, Any], edit: EscalationEdit, tz: str) -> dict[str, Any]:
    """The escalation DM `message` with its closing line saying what happened since (the
    rest of the DM, other nudges included, as it was). Its line is found by block ID; a DM
    without one (sent before this existed) gets the line added at the end, room allowing."""
    item = edit.item
    since = " · ".join(change_words(item, c, tz) for c in edit.changes)
    line = {
        **context(f"*#{item.id}* since then: {since}"),
        "block_id": escalation_block_id(edit.nudge_id),
    }
    blocks = list(message.get("blocks") or [])
    found = [i for i, b in enumerate(blocks) if b.get("block_id") == line["block_id"]]
    if found:
        blocks[found[0]] = line
    elif len(blocks) < MESSAGE_BLOCKS_MAX:
        blocks.append(line)
    return {"text": message.get("text") or f"#{item.id}: {since}", "blocks": blocks}
