"""App Home: a person's open items (and, for the lead, the team's) → the Home tab view.

Pure: data in, a `views.publish` view out. Slack allows 100 blocks in a Home tab and 3,000
characters per section text, so each section shows its first few items and a summary line
points at `/promise list` for the rest; the backlog grows five at a time ("show more")
while there is room. The buttons are the nudges' own (same action IDs, same handlers).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.durations import format_duration
from bot.core.items import ItemView
from bot.slack.blocks.common import button, chunks, clip, context, safe, section, when
from bot.slack.blocks.nudges import DONE, MORE_TIME, no_reply_button, snooze_menu
from bot.usecases.home import (
    BACKLOG_MAX,
    BACKLOG_STEP,
    SHOWN,
    TEAM_ITEMS,
    TEAM_OWNERS,
    HomeData,
    Section,
)

HOME_MORE = "home_more"
MAX_BLOCKS = 100  # Slack's limit for a Home tab
SECTION_TEXT_MAX = 3000
WHAT_MAX = 200  # characters of an item's text shown in Home
TITLES = {
    "today": ":calendar: *Due today*",
    "overdue": ":rotating_light: *Overdue* — tell the client now, or ask for more time",
    "replies": ":incoming_envelope: *Replies owed to clients*",
    "backlog": ":books: *Backlog* — newest first, a few at a time: start where you are",
    "coming": ":crystal_ball: *Coming up*",
}
MORE_WORDS = {
    "today": "due today",
    "overdue": "overdue",
    "replies": "replies owed",
    "backlog": "older in the backlog",
    "coming": "coming up",
}


def render_home(data: HomeData) -> dict[str, Any]:
    """The Home tab: ≤ 100 blocks, sections in order, buttons only on the person's own items."""
    head = _head(data)
    tail = _team_blocks(data) + _footer(data)
    body: list[dict[str, Any]] = []
    for key in ("today", "overdue", "replies"):
        body += _section_blocks(data, key, SHOWN[key])
    coming = _section_blocks(data, "coming", SHOWN["coming"])
    room = MAX_BLOCKS - len(head) - len(tail) - len(body) - len(coming)
    backlog = _backlog_blocks(data, room)
    blocks = head + body + backlog + coming + tail
    if len(blocks) > MAX_BLOCKS:  # a safety net: the budget above should never let this happen
        blocks = [*blocks[: MAX_BLOCKS - 1], context("More in `/promise list`.")]
    return {"type": "home", "callback_id": "promise_home", "blocks": blocks}


# ---- pieces ----------------------------------------------------------------------------


def _head(data: HomeData) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your promises", "emoji": True}}
    ]
    if data.notice:
        blocks.append(section(clip(data.notice, SECTION_TEXT_MAX)))
    counts = [
        (data.today.total, "due today"),
        (data.overdue.total, "overdue"),
        (data.replies.total, "reply owed" if data.replies.total == 1 else "replies owed"),
        (data.backlog.total, "in the backlog"),
        (data.coming.total, "coming up"),
    ]
    said = [f"*{n}* {label}" for n, label in counts if n]
    if said:
        line = " · ".join(said) + f" · as of {when(data.now, data.tz)}"
    else:
        line = (
            "Nothing open. :sparkles: Record a promise with `/promise WHAT by WHEN`, "
            "e.g. `/promise send the deck to Acme by fri 3pm`."
        )
    blocks.append(context(line))
    return blocks


def _section_blocks(data: HomeData, key: str, limit: int) -> list[dict[str, Any]]:
    part: Section = getattr(data, key)
    if part.total == 0:
        return []
    shown = list(part.items[:limit])
    blocks = [section(f"{TITLES[key]} · {part.total}")]
    for item in shown:
        blocks += _own_item(item, data)
    more = part.total - len(shown)
    if more > 0:
        blocks.append(context(f"…and {more} more {_more_words(key, more)}: `/promise list`"))
    return blocks


def _more_words(key: str, n: int) -> str:
    return "reply owed" if key == "replies" and n == 1 else MORE_WORDS[key]


