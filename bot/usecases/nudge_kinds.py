"""The table of nudge kinds: for each kind, the part that says what a due row becomes.

The dispatcher claims, sends and records; it knows no kind. For a DM kind it asks the
kind's `DmKind.check` what the row says now (a `NudgeView`) or why it should not be sent
(`Skip`); a channel kind (the digests) posts its rows itself through `ChannelKind.deliver`.
Adding a kind: its feature module implements one of the two protocols, and `table()` names it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.core.items import ItemView
from bot.core.nudges import Nudge
from bot.core.plan import Kind
from bot.usecases.ports import NudgeView


@dataclass
class TickResult:
    """What one tick did, for logs, tests and benchmarks."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0


@dataclass(frozen=True)
class Skip:
    """The row is settled without a message: `reason` is recorded. `counted`: a nudge that
    was due and is not sent (stale); False for rows that never were messages (a resume)."""

    reason: str
    counted: bool = True
    then: Callable[[], object] | None = None  # what follows once the row is settled


class Due(Protocol):
    """What a kind may read about the batch its row was claimed in (loaded once per batch)."""

    @property
    def now(self) -> datetime: ...

    def item(self, n: Nudge) -> ItemView | None: ...

    def escalates_at(self, n: Nudge) -> datetime | None:
        """When the lead will be told about the row's item (a heads-up says so)."""
        ...


class DmKind(Protocol):
    # Whether the batch should load when each item's escalation is queued (heads-ups).
    needs_escalation: bool
    # Whether a person's DM may bring it forward a few minutes: true only when its words
    # don't depend on the time (a reminder, a list); never for missed, heads-up, escalation,
    # follow-up, or the end of a wait.
    may_go_early: bool

    def check(self, n: Nudge, due: Due) -> NudgeView | Skip:
        """What the due row says in its recipient's DM now, or why it goes unsent."""
        ...


# (nudge, claim token, now, error, result): try the row again later, with backoff.
Retry = Callable[[Nudge, str, datetime, str, TickResult], None]


class ChannelKind(Protocol):
    def deliver(
        self,
        team: str,
        channel: str,
        nudges: list[Nudge],
        token: str,
        now: datetime,
        result: TickResult,
        retry: Retry,
    ) -> None:
        """Post (or settle) a channel's claimed rows of this kind, recording each outcome."""
        ...


@dataclass(frozen=True)
class Kinds:
    dms: Mapping[str, DmKind] = field(default_factory=dict)
    channels: Mapping[str, ChannelKind] = field(default_factory=dict)


@dataclass
class ItemNudge:
    """The reminders about one item: before, snoozed, missed, heads-up, escalation, follow-up."""

    needs_escalation: bool = False
    may_go_early: bool = False

    def check(self, n: Nudge, due: Due) -> NudgeView | Skip:
        item = due.item(n)
        if item is None:
            return Skip("the item is gone")
        if n.kind == Kind.FOLLOW_UP:
            return (
                NudgeView(n.id, n.kind, item)
                if item.status == "done"
                else Skip("the item is not done")
            )
        if item.status != "open":
            return Skip(f"the item is {item.status}")
        if n.kind in (Kind.BEFORE, Kind.SNOOZED) and due.now >= item.due_at:
            return Skip("the deadline passed before it could be sent")
        escalate_at = due.escalates_at(n) if self.needs_escalation else None
        if self.needs_escalation and escalate_at is None:
            # "It goes to the lead …" would be untrue: the lead was told already (or no longer
            # will be, the escalation was settled otherwise).
            return Skip("no escalation is queued: the lead was already told, or won't be")
        return NudgeView(n.id, n.kind, item, escalate_at)


def table(
    *,
    end_of_day: DmKind,
    resume: DmKind,
    quiet: DmKind,
    coverage: DmKind,
    lead_update: DmKind,
    digests: ChannelKind,
) -> Kinds:
    """Every kind of the outbox, and who handles it."""
    reminder = ItemNudge(may_go_early=True)
    on_time = ItemNudge()
    return Kinds(
        dms={
            Kind.BEFORE: reminder,
            Kind.SNOOZED: reminder,
            Kind.MISSED: on_time,
            Kind.HEADS_UP: ItemNudge(needs_escalation=True),
            Kind.ESCALATE: on_time,
            Kind.FOLLOW_UP: on_time,
            Kind.ARRIVED: on_time,
            Kind.EOD: end_of_day,
            Kind.RESUME: resume,
            Kind.QUIET: quiet,
            Kind.COVERAGE: coverage,
            Kind.LEAD_UPDATE: lead_update,
        },
        channels={Kind.DIGEST: digests, Kind.WEEKLY: digests},
    )
