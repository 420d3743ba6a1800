"""Block Kit pieces the feature modules share: text made safe to repeat, dates each reader
sees in their own zone, sections, context lines, buttons.

Blocks are plain dicts, not slack_sdk.models: a dict is what chat.postMessage and
views.open take and what the tests compare, and building one costs nothing (the models'
validation was a third of the Home tab's render time). Slack checks the limits either way.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.items import ItemView

Block = dict[str, Any]
Message = dict[str, Any]

# Any `<!…>` special mention but the bot's own dates: `<!channel>`, `<!HERE|here>`, the
# legacy `<!group>`, `<!subteam^S1|@team>`; Slack reads them whatever their case.
_SPECIAL = re.compile(r"<!(?!date\^)([^>|^]*)(?:\^[^>|]*)?(?:\|@?([^>]*))?>", re.IGNORECASE)
# A link whose label hides where it goes: `<https://evil|acme.com>`.
_LABELLED_LINK = re.compile(r"<((?:[a-z][a-z0-9+.-]*):[^>|]*)\|[^>]*>", re.IGNORECASE)
_OPEN_TOKEN = re.compile(r"<[^>]*$|&[a-z]{0,5}$")

# Slack's Block Kit limits (https://api.slack.com/reference/block-kit/blocks)
SECTION_TEXT_MAX = 3000  # a section's text, and a context element's
BUTTON_TEXT_MAX = 75  # a button's text and its accessibility label
OPTION_TEXT_MAX = 75  # a select option's text
MESSAGE_TEXT_MAX = 40_000  # a message's top-level (notification/fallback) text
MESSAGE_BLOCKS_MAX = 50  # blocks in one message


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in "…" when cut, never cutting a `<@U…>` mention,
    a `<!date…>` token or an `&amp;` in half (the whole token goes)."""
    if len(text) <= limit:
        return text
    cut = _OPEN_TOKEN.sub("", text[: limit - 1])
    return cut.rstrip() + "…"


def safe(text: str) -> str:
    """Keep stored text from pinging a whole channel or group, or hiding where a link
    goes, when the bot repeats it.

    Stored text is Slack-escaped mrkdwn already; only special mentions (any case, legacy
    forms and group mentions) and labelled links need defusing: a mention becomes plain
    `@name`, a link shows its address."""
    text = _SPECIAL.sub(_defused, text)
    return _LABELLED_LINK.sub(r"<\1>", text)


def _defused(mention: re.Match[str]) -> str:
    name = mention.group(1).lower()
    return "@" + (mention.group(2) or ("group" if name in ("subteam", "") else name))


def when(at: datetime, tz: str) -> str:
    """A time each reader sees in their own zone, with a fallback in the author's zone."""
    local = at.astimezone(ZoneInfo(tz))
    fallback = local.strftime("%a %b %-d, %-I:%M %p ") + (local.tzname() or tz)
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def describe(item: ItemView, limit: int | None = None) -> str:
    """What it is and for whom: `_send the deck_ for *Acme*`, `reply to *Acme* about _…_`;
    with `limit`, the item's text is clipped to that many characters (the client's to 100)."""
    what = safe(clip(item.what, limit) if limit else item.what)
    client = item.client and safe(clip(item.client, 100) if limit else item.client)
    if item.kind == "reply":
        return f"reply to *{client or 'the client'}*" + (
            "" if what.startswith("Reply to ") else f" about _{what}_"
        )
    return f"_{what}_" + (f" for *{client}*" if client else "")


def located(item: ItemView, links: dict[int, str] | None = None) -> str:
    """Where the item lives, to append to its line: ` in <#C…>`, and for a client's message
    a link to the message itself (`links`: item ID → permalink, where one was found)."""
    where = f" in <#{item.channel_id}>" if item.channel_id else ""
    link = (links or {}).get(item.id)
    return where + (f" (<{link}|see the message>)" if link else "")


def section(text: str) -> Block:
    """A mrkdwn section; text past Slack's 3,000 characters is clipped, never refused."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_TEXT_MAX)}}


def context(text: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_TEXT_MAX)}],
    }


def answer(text: str, *sections: str, footer: str | None = None) -> Message:
    """A message: its notification text, a section for each of `sections`, then `footer`
    as a context line."""
    blocks = [section(s) for s in sections]
    if footer:
        blocks.append(context(footer))
    return {"text": text, "blocks": blocks}


def button(
    text: str, action_id: str, value: str, style: str | None = None, label: str | None = None
) -> Block:
    """A button; `label` is what a screen reader says (e.g. "Done: #42"). Both are clipped
    to Slack's 75 characters."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, BUTTON_TEXT_MAX), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    if label:
        element["accessibility_label"] = clip(label, BUTTON_TEXT_MAX)
    return element


def chunks(lines: list[str], limit: int) -> list[str]:
    """Join lines into section texts, each under Slack's 3,000-character section limit."""
    joined: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            joined.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        joined.append(current)
    return joined
