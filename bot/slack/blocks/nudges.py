"""Block Kit for nudges: DMs with buttons, and the DM telling someone an item is now theirs.

Pure functions; the action IDs are the contract with bot/slack/listeners/actions.py and
done.py, and App Home's buttons are these same ones.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from bot.core.durations import format_duration
from bot.core.items import ItemKind, ItemStatus, ItemView
from bot.core.plan import Kind
from bot.slack.blocks.catch_up import catch_up_blocks
from bot.slack.blocks.common import (
    MESSAGE_BLOCKS_MAX,
    MESSAGE_TEXT_MAX,
    OPTION_TEXT_MAX,
    button,
    clip,
    context,
    describe,
    located,
    safe,
    section,
    when,
)
from bot.slack.blocks.lead_updates import escalation_block_id, lead_update_blocks
from bot.usecases.coverage import span_text
from bot.usecases.ports import CatchUp, EndOfDay, NudgeView

DONE = "nudge_done"
MORE_TIME = "nudge_more_time"
SNOOZE = "nudge_snooze"
HAND_OFF = "nudge_handoff"
NO_REPLY = "nudge_no_reply"
FOLLOW_UP_DONE = "followup_done"
FOLLOW_UP_SKIP = "followup_skip"
METADATA_TYPE = "promise_nudge"
MAX_BLOCKS = MESSAGE_BLOCKS_MAX
EOD_MIN_BLOCKS = 6  # the end-of-day list's title, a group with one row, "…and N more"
WHAT_MAX = 300  # characters of an item's text in an end-of-day row (2 blocks per row)
NUDGE_WHAT_MAX = 2000  # …in a single nudge, whose line has a few hundred more
COVERAGE_LISTED = 20  # items with buttons in one coverage DM (2 blocks each, of Slack's 50)


def snooze_menu(item_id: int) -> dict[str, Any]:
    options = [("30 min", "30m"), ("1 hour", "1h"), ("Tomorrow morning", "tomorrow")]
    return {
        "type": "static_select",
        "action_id": SNOOZE,
        "placeholder": {"type": "plain_text", "text": "Snooze"},
        "options": [
            {
                "text": {"type": "plain_text", "text": clip(label, OPTION_TEXT_MAX)},
                "value": f"{item_id}:{choice}",
            }
            for label, choice in options
        ],
    }


def no_reply_button(item: ItemView) -> list[dict[str, Any]]:
    """The "No reply needed" button for an open client message owed a reply (none for a
    promise): the way out for an acknowledgement the bot could not recognise."""
    if item.kind != ItemKind.REPLY or item.status != ItemStatus.OPEN:
        return []
    value = str(item.id)
    return [button("No reply needed", NO_REPLY, value, label=f"No reply needed: #{item.id}")]


def item_actions(item: ItemView, nudge_id: int, *, snooze: bool = True) -> dict[str, Any]:
    """The buttons for one item; each says which item it acts on to a screen reader."""
    value = str(item.id)
    elements = [
        button("Done", DONE, value, "primary", label=f"Done: #{item.id}"),
        button("Need more time", MORE_TIME, value, label=f"Need more time: #{item.id}"),
    ]
    if snooze:
        elements.append(snooze_menu(item.id))
    elements.append(button("Hand off", HAND_OFF, value, label=f"Hand off: #{item.id}"))
    elements += no_reply_button(item)
    return {"type": "actions", "block_id": f"item-{item.id}-{nudge_id}", "elements": elements}


def _late(item: ItemView, now: datetime) -> str:
    return format_duration(now - item.due_at) if now > item.due_at else "not yet"


def nudge_blocks(
    view: NudgeView, tz: str, now: datetime, links: dict[int, str] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """One nudge: its line for the notification text, and its blocks. Each item's line says
    where it lives, and links a client's message (`links`: item ID → permalink)."""
    if view.kind == Kind.QUIET:
        since = when(view.quiet_since, tz) if view.quiet_since else "a while"
        line = (
            f":shushing_face: *{safe(clip(view.client or 'A client', 200))}* hasn't written in "
            f"<#{view.channel_id}> since {since}. A short check-in keeps them close — "
            "reach out before they drift."
        )
        return f"{safe(clip(view.client or 'A client', 200))} has gone quiet", [section(line)]
    if view.kind == Kind.COVERAGE:
        return coverage_blocks(view, tz, now)
    if view.kind == Kind.LEAD_UPDATE:
        return lead_update_blocks(view, tz, links)
    item = view.item
    assert item is not None
    label = f"*#{item.id}* {describe(item, NUDGE_WHAT_MAX)}{located(item, links)}"
    due = when(item.due_at, tz)
    match view.kind:
        case Kind.BEFORE | Kind.SNOOZED:
            line = f":alarm_clock: {label} is due {due}. Can you make it? If not, say so now."
            return f"#{item.id} is due soon", [section(line), item_actions(item, view.nudge_id)]
        case Kind.ARRIVED:
            line = (
                f":incoming_envelope: New since your end-of-day list: {label}, due {due}. "
                "A short reply today keeps the client in the loop."
            )
            return f"New today: #{item.id}", [section(line), item_actions(item, view.nudge_id)]
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
            # an escalation already due goes in this same tick: "now", not a time gone by
            due_at = view.escalate_at
            at = "soon" if due_at is None else "now" if due_at <= now else when(due_at, tz)
            line = (
                f":warning: Heads-up: {label} is past its deadline ({due}). By the SLA it goes "
                f"to the lead {at} unless it's done or renegotiated before then."
            )
            return f"Heads-up: #{item.id} goes to the lead {at}", [
                section(line),
                item_actions(item, view.nudge_id, snooze=False),
            ]
        case Kind.ESCALATE:
            client = f", for *{safe(clip(item.client, 200))}*" if item.client else ""
            line = (
                f":mega: SLA: {label} owned by <@{item.owner_id}>{client} was due {due} and "
                f"is still open — late by {_late(item, now)}. <@{item.owner_id}> was told first."
            )
            settles = context("Keep them informed, not rescued: ask what they need to deliver.")
            return f"SLA: #{item.id} is late", [
                section(line),
                {**settles, "block_id": escalation_block_id(view.nudge_id)},
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
            section(f"*#{item.id}* {describe(item, WHAT_MAX)} — due {when(item.due_at, tz)}{where}")
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
                    *no_reply_button(item),
                ],
            }
        )
    if count > COVERAGE_LISTED:
        blocks.append(
            context(f"…and {count - COVERAGE_LISTED} more: `/promise list` shows them all.")
        )
    blocks.append(context("Your lead sees who is away and what is due then in App Home."))
    return f"You're away {span}: {count} item{'s' if count != 1 else ''} to hand off", blocks


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def end_of_day_blocks(
    eod: EndOfDay,
    tz: str,
    now: datetime,
    nudge_id: int = 0,
    links: dict[int, str] | None = None,
    room: int = MAX_BLOCKS,
) -> tuple[str, list[dict[str, Any]]]:
    """The end-of-day list in at most `room` blocks: each group under its title, most urgent
    first (overdue, due today, replies owed, the backlog), each item a section with its own
    buttons right below it. What doesn't fit is counted in an "…and N more" line, and the
    notification text counts every group as the list does."""
    links = links or {}
    blocks: list[dict[str, Any]] = [section(":city_sunset: *Before you wrap up today*")]
    room -= 2  # the title above, and a last "…and N more" line should whole groups not fit
    hidden = 0

    def group(title: str, items: list[ItemView], more: str, extra: int = 0) -> None:
        nonlocal room, hidden
        if not items:
            return
        fit = max(0, (room - 2) // 2)  # the group's title and its "more" line, 2 per row
        shown = items[:fit]
        if not shown:
            hidden += len(items) + extra
            return
        blocks.append(section(f"*{title}*"))
        for i in shown:
            was = "was due" if i.due_at < now else "due"
            row = f"• *#{i.id}* {describe(i, WHAT_MAX)}{located(i, links)} — {was} {when(i.due_at, tz)}"
            blocks.append(section(row))
            blocks.append(item_actions(i, nudge_id, snooze=False))
        room -= 1 + 2 * len(shown)
        left = len(items) - len(shown) + extra
        if left:
            blocks.append(context(more.format(n=left)))
            room -= 1

    shows_all = "`/promise list` shows them all."
    group(
        f"Overdue — tell the client now ({len(eod.overdue)})",
        eod.overdue,
        "…and {n} more overdue. " + shows_all,
    )
    group(
        f"Due today ({len(eod.due_today)})", eod.due_today, "…and {n} more due today. " + shows_all
    )
    group(
        f"Replies owed to clients today ({len(eod.replies)})",
        eod.replies,
        "…and {n} more replies owed. " + shows_all,
    )
    group(
        "From the backlog (newest first — start where you are)",
        eod.backlog,
        "…and {n} older. " + shows_all,
        eod.backlog_more,
    )
    if hidden:
        blocks.append(context(f"…and {hidden} more. {shows_all}"))
    counts = [
        _plural(len(eod.overdue), "overdue", "overdue") if eod.overdue else "",
        f"{len(eod.due_today)} due today" if eod.due_today else "",
        _plural(len(eod.replies), "reply owed", "replies owed") if eod.replies else "",
        f"{len(eod.backlog) + eod.backlog_more} in the backlog" if eod.backlog else "",
    ]
    return "End of day: " + ", ".join(c for c in counts if c), blocks


def dm(
    views: list[NudgeView],
    eod: EndOfDay | None,
    tz: str,
    now: datetime,
    links: dict[int, str] | None = None,
    catch_up: CatchUp | None = None,
    home: str | None = None,
) -> dict[str, Any]:
    """One DM for all of a person's due nudges, with metadata naming them. It fits Slack's
    limits whatever the data: the end-of-day list gets the blocks the other nudges leave,
    and nudges that don't fit at all are pointed at. The views `catch_up` stands for are
    its one summary, where the first of them was (`home`: the deep link to App Home)."""
    bodies: list[tuple[NudgeView, str, list[dict[str, Any]]]] = []
    folded = catch_up.nudge_ids if catch_up is not None else frozenset()
    first = next((v.nudge_id for v in views if v.nudge_id in folded), None)
    for view in views:
        if view.nudge_id in folded:
            if view.nudge_id == first and catch_up is not None:
                actions = partial(item_actions, nudge_id=view.nudge_id, snooze=False)
                bodies.append((view, *catch_up_blocks(catch_up, tz, view.nudge_id, home, actions)))
        elif view.kind == Kind.EOD:
            if eod is not None:
                bodies.append((view, "", []))  # rendered below, in the room left
        else:
            bodies.append((view, *nudge_blocks(view, tz, now, links)))
    used = sum(len(body) for _, _, body in bodies) + len(bodies) - 1  # with the dividers
    room = max(EOD_MIN_BLOCKS, MAX_BLOCKS - used)
    for n, (view, _, _) in enumerate(bodies):
        if view.kind == Kind.EOD and eod is not None:
            bodies[n] = (view, *end_of_day_blocks(eod, tz, now, view.nudge_id, links, room))
    blocks: list[dict[str, Any]] = []
    for n, (_, _, body) in enumerate(bodies):
        reserve = 0 if n == len(bodies) - 1 else 1  # for the line pointing at the rest
        if len(blocks) + (1 if blocks else 0) + len(body) > MAX_BLOCKS - reserve:
            blocks.append(context("More in `/promise list`."))  # whole nudges only
            break
        if blocks:
            blocks.append({"type": "divider"})
        blocks.extend(body)
    return {
        "text": clip(" · ".join(text for _, text, _ in bodies), MESSAGE_TEXT_MAX),
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
    client = f" for *{safe(clip(item.client, 200))}*" if item.client else ""
    where = f" (agreed in <#{item.channel_id}>)" if item.channel_id else ""
    by = f"<@{actor}>" + (f" on behalf of <@{previous_owner}>" if actor != previous_owner else "")
    line = (
        f":handshake: {by} handed you *#{item.id}* _{safe(clip(item.what, NUDGE_WHAT_MAX))}_{client}, due "
        f"{when(item.due_at, tz)}{where}. It's yours now: you'll get the reminders."
    )
    return {"text": f"You now own #{item.id}", "blocks": [section(line), item_actions(item, 0)]}
