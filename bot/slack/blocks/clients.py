"""What `/promise watch` and `unwatch` answer (ephemeral): which channel is watched, as
which client, and who owes the replies."""

from __future__ import annotations

from bot.slack.blocks.common import Message, answer, safe
from bot.usecases.results import NeedsInvite, Told, Unwatched, Watching


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
    line += _told(result.told)
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
    ) + _told(result.told)
    return answer(line, line)


def _told(told: Told | None) -> str:
    if told is None:
        return ""
    if told.error:
        return f" I couldn't tell <@{told.user_id}>, who owned it (`{told.error}`): please do."
    return f" I told <@{told.user_id}>, who owned it."


def changed_dm(channel_id: str, new_owner: str | None, actor: str) -> Message:
    """To a client channel's previous owner, when someone else re-owned or unwatched it."""
    line = (
        f":eyes: <@{actor}> made <@{new_owner}> the owner of the client channel "
        f"<#{channel_id}>: its client messages are now theirs to answer."
        if new_owner
        else f":see_no_evil: <@{actor}> stopped watching the client channel <#{channel_id}>. "
        "Its open items stay open."
    )
    return answer(line, line)
