"""Promises: record, list, close, move, cancel, snooze, wait on the client, hand off.

Each use case applies the rules in bot.core, stores through the repo, re-plans through the
planner and posts through the Notifier; it returns a result from bot.usecases.results for
the Slack layer to render. Only the owner, whoever made the promise, or the lead may change
an item.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.core import commands as cmd
from bot.core import text as txt
from bot.core.items import ItemKind, ItemView, NewItem
from bot.core.outcome import Outcome, judge
from bot.core.sla import reply_due
from bot.core.when import WhenError, deadline_on, parse_when
from bot.store.repo import Repo
from bot.usecases.change_posts import NO_POST, ChangePosts, Later, Told
from bot.usecases.planner import Planner
from bot.usecases.ports import ChannelInfo, Notifier, NotifyError
from bot.usecases.results import (
    AlreadyClosed,
    Cancelled,
    Closed,
    Created,
    FormErrors,
    FormInput,
    HandedOff,
    Invocation,
    Listed,
    Moved,
    NoReplyNeeded,
    OpenForm,
    Problem,
    Result,
    Snoozed,
    Waiting,
)
from bot.usecases.workplace import Workplace

log = logging.getLogger(__name__)

LIST_LIMIT = 30
SNOOZES = {"30m": timedelta(minutes=30), "1h": timedelta(hours=1)}


class Promises:
    def __init__(
        self,
        repo: Repo,
        workplace: Workplace,
        planner: Planner,
        notifier: Notifier,
        channels: ChannelInfo,
        clock: Clock,
        later: Later,
    ) -> None:
        self.repo = repo
        self.workplace = workplace
        self.planner = planner
        self.notifier = notifier
        self.channels = channels
        self.clock = clock
        self.posts = ChangePosts(repo, notifier, later)

    # -- the new-promise form

    def create_from_form(self, who: Invocation, form: FormInput) -> Created | FormErrors:
        """The form's fields held to the command's rules (bot.core.text, bot.core.when),
        each problem under its field; nothing is stored unless all are fine."""
        errors: dict[str, str] = {}
        what = txt.escape(txt.one_line(form.what))
        if problem := txt.what_problem(what):
            errors["what"] = problem
        client = txt.escape(txt.one_line(form.client or ""))
        if problem := txt.client_problem(client):
            errors["client"] = problem
        if not form.owner_id:
            errors["owner"] = "Pick a person."
        elif problem := self.workplace.check_owner(who.team_id, form.owner_id):
            errors["owner"] = problem.message
        cal = self.workplace.calendar_for(who.team_id, who.user_id)
        now = self._asked_at(who)
        try:
            due = deadline_on(form.day, form.at, now, cal)
        except WhenError as e:
            today = form.day == cal.today(now) and form.at is not None
            errors["time" if today else "date"] = str(e)
        if errors:
            return FormErrors(errors)
        item = self.repo.create_item(
            NewItem(
                team_id=who.team_id,
                kind=ItemKind.PROMISE,
                what=what,
                client=client or self._client_of(who, form.channel_id),
                owner_id=form.owner_id,
                creator_id=who.user_id,
                channel_id=form.channel_id,
                due_at=due,
            ),
            now,
        )
        self.planner.replan(item)
        return Created(item, cal.tz.key)

    def form_defaults(self, who: Invocation) -> OpenForm:
        cal = self.workplace.calendar_for(who.team_id, who.user_id)
        return OpenForm(today=cal.today(self.clock.now()), tz=cal.tz.key)

    # -- commands

    def create(self, who: Invocation, c: cmd.Create) -> Result:
        owner = c.owner or who.user_id
        if problem := self.workplace.check_owner(who.team_id, owner):
            return problem
        cal = self.workplace.calendar_for(who.team_id, who.user_id)
        now = self._asked_at(who)
        try:
            due = parse_when(c.when, now, cal)
        except WhenError as e:
            return Problem(str(e), cmd.EXAMPLE_CREATE)
        return self._record(
            who, ItemKind.PROMISE, c.what, self._client_of(who), owner, due, cal.tz.key
        )

    def reply(self, who: Invocation, c: cmd.Reply) -> Result:
        owner = c.owner or who.user_id
        if problem := self.workplace.check_owner(who.team_id, owner):
            return problem
        cal = self.workplace.calendar_for(who.team_id, who.user_id)
        now = self._asked_at(who)
        if c.when is None:
            d = self.workplace.settings(who.team_id)
            due = reply_due(now, cal, cutoff=d.eod_cutoff, within=d.reply_within)
        else:
            try:
                due = parse_when(c.when, now, cal)
            except WhenError as e:
                return Problem(str(e), cmd.EXAMPLE_REPLY)
        what = c.about or f"Reply to {c.client}"
        return self._record(who, ItemKind.REPLY, what, c.client, owner, due, cal.tz.key)

    def _record(
        self,
        who: Invocation,
        kind: ItemKind,
        what: str,
        client: str | None,
        owner: str,
        due: datetime,
        tz: str,
    ) -> Created:
        """Store a new item made by a command in `who`'s channel, and plan its nudges."""
        new = NewItem(
            team_id=who.team_id,
            kind=kind,
            what=what,
            client=client,
            owner_id=owner,
            creator_id=who.user_id,
            channel_id=who.channel_id,
            due_at=due,
            request_key=who.request_key,
        )
        item = self.repo.create_item(new, self._asked_at(who))
        self.planner.replan(item)
        return Created(item, tz)

    def list(self, who: Invocation, c: cmd.ListItems) -> Result:
        tz = self.workplace.calendar_for(who.team_id, who.user_id).tz.key
        if c.everyone:
            lead = self.workplace.settings(who.team_id).lead
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

    def cancel(self, who: Invocation, c: cmd.Cancel) -> Result:
        item, problem = self._editable(who, c.item_id, "cancel")
        if problem:
            return problem
        assert item is not None
        cancelled = self.repo.cancel_item(who.team_id, item.id, who.user_id, self._asked_at(who))
        if cancelled is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.planner.replan(cancelled)
        return Cancelled(cancelled)

    # -- changes to an item (commands and buttons share these)

    def close(self, who: Invocation, item_id: int, helpers: tuple[str, ...] = ()) -> Result:
        """Done; a promise made in a channel is announced there with a thank-you."""
        key = who.request_key
        if key is not None and (again := self.repo.recorded(who.team_id, key)) is not None:
            item, outcome = again.item, _outcome(again.item, again.at)
            told = self.posts.again(
                who.team_id,
                key,
                again,
                lambda: self._thank(item, outcome, key),
                channel=item.channel_id,
            )
            return _closed(item, outcome, told)
        item, problem = self._editable(who, item_id, "close")
        if problem:
            return problem
        assert item is not None
        for helper in helpers:
            if problem := self.workplace.check_owner(who.team_id, helper, role="helper"):
                return problem
        now = self._asked_at(who)
        thanks = item.kind == ItemKind.PROMISE and bool(item.channel_id)
        closed = self.repo.close_item(
            who.team_id, item.id, who.user_id, now, helpers, key=key, post=thanks
        )
        if closed is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.planner.replan(closed)
        outcome = _outcome(closed, now)
        if not thanks:
            return Closed(closed, outcome, announced=False)
        told = self.posts.send(who.team_id, key, lambda: self._thank(closed, outcome, key))
        return _closed(closed, outcome, told)

    def _thank(self, item: ItemView, outcome: Outcome, key: str | None) -> None:
        reads = self._client_reads(item.team_id, item.channel_id or "")
        self.notifier.thank_you(item, outcome, client_reads=reads, key=key)

    def no_reply(self, who: Invocation, item_id: int) -> Result:
        """Close a client message that needs no reply, silently: no thank-you, no post, its
        nudges cancelled; counted apart from the answered ones (`bot.core.stats`)."""
        if (again := self.repo.recorded(who.team_id, who.request_key)) is not None:
            return NoReplyNeeded(again.item)
        item, problem = self._editable(who, item_id, "close")
        if problem:
            return problem
        assert item is not None
        if item.kind != ItemKind.REPLY:
            return Problem(
                f"#{item.id} is a promise: only a client message can need no reply. "
                "Close it when it's delivered:",
                f"/promise done {item.id}",
            )
        closed = self.repo.close_no_reply(
            who.team_id, item.id, who.user_id, self._asked_at(who), key=who.request_key
        )
        if closed is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.planner.replan(closed)
        return NoReplyNeeded(closed)

    def move(self, who: Invocation, item_id: int, when: str, note: str | None) -> Result:
        """A new deadline; before the old one passes it counts as renegotiated in advance.
        Done again (after a crash), it answers as before: no second move, no second note."""
        key = who.request_key
        if key is not None and (again := self.repo.recorded(who.team_id, key)) is not None:
            tz = self.workplace.calendar_for(who.team_id, who.user_id).tz.key
            early = again.due_before is not None and again.at <= again.due_before
            moved_item = again.item
            told = self.posts.again(
                who.team_id,
                key,
                again,
                lambda: self.notifier.deadline_moved(moved_item, note or "", who.user_id, tz, key),
                channel=moved_item.channel_id,
            )
            return _moved(moved_item, tz, early, told)
        item, problem = self._editable(who, item_id, "move")
        if problem:
            return problem
        assert item is not None
        cal = self.workplace.calendar_for(who.team_id, who.user_id)
        now = self._asked_at(who)
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
        tell = bool(note and item.channel_id)
        moved = self.repo.move_item(
            who.team_id, item.id, who.user_id, due, now, note, key=key, post=tell
        )
        if moved is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.planner.replan(moved)
        in_advance = now <= item.due_at
        if not tell:
            return _moved(moved, cal.tz.key, in_advance, NO_POST)
        told = self.posts.send(
            who.team_id,
            key,
            lambda: self.notifier.deadline_moved(moved, note or "", who.user_id, cal.tz.key, key),
        )
        return _moved(moved, cal.tz.key, in_advance, told)

    def snooze(self, who: Invocation, item_id: int, choice: str) -> Result:
        """Quiet until then: `30m`, `1h`, or `tomorrow` (the owner's next working morning)."""
        if (again := self.repo.recorded(who.team_id, who.request_key)) is not None:
            tz = self.workplace.calendar_for(who.team_id, again.item.owner_id).tz.key
            return Snoozed(again.item, again.due_after or again.at, tz)
        item, problem = self._editable(who, item_id, "snooze")
        if problem:
            return problem
        assert item is not None
        now = self._asked_at(who)
        cal = self.workplace.calendar_for(who.team_id, item.owner_id)
        if choice in SNOOZES:
            until = now + SNOOZES[choice]
        elif choice == "tomorrow":
            until = cal.start_of_day_on(cal.next_working_day(cal.today(now)))
        else:
            return Problem(f"I can't snooze for `{choice}`.", "30m, 1h or tomorrow")
        snoozed = self.repo.snooze_item(
            who.team_id, item.id, who.user_id, until, now, key=who.request_key
        )
        if snoozed is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.planner.replan(snoozed)
        return Snoozed(snoozed, until, cal.tz.key)

    def wait(self, who: Invocation, item_id: int, until: str | None) -> Result:
        """Waiting on the client: no nudges, the SLA clock paused, until they write or `until`."""
        item, problem = self._editable(who, item_id, "pause")
        if problem:
            return problem
        assert item is not None
        cal = self.workplace.calendar_for(who.team_id, who.user_id)
        now = self._asked_at(who)
        at = None
        if until:
            try:
                at = parse_when(until, now, cal)
            except WhenError as e:
                return Problem(str(e), f"/promise wait {item.id} until mon 10am")
        waiting = self.repo.wait_item(who.team_id, item.id, who.user_id, at, now)
        if waiting is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.planner.replan(waiting)
        return Waiting(waiting, at, cal.tz.key)

    def resume(self, item: ItemView) -> ItemView | None:
        """The client wrote again (or the wait ran out): the clock runs again, nudges re-planned."""
        resumed = self.repo.resume_item(item.team_id, item.id, self.clock.now())
        if resumed is not None:
            self.planner.replan(resumed)
        return resumed

    def hand_off(self, who: Invocation, item_id: int, to: str) -> Result:
        """Give the item to someone else, who is told with its full context."""
        key = who.request_key
        if key is not None and (again := self.repo.recorded(who.team_id, key)) is not None:
            previous = again.from_owner or who.user_id
            handed_item = again.item
            told = self.posts.again(
                who.team_id,
                key,
                again,
                lambda: self.notifier.handed_off(handed_item, previous, who.user_id, key),
                dm=to,
            )
            # A hand-off always DMs: one from before posts were recorded was told then.
            return _handed_off(handed_item, previous, told, told_before=again.post is None)
        item, problem = self._editable(who, item_id, "hand off")
        if problem:
            return problem
        assert item is not None
        if to == item.owner_id:
            return Problem(f"<@{to}> already owns #{item.id}.", f"/promise handoff {item.id} @sam")
        if problem := self.workplace.check_owner(who.team_id, to):
            return problem
        handed = self.repo.hand_off(
            who.team_id, item.id, who.user_id, to, self._asked_at(who), key=key, post=True
        )
        if handed is None:
            return AlreadyClosed(self.repo.get_item(who.team_id, item.id) or item)
        self.planner.replan(handed)
        self.planner.changed(who.team_id, item.owner_id)  # the previous owner's Home too
        told = self.posts.send(
            who.team_id,
            key,
            lambda: self.notifier.handed_off(handed, item.owner_id, who.user_id, key),
        )
        return _handed_off(handed, item.owner_id, told)

    def _client_reads(self, team_id: str, channel_id: str) -> bool:
        """Whether the client can read the channel: a watched client channel, or one shared
        with another organisation. When Slack can't say, assume they can (no judgement)."""
        if self.repo.channels.watched(team_id, channel_id) is not None:
            return True
        try:
            return self.channels.info(channel_id).shared
        except NotifyError:
            return True

    def _client_of(self, who: Invocation, channel_id: str | None = None) -> str | None:
        """A promise made in a watched client channel is that client's (thank-you, digest,
        stats), unless it names its own."""
        channel = channel_id or who.channel_id
        if not channel:
            return None
        watched = self.repo.channels.watched(who.team_id, channel)
        return watched.name if watched else None

    def _asked_at(self, who: Invocation) -> datetime:
        """When the person asked: a request processed after a restart is judged (early or
        late, a deadline read) at the time it was made, not when it was finally done."""
        return who.asked_at or self.clock.now()

    def item(self, team_id: str, item_id: int) -> ItemView | None:
        """The item as stored (for a form that shows it), or None."""
        return self.repo.get_item(team_id, item_id)

    def check_when(self, who: Invocation, text: str) -> str | None:
        """Why `text` is not a usable deadline for `who`, or None when it is."""
        try:
            parse_when(
                text, self._asked_at(who), self.workplace.calendar_for(who.team_id, who.user_id)
            )
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
        allowed = {item.owner_id, item.creator_id, self.workplace.settings(who.team_id).lead}
        if who.user_id not in allowed:
            return None, Problem(
                f"Only the owner (<@{item.owner_id}>), whoever made the promise "
                f"(<@{item.creator_id}>) or the lead can {verb} #{item.id}. "
                "Ask one of them, or offer to help. Your own items:",
                "/promise list",
            )
        return item, None  # closed already: the repo's conditional update reports AlreadyClosed


def _closed(item: ItemView, outcome: Outcome, told: Told) -> Closed:
    return Closed(item, outcome, told.posted, announce_error=told.error, announce_later=told.later)


def _moved(item: ItemView, tz: str, in_advance: bool, told: Told) -> Moved:
    return Moved(item, tz, in_advance, told.posted, post_error=told.error, post_later=told.later)


def _handed_off(item: ItemView, previous: str, told: Told, told_before: bool = False) -> HandedOff:
    return HandedOff(
        item,
        previous,
        told=told.posted or told_before,
        tell_error=told.error,
        tell_later=told.later,
    )


def _outcome(item: ItemView, closed_at: datetime) -> Outcome:
    return judge(
        item.due_at,
        closed_at,
        moved_in_advance=item.moved_in_advance,
        moved_late=item.moved_late,
    )
