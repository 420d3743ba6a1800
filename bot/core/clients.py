"""Client channels, and what a message in one does to the items recorded there.

Pure: no SQL, no Slack; the store asks the database for the open items that may matter and
runs these rules on them, in the transaction that applies the answer. Two rules:

- `fold`: a client's message continues an open item rather than owing a reply of its own
  when it is in that item's thread (however much later), or, outside threads, when the same
  client wrote that item within the fold window before it (a thought split over several
  messages). Either way it ends the wait of the items there that were waiting on the
  client. A message recorded before (Slack's retry) does nothing.
- `answers`: a team member's message answers the client messages before it in its thread,
  or, outside threads, those not in a thread; an item answers for every message it is made
  of (the first and each folded into it), so a reply to any of them closes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.items import ItemKind, ItemStatus, ItemView


@dataclass(frozen=True, slots=True)
class ClientChannelView:
    """A channel the team marked as a client's: client messages there are recorded."""

    id: int
    team_id: str
    channel_id: str
    name: str
    owner_id: str
    clients: str  # user IDs named as clients, comma-separated
    active: bool
    created_at: datetime
    last_client_at: datetime | None


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An open item in a client channel, as much of it as `fold` reads."""

    id: int
    owner_id: str
    kind: str
    message_ts: str | None
    thread_ts: str | None
    client_user_id: str | None
    created_at: datetime
    waiting_since: datetime | None


@dataclass(frozen=True, slots=True)
class Fold:
    """What a client's message does: nothing (`duplicate`), or continue `into` (its text
    appended there) or, when `into` is None, become an item of its own; and either way end
    the wait of the items `waiting` on the client."""

    duplicate: bool = False
    into: OpenItem | None = None
    waiting: tuple[int, ...] = ()


def fold(
    open_items: Sequence[OpenItem],
    *,
    ts: str | None,
    thread_ts: str | None,
    client_user_id: str | None,
    at: datetime,
    window: timedelta,
) -> Fold:
    """What the client's message `ts`, written `at` by `client_user_id`, does.

    `thread_ts` is Slack's: the thread the message is in (its parent's ts, which is the
    message's own for the parent). `open_items` are the channel's open items; it is enough
    to give those that may matter: of that thread; or, for a message outside threads,
    those waiting on the client and those written by the same client within `window`.
    Of several the message may continue, it continues the latest (the first given, on a tie).
    """
    if thread_ts:
        here = [i for i in open_items if i.thread_ts == thread_ts or i.message_ts == thread_ts]
        continues = [i for i in here if i.kind == ItemKind.REPLY and i.message_ts]
    else:
        here = list(open_items)
        since = at - window
        continues = [
            i
            for i in here
            if i.kind == ItemKind.REPLY
            and i.message_ts
            and i.thread_ts is None
            and i.client_user_id == client_user_id
            and since <= i.created_at <= at
        ]
    if any(i.message_ts == ts for i in here):
        return Fold(duplicate=True)
    waiting = tuple(i.id for i in here if i.waiting_since is not None)
    into = max(continues, key=lambda i: i.created_at) if continues else None
    return Fold(into=into, waiting=waiting)


@dataclass(frozen=True, slots=True)
class Message:
    """One of the client messages an item is made of: where it is in its channel."""

    ts: str
    thread_ts: str | None  # Slack's: its thread's parent (its own ts for a parent), or None


def answers(
    item: ItemView,
    channel_id: str,
    thread_ts: str | None,
    ts: str,
    messages: Sequence[Message] = (),
) -> bool:
    """Whether a team member's message `ts` in `channel_id` (in `thread_ts`'s thread, or
    outside threads when None) answers `item`, an open client message there: when one of its
    `messages` (the first and each folded into it; the item's own when none are given) is in
    that thread (or is its parent), or, for a message outside threads, is not in a thread;
    and was written before it (events can arrive out of order: only later messages answer)."""
    if (
        item.kind != ItemKind.REPLY
        or item.status != ItemStatus.OPEN
        or item.message_ts is None
        or item.channel_id != channel_id
    ):
        return False
    if not messages:
        messages = (Message(item.message_ts, item.thread_ts),)
    after = slack_ts(ts)
    return any(_in_place(m, thread_ts) and slack_ts(m.ts) < after for m in messages)


def _in_place(m: Message, thread_ts: str | None) -> bool:
    """Whether `m` is in `thread_ts`'s thread (or is its parent), or, for None, in none."""
    if thread_ts:
        return m.thread_ts == thread_ts or m.ts == thread_ts
    return m.thread_ts is None


def slack_ts(ts: str) -> tuple[int, int]:
    """A Slack message ts (`1733065200.000100`) as something that sorts in time order."""
    whole, _, frac = ts.partition(".")
    return int(whole), int(frac or 0)
