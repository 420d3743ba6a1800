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

_BROADCAST = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>")
_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|@?([^>]*))?>")


def safe(text: str) -> str:
    """Keep stored text from pinging a whole channel or group when the bot repeats it.

    Stored text is Slack-escaped mrkdwn already; only broadcast mentions need defusing."""
    text = _BROADCAST.sub(r"@\1", text)
    return _SUBTEAM.sub(lambda m: "@" + (m.group(1) or "group"), text)


def when(at: datetime, tz: str) -> str:
    """A time each reader sees in their own zone, with a fallback in the author's zone."""
    local = at.astimezone(ZoneInfo(tz))
    fallback = local.strftime("%a %b %-d, %-I:%M %p ") + (local.tzname() or tz)
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def describe(item: ItemView) -> str:
    """What it is and for whom: `_send the deck_ for *Acme*`, `reply to *Acme* about _…_`."""
    what = safe(item.what)
    if item.kind == "reply":
        return f"reply to *{safe(item.client or 'the client')}*" + (
            "" if what.startswith("Reply to ") else f" about _{what}_"
        )
    return f"_{what}_" + (f" for *{safe(item.client)}*" if item.client else "")


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def answer(text: str, *sections: str, footer: str | None = None) -> Message:
    """A message: its notification text, a section for each of `sections`, then `footer`
    as a context line."""
    blocks = [section(s) for s in sections]
    if footer:
        blocks.append(context(footer))
    return {"text": text, "blocks": blocks}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
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
