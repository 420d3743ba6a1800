"""The planner: after every change to an item, the outbox holds exactly the nudges it should
get from now on (the outbox is the schedule), the owner's next end-of-day DM is queued, and
whoever shows items (App Home) is told that this person's items changed.

Every change to an item passes through `replan`, so this is also where a lead who was sent
the item's escalation gets their line about what happened since (bot.core.lead_updates):
however the item was delivered, moved, handed off or cancelled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from bot.clock import Clock
from bot.core.items import ItemView
from bot.core.lead_updates import Escalation, lead_updates
from bot.core.plan import ItemState, Kind, heard_today, next_eod, plan_item
from bot.store.outbox import Want
from bot.store.repo import Repo
from bot.usecases.workplace import Workplace

Plan = Callable[[ItemView], list[Want]]


class ChangeListener(Protocol):
    def changed(self, team_id: str, user_id: str) -> None:
        """This person's items changed; must be O(1) and never raise (it runs in requests)."""
        ...


class Planner:
    def __init__(
        self,
        repo: Repo,
        workplace: Workplace,
        clock: Clock,
        listeners: Sequence[ChangeListener] = (),
    ) -> None:
        self.repo = repo
        self.workplace = workplace
        self.clock = clock
        self.listeners = tuple(listeners)
        # The end-of-day DM each person already has queued (by reason), to skip re-checking.
        self._eod_known: dict[tuple[str, str], str] = {}

    def changed(self, team_id: str, user_id: str) -> None:
        """Tell the listeners; for changes that plan nothing (an edit, an absence)."""
        for listener in self.listeners:
            listener.changed(team_id, user_id)

    def replan(self, item: ItemView, *, stored: bool = False) -> None:
        """Queue the nudges the item should get from now on; cancel the ones it no longer should.

        `stored`: the item is new and its nudges were stored with it, in the same transaction
        (a client message: see `plan_for`); what else follows a change still runs.
        """
        self.changed(item.team_id, item.owner_id)
        if not stored:
            now = self.clock.now()
            wants = self.plan_for(item.team_id, item.owner_id, now)(item)
            wants += self._lead_updates(item)
            self.repo.outbox.replan(item.team_id, item.id, wants, now)
        if item.status == "open":
            self.ensure_eod(item.team_id, item.owner_id)

    def plan_for(self, team_id: str, owner_id: str, now: datetime) -> Plan:
        """The nudges an item owned by `owner_id` should get from now on, as a function of the
        item. The settings and calendars are looked up first, so the function does no I/O: it
        may run inside the transaction that stores the item (keys are `{item.id}:{reason}`)."""
        lead = self.workplace.lead(team_id)
        policy = self.workplace.policy(team_id)
        owner_cal = self.workplace.calendar_for(team_id, owner_id)
        lead_cal = self.workplace.calendar_for(team_id, lead) if lead else None
        eod_key = f"eod@{owner_cal.today(now).isoformat()}"
        eod_sent = self.repo.outbox.was_sent(team_id, owner_id, eod_key)

        def plan(item: ItemView) -> list[Want]:
            state = ItemState(
                kind=item.kind,
                status=item.status,
                owner_id=item.owner_id,
                due_at=item.due_at,
                created_at=item.created_at,
                closed_at=item.closed_at,
                snoozed_until=item.snoozed_until,
                waiting=item.waiting_since is not None,
                waiting_until=item.waiting_until,
            )
            planned = plan_item(state, policy, now, owner_cal, lead, lead_cal)
            if (heard := heard_today(state, now, owner_cal, eod_sent)) is not None:
                planned.append(heard)
            return [Want(p.recipient, p.kind, f"{item.id}:{p.reason}", p.at) for p in planned]

        return plan

    def _lead_updates(self, item: ItemView) -> list[Want]:
        """The lines owed to the leads the item was escalated to, about each change since
        (re-planned with the rest, so a queued one stays queued; a sent one is never resent)."""
        sent = self.repo.outbox.sent_of(item.team_id, item.id, Kind.ESCALATE)
        escalations = [
            Escalation(n.id, n.recipient_id, n.sent_at, n.channel_id, n.message_ts)
            for n in sent
            if n.sent_at is not None and n.channel_id and n.message_ts
        ]
        if not escalations:
            return []
        since = min(e.sent_at for e in escalations)
        history = self.repo.changes(item.team_id, item.id, since)
        return [
            Want(p.recipient, p.kind, f"{item.id}:{p.reason}", p.at)
            for p in lead_updates(item, escalations, history)
        ]

    def ensure_eod(self, team_id: str, user_id: str, *, catch_up: bool = False) -> None:
        """Keep the person's next end-of-day DM queued while they own open items.

        With `catch_up` (after a missed or skipped one), today's is queued too while today's
        working day is not over, so a restart at 16:45 still sends today's list.
        """
        now = self.clock.now()
        cal = self.workplace.calendar_for(team_id, user_id)
        cutoff = self.workplace.settings(team_id).eod_cutoff
        upcoming = next_eod(cal, cutoff, now)
        if not catch_up and self._eod_known.get((team_id, user_id)) == upcoming[1]:
            return  # already queued by this process: skip the queries
        if self.repo.count_open(team_id, owner_id=user_id) == 0:
            return
        outbox = self.repo.outbox
        if catch_up:
            today = cal.today(now)
            if cal.is_working_day(today) and now < cal.end_of_day_on(today):
                at = max(cal.end_of_day_on(today) - cutoff, cal.start_of_day_on(today))
                outbox.ensure(team_id, Want(user_id, Kind.EOD, f"eod@{today.isoformat()}", at), now)
        at, reason = upcoming
        outbox.ensure(team_id, Want(user_id, Kind.EOD, reason, at), now)
        self._eod_known[(team_id, user_id)] = reason

    def replan_workspace(self, team_id: str) -> int:
        """After a settings change: re-plan every open item and the end-of-day DMs; returns
        how many items were re-planned."""
        self.repo.outbox.cancel_others(team_id, "eod@", keep="")
        self._eod_known = {k: v for k, v in self._eod_known.items() if k[0] != team_id}
        count = 0
        for ids in self.repo.settings.open_item_ids(team_id):
            for item_id in ids:
                item = self.repo.get_item(team_id, item_id)
                if item is not None and item.status == "open":
                    self.replan(item)
                    count += 1
        return count
