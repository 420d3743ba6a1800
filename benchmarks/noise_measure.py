"""What the noise benchmark counts: each DM the fake Slack received, judged against the
database and the script's ground truth at the moment it arrived.

A DM is *false* when one of its statements was not so when it arrived: a "missed",
heads-up or escalation before the item's deadline; any nudge about an item already closed,
or about a client message the team had already answered (the ground truth: a teammate's
reply in its thread or in the channel after it, or a ✅, whether or not the bot noticed);
a "due soon" after the deadline; a heads-up after the lead was already told; an escalation
whose owner got no heads-up first; a follow-up on something not delivered.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from benchmarks.noise_world import Person

ITEM_BLOCK = re.compile(r"^(?:item|followup)-(\d+)-")
TIMED = ("missed", "heads_up", "escalate")
REMINDERS = ("before", "snoozed")


@dataclass(frozen=True)
class ItemState:
    """An item as the database held it when a DM arrived."""

    id: int
    kind: str  # promise | reply
    status: str
    due_at: datetime
    owner_id: str
    message_ts: str | None


@dataclass
class Dm:
    """One DM the fake received: when, to whom, and what it is about."""

    at: datetime
    to: str
    text: str
    nudges: list[tuple[int, str, int | None]]  # (nudge id, kind, item id) from its metadata
    listed: set[int]  # items named by its buttons (an end-of-day list, a hand-off)
    reasons: list[str] = field(default_factory=list)
    about_acks: set[int] = field(default_factory=set)

    @property
    def kinds(self) -> list[str]:
        return [k for _, k, _ in self.nudges] or ["other"]

    @property
    def false(self) -> bool:
        return bool(self.reasons)


def listed_items(message: dict[str, Any]) -> set[int]:
    """Items whose buttons the message carries (block IDs `item-ID-NUDGE`)."""
    found = set()
    for block in message.get("blocks") or []:
        m = ITEM_BLOCK.match(str(block.get("block_id") or ""))
        if m:
            found.add(int(m.group(1)))
    return found


@dataclass
class Truth:
    """What the script knows: when each reply-owed item was really answered, and which
    items were opened by a client's acknowledgement."""

    answered_at: dict[int, datetime] = field(default_factory=dict)
    ack_items: dict[int, str] = field(default_factory=dict)  # item → the ack's text
    acks_sent: int = 0
    requests_sent: int = 0


class Judge:
    """Judges each DM as it arrives, remembering what went before (heads-ups, escalations)."""

    def __init__(self, truth: Truth) -> None:
        self.truth = truth
        self.dms: list[Dm] = []
        self._told: dict[str, set[int]] = defaultdict(set)  # kind → items already DMed

    def judge(self, dm: Dm, items: dict[int, ItemState]) -> Dm:
        about = {i for _, _, i in dm.nudges if i is not None} | dm.listed
        kinds = {i: k for _, k, i in dm.nudges if i is not None}
        for item_id in sorted(about):
            item = items.get(item_id)
            if item is None:
                continue
            # An item only listed (the end-of-day list, a hand-off) is judged as a list row.
            kind = kinds.get(item_id) or ("eod" if "eod" in dm.kinds else "other")
            dm.reasons += self._false(dm.at, kind, item)
            if item_id in self.truth.ack_items:  # noise, not a falsehood
                dm.about_acks.add(item_id)
        for item_id, kind in kinds.items():
            self._told[kind].add(item_id)
        self.dms.append(dm)
        return dm

    def _false(self, at: datetime, kind: str, item: ItemState) -> list[str]:
        out = []
        answered = self.truth.answered_at.get(item.id)
        if kind == "lead_update":
            # It says what became of an escalated item (delivered, moved, handed off,
            # cancelled): true once the lead was told about the item, whatever its state now.
            if item.id not in self._told["escalate"]:
                out.append(f"lead update about #{item.id}, never escalated")
            return out
        if kind == "follow_up":
            if item.status != "done":
                out.append(f"follow-up on #{item.id}, which is {item.status}")
            return out
        if item.status != "open":
            out.append(f"{kind} about #{item.id}, already {item.status}")
        elif answered is not None and answered <= at:
            out.append(f"{kind} about #{item.id}, answered {fmt_gap(at - answered)} before")
        if kind in TIMED and at < item.due_at:
            out.append(f"{kind} about #{item.id} {fmt_gap(item.due_at - at)} before its deadline")
        if kind in REMINDERS and at >= item.due_at:
            out.append(
                f"'due soon' about #{item.id} {fmt_gap(at - item.due_at)} after its deadline"
            )
        if kind == "heads_up" and item.id in self._told["escalate"]:
            out.append(f"heads-up about #{item.id} after the lead was told")
        if kind == "escalate" and item.id not in self._told["heads_up"]:
            out.append(f"escalation of #{item.id} without a heads-up to its owner first")
        return out


def fmt_gap(delta: Any) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes / 60:.1f} h"


@dataclass(frozen=True)
class Summary:
    dms: int
    false_dms: int
    median: float
    max: int
    lead_median: float
    lead_max: int
    ack_items: int
    acks_sent: int
    requests_sent: int
    ack_dms: int
    escalations: int
    false_escalations: int
    ack_escalations: int
    by_kind: dict[str, int]
    reasons: Counter[str]


def working_days(person: Person, start: datetime, end: datetime) -> list[date]:
    """The person's working days (Mon–Fri, local) whose whole day lies in [start, end)."""
    out = []
    day = person.local(start).date()
    while True:
        if day.weekday() < 5:
            out.append(day)
        day = date.fromordinal(day.toordinal() + 1)
        if datetime.combine(day, datetime.min.time(), tzinfo=person.local(start).tzinfo) >= end:
            return out


def per_day(dms: Iterable[Dm], person: Person, start: datetime, end: datetime) -> list[int]:
    counts = Counter(person.local(d.at).date() for d in dms if d.to == person.uid)
    return [counts.get(day, 0) for day in working_days(person, start, end)]


def summarise(
    judge: Judge, team: list[Person], lead: Person, start: datetime, end: datetime
) -> Summary:
    dms = judge.dms
    team_days = [n for p in team for n in per_day(dms, p, start, end)]
    lead_days = per_day(dms, lead, start, end)
    escalations = [d for d in dms if "escalate" in d.kinds]
    kinds: Counter[str] = Counter(k for d in dms for k in set(d.kinds))
    reasons: Counter[str] = Counter(_reason_kind(r) for d in dms for r in d.reasons)
    return Summary(
        dms=len(dms),
        false_dms=sum(1 for d in dms if d.false),
        median=statistics.median(team_days) if team_days else 0,
        max=max(team_days, default=0),
        lead_median=statistics.median(lead_days) if lead_days else 0,
        lead_max=max(lead_days, default=0),
        ack_items=len(judge.truth.ack_items),
        acks_sent=judge.truth.acks_sent,
        requests_sent=judge.truth.requests_sent,
        ack_dms=sum(1 for d in dms if d.about_acks),
        escalations=len(escalations),
        false_escalations=sum(1 for d in escalations if d.false),
        ack_escalations=sum(1 for d in escalations if d.about_acks),
        by_kind=dict(sorted(kinds.items())),
        reasons=reasons,
    )


def _reason_kind(reason: str) -> str:
    """A reason without its item number and gap, to count alike ones together."""
    return re.sub(r"#\d+|\d+(\.\d)? (min|h)", "…", reason)
