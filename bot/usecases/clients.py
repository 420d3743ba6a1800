"""Client messages recorded by themselves: watched channels, who is a client, replies.

A client's message in a watched channel becomes a reply-owed item due by the reply SLA;
a team member's reply (in the thread, or in the channel after it) or a ✅ closes it,
silently, with its first-response time; for an item that client messages folded into, a
reply to (or a ✅ on) any of them does.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from bot.core import commands as cmd
from bot.core.clients import ClientChannelView
from bot.core.items import NewItem
from bot.core.nudges import Nudge
from bot.core.plan import Kind, quiet_at
from bot.core.replies import needs_reply
from bot.core.sla import reply_due
from bot.core.when import WhenError, parse_when
from bot.store.outbox import Want
from bot.store.repo import Repo
from bot.usecases import ports
from bot.usecases.nudge_kinds import Due, Skip
from bot.usecases.planner import Planner
from bot.usecases.ports import ChannelInfo, Directory, NotifyError, NudgeView
from bot.usecases.promises import Promises
from bot.usecases.results import (
    Created,
    Invocation,
    NeedsInvite,
    Problem,
    Told,
    Unwatched,
    Watching,
)
from bot.usecases.workplace import Workplace

log = logging.getLogger(__name__)

FOLD_WINDOW = timedelta(minutes=5)
WATCHED_TTL = 30.0
# Message subtypes that are people writing; everything else (joins, topics, bots) is not.
HUMAN_SUBTYPES = {None, "", "thread_broadcast", "file_share", "me_message"}
MAX_TEXT = 2000


@dataclass(frozen=True)
class ChannelMessage:
    """A message event, as much of it as the rules need."""

    team_id: str
    channel_id: str
    ts: str
    user: str | None
    text: str = ""
    thread_ts: str | None = None
    user_team: str | None = None
    subtype: str | None = None
    bot: bool = False
    edited_ts: str | None = None  # message_changed: the edited message's ts
    deleted_ts: str | None = None  # message_deleted: the deleted message's ts
    event_id: str | None = None  # Slack's, to recognise its retries
    # The workspace is part of an Enterprise organisation, and the channel is (not) shared
    # with another organisation: someone from a sibling workspace is a colleague.
    enterprise: bool = False
    ext_shared: bool = False


class Clients:
    def __init__(
        self,
        repo: Repo,
        directory: Directory,
        channels: ChannelInfo,
        workplace: Workplace,
        planner: Planner,
        promises: Promises,
        clock: Clock,
        notifier: ports.Notifier,
    ) -> None:
        self.notifier = notifier
        self.repo = repo
        self.directory = directory
        self.channels = channels
        self.workplace = workplace
        self.planner = planner
        self.promises = promises
        self.clock = clock
        self._watched: dict[str, tuple[float, dict[str, ClientChannelView]]] = {}
        self._lock = threading.Lock()
        # The minute of the client message each channel's quiet nudge was last planned from.
        self._quiet_known: dict[tuple[str, str], datetime] = {}

    def is_watched(self, team_id: str, channel_id: str) -> bool:
        """Every message event in the workspace asks this before anything else."""
        return self.watched(team_id, channel_id) is not None

    def watched(self, team_id: str, channel_id: str) -> ClientChannelView | None:
        """The channel as watched (name, owner, clients), from memory: a workspace's watched
        channels are read every WATCHED_TTL seconds (so other replicas' changes arrive within
        that) and at once after a watch or unwatch here. Not for `last_client_at`."""
        now = time.monotonic()
        with self._lock:
            hit = self._watched.get(team_id)
        if hit is None or hit[0] < now:
            channels = {c.channel_id: c for c in self.repo.channels.all_watched(team_id)}
            hit = (now + WATCHED_TTL, channels)
            with self._lock:
                self._watched[team_id] = hit
        return hit[1].get(channel_id)

    def owner_of(self, team_id: str, channel_id: str) -> str | None:
        """Who owns a watched channel (read afresh), or None when it is not watched."""
        channel = self.repo.channels.watched(team_id, channel_id)
        return channel.owner_id if channel else None

    def _forget_watched(self, team_id: str) -> None:
        with self._lock:
            self._watched.pop(team_id, None)

    # -- watching

    def watch(self, who: Invocation, c: cmd.Watch) -> Watching | NeedsInvite | Problem:
        if not who.channel_id or who.channel_id.startswith("D"):
            return Problem("Run `watch` in the client's channel.", "/promise watch Acme")
        before = self.repo.channels.watched(who.team_id, who.channel_id)
        if before is not None and (refusal := self._may_change(who, before.owner_id)):
            return refusal
        owner = c.owner or who.user_id
        problem = self.workplace.check_person(who.team_id, owner)
        if problem:
            return Problem(problem, "/promise watch Acme owner @maria")
        try:
            info = self.channels.info(who.channel_id)
        except NotifyError as e:
            if e.reason == "channel_not_found":
                return NeedsInvite(who.channel_id)
            return Problem(
                f"Slack didn't tell me about this channel (`{e.reason}`). Try again in a minute."
            )
        joined = False
        if not info.is_member:
            if info.is_private:
                return NeedsInvite(who.channel_id)
            try:
                self.channels.join(who.channel_id)
                joined = True
            except NotifyError as e:
                return Problem(
                    f"I couldn't join this channel (`{e.reason}`). Invite me with `/invite @promise-bot`."
                )
        name = c.name or info.name
        self.repo.channels.watch(
            who.team_id, who.channel_id, name, owner, list(c.clients), self.clock.now()
        )
        self._forget_watched(who.team_id)
        self.plan_quiet(who.team_id, who.channel_id)
        told = None
        if before is not None and before.owner_id != owner:
            told = self._tell(who, before.owner_id, owner)
        return Watching(who.channel_id, name, owner, list(c.clients), joined, told)

    def unwatch(self, who: Invocation) -> Unwatched | Problem:
        channel = who.channel_id or ""
        before = self.repo.channels.watched(who.team_id, channel) if channel else None
        if before is not None and (refusal := self._may_change(who, before.owner_id)):
            return refusal
        was = before is not None and self.repo.channels.unwatch(who.team_id, channel)
        self._forget_watched(who.team_id)
        return Unwatched(channel, was, self._tell(who, before.owner_id, None) if was else None)

    def _may_change(self, who: Invocation, owner: str) -> Problem | None:
        """Only a client channel's owner, the lead or a workspace admin may re-own it or
        stop watching it; anyone else is told whom to ask."""
        if who.user_id == owner or self.workplace.is_lead_or_admin(who):
            return None
        return Problem(
            f"<#{who.channel_id}> is <@{owner}>'s client channel: only they, the lead or a "
            "workspace admin can change who owns it or stop watching it. Nothing changed. "
            "Ask them to run, for example:",
            "/promise watch Acme owner @maria",
        )

    def _tell(self, who: Invocation, previous: str, new_owner: str | None) -> Told | None:
        """Tell the previous owner when someone else re-owned or unwatched their channel."""
        if previous == who.user_id:
            return None
        try:
            self.notifier.channel_changed(who.channel_id or "", previous, new_owner, who.user_id)
        except NotifyError as e:
            return Told(previous, e.reason)
        return Told(previous)

    # -- messages

    def on_message(self, m: ChannelMessage) -> str:
        """Apply one message event; returns what happened (for logs and tests)."""
        channel = self.watched(m.team_id, m.channel_id)
        if channel is None:
            return "unwatched"
        written = not (m.deleted_ts or m.edited_ts or m.bot) and m.subtype in HUMAN_SUBTYPES
        if written and m.user and self._is_client(m, channel.clients):
            return self._client_wrote(m, channel)  # its event ID is checked in there
        # Slack's retries never get here twice: the intake takes each event ID once. What
        # follows may run again after a crash (the intake re-runs an undone event), and each
        # step is safe to repeat: a reply closes what is still open, an edit sets the text.
        if m.deleted_ts:
            item = self.repo.channels.by_message(m.team_id, m.channel_id, m.deleted_ts)
            if item is not None and item.message_ts != m.deleted_ts:
                # A message folded into the item: only its text goes; the item stays.
                owner = self.repo.channels.drop_message(m.team_id, m.channel_id, m.deleted_ts)
                if owner is None:
                    return "ignored"
                self.planner.changed(m.team_id, owner)
                return "unfolded"
            if item is not None and item.status == "open":
                self.repo.cancel_item(m.team_id, item.id, "client", self.clock.now())
                self.planner.replan(self.repo.get_item(m.team_id, item.id) or item)
                return "cancelled"
            return "ignored"
        if m.edited_ts:
            owner = self.repo.channels.edit_message(
                m.team_id, m.channel_id, m.edited_ts, m.text[:MAX_TEXT]
            )
            if owner is None:
                return "ignored"
            self.planner.changed(m.team_id, owner)
            return "edited"
        if not written or not m.user:
            return "ignored"
        closed = self.repo.channels.replied(
            m.team_id, m.channel_id, m.thread_ts, m.ts, m.user, self.clock.now()
        )
        for item in closed:
            self.planner.replan(item)
        return f"closed {len(closed)}" if closed else "team"

    def plan_quiet(self, team_id: str, channel_id: str) -> None:
        """One quiet-client nudge per quiet spell: `PROMISE_QUIET_AFTER` working days after
        the client last wrote (or since watching began), to the minute: the spell's key is
        that minute, so a busy channel re-plans it at most once a minute."""
        channel = self.repo.channels.watched(team_id, channel_id)
        if channel is None:
            return
        last = _minute(channel.last_client_at or channel.created_at)
        cal = self.workplace.calendar_for(team_id, channel.owner_id)
        at = quiet_at(last, cal, self.workplace.settings(team_id).quiet_after)
        key = f"quiet:{channel_id}:{last.isoformat()}"
        now = self.clock.now()
        self.repo.outbox.ensure(team_id, Want(channel.owner_id, Kind.QUIET, key, at), now)
        self.repo.outbox.cancel_others(team_id, f"quiet:{channel_id}:", keep=key)
        self._quiet_known[(team_id, channel_id)] = last

    def _heard_from_client(self, team_id: str, channel_id: str, at: datetime) -> None:
        """After a client message is stored: re-plan the quiet nudge when its minute is later
        than the one this process last planned from (the channel's last message only moves
        forward, so an earlier minute, an out-of-order event, changes nothing)."""
        known = self._quiet_known.get((team_id, channel_id))
        if known is None or _minute(at) > known:
            self.plan_quiet(team_id, channel_id)

    def quiet_view(self, team_id: str, nudge_id: int, key: str) -> NudgeView | str:
        """What a due quiet-client nudge says, or why it no longer should be sent."""
        _, channel_id, since = key.split(":", 2)
        channel = self.repo.channels.watched(team_id, channel_id)
        if channel is None:
            return "the channel is no longer watched"
        last = channel.last_client_at or channel.created_at
        if since not in (_minute(last).isoformat(), last.isoformat()):  # (or planned before
            return "the client wrote since"  # keys were to the minute)
        return NudgeView(
            nudge_id, Kind.QUIET, channel_id=channel_id, client=channel.name, quiet_since=last
        )

    def track(
        self, who: Invocation, m: ChannelMessage, owner: str, when: str | None
    ) -> Created | Problem:
        """The message shortcut: record any message as a reply owed, by hand."""
        if problem := self.workplace.check_person(who.team_id, owner):
            return Problem(problem, "Pick a teammate as the owner.")
        now = self.clock.now()
        cal = self.workplace.calendar_for(who.team_id, who.user_id)
        if when:
            try:
                due = parse_when(when, now, cal)
            except WhenError as e:
                return Problem(str(e), "tomorrow noon")
        else:
            d = self.workplace.settings(who.team_id)
            due = reply_due(now, cal, cutoff=d.eod_cutoff, within=d.reply_within)
        channel = self.repo.channels.watched(who.team_id, m.channel_id)
        item = NewItem.client_message(
            team_id=who.team_id,
            channel_id=m.channel_id,
            ts=m.ts,
            thread_ts=m.thread_ts,
            client_user_id=m.user,
            what=(m.text.strip() or "(a message without text)")[:MAX_TEXT],
            client=channel.name if channel else None,
            owner_id=owner,
            creator_id=who.user_id,
            due_at=due,
            created_at=now,
        )
        stored = self.repo.channels.record_message(item, now)
        if stored is None:
            existing = self.repo.channels.by_message(who.team_id, m.channel_id, m.ts)
            return Problem(
                f"That message is already tracked as #{existing.id if existing else '?'}.",
                "/promise list",
            )
        self.planner.replan(stored)
        return Created(stored, cal.tz.key)

    def on_check_mark(self, team_id: str, channel_id: str, ts: str, user: str) -> bool:
        """A ✅ from a team member on a client's message closes its item (also on a message
        folded into it)."""
        if self.repo.channels.watched(team_id, channel_id) is None:
            return False
        item = self.repo.channels.by_message(team_id, channel_id, ts)
        if item is None or item.status != "open" or item.client_user_id == user:
            return False
        closed = self.repo.channels.replied(
            team_id, channel_id, item.thread_ts, _after(ts), user, self.clock.now()
        )
        for i in closed:
            self.planner.replan(i)
        return bool(closed)

    def _is_client(self, m: ChannelMessage, named: str) -> bool:
        if m.user in named.split(","):
            return True
        if m.user_team and m.user_team != m.team_id:
            # Slack Connect: someone from another organisation; but in an Enterprise
            # organisation's channel shared with no one outside, another workspace of the
            # same organisation: a colleague.
            return m.ext_shared or not m.enterprise
        # Slack can't say who wrote it: DirectoryUnavailable goes up, and the intake tries
        # the event again later. Taken for a teammate's, a client's message would close
        # the client's own open items; taken for a client's, a reply would be owed to us.
        person = self.directory.person(m.team_id, m.user or "")
        return bool(person and person.external)

    def _needs_reply(self, m: ChannelMessage, owner: str) -> bool:
        """Whether the client's message asks for something; the owner's name may go with the
        thanks ("Thanks Maria!"). A file always needs at least an acknowledgement."""
        person = self.workplace.person(m.team_id, owner)
        names = person.name.split() if person is not None and person.name else ()
        files = 1 if m.subtype == "file_share" else 0
        return needs_reply(m.text, attachments=files, names=names)

    def _client_wrote(self, m: ChannelMessage, channel: ClientChannelView) -> str:
        """Record a client's message (or fold it into the item it continues) and its nudges in
        one transaction; then resume what was waiting on them and re-plan the quiet nudge."""
        at = _when(m.ts)
        owner = channel.owner_id
        if not self._needs_reply(m, owner):
            # Thanks and acknowledgements are seen, not owed: no item, no nudges, and
            # nothing they would fold into grows (bot/core/replies.py; a doubt is owed).
            if not self.repo.channels.client_acknowledged(
                m.team_id, m.channel_id, m.ts, m.event_id, at, self.clock.now()
            ):
                return "duplicate"
            self._heard_from_client(m.team_id, m.channel_id, at)
            return "acknowledged"
        cal = self.workplace.calendar_for(m.team_id, owner)
        d = self.workplace.settings(m.team_id)
        item = NewItem.client_message(
            team_id=m.team_id,
            channel_id=m.channel_id,
            ts=m.ts,
            thread_ts=m.thread_ts,
            client_user_id=m.user,
            what=m.text.strip()[:MAX_TEXT] or "(a message without text)",
            client=channel.name,
            owner_id=owner,
            creator_id=m.user or "",
            due_at=reply_due(at, cal, cutoff=d.eod_cutoff, within=d.reply_within),
            created_at=at,
        )
        now = self.clock.now()
        done = self.repo.channels.client_wrote(
            item,
            thread_ts=m.thread_ts,
            event_id=m.event_id,
            window=FOLD_WINDOW,
            plan=self.planner.plan_for(m.team_id, owner, now),
            now=now,
        )
        if done.outcome == "duplicate":
            return done.outcome  # a retry, under the same event ID or a new one
        for item_id in done.waiting:  # the client wrote again: their turn is over
            waiting = self.repo.get_item(m.team_id, item_id)
            if waiting is not None:
                self.promises.resume(waiting)
        if done.item is not None:
            self.planner.replan(done.item, stored=True)
        if done.folded_into_owner is not None:  # its text grew: that owner's Home shows it
            self.planner.changed(m.team_id, done.folded_into_owner)
        self._heard_from_client(m.team_id, m.channel_id, at)
        return done.outcome


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def _when(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def _after(ts: str) -> str:
    """A ts just after `ts`: a reaction answers the message it is on."""
    whole, _, frac = ts.partition(".")
    return f"{whole}.{int(frac or 0) + 1:06d}"


class QuietNudge:
    """A client channel gone quiet: reach out (sent unless the client wrote since)."""

    needs_escalation = False
    may_go_early = True

    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    def check(self, n: Nudge, due: Due) -> NudgeView | Skip:
        said = self.clients.quiet_view(n.team_id, n.id, n.key)
        return Skip(said) if isinstance(said, str) else said
