"""What the service needs from the outside world, as small protocols.

The Slack implementations live in bot/slack/; tests and benchmarks may pass their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.core.items import ItemView
    from bot.core.lead_updates import Change
    from bot.core.outcome import Outcome


@dataclass(frozen=True)
class Person:
    id: str
    tz: str | None
    is_bot: bool = False
    deleted: bool = False
    external: bool = False  # belongs to another team (Slack Connect)
    name: str = ""
    is_admin: bool = False  # a workspace admin or owner (may change the settings)
    # The Slack status, for away coverage; expiration is epoch seconds, 0 when none.
    status_text: str = ""
    status_emoji: str = ""
    status_expiration: int = 0


class DirectoryUnavailable(Exception):
    """Slack could not be asked right now (network, rate limit after retries, 5xx)."""


class Directory(Protocol):
    def person(self, team_id: str, user_id: str) -> Person | None:
        """The person, or None when Slack says there is no such user."""
        ...


class NotifyError(Exception):
    """A post failed; `reason` is Slack's error code (e.g. not_in_channel).

    `transient` errors (rate limits after the retries, 5xx, timeouts) are worth trying
    again later; the others (user_not_found, channel_not_found, …) never will succeed.
    `content`: the message itself was refused or could not be built (invalid_blocks,
    msg_too_long, a rendering bug), not its recipient: the same DM without the bad part
    may go.
    """

    def __init__(self, reason: str, *, transient: bool = False, content: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.content = content


@dataclass(frozen=True)
class NudgeView:
    """One reason to DM a person, with what the message needs to say."""

    nudge_id: int
    kind: str
    item: ItemView | None = None
    escalate_at: datetime | None = None  # heads-up: when the lead will be told
    channel_id: str | None = None  # quiet client: the channel, its client, since when
    client: str | None = None
    quiet_since: datetime | None = None
    # away coverage: the absence, and the person's open items due during it
    away_from: datetime | None = None
    away_until: datetime | None = None
    items: tuple[ItemView, ...] = ()
    end_of_day: EndOfDay | None = None  # the end-of-day DM's lists
    # a lead's line after an escalation: what changed, and the escalation DMs to edit
    change: Change | None = None
    edits: tuple[EscalationEdit, ...] = ()


@dataclass(frozen=True)
class EscalationEdit:
    """An escalation DM to rewrite in place before the lead's line goes: where it is, the
    nudge it carried, and everything that happened to its item since it went."""

    channel_id: str
    ts: str
    nudge_id: int
    item: ItemView
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class EndOfDay:
    """The end-of-day DM: what missed its deadline today, what is still due today, replies
    owed, and a little of the backlog. Each list is in the order it is shown, most urgent
    first; an item is in one list only."""

    due_today: list[ItemView]  # promises due later today, soonest first
    replies: list[ItemView]  # replies owed later today, soonest first
    backlog: list[ItemView]  # a few from before today, newest first
    backlog_more: int  # how many more the backlog holds
    overdue: list[ItemView] = field(default_factory=list)  # missed today, latest miss first

    def empty(self) -> bool:
        return not (self.overdue or self.due_today or self.replies or self.backlog)


@dataclass(frozen=True)
class CatchUp:
    """One summary in place of a person's stale missed and heads-up lines (the rule is
    bot.core.catchup): the nudges it stands for, each of which is among the DM's views, and
    their items as read, today's first, then the backlog's (the last `backlog` of them)."""

    nudge_ids: frozenset[int]
    items: tuple[ItemView, ...]
    backlog: int = 0


class Messenger(Protocol):
    """Direct messages for nudges; each raises NotifyError when Slack refuses."""

    def send_nudges(
        self,
        team_id: str,
        user_id: str,
        views: list[NudgeView],
        eod: EndOfDay | None,
        tz: str,
        catch_up: CatchUp | None = None,
    ) -> tuple[str, str]:
        """One DM for all of `views` (and the end-of-day list; the views `catch_up` stands
        for as its one summary); returns (channel, ts). The escalation DMs a lead's line
        names (`NudgeView.edits`) are edited in place first, so a retry edits them again
        rather than never; one that can no longer be edited (deleted, too old) is left as
        it is and the line still goes."""
        ...

    def find_sent(
        self, team_id: str, user_id: str, nudge_id: int, oldest: datetime
    ) -> tuple[str, str] | None:
        """A DM already carrying this nudge (its metadata), if a crashed attempt sent it."""
        ...


class Notifier(Protocol):
    """Messages the service sends; each raises NotifyError when Slack refuses."""

    # `key`, on the posts that follow a change: the intake key of the request that made
    # it, carried in the message's metadata so `posted` can find it again after a crash.

    def thank_you(
        self, item: ItemView, outcome: Outcome, *, client_reads: bool, key: str | None = None
    ) -> None:
        """Thank everyone who closed the item, in its channel; where the client reads it
        (`client_reads`), with no timing judgement (that stays in the digest and stats)."""
        ...

    def deadline_moved(
        self, item: ItemView, note: str, actor_id: str, tz: str, key: str | None = None
    ) -> None:
        """Post the note about a new deadline where the client sees it, with the new time
        (each reader sees it in their own zone; `tz`, the author's, is the fallback)."""
        ...

    def handed_off(
        self, item: ItemView, previous_owner: str, actor_id: str, key: str | None = None
    ) -> None:
        """Tell the new owner, by DM, what they now own: what, for whom, by when, where."""
        ...

    def posted(
        self, key: str, oldest: datetime, *, channel: str | None = None, dm: str | None = None
    ) -> bool:
        """Whether the post made under `key` is in `channel` (or the DM with `dm`) since
        `oldest`."""
        ...

    def channel_changed(
        self, channel_id: str, previous_owner: str, new_owner: str | None, actor_id: str
    ) -> None:
        """Tell a client channel's previous owner, by DM, that `actor_id` gave it to
        `new_owner` (None: stopped watching it)."""
        ...


@dataclass(frozen=True)
class ChannelFacts:
    name: str
    is_private: bool
    is_member: bool
    shared: bool = False  # with another organisation (Slack Connect): the client reads it


class ChannelInfo(Protocol):
    """What the inbox asks Slack about a channel; raises NotifyError when Slack refuses."""

    def info(self, channel_id: str) -> ChannelFacts: ...

    def join(self, channel_id: str) -> None: ...
