"""What the service needs from the outside world, as small protocols.

The Slack implementations live in bot/slack/; tests and benchmarks may pass their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.core.outcome import Outcome
    from bot.store.models import Item


@dataclass(frozen=True)
class Person:
    id: str
    tz: str | None
    is_bot: bool = False
    deleted: bool = False
    external: bool = False  # belongs to another team (Slack Connect)
    name: str = ""


class DirectoryUnavailable(Exception):
    """Slack could not be asked right now (network, rate limit after retries, 5xx)."""


class Directory(Protocol):
    def person(self, team_id: str, user_id: str) -> Person | None:
        """The person, or None when Slack says there is no such user."""
        ...


class NotifyError(Exception):
    """A post failed; `reason` is Slack's error code (e.g. not_in_channel)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Notifier(Protocol):
    """Messages the service sends; each raises NotifyError when Slack refuses."""

    def thank_you(self, item: Item, outcome: Outcome) -> None:
        """Thank everyone who closed the item, in its channel."""
        ...

    def deadline_moved(self, item: Item, note: str, actor_id: str) -> None:
        """Post the note about a new deadline where the client sees it."""
        ...
