"""Use cases of /promise: record, list, close, move, cancel.

The service reads commands, applies the rules in bot.core, stores through the repo and
posts through the Notifier. It returns plain result objects; bot/slack/blocks/ turns
them into messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Defaults
from bot.core import commands as cmd
from bot.core.calendar import WorkCalendar
from bot.core.items import ItemKind, ItemView, NewItem
from bot.core.outcome import Outcome, judge
from bot.core.plan import ItemState, Kind, Policy, next_eod, plan_item
from bot.core.sla import reply_due
from bot.core.stats import StatsReport
from bot.core.when import WhenError, parse_when
from bot.store import StoreError
from bot.store.outbox import Want
from bot.store.repo import Repo
from bot.usecases.ports import Directory, DirectoryUnavailable, Notifier, NotifyError, Person
from bot.usecases.workplace import Change, Workspaces

log = logging.getLogger(__name__)

LIST_LIMIT = 30


# ---- results -------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Cancelled:
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
    | HelpText
    | OpenForm
    | OpenSettings
    | Snoozed
    | HandedOff
    | Waiting
    | StatsReport
)

SNOOZES = {"30m": timedelta(minutes=30), "1h": timedelta(hours=1)}


@dataclass(frozen=True)
class Invocation:
    """Who asked, where."""

    team_id: str
    user_id: str
    channel_id: str | None = None


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


# ---- the service ---------------------------------------------------------------------


class Service:
    def __init__(
        self,
        repo: Repo,
        directory: Directory,
        notifier: Notifier,
        defaults: Defaults,
        clock: Clock,
    ) -> None:
        self.repo = repo
        self.directory = directory
        self.notifier = notifier
        self.defaults = defaults
        self.workspaces = Workspaces(repo.settings, defaults)
        self.clock = clock
        self.inbox: Any = (
            None  # bot.usecases.clients.Inbox, set by the runtime (it needs this service)
        )
        self.coverage: Any = (
            None  # bot.usecases.coverage.Coverage (away coverage), set by the runtime
        )
        self.digests: Any = (
            None  # bot.usecases.digest.Digests (digests and stats), set by the runtime
        )
        # bot.usecases.home.HomeRefresher, set by the runtime: told after every change to an item.
        self.home: Any = None
        # The end-of-day DM each person already has queued (by reason), to skip re-checking.
        self._eod_known: dict[tuple[str, str], str] = {}

    # -- entry points

    def handle(self, who: Invocation, text: str) -> Result:
        """Run one `/promise` text. Never raises for bad input; storage errors become Problems."""
        try:
            command = cmd.parse_command(text)
        except cmd.UsageError as e:
            return Problem(e.message, e.example)
        try:
            return self._run(who, command)
        except cmd.UsageError as e:
            return Problem(e.message, e.example)
        except StoreError:
            log.exception("database error while handling /promise")
            return Problem(
                "I couldn't reach my database just now, so nothing was saved or changed. "
                "Please try again in a minute."
            )

    def create_from_form(self, who: Invocation, form: FormInput) -> Created | FormErrors:
        errors = FormErrors()
        what = " ".join(form.what.split())
        if not what:
            errors.errors["what"] = "Say what you promised."
        elif len(what) > cmd.MAX_WHAT:
            errors.errors["what"] = f"Keep it under {cmd.MAX_WHAT} characters."
        client = " ".join((form.client or "").split()) or None
        if client and len(client) > cmd.MAX_CLIENT:
            errors.errors["client"] = f"Keep the client's name under {cmd.MAX_CLIENT} characters."
        owner = self._person(who.team_id, form.owner_id)
        if owner is not None and (owner.is_bot or owner.deleted):
            errors.errors["owner"] = "Pick a person: a bot or deactivated account can't own it."
        cal = self.calendar_for(who.team_id, who.user_id)
        due = cal.at(form.day, form.at) if form.at else cal.end_of_day_on(form.day)
        now = self.clock.now()
        if due <= now:
            errors.errors["date" if form.at is None else "time"] = "That moment has passed."
        if errors.errors:
            return errors
        item = self.repo.create_item(
            NewItem(
                team_id=who.team_id,
                kind=ItemKind.PROMISE,
                what=escape(what),
                client=escape(client) if client else None,
                owner_id=form.owner_id,
                creator_id=who.user_id,
                channel_id=form.channel_id,
                due_at=due,
            ),
            now,
        )
        self.replan(item)
        return Created(item, cal.tz.key)

    # -- helpers the Slack layer uses too

    def calendar_for(self, team_id: str, user_id: str) -> WorkCalendar:
        """The person's working calendar: their Slack time zone, the workspace's days and hours."""
        tz = self.workspace(team_id).timezone
        try:
            person = self.directory.person(team_id, user_id)
            if person is not None and person.tz:
                tz = person.tz
        except DirectoryUnavailable:
            log.warning("users.info unavailable; using the fallback time zone %s", tz)
        return self._calendar(team_id, tz)

    def workspace(self, team_id: str) -> Defaults:
        """The settings in force for a workspace: the env defaults, overridden by the modal."""
        return self.workspaces.get(team_id)

    def form_defaults(self, who: Invocation) -> OpenForm:
        cal = self.calendar_for(who.team_id, who.user_id)
        return OpenForm(today=cal.today(self.clock.now()), tz=cal.tz.key)

    # -- commands

    def _run(self, who: Invocation, command: cmd.Command) -> Result:
        match command:
            case cmd.OpenModal():
                return self.form_defaults(who)
            case cmd.Help():
                return HelpText(self.workspace(who.team_id).lead)
            case cmd.Create():
                return self._create(who, command)
            case cmd.Reply():
                return self._reply(who, command)
            case cmd.ListItems():
                return self._list(who, command)
            case cmd.Done():
                return self._done(who, command)
            case cmd.Move():
                return self._move(who, command)
            case cmd.Cancel():
                return self._cancel(who, command)
            case cmd.HandOff():
                return self._hand_off_command(who, command)
            case cmd.Wait():
                return self.wait(who, command.item_id, command.until)
            case cmd.Watch():
                return self.inbox.watch(who, command)
            case cmd.Unwatch():
                return self.inbox.unwatch(who)
            case cmd.Settings():
                return self._may_configure(who) or OpenSettings(self.workspace(who.team_id))
            case cmd.Away() | cmd.AwayOff():
                return self.coverage.command(who, command)
            case cmd.Stats(period=period):
                return self.digests.report(who.team_id, who.user_id, period)
        raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover

    def _create(self, who: Invocation, c: cmd.Create) -> Result:
        owner = c.owner or who.user_id
        if problem := self._check_owner(who.team_id, owner):
            return problem
        cal = self.calendar_for(who.team_id, who.user_id)
        now = self.clock.now()
        try:
            due = parse_when(c.when, now, cal)
        except WhenError as e:
            return Problem(str(e), cmd.EXAMPLE_CREATE)
        item = self.repo.create_item(
            NewItem(
                team_id=who.team_id,
                kind=ItemKind.PROMISE,
                what=c.what,
                owner_id=owner,
                creator_id=who.user_id,
                channel_id=who.channel_id,
                due_at=due,
            ),
            now,
        )
        self.replan(item)
        return Created(item, cal.tz.key)

    def _reply(self, who: Invocation, c: cmd.Reply) -> Result:
        owner = c.owner or who.user_id
        if problem := self._check_owner(who.team_id, owner):
            return problem
        cal = self.calendar_for(who.team_id, who.user_id)
        now = self.clock.now()
        if c.when is None:
            d = self.workspace(who.team_id)
            due = reply_due(now, cal, cutoff=d.eod_cutoff, within=d.reply_within)
        else:
            try:
                due = parse_when(c.when, now, cal)
            except WhenError as e:
                return Problem(str(e), cmd.EXAMPLE_REPLY)
        item = self.repo.create_item(
            NewItem(
                team_id=who.team_id,
                kind=ItemKind.REPLY,
                what=c.about or f"Reply to {c.client}",
                client=c.client,
                owner_id=owner,
                creator_id=who.user_id,
                channel_id=who.channel_id,
                due_at=due,
            ),
            now,
        )
        self.replan(item)
        return Created(item, cal.tz.key)

    def _list(self, who: Invocation, c: cmd.ListItems) -> Result:
        tz = self.calendar_for(who.team_id, who.user_id).tz.key
        if c.everyone:
            lead = self.workspace(who.team_id).lead
            if lead is not None and who.user_id != lead:
                return Problem(
                    f"Only the lead (<@{lead}>) can list everyone's items. "
                    "You can list yours, or a teammate's.",
                    "/promise list @maria",
                )
            whose = None
        else:
            whose = c.user or who.user_id
        items = list(self.repo.open_items(who.team_id, user_id=whose, limit=LIST_LIMIT))
        total = (
            len(items)
            if len(items) < LIST_LIMIT
            else self.repo.count_open(who.team_id, user_id=whose)
        )
        watched = [f"<#{c.channel_id}>" for c in self.repo.channels.all_watched(who.team_id)]
        return Listed(items, total, whose, whose == who.user_id, tz, watched)

    def _done(self, who: Invocation, c: cmd.Done) -> Result:
        return self.close(who, c.item_id, c.helpers)

    def _move(self, who: Invocation, c: cmd.Move) -> Result:
        return self.move(who, c.item_id, c.when, c.note)

    def _cancel(self, who: Invocation, c: cmd.Cancel) -> Result:
        item, problem = self._editable(who, c.item_id, "cancel")
        if problem:
            return problem
        assert item is not None
        cancelled = self.repo.cancel_item(who.team_id, item.id, who.user_id, self.clock.now())
        if cancelled is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.replan(cancelled)
        return Cancelled(cancelled)

    def _hand_off_command(self, who: Invocation, c: cmd.HandOff) -> Result:
        return self.hand_off(who, c.item_id, c.to)

    # -- changes to an item (commands and buttons share these)

    def close(self, who: Invocation, item_id: int, helpers: tuple[str, ...] = ()) -> Result:
        item, problem = self._editable(who, item_id, "close")
        if problem:
            return problem
        assert item is not None
        for helper in helpers:
            if problem := self._check_owner(who.team_id, helper, role="helper"):
                return problem
        now = self.clock.now()
        closed = self.repo.close_item(who.team_id, item.id, who.user_id, now, helpers)
        if closed is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.replan(closed)
        outcome = judge(
            closed.due_at,
            now,
            moved_in_advance=closed.moved_in_advance,
            moved_late=closed.moved_late,
        )
        if closed.kind != "promise" or not closed.channel_id:
            return Closed(closed, outcome, announced=False)
        try:
            self.notifier.thank_you(closed, outcome)
        except NotifyError as e:
            return Closed(closed, outcome, announced=False, announce_error=e.reason)
        return Closed(closed, outcome, announced=True)

    def move(self, who: Invocation, item_id: int, when: str, note: str | None) -> Result:
        """A new deadline; before the old one passes it counts as renegotiated in advance."""
        item, problem = self._editable(who, item_id, "move")
        if problem:
            return problem
        assert item is not None
        cal = self.calendar_for(who.team_id, who.user_id)
        now = self.clock.now()
        try:
            due = parse_when(when, now, cal)
        except WhenError as e:
            return Problem(
                str(e), f"/promise move {item.id} to mon 10am because the figures changed"
            )
        if due == item.due_at:
            return Problem(
                "That's the deadline it already has; nothing changed.",
                f"/promise move {item.id} to tomorrow 10am because the client asked for more",
            )
        moved = self.repo.move_item(who.team_id, item.id, who.user_id, due, now, note)
        if moved is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.replan(moved)
        in_advance = now <= item.due_at
        if not (note and moved.channel_id):
            return Moved(moved, cal.tz.key, in_advance, note_posted=False)
        try:
            self.notifier.deadline_moved(moved, note, who.user_id)
        except NotifyError as e:
            return Moved(moved, cal.tz.key, in_advance, note_posted=False, post_error=e.reason)
        return Moved(moved, cal.tz.key, in_advance, note_posted=True)

    def snooze(self, who: Invocation, item_id: int, choice: str) -> Result:
        """Quiet until then: `30m`, `1h`, or `tomorrow` (the owner's next working morning)."""
        item, problem = self._editable(who, item_id, "snooze")
        if problem:
            return problem
        assert item is not None
        now = self.clock.now()
        cal = self.calendar_for(who.team_id, item.owner_id)
        if choice in SNOOZES:
            until = now + SNOOZES[choice]
        elif choice == "tomorrow":
            until = cal.start_of_day_on(cal.next_working_day(cal.today(now)))
        else:
            return Problem(f"I can't snooze for `{choice}`.", "30m, 1h or tomorrow")
        snoozed = self.repo.snooze_item(who.team_id, item.id, who.user_id, until, now)
        if snoozed is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.replan(snoozed)
        return Snoozed(snoozed, until, cal.tz.key)

    def wait(self, who: Invocation, item_id: int, until: str | None) -> Result:
        """Waiting on the client: no nudges, the SLA clock paused, until they write or `until`."""
        item, problem = self._editable(who, item_id, "pause")
        if problem:
            return problem
        assert item is not None
        cal = self.calendar_for(who.team_id, who.user_id)
        now = self.clock.now()
        at = None
        if until:
            try:
                at = parse_when(until, now, cal)
            except WhenError as e:
                return Problem(str(e), f"/promise wait {item.id} until mon 10am")
        waiting = self.repo.wait_item(who.team_id, item.id, who.user_id, at, now)
        if waiting is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.replan(waiting)
        return Waiting(waiting, at, cal.tz.key)

    def resume(self, item: ItemView) -> ItemView | None:
        """The client wrote again (or the wait ran out): the clock runs again, nudges re-planned."""
        resumed = self.repo.resume_item(item.team_id, item.id, self.clock.now())
        if resumed is not None:
            self.replan(resumed)
        return resumed

    def hand_off(self, who: Invocation, item_id: int, to: str) -> Result:
        """Give the item to someone else, who is told with its full context."""
        item, problem = self._editable(who, item_id, "hand off")
        if problem:
            return problem
        assert item is not None
        if to == item.owner_id:
            return Problem(f"<@{to}> already owns #{item.id}.", f"/promise handoff {item.id} @sam")
        if problem := self._check_owner(who.team_id, to):
            return problem
        handed = self.repo.hand_off(who.team_id, item.id, who.user_id, to, self.clock.now())
        if handed is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.replan(handed)
        if self.home is not None:
            self.home.changed(who.team_id, item.owner_id)  # the previous owner's Home too
        try:
            self.notifier.handed_off(handed, item.owner_id, who.user_id)
        except NotifyError as e:
            return HandedOff(handed, item.owner_id, told=False, tell_error=e.reason)
        return HandedOff(handed, item.owner_id, told=True)

    def check_when(self, who: Invocation, text: str) -> str | None:
        """Why `text` is not a usable deadline for `who`, or None when it is."""
        try:
            parse_when(text, self.clock.now(), self.calendar_for(who.team_id, who.user_id))
        except WhenError as e:
            return str(e)
        return None

    def may_change(self, who: Invocation, item_id: int, verb: str) -> Result | None:
        """Why `who` can't `verb` the item now (a Problem or AlreadyClosed), or None: for
        buttons that open a form first, so nobody fills one in to be refused."""
        item, problem = self._editable(who, item_id, verb)
        if problem:
            return problem
        assert item is not None
        return AlreadyClosed(item) if item.status != "open" else None

    def check_person(self, team_id: str, user_id: str) -> str | None:
        problem = self._check_owner(team_id, user_id) if user_id else Problem("Pick a person.")
        return problem.message if problem else None

    # -- settings

    def save_settings(
        self, who: Invocation, values: dict[str, str]
    ) -> SettingsSaved | FormErrors | Problem:
        """Check and store the settings modal's values (by variable name)."""
        if problem := self._may_configure(who):
            return problem
        errors = self.workspaces.check(values)
        if errors:
            return FormErrors(errors)
        changes = self.workspaces.save(who.team_id, values, who.user_id, self.clock.now())
        return SettingsSaved(changes)

    def replan_workspace(self, team_id: str) -> int:
        """After a settings change: re-plan every open item, the end-of-day DMs, the digests
        and the coverage DMs of absences ahead."""
        self.repo.outbox.cancel_others(team_id, "eod@", keep="")
        self._eod_known = {k: v for k, v in self._eod_known.items() if k[0] != team_id}
        count = 0
        for ids in self.repo.settings.open_item_ids(team_id):
            for item_id in ids:
                item = self.repo.get_item(team_id, item_id)
                if item is not None and item.status == "open":
                    self.replan(item)
                    count += 1
        if self.digests is not None:
            self.digests.replan(team_id)
        if self.coverage is not None:
            self.coverage.replan(team_id)
        return count

    def _may_configure(self, who: Invocation) -> Problem | None:
        lead = self.workspace(who.team_id).lead
        if who.user_id == lead:
            return None
        person = self._person(who.team_id, who.user_id)
        if person is not None and person.is_admin:
            return None
        whom = f"the lead (<@{lead}>)" if lead else "the lead"
        return Problem(
            f"Only {whom} or a workspace admin can change the settings. "
            "Ask them, or see what is set with:",
            "/promise help",
        )

    # -- planning: the outbox is the schedule

    def policy(self, team_id: str) -> Policy:
        d = self.workspace(team_id)
        return Policy(
            remind_before=d.remind_before,
            escalate_after=d.escalate_after,
            follow_up_after=d.follow_up_after,
            eod_cutoff=d.eod_cutoff,
        )

    def replan(self, item: ItemView, *, stored: bool = False) -> None:
        """Queue the nudges the item should get from now on; cancel the ones it no longer should.

        `stored`: the item is new and its nudges were stored with it, in the same transaction
        (a client message: see `planner`); what else follows a change still runs.
        """
        if self.home is not None:
            self.home.changed(item.team_id, item.owner_id)  # O(1): re-published later
        if not stored:
            now = self.clock.now()
            wants = self.planner(item.team_id, item.owner_id, now)(item)
            self.repo.outbox.replan(item.team_id, item.id, wants, now)
        if item.status == "open":
            self.ensure_eod(item.team_id, item.owner_id)

    def planner(
        self, team_id: str, owner_id: str, now: datetime
    ) -> Callable[[ItemView], list[Want]]:
        """The nudges an item owned by `owner_id` should get from now on, as a function of the
        item. The settings and calendars are looked up first, so the function does no I/O: it
        may run inside the transaction that stores the item (keys are `{item.id}:{reason}`)."""
        lead = self.workspace(team_id).lead
        policy = self.policy(team_id)
        owner_cal = self.calendar_for(team_id, owner_id)
        lead_cal = self.calendar_for(team_id, lead) if lead else None

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
            return [Want(p.recipient, p.kind, f"{item.id}:{p.reason}", p.at) for p in planned]

        return plan

    def ensure_eod(self, team_id: str, user_id: str, *, catch_up: bool = False) -> None:
        """Keep the person's next end-of-day DM queued while they own open items.

        With `catch_up` (after a missed or skipped one), today's is queued too while today's
        working day is not over, so a restart at 16:45 still sends today's list.
        """
        now = self.clock.now()
        cal = self.calendar_for(team_id, user_id)
        cutoff = self.workspace(team_id).eod_cutoff
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

    # -- rules

    def _editable(
        self, who: Invocation, item_id: int, verb: str
    ) -> tuple[ItemView | None, Problem | None]:
        """The item, if it exists in this workspace, is open and `who` may change it."""
        item = self.repo.get_item(who.team_id, item_id)
        if item is None:
            return None, Problem(
                f"I can't find #{item_id} in this workspace. `/promise list` shows your open items.",
                "/promise list",
            )
        allowed = {item.owner_id, item.creator_id, self.workspace(who.team_id).lead}
        if who.user_id not in allowed:
            return None, Problem(
                f"Only the owner (<@{item.owner_id}>), whoever made the promise "
                f"(<@{item.creator_id}>) or the lead can {verb} #{item.id}. "
                "Ask one of them, or offer to help. Your own items:",
                "/promise list",
            )
        if item.status != "open":
            return item, None  # the repo's conditional update reports AlreadyClosed
        return item, None

    def _check_owner(self, team_id: str, user_id: str, role: str = "owner") -> Problem | None:
        person = self._person(team_id, user_id)
        if person is None:
            return Problem(
                f"I can't find <@{user_id}> in this workspace. Pick the person from Slack's "
                "@ list so the mention turns blue.",
                cmd.EXAMPLE_CREATE,
            )
        if person.is_bot or person.deleted:
            what = "a bot" if person.is_bot else "a deactivated account"
            return Problem(
                f"<@{user_id}> is {what}, so can't be the {role}. Pick a person.",
                cmd.EXAMPLE_CREATE,
            )
        return None

    def _person(self, team_id: str, user_id: str) -> Person | None:
        """Look a person up; when Slack can't be asked, trust the mention Slack itself made."""
        try:
            return self.directory.person(team_id, user_id)
        except DirectoryUnavailable:
            log.warning("users.info unavailable; accepting %s unchecked", user_id)
            return Person(id=user_id, tz=None)

    def _calendar(self, team_id: str, tz: str) -> WorkCalendar:
        d = self.workspace(team_id)
        return WorkCalendar(
            tz=ZoneInfo(tz),
            workdays=d.workdays,
            day_start=d.day_start,
            end_of_day=d.end_of_day,
            holiday_country=d.holidays,
        )


def escape(text: str) -> str:
    """Escape plain text for Slack mrkdwn, as Slack itself does for slash-command text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
