"""The lead's line about an escalated item that changed (a nudge kind of
bot.usecases.nudge_kinds): what happened, and the escalation DMs to edit in place.

Queued by the planner (bot.usecases.planner) after any change to an item the lead was sent
the escalation of; what it says is read afresh when it is due.
"""

from __future__ import annotations

from bot.core.lead_updates import change_of, changes_since
from bot.core.nudges import Nudge
from bot.core.plan import Kind
from bot.store.repo import Repo
from bot.usecases.nudge_kinds import Due, Skip
from bot.usecases.ports import EscalationEdit, NudgeView


class LeadUpdateNudge:
    needs_escalation = False
    may_go_early = True  # "delivered by … at …": the words don't depend on when it goes

    def __init__(self, repo: Repo) -> None:
        self.repo = repo

    def check(self, n: Nudge, due: Due) -> NudgeView | Skip:
        item = due.item(n)
        if item is None:
            return Skip("the item is gone")
        sent = [
            e
            for e in self.repo.outbox.sent_of(n.team_id, item.id, Kind.ESCALATE)
            if e.recipient_id == n.recipient_id and e.sent_at and e.channel_id and e.message_ts
        ]
        if not sent:
            return Skip("no escalation went to them")
        since = min(e.sent_at for e in sent if e.sent_at is not None)
        history = self.repo.changes(n.team_id, item.id, since)
        key = change_of(n.key)
        change = next((c for c in changes_since(item, history, since) if c.key == key), None)
        if change is None:
            return Skip("the change is gone")
        edits = tuple(
            EscalationEdit(
                e.channel_id,
                e.message_ts,
                e.id,
                item,
                tuple(changes_since(item, history, e.sent_at)),
            )
            for e in sent
            if e.channel_id and e.message_ts and e.sent_at
        )
        return NudgeView(n.id, n.kind, item, change=change, edits=edits)
