"""What `/promise watch` and `unwatch` answer (ephemeral): which channel is watched, as
which client, and who owes the replies."""

from __future__ import annotations

from bot.slack.blocks.common import Message, answer, safe
from bot.usecases.clients import NeedsInvite, Unwatched, Watching


def watching(result: Watching) -> Message:
    line = (
        f":eyes: Watching <#{result.channel_id}> as *{safe(result.name)}*: client messages "
        f"here are recorded as replies owed by <@{result.owner_id}>."
    )
    if result.clients:
        line += " Clients here: " + ", ".join(f"<@{c}>" for c in result.clients) + "."
    else:
        line += " People from other organisations (Slack Connect) count as clients."
    if result.joined:
        line += " I joined the channel to see them."
    return answer(line, line, footer="Stop with `/promise unwatch`; open items stay open.")


def needs_invite(result: NeedsInvite) -> Message:
    line = (
        f":lock: I can't see <#{result.channel_id}> yet: it's private. Invite me with "
        "`/invite @promise-bot`, then run `/promise watch` again."
    )
    return answer(line, line)


def unwatched(result: Unwatched) -> Message:
    channel = result.channel_id
    line = (
        f":see_no_evil: Stopped watching <#{channel}>. Open items stay open."
        if result.was_watched
        else f"<#{channel}> wasn't being watched; nothing changed."
    )
    return answer(line, line)
