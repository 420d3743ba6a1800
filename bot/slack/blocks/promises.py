"""What the promise commands answer (ephemeral), and what is posted in an item's channel:
the thank-you when it closes, the note when its deadline moves.

Every message carries a plain `text` too: it is the notification and screen-reader text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.items import ItemView
from bot.core.outcome import Outcome
from bot.slack.blocks.common import (
    Message,
    answer,
    chunks,
    context,
    describe,
    safe,
    section,
    when,
)
from bot.usecases.change_posts import GAVE_UP
from bot.usecases.results import (
    AlreadyClosed,
    Cancelled,
    Closed,
    Created,
    HandedOff,
    HelpText,
    Listed,
    Moved,
    NoReplyNeeded,
    Problem,
    Snoozed,
    Waiting,
)


def _label(item: ItemView) -> str:
    return f"*#{item.id}*"


def problem(result: Problem) -> Message:
    text = f":warning: {result.message}"
    example = [f"For example: `{result.example}`"] if result.example else []
    return answer(text, text, *example)


def created(result: Created) -> Message:
    item = result.item
    due = when(item.due_at, result.tz)
    if item.kind == "reply":
        line = f":incoming_envelope: Recorded {_label(item)}: <@{item.owner_id}> owes a {describe(item)} by {due}."
    else:
        line = f":white_check_mark: Promise {_label(item)} recorded: <@{item.owner_id}> will deliver {describe(item)} by {due}."
    return answer(
        line,
        line,
        footer=f"Close it with `/promise done {item.id}` · need more time? `/promise move {item.id} to …`",
    )


def closed(result: Closed) -> Message:
    item, error = result.item, result.announce_error
    line = f":tada: Closed {_label(item)} {describe(item)} — {result.outcome.describe()}."
    where = f"<#{item.channel_id}>"
    if result.announced and item.channel_id:
        line += f" I thanked everyone in {where}."
    elif result.announce_later:
        line += f"\n{_SLACK_LATER} I'll post the thank-you in {where} in a few minutes."
    elif error == GAVE_UP:
        line += f"\nI couldn't post the thank-you in {where}: {_SLACK_KEPT_FAILING} Please thank everyone there yourself."
    elif error in _NOT_THERE:
        line += (
            f"\nI couldn't post the thank-you in {where} (`{error}`). "
            "Invite me there with `/invite @promise-bot` so I can next time."
        )
    elif error:
        line += f"\nI couldn't post the thank-you in {where} (`{error}`)."
    return answer(line, line)


_SLACK_LATER = "Slack didn't answer just now:"
_SLACK_KEPT_FAILING = "Slack kept failing."
# Refusals a `/invite` cures.
_NOT_THERE = ("not_in_channel", "channel_not_found")


def already_closed(result: AlreadyClosed) -> Message:
    item = result.item
    state = {"done": "done", "no_reply": "closed as needing no reply"}.get(item.status, "cancelled")
    by = f" by <@{item.closed_by}>" if item.closed_by else ""
    line = f":information_source: {_label(item)} is already {state}{by}. Nothing changed."
    return answer(line, line)


def moved(result: Moved) -> Message:
    item, error = result.item, result.post_error
    line = f":calendar: {_label(item)} {describe(item)} now due {when(item.due_at, result.tz)}"
    line += (
        " — renegotiated in advance. :thumbsup:"
        if result.in_advance
        else " — the old deadline had passed, so tell the client now if you haven't."
    )
    if result.note_posted:
        line += f"\nI posted your note in <#{item.channel_id}>."
    elif result.post_later:
        line += f"\n{_SLACK_LATER} I'll post your note in <#{item.channel_id}> in a few minutes."
    elif error == GAVE_UP:
        line += f"\nI couldn't post your note in <#{item.channel_id}>: {_SLACK_KEPT_FAILING} Please tell the client yourself."
    elif error:
        line += f"\nI couldn't post your note in <#{item.channel_id}> (`{error}`): please tell the client yourself."
    return answer(line, line)


def cancelled(result: Cancelled) -> Message:
    item = result.item
    line = f":wastebasket: {_label(item)} {describe(item)} cancelled. No thank-you will be posted."
    return answer(line, line)


def no_reply_needed(result: NoReplyNeeded) -> Message:
    item = result.item
    line = (
        f":ok_hand: {_label(item)} {describe(item)} closed: no reply needed. Nothing was "
        "posted, and it isn't counted as answered."
    )
    return answer(line, line)


def snoozed(result: Snoozed) -> Message:
    line = f":zzz: {_label(result.item)} snoozed until {when(result.until, result.tz)}. Nothing about it arrives before then."
    return answer(line, line)


def waiting(result: Waiting) -> Message:
    end = (
        f"until {when(result.until, result.tz)}"
        if result.until
        else "until the client writes again"
    )
    line = (
        f":hourglass_flowing_sand: {_label(result.item)} is waiting on the client {end}: no "
        "nudges, and the deadline moves by as long as the wait lasts."
    )
    return answer(line, line)


def handed_off(result: HandedOff) -> Message:
    item = result.item
    line = f":handshake: {_label(item)} {describe(item)} is now <@{item.owner_id}>'s (was <@{result.previous_owner}>'s)."
    if result.told:
        line += " I told them by DM."
    elif result.tell_later:
        line += f" {_SLACK_LATER} I'll DM them in a few minutes."
    elif result.tell_error == GAVE_UP:
        line += f" I couldn't DM them: {_SLACK_KEPT_FAILING} Please tell them yourself."
    else:
        line += f" I couldn't DM them (`{result.tell_error}`): please tell them."
    return answer(line, line)


def listing(result: Listed, now: datetime | None) -> Message:
    """`/promise list`: the items shown, those overdue at `now` flagged."""
    if result.whose is None:
        title = "Open items in this workspace"
    elif result.mine:
        title = "Your open items (owned or made by you)"
    else:
        title = f"<@{result.whose}>'s open items"
    watched = (
        "Client channels watched: " + ", ".join(result.watched[:20]) if result.watched else None
    )
    if not result.items:
        line = f"*{title}:* none. :sparkles:"
        message = answer(line, line, footer="Record one with `/promise WHAT by WHEN`.")
        if watched:
            message["blocks"].append(context(watched))
        return message
    lines = []
    for item in result.items:
        late = now is not None and item.due_at < now
        flag = " :red_circle: *overdue*" if late else ""
        lines.append(
            f"{_label(item)} {describe(item)} · <@{item.owner_id}> · due {when(item.due_at, result.tz)}{flag}"
        )
    head = f"*{title}:* {result.total}"
    blocks = [section(head)] + [section(chunk) for chunk in chunks(lines, 2900)]
    more = result.total - len(result.items)
    if more > 0:
        blocks.append(context(f"…and {more} more, soonest shown first."))
    blocks.append(context("`/promise done ID` · `/promise move ID to WHEN` · `/promise cancel ID`"))
    return {"text": f"{title}: {result.total}", "blocks": blocks}


def help_text(result: HelpText) -> Message:
    """`/promise help`: every command, and who may change an item."""
    text = "\n".join(
        [
            "*promise-bot* remembers what we promised clients and nudges the owner before it's late.",
            "• `/promise [@owner] WHAT by WHEN` — record a promise (`by 4pm`, `by EOD`, `by fri 3pm`, `by dec 3`, `by in 2 hours`)",
            "• `/promise` — open a form instead",
            "• `/promise reply [@owner] to CLIENT [about WHAT] [by WHEN]` — a client message from mail or phone that needs an answer (default: by the end of the working day)",
            "• `/promise list [@user|all]` — open items",
            "• `/promise done ID [@helper …]` — close it and thank everyone in the channel",
            "• `/promise move ID to WHEN [because NOTE]` — a new deadline; the note is posted for the client",
            "• `/promise cancel ID` — drop it without a thank-you",
            "• `/promise handoff ID @user` — give it to someone else (they get a DM with the details)",
            "• `/promise wait ID [until WHEN]` — waiting on the client: the clock pauses until they write",
            "• `/promise away [@user] FROM to UNTIL` / `away off` — you're away (`dec 22 to jan 2`): the day before, a DM lists what falls due then, to hand it off",
            "• `/promise watch [CLIENT] [owner @user] [clients @a …]` / `unwatch` — record client messages in this channel",
            "• `/promise settings` — working hours, reply SLA, lead and digest for this workspace (the lead or an admin)",
            "• `/promise stats [week|month]` — your numbers and the team's: loops closed, on time, reply times",
        ]
    )
    lead = result.lead
    who = f"the lead (<@{lead}>)" if lead else "the lead"
    return answer(
        "promise-bot help",
        text,
        footer=f"Only the owner, whoever made the promise or {who} can close, move or cancel it. IDs look like `#42`; `42` works too.",
    )


def thank_you(
    item: ItemView, outcome: Outcome, *, client_reads: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """The public thank-you in the item's channel: what, for whom, who did it, and in an
    internal channel how it went. Thank in public, judge in private: where the client reads
    it, no "late by" or "early by"."""
    people = [f"<@{c.user_id}>" for c in item.contributors]
    names = people[0] if len(people) == 1 else ", ".join(people[:-1]) + f" and {people[-1]}"
    client = f" to *{safe(item.client)}*" if item.client else ""
    how = "" if client_reads else f" — {outcome.describe()}"
    line = f":tada: Delivered{client}: _{safe(item.what)}_{how}."
    thanks = f"Thank you {names}! :raised_hands:"
    text = f"Delivered: {safe(item.what)}{how}. Thank you {names}!"
    blocks = [section(f"{line}\n{thanks}"), context(f"Promise #{item.id}")]
    return text, blocks


def moved_note(item: ItemView, note: str, actor: str, tz: str) -> tuple[str, list[dict[str, Any]]]:
    """The note for the client when a deadline moves: tell them, don't go silent, and say
    the new time (a date token: each reader sees their own zone)."""
    by = when(item.due_at, tz)
    text = f"Update on {safe(item.what)}: {safe(note)} New time: {by}"
    body = f":calendar: *Update on* _{safe(item.what)}_\n{safe(note)}\n*New time:* {by}"
    return text, [section(body), context(f"From <@{actor}> · promise #{item.id}")]