def _backlog_blocks(data: HomeData, room: int) -> list[dict[str, Any]]:
    """As much of the backlog as was asked for and fits; "show more" while more would fit."""
    backlog = data.backlog
    if backlog.total == 0:
        return []
    fits = max((room - 2) // 2, 0)  # the title and the closing line take one block each
    n = min(data.backlog_wanted, len(backlog.items), fits, BACKLOG_MAX)
    blocks = [section(f"{TITLES['backlog']} · {backlog.total}")]
    for item in backlog.items[:n]:
        blocks += _own_item(item, data)
    more = backlog.total - n
    if more <= 0:
        return blocks
    step = min(BACKLOG_STEP, more)
    if n + step <= min(fits, BACKLOG_MAX) and n >= data.backlog_wanted:
        blocks.append(
            {
                "type": "actions",
                "block_id": "home-more",
                "elements": [
                    button(f"Show {step} more ({more} older)", HOME_MORE, str(n + BACKLOG_STEP))
                ],
            }
        )
    else:
        blocks.append(context(f"…and {more} more {_more_words('backlog', more)}: `/promise list`"))
    return blocks


def _own_item(item: ItemView, data: HomeData) -> list[dict[str, Any]]:
    """The item's line and its buttons: Done, Need more time, Snooze, and No reply needed
    for a client message (the nudges' actions)."""
    return [
        section(item_line(item, data.tz, data.now)),
        {
            "type": "actions",
            "block_id": f"home-item-{item.id}",
            "elements": [
                button("Done", DONE, str(item.id), "primary"),
                button("Need more time", MORE_TIME, str(item.id)),
                snooze_menu(item.id),
                *no_reply_button(item),
            ],
        },
    ]


def item_line(item: ItemView, tz: str, now: datetime, *, owner: bool = False) -> str:
    """`#42 send the deck for Acme — due …`, with what is special about it right now."""
    parts = [f"*#{item.id}* {_describe(item)}"]
    if owner:
        parts.append(f"<@{item.owner_id}>")
    if item.due_at < now:
        parts.append(
            f"was due {when(item.due_at, tz)} (late by {format_duration(now - item.due_at)})"
        )
    else:
        parts.append(f"due {when(item.due_at, tz)}")
    if item.channel_id:
        parts.append(f"<#{item.channel_id}>")
    line = " — ".join(parts[:2]) + "".join(f" · {p}" for p in parts[2:])
    if item.waiting_since is not None:
        line += " · :hourglass_flowing_sand: waiting on the client"
    elif item.snoozed_until is not None and item.snoozed_until > now:
        line += f" · :zzz: snoozed until {when(item.snoozed_until, tz)}"
    return line


def _describe(item: ItemView) -> str:
    """What it is and for whom, its text clipped so a long client message fits a section."""
    what = safe(clip(item.what, WHAT_MAX))
    client = safe(clip(item.client, 80)) if item.client else None
    if item.kind == "reply":
        about = "" if item.what.startswith("Reply to ") else f" about _{what}_"
        return f"reply to *{client or 'the client'}*{about}"
    return f"_{what}_" + (f" for *{client}*" if client else "")


def _team_blocks(data: HomeData) -> list[dict[str, Any]]:
    """The lead's view: who owns what, this week's numbers, away cover. No buttons: a view,
    not a way to do the team's work for them."""
    blocks: list[dict[str, Any]] = []
    team = data.team
    if team is not None:
        blocks += [
            {"type": "divider"},
            {"type": "header", "text": {"type": "plain_text", "text": "Your team", "emoji": True}},
        ]
        if team.open == 0:
            blocks.append(context("Nobody has anything open. :sparkles:"))
        else:
            blocks.append(
                context(
                    f"*{team.open}* open · *{team.overdue}* overdue · {team.people} "
                    f"{'person' if team.people == 1 else 'people'}. Keep them informed, not "
                    "rescued: ask owners what they need to deliver."
                )
            )
        for load in team.owners[:TEAM_OWNERS]:
            late = f", *{load.overdue} overdue*" if load.overdue else ""
            lines = [f"<@{load.owner_id}> — {load.open} open{late}"]
            lines += [f"• {item_line(i, data.tz, data.now)}" for i in load.first[:TEAM_ITEMS]]
            if load.open > len(load.first[:TEAM_ITEMS]):
                lines.append(f"`/promise list <@{load.owner_id}>` shows all")
            blocks.append(section(clip_lines(lines, SECTION_TEXT_MAX)))
        hidden = team.people - min(len(team.owners), TEAM_OWNERS)
        if hidden > 0:
            blocks.append(context(f"…and {hidden} more people: `/promise list all`"))
    if data.numbers:
        title = ":bar_chart: *This week* (the last 7 days, as `/promise stats week`)"
        blocks.append(section(clip_lines([title, *data.numbers], SECTION_TEXT_MAX)))
    if data.coverage:
        title = ":palm_tree: *Away cover*" if team is not None else ":palm_tree: *Time away*"
        blocks.append(section(clip_lines([title, *data.coverage], SECTION_TEXT_MAX)))
    return blocks


def _footer(data: HomeData) -> list[dict[str, Any]]:
    if data.watched:
        names = [f"<#{c}>" for c in data.watched[:20]]
        extra = f" and {len(data.watched) - 20} more" if len(data.watched) > 20 else ""
        line = "Client channels watched: " + ", ".join(names) + extra
    else:
        line = "No client channels watched yet: run `/promise watch Acme` in a client's channel."
    return [
        {"type": "divider"},
        context(line + " · `/promise help` for everything else"),
    ]


# ---- text that must fit ----------------------------------------------------------------


def clip_lines(lines: list[str], limit: int) -> str:
    """Whole lines joined, as many as fit in `limit` characters."""
    parts = chunks([clip(line, limit) for line in lines], limit)
    return parts[0] if parts else ""
