"""Nudges as the rest of the bot sees them: one stored message meant for a person (or a
channel's digest) at a time, and what became of it.

Pure: no SQL, no Slack. Which nudges an item gets, and when, is bot.core.plan; this is the
outbox row those plans become, as the store hands it out (a frozen value).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class NudgeStatus(StrEnum):
    """Where a nudge is in its life: queued until it is sent, skipped (no longer worth
    sending, with the reason in `last_error`), failed for good, or cancelled by a re-plan
    (a cancelled one may be queued again)."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Nudge:
    """An outbox row as read (when claimed: with the claim's lease and attempt counted).

    `kind` is one of bot.core.plan.Kind's values, kept as the stored text. `key` is unique
    per recipient (`42:before@…`, `eod@2026-12-01`, `coverage:7:dm`); `next_at` is when it
    may next be claimed (due time, retry time, or the end of a lease).
    """

    id: int
    team_id: str
    item_id: int | None
    recipient_id: str
    kind: str
    key: str
    due_at: datetime
    next_at: datetime
    status: NudgeStatus
    attempts: int
    claim: str | None
    last_error: str | None
    sent_at: datetime | None
    channel_id: str | None  # where the DM went, once sent
    message_ts: str | None
    created_at: datetime
    failures: int = 0  # attempts that failed; `attempts` counts every claim
