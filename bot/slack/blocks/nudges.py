"""Block Kit for nudges: DMs with buttons, and the DM telling someone an item is now theirs.

Pure functions; the action IDs are the contract with bot/slack/listeners/actions.py and
done.py, and App Home's buttons are these same ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.durations import format_duration
from bot.core.items import ItemView
from bot.core.plan import Kind
from bot.slack.blocks.common import button, context, describe, safe, section, when
from bot.usecases.coverage import span_text
from bot.usecases.ports import EndOfDay, NudgeView

DONE = "nudge_done"
MORE_TIME = "nudge_more_time"
SNOOZE = "nudge_snooze"
HAND_OFF = "nudge_handoff"
FOLLOW_UP_DONE = "followup_done"
FOLLOW_UP_SKIP = "followup_skip"
METADATA_TYPE = "promise_nudge"
MAX_BLOCKS = 50
COVERAGE_LISTED = 20  # items with buttons in one coverage DM (2 blocks each, of Slack's 50)


def snooze_menu(item_id: int) -> dict[str, Any]:
    options = [("30 min", "30m"), ("1 hour", "1h"), ("Tomorrow morning", "tomorrow")]
    return {
        "type": "static_select",
        "action_id": SNOOZE,
        "placeholder": {"type": "plain_text", "text": "Snooze"},
        "options": [
            {"text": {"type": "plain_text", "text": label}, "value": f"{item_id}:{choice}"}
            for label, choice in options
        ],
    }


def item_actions(item: ItemView, nudge_id: int, *, snooze: bool = True) -> dict[str, Any]:
    value = str(item.id)
    elements = [
        button("Done", DONE, value, "primary"),
        button("Need more time", MORE_TIME, value),
    ]
    if snooze:
        elements.append(snooze_menu(item.id))
    elements.append(button("Hand off", HAND_OFF, value))
    return {"type": "actions", "block_id": f"item-{item.id}-{nudge_id}", "elements": elements}


def _late(item: ItemView, now: datetime) -> str:
    return format_duration(now - item.due_at) if now > item.due_at else "not yet"


def nudge_blocks(view: NudgeView, tz: str, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    """One nudge: its line for the notification text, and its blocks."""
    if view.kind == Kind.QUIET:
        since = when(view.quiet_since, tz) if view.quiet_since else "a while"
        line = (
            f":shushing_face: *{safe(view.client or 'A client')}* hasn't written in "
            f"<#{view.channel_id}> since {since}. A short check-in keeps them close — "
            "reach out before they drift."
        )
        return f"{view.client} has gone quiet", [section(line)]
    if view.kind == Kind.COVERAGE:
        return coverage_blocks(view, tz, now)
    item = view.item
    assert item is not None
    label = f"*#{item.id}* {describe(item)}"
    due = when(item.due_at, tz)
    match view.kind:
        case Kind.BEFORE | Kind.SNOOZED:
            line = f":alarm_clock: {label} is due {due}. Can you make it? If not, say so now."
            return f"#{item.id} is due soon", [section(line), item_actions(item, view.nudge_id)]
        case Kind.MISSED:
            line = (
                f":rotating_light: {label} was due {due}. *Tell the client now* and agree on "
                "a new time: _Need more time_ posts your note where they see it."
            )
            return f"#{item.id} missed its deadline", [
                section(line),
                item_actions(item, view.nudge_id, snooze=False),
            ]
        case Kind.HEADS_UP:
            at = when(view.escalate_at, tz) if view.escalate_at else "soon"
            line = (
                f":warning: Heads-up: {label} is past its deadline ({due}). By the SLA it goes "
                f"to the lead {at} unless it's done or renegotiated before then."
            )
            return f"Heads-up: #{item.id} goes to the lead {at}", [
                section(line),
                item_actions(item, view.nudge_id, snooze=False),
            ]
        case Kind.ESCALATE:
            client = f", for *{safe(item.client)}*" if item.client else ""
            line = (
                f":mega: SLA: {label} owned by <@{item.owner_id}>{client} was due {due} and "
                f"is still open — late by {_late(item, now)}. <@{item.owner_id}> was told first."
            )
            return f"SLA: #{item.id} is late", [
                section(line),
                context("Keep them informed, not rescued: ask what they need to deliver."),
            ]
        case Kind.FOLLOW_UP:
            line = (
                f":mailbox_with_mail: You delivered {label}"
                + (f" {when(item.closed_at, tz)}" if item.closed_at else "")
                + ". Check it landed with the client?"
            )
            value = str(item.id)
            return f"Follow up on #{item.id}", [
                section(line),
                {
                    "type": "actions",
                    "block_id": f"followup-{item.id}-{view.nudge_id}",
                    "elements": [
                        button("Done, it landed", FOLLOW_UP_DONE, value, "primary"),
                        button("Skip", FOLLOW_UP_SKIP, value),
                    ],
                },
            ]
    raise ValueError(f"no message for a {view.kind} nudge")


def coverage_blocks(view: NudgeView, tz: str, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    """Away coverage: the person's open items due while they are away, each with Hand off."""
    assert view.away_from is not None and view.away_until is not None
    span = span_text(view.away_from, view.away_until, now, tz)
    count = len(view.items)
    items = f"{count} of your open items fall" if count != 1 else "one of your open items falls"
    head = (
        f":palm_tree: *Before you go:* you're away {span}, and {items} due then. Hand each to "
        "someone who'll be here, or agree a new time with the client now, not after."
    )
    blocks: list[dict[str, Any]] = [section(head)]
    for item in view.items[:COVERAGE_LISTED]:
        where = f" · <#{item.channel_id}>" if item.channel_id else ""
        blocks.append(
            section(f"*#{item.id}* {describe(item)} — due {when(item.due_at, tz)}{where}")
        )
        value = str(item.id)
        blocks.append(
            {
                "type": "actions",
                "block_id": f"item-{item.id}-{view.nudge_id}",
                "elements": [
                    button("Hand off", HAND_OFF, value, "primary"),
                    button("Need more time", MORE_TIME, value),
                    button("Done", DONE, value),
                ],
            }
        )
    if count > COVERAGE_LISTED:
        blocks.append(
            context(f"…and {count - COVERAGE_LISTED} more: `/promise list` shows them all.")
        )
    blocks.append(context("Your lead sees who is away and what is due then in App Home."))
    return f"You're away {span}: {count} item{'s' if count != 1 else ''} to hand off", blocks


