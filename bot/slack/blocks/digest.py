"""Block Kit for the digest of closed loops and `/promise stats`: pure functions.

The digest names people only for what they closed (each loop with its people, and the
thanks); misses are counts. It stays under Slack's 50 blocks and 3,000 characters a section
whatever the period holds: a few loops per client, a few dozen clients, the rest counted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.stats import ClosedFact, Numbers, StatsReport
from bot.slack.blocks.common import context, safe, section, when

METADATA_TYPE = "promise_digest"
MAX_CLIENTS = 30
MAX_LOOPS_PER_CLIENT = 8
MAX_PEOPLE_PER_LOOP = 5
MAX_THANKED = 25
MAX_WHAT = 100


def digest_message(
    n: Numbers, tz: str, nudge_id: int, *, weekly: bool = False, scope: str | None = None
) -> dict[str, Any]:
    """The digest post: figures, loops by client with their people, thanks; with metadata
    naming its outbox row, so a crashed attempt is found in the channel's history."""
    since = when(n.start, tz)
    title = ":bar_chart: *The week's closed loops*" if weekly else ":mailbox: *Closed loops*"
    where = f" in <#{scope}>" if scope else ""
    blocks: list[dict[str, Any]] = [section(f"{title}{where} since {since}"), _figures(n)]
    groups = list(n.clients)
    shown, hidden = groups[:MAX_CLIENTS], groups[MAX_CLIENTS:]
    if shown:
        blocks.append({"type": "divider"})
    for group in shown:
        head = f"*{safe(group.client)}*" if group.client else "*No client named*"
        counts = []
        if group.promises:
            counts.append(f"{len(group.promises)} delivered")
        if group.replies:
            counts.append(f"{group.replies} {'reply' if group.replies == 1 else 'replies'}")
        lines = [f"{head} — {' · '.join(counts)}"]
        lines += [_loop(c) for c in group.promises[:MAX_LOOPS_PER_CLIENT]]
        if len(group.promises) > MAX_LOOPS_PER_CLIENT:
            lines.append(f"…and {len(group.promises) - MAX_LOOPS_PER_CLIENT} more")
        blocks.append(section("\n".join(lines)))
    if hidden:
        loops = sum(len(g.promises) + g.replies for g in hidden)
        blocks.append(context(f"…and {len(hidden)} more clients ({loops} loops)."))
    if n.thanks:
        thanked = [f"<@{user}> ({count})" for user, count in n.thanks[:MAX_THANKED]]
        more = len(n.thanks) - MAX_THANKED
        text = ":raised_hands: *Thank you* " + " · ".join(thanked)
        if more > 0:
            text += f" · and {more} more"
        blocks += [{"type": "divider"}, section(text)]
    blocks.append(
        context(
            "Misses are counted, never named: the SLA, not the people. "
            "`/promise stats` shows your own numbers."
        )
    )
    rate = n.on_time_rate
    summary = f"{n.closed} loop{'s' * (n.closed != 1)} closed"
    if rate is not None:
        summary += f", {round(rate * 100)}% on time"
    return {
        "text": f"{'Weekly digest' if weekly else 'Digest'}: {summary}",
        "blocks": blocks,
        "metadata": {"event_type": METADATA_TYPE, "event_payload": {"nudges": str(nudge_id)}},
    }


def chart_title(start: datetime, end: datetime, tz: str) -> str:
    zone = ZoneInfo(tz)
    first, last = start.astimezone(zone), end.astimezone(zone)
    return f"On time and first replies, {first:%a %b %-d} – {last:%a %b %-d}"


def chart_comment() -> str:
    return (
        "Per day: the share of promises delivered on time (bars) and the median "
        "time to a client's first reply (line)."
    )


def stats_message(report: StatsReport) -> dict[str, Any]:
    """The ephemeral answer to `/promise stats`: your numbers, then the team's."""
    span = f"the last {report.days} days"
    mine = report.mine
    blocks = [
        section(f":chart_with_upwards_trend: *Your numbers, {span}*\n" + _bullets(mine)),
        section(f":busts_in_silhouette: *The team's, {span}*\n" + _bullets(report.team)),
        context(
            "Loops you are credited for (owner, helper, or the one who answered the client); "
            "open and overdue: the ones you own. "
            + ("`/promise stats month` for 30 days." if report.period == "week" else "")
        ),
    ]
    return {
        "text": f"Your numbers for {span}: {mine.closed} loops closed",
        "blocks": blocks,
    }


def _figures(n: Numbers) -> dict[str, Any]:
    lines = n.summary_lines()
    icons = [":white_check_mark:"]
    if n.promises:
        icons.append(":stopwatch:")
    if n.replies:
        icons.append(":speech_balloon:")
    if n.no_reply:
        icons.append(":ok_hand:")
    icons.append(":open_file_folder:")
    return section("\n".join(f"{icon} {line}" for icon, line in zip(icons, lines, strict=True)))


def _bullets(n: Numbers) -> str:
    return "\n".join(f"• {line}" for line in n.summary_lines())


def _loop(c: ClosedFact) -> str:
    what = " ".join(safe(c.what).split())
    if len(what) > MAX_WHAT:
        what = what[: MAX_WHAT - 1].rstrip() + "…"
    people = [f"<@{p}>" for p in c.credited[:MAX_PEOPLE_PER_LOOP]]
    if len(c.credited) > MAX_PEOPLE_PER_LOOP:
        people.append(f"+{len(c.credited) - MAX_PEOPLE_PER_LOOP}")
    return f"• _{what}_ — {', '.join(people)}"
