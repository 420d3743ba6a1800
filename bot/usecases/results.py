"""What the use cases return: plain values the Slack layer renders (bot/slack/blocks/).

A use case never raises for bad input: it returns a `Problem`, and nothing was stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from bot.config import Defaults
from bot.core.items import ItemView
from bot.core.outcome import Outcome
from bot.core.stats import StatsReport


@dataclass(frozen=True)
class Change:
    """One setting the settings form changed for a workspace."""

    field: str
    before: object
    after: object


@dataclass(frozen=True)
class Problem:
    """Bad input or a refusal: nothing was stored or changed."""

    message: str
    example: str | None = None


@dataclass(frozen=True)
class Created:
    item: ItemView
    tz: str


@dataclass(frozen=True)
class Listed:
    items: list[ItemView]
    total: int
    whose: str | None  # a user ID; None for the whole workspace
    mine: bool
    tz: str
    watched: list[str] = field(default_factory=list)  # client channels, as <#C…> mentions


@dataclass(frozen=True)
class Closed:
    item: ItemView
    outcome: Outcome
    announced: bool
    announce_error: str | None = None
    announce_later: bool = False  # Slack failed the thank-you for now: it follows


@dataclass(frozen=True)
class AlreadyClosed:
    item: ItemView


@dataclass(frozen=True)
class Moved:
    item: ItemView
    tz: str
    in_advance: bool
    note_posted: bool
    post_error: str | None = None
    post_later: bool = False  # Slack failed the note for now: it follows


@dataclass(frozen=True)
class Cancelled:
    item: ItemView


@dataclass(frozen=True)
class NoReplyNeeded:
    """A client message closed as needing no reply: nothing was posted, nobody thanked."""

    item: ItemView


@dataclass(frozen=True)
class Snoozed:
    item: ItemView
    until: datetime
    tz: str


@dataclass(frozen=True)
class Waiting:
    item: ItemView
    until: datetime | None
    tz: str


@dataclass(frozen=True)
class HandedOff:
    item: ItemView
    previous_owner: str
    told: bool
    tell_error: str | None = None
    tell_later: bool = False  # Slack failed the DM for now: it follows


@dataclass(frozen=True)
class HelpText:
    lead: str | None


@dataclass(frozen=True)
class OpenSettings:
    """The caller should open the settings modal, filled with what is in force."""

    current: Defaults


@dataclass(frozen=True)
class SettingsSaved:
    changes: list[Change]
    replanned: int = 0  # open items whose nudges were planned again


@dataclass(frozen=True)
class OpenForm:
    """The caller should open the new-promise modal."""

    today: date
    tz: str


Result = (
    Problem
    | Created
    | Listed
    | Closed
    | AlreadyClosed
    | Moved
    | Cancelled
    | NoReplyNeeded
    | HelpText
    | OpenForm
    | OpenSettings
    | Snoozed
    | HandedOff
    | Waiting
    | StatsReport
)


@dataclass(frozen=True)
class Invocation:
    """Who asked, where; `request_key` names the stored request (the intake) it came in,
    `asked_at` when it came: one processed after a restart keeps the time it was asked."""

    team_id: str
    user_id: str
    channel_id: str | None = None
    request_key: str | None = None
    asked_at: datetime | None = None


@dataclass(frozen=True)
class FormInput:
    """What the new-promise modal submitted (text is plain, not yet escaped)."""

    owner_id: str
    what: str
    client: str | None
    day: date
    at: time | None
    channel_id: str | None = None


@dataclass
class FormErrors:
    """Per-field problems for the modal (Slack shows them under each input)."""

    errors: dict[str, str] = field(default_factory=dict)


# -- client channels (bot/usecases/clients.py)


@dataclass(frozen=True)
class Told:
    """Whether the channel's previous owner heard that someone else changed it."""

    user_id: str
    error: str | None = None  # why the DM failed; None: they were told


@dataclass(frozen=True)
class Watching:
    channel_id: str
    name: str
    owner_id: str
    clients: list[str] = field(default_factory=list)
    joined: bool = False
    told: Told | None = None


@dataclass(frozen=True)
class NeedsInvite:
    channel_id: str


@dataclass(frozen=True)
class Unwatched:
    channel_id: str
    was_watched: bool
    told: Told | None = None