def end_of_day_blocks(
    eod: EndOfDay, tz: str, now: datetime, nudge_id: int = 0, links: dict[int, str] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    blocks: list[dict[str, Any]] = [section(":city_sunset: *Before you wrap up today*")]
    links = links or {}

    def lines(title: str, items: list[ItemView]) -> None:
        if items:
            rows = [
                f"• *#{i.id}* {describe(i)} — due {when(i.due_at, tz)}"
                + (f" · <{links[i.id]}|see the message>" if i.id in links else "")
                for i in items
            ]
            blocks.append(section(f"*{title}*\n" + "\n".join(rows)))
            for i in items:
                blocks.append(item_actions(i, nudge_id, snooze=False))

    lines("Due today", eod.due_today)
    lines("Replies owed to clients today", eod.replies)
    lines("From the backlog (newest first — start where you are)", eod.backlog)
    if eod.backlog_more:
        blocks.append(context(f"…and {eod.backlog_more} older. `/promise list` shows them all."))
    count = len(eod.due_today) + len(eod.replies)
    return f"End of day: {count} due today, {len(eod.backlog) + eod.backlog_more} overdue", blocks


def dm(
    views: list[NudgeView],
    eod: EndOfDay | None,
    tz: str,
    now: datetime,
    links: dict[int, str] | None = None,
) -> dict[str, Any]:
    """One DM for all of a person's due nudges, with metadata naming them."""
    texts: list[str] = []
    blocks: list[dict[str, Any]] = []
    for view in views:
        if view.kind == Kind.EOD:
            if eod is None:
                continue
            text, body = end_of_day_blocks(eod, tz, now, view.nudge_id, links)
        else:
            text, body = nudge_blocks(view, tz, now)
        texts.append(text)
        if blocks:
            blocks.append({"type": "divider"})
        blocks.extend(body)
    if len(blocks) > MAX_BLOCKS:  # Slack's limit: keep the first ones, point at the rest
        blocks = [*blocks[: MAX_BLOCKS - 1], context("More in `/promise list`.")]
    return {
        "text": " · ".join(texts),
        "blocks": blocks,
        "metadata": {
            "event_type": METADATA_TYPE,
            "event_payload": {"nudges": ",".join(str(v.nudge_id) for v in views)},
        },
    }


def answered(message: dict[str, Any], block_id: str, line: str) -> dict[str, Any]:
    """The nudge with one item's buttons (the block `block_id`) replaced by what was done."""
    kept = [
        context(line) if b.get("block_id") == block_id else b for b in message.get("blocks", [])
    ]
    return {"text": message.get("text") or line, "blocks": kept}


def handed_off_dm(item: ItemView, previous_owner: str, actor: str, tz: str) -> dict[str, Any]:
    client = f" for *{safe(item.client)}*" if item.client else ""
    where = f" (agreed in <#{item.channel_id}>)" if item.channel_id else ""
    by = f"<@{actor}>" + (f" on behalf of <@{previous_owner}>" if actor != previous_owner else "")
    line = (
        f":handshake: {by} handed you *#{item.id}* _{safe(item.what)}_{client}, due "
        f"{when(item.due_at, tz)}{where}. It's yours now: you'll get the reminders."
    )
    return {"text": f"You now own #{item.id}", "blocks": [section(line), item_actions(item, 0)]}
