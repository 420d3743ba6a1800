"""Claim due nudges, send them, record what happened: the outbox's only consumer.

Claim in one short transaction with a lease, send outside it, then mark. A row whose lease
ran out (its claimer crashed) is checked against the DM history before it is sent again,
so a crash between send and mark does not produce a second DM. Nudges for one person that
are due within a few minutes of each other go out as one DM; a pile of stale missed and
heads-up lines in it becomes one catch-up summary (bot.core.catchup). A DM Slack refuses
for its content is split, so that only the bad part fails, with Slack's reason.

Per batch, the database is asked a few times, not a few times per nudge: one claim (the due
rows and their recipients' others), then for every few people one lease renewal and one
query each for the items and escalation times, and one transaction for several DMs' marks.
DMs are posted one after another, in order, by a sender thread, while this thread builds
the next ones and records the sent ones: Slack's answer time overlaps the database work.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.core.items import ItemView
from bot.core.nudges import Nudge
from bot.core.plan import Kind
from bot.store.outbox import Delivered, Outbox
from bot.store.repo import Repo
from bot.usecases.catch_up import kept_of, summary_of
from bot.usecases.nudge_kinds import Kinds, Skip, TickResult
from bot.usecases.ports import CatchUp, EndOfDay, Messenger, NotifyError, NudgeView
from bot.usecases.workplace import Workplace

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
COALESCE = timedelta(minutes=5)
MAX_ATTEMPTS = 8  # failed attempts (see `_retry`)
# Rows are renewed, and items read, for SLICE people at a time, just before their DMs, and
# again when that is more than FRESH old (or a third of the lease): a DM is never built from
# data older than that, nor sent on a lease that may have run out.
SLICE = 50
FRESH = timedelta(seconds=1)
# DMs built ahead for the sender thread, at most; those sent are recorded several at once,
# normally within RECORD_WITHIN seconds of going out.
AHEAD = 8
RECORD_WITHIN = 0.2


@dataclass
class _Ready:
    """A few people's rows, just renewed, and what their DMs are built from."""

    fresh_until: float  # time.monotonic()
    people: set[tuple[str, str]]
    held: set[int]  # nudge IDs this claim still holds
    now: datetime
    items: dict[tuple[str, int], ItemView] = field(default_factory=dict)
    escalations: dict[tuple[str, int], datetime] = field(default_factory=dict)  # by item

    def covers(self, team: str, user: str) -> bool:
        return (team, user) in self.people and time.monotonic() < self.fresh_until

    # what a nudge kind may read (bot.usecases.nudge_kinds.Due)

    def item(self, n: Nudge) -> ItemView | None:
        return self.items.get((n.team_id, n.item_id)) if n.item_id is not None else None

    def escalates_at(self, n: Nudge) -> datetime | None:
        return self.escalations.get((n.team_id, n.item_id)) if n.item_id is not None else None


@dataclass
class _Dm:
    """One person's DM on its way: built here, posted by the sender thread, then recorded."""

    team: str
    user: str
    nudges: list[Nudge]
    views: list[NudgeView]
    eod: EndOfDay | None
    tz: str
    catch_up: CatchUp | None = None
    posted: Future[None] | None = None
    where: tuple[str, str] | None = None  # (channel, ts) once sent
    sent_at: datetime | None = None
    error: Exception | None = None
    finished: float = 0.0  # time.monotonic() when posted (or failed)
    parts: list[_Dm] = field(default_factory=list)  # what went instead, once split

    def outcomes(self) -> list[_Dm]:
        """What to record: this DM, or the parts it was split into."""
        return [leaf for part in self.parts for leaf in part.outcomes()] if self.parts else [self]

    def split(self) -> list[_Dm]:
        """The parts to post one by one instead: the summary alone and every other view
        alone; a summary alone comes apart into its own lines."""
        summary = {v.nudge_id for v in self.views} & (
            self.catch_up.nudge_ids if self.catch_up else frozenset()
        )
        if summary and len(summary) < len(self.views):
            together = self._part([v for v in self.views if v.nudge_id in summary], self.catch_up)
            alone = [self._part([v], None) for v in self.views if v.nudge_id not in summary]
            return [together, *alone]
        return [self._part([v], None) for v in self.views]

    def _part(self, views: list[NudgeView], catch_up: CatchUp | None) -> _Dm:
        eod = self.eod if any(v.kind == Kind.EOD for v in views) else None
        return _Dm(self.team, self.user, self.nudges, views, eod, self.tz, catch_up)


def _overdue(dm: _Dm) -> bool:
    """Posted (or failed) RECORD_WITHIN ago or more, and not recorded yet."""
    return (
        dm.posted is not None
        and dm.posted.done()
        and time.monotonic() - dm.finished >= RECORD_WITHIN
    )


class Dispatcher:
    def __init__(
        self,
        repo: Repo,
        outbox: Outbox,
        messenger: Messenger,
        workplace: Workplace,
        kinds: Kinds,
        clock: Clock,
        lease: timedelta = LEASE,
        each_tick: Sequence[Callable[[], None]] = (),
    ) -> None:
        self.repo = repo
        self.outbox = outbox
        self.messenger = messenger
        self.workplace = workplace  # each recipient's time zone
        self.kinds = kinds
        self.clock = clock
        self.lease = lease
        self.each_tick = tuple(
            each_tick
        )  # planning that no change triggers (digests); never raises
        self._stopping = threading.Event()
        # Kinds a person's DM may bring forward by up to COALESCE (reminders, lists).
        self._early = sorted(k for k, kind in kinds.dms.items() if kind.may_go_early)

    def stop(self) -> None:
        """Finish the batch in hand, then stop (shutdown must not wait on a busy queue)."""
        self._stopping.set()

    def tick(self, limit: int = 200) -> TickResult:
        """Send everything due now; returns what happened (for logs, tests and benchmarks)."""
        result = TickResult()
        for plan in self.each_tick:
            plan()  # cheap once queued
        # One thread posts the DMs, one after another in order; meanwhile this one builds the
        # next ones and records those sent.
        with ThreadPoolExecutor(1, thread_name_prefix="dispatch-send") as sender:
            while not self._stopping.is_set():
                now = self.clock.now()
                token = str(uuid.uuid4())
                # The due rows and, with them, each person's others due within COALESCE.
                claimed = self.outbox.claim_batch(
                    now, now + COALESCE, now + self.lease, token, limit, early=self._early
                )
                if not claimed:
                    break
                self._dispatch(claimed, token, now, sender, result)
        return result

    def _dispatch(
        self,
        claimed: list[Nudge],
        token: str,
        now: datetime,
        sender: ThreadPoolExecutor,
        result: TickResult,
    ) -> None:
        """One claimed batch, person by person: each one's DM is built here, posted by the
        sender thread, then recorded; all of them before this returns."""
        groups: dict[tuple[str, str], list[Nudge]] = defaultdict(list)
        for n in claimed:
            groups[(n.team_id, n.recipient_id)].append(n)
        people = list(groups)
        ready: _Ready | None = None
        posting: deque[_Dm] = deque()
        try:
            for i, (team, user) in enumerate(people):
                # Working through a batch can outlast the lease (Slack slow or rate limiting):
                # just before sending, renew the lease, drop rows another process took over
                # meanwhile (or both would send them) and read the items afresh; for the next
                # few people at once, again once that is FRESH old (and in _post, for a DM
                # that waited that long for the ones before it).
                if ready is None or not ready.covers(team, user):
                    ready = self._prepare(people[i : i + SLICE], groups, token)
                nudges = [n for n in groups[(team, user)] if n.id in ready.held]
                if not nudges:
                    continue
                try:
                    channel_kind = self.kinds.channels.get(nudges[0].kind)
                    if channel_kind is not None:
                        # A channel's posts (`user` is the channel), posted from here: the
                        # DMs on their way first, so that one post goes out at a time.
                        while posting:
                            self._record(posting, token, now, result, waiting=0)
                        channel_kind.deliver(team, user, nudges, token, now, result, self._retry)
                        continue
                    dm = self._build(team, user, nudges, token, now, result, ready)
                except Exception:  # one failing person never blocks the others
                    log.exception("delivering nudges to %s failed", user)
                    for n in nudges:
                        self._retry(n, token, now, "internal_error", result)
                    continue
                if dm is not None:
                    dm.posted = sender.submit(self._post, dm, token, ready.fresh_until)
                    posting.append(dm)
                    self._record(posting, token, now, result, waiting=AHEAD)
        finally:
            while posting:  # the batch in hand is finished, and recorded
                self._record(posting, token, now, result, waiting=0)

    def _prepare(
        self, people: list[tuple[str, str]], groups: dict[tuple[str, str], list[Nudge]], token: str
    ) -> _Ready:
        """Renew the lease on these people's rows and load what their DMs are built from:
        one statement for the lease, one query (per team) for the items, one for the
        escalation times heads-ups mention."""
        nudges = [n for person in people for n in groups[person]]
        fresh_for = min(FRESH, self.lease / 3).total_seconds()
        held = self.outbox.renew([n.id for n in nudges], token, self.clock.now() + self.lease)
        ready = _Ready(time.monotonic() + fresh_for, set(people), held, self.clock.now())
        item_ids: dict[str, set[int]] = defaultdict(set)
        heads_up: dict[str, set[int]] = defaultdict(set)
        for n in nudges:
            if n.id in held and n.item_id is not None:
                item_ids[n.team_id].add(n.item_id)
                kind = self.kinds.dms.get(n.kind)
                if kind is not None and kind.needs_escalation:
                    heads_up[n.team_id].add(n.item_id)
        for team, ids in item_ids.items():
            for item_id, item in self.repo.get_items(team, ids).items():
                ready.items[(team, item_id)] = item
        for team, ids in heads_up.items():
            for item_id, at in self.outbox.first_queued(team, ids, Kind.ESCALATE).items():
                ready.escalations[(team, item_id)] = at
        return ready

    def _build(
        self,
        team: str,
        user: str,
        nudges: list[Nudge],
        token: str,
        now: datetime,
        result: TickResult,
        ready: _Ready,
    ) -> _Dm | None:
        """A person's DM, from their nudges still worth sending (the others are settled
        here: already sent before a crash, stale, or not a message); None if none is left."""
        views: list[NudgeView] = []
        # The end-of-day lists go last: they may re-plan the next one, after the others.
        for n in sorted(nudges, key=lambda n: n.kind == Kind.EOD):
            if n.attempts > 1 and self._already_sent(n, token, now, result):
                continue
            kind = self.kinds.dms.get(n.kind)
            try:
                said = Skip(f"no such kind: {n.kind}") if kind is None else kind.check(n, ready)
                if isinstance(said, Skip):
                    self.outbox.mark_skipped(n.id, token, said.reason)
                    result.skipped += said.counted
                    if said.then is not None:
                        said.then()
                    continue
            except Exception as e:  # one nudge that can't be built never holds the others
                log.exception("building nudge %s for %s failed", n.id, user)
                self._retry(n, token, now, f"could not build it: {type(e).__name__}: {e}", result)
                continue
            views.append(said)
        if not views:
            return None
        eod = next((v.end_of_day for v in reversed(views) if v.end_of_day is not None), None)
        cal = self.workplace.calendar_for(team, user)
        return _Dm(
            team,
            user,
            nudges,
            views,
            eod,
            cal.tz.key,
            summary_of(nudges, views, ready.now, cal),
        )

    def _post(self, dm: _Dm, token: str, fresh_until: float) -> None:
        """In the sender thread: post one DM, recording the outcome on it. A DM that waited
        behind slow ones renews its lease first, and goes without rows no longer held."""
        try:
            if time.monotonic() >= fresh_until:
                ids = [v.nudge_id for v in dm.views]
                held = self.outbox.renew(ids, token, self.clock.now() + self.lease)
                dm.views = [v for v in dm.views if v.nudge_id in held]
                if not any(v.kind == Kind.EOD for v in dm.views):
                    dm.eod = None
                if not dm.views:
                    return
                if dm.catch_up is not None:
                    dm.catch_up = kept_of(dm.catch_up, dm.views)
            self._send(dm)
        except Exception as e:  # recorded by _record, in the dispatching thread
            dm.error = e
        finally:
            dm.finished = time.monotonic()

    def _send(self, dm: _Dm) -> None:
        """Post one DM (in the sender thread). One Slack refuses for what it says (or that
        could not be built) is split and its parts posted one by one, so that only the bad
        one fails, with its reason, and the others still go."""
        try:
            dm.where = self.messenger.send_nudges(
                dm.team, dm.user, dm.views, dm.eod, dm.tz, dm.catch_up
            )
            dm.sent_at = self.clock.now()
        except NotifyError as e:
            if not e.content or len(dm.views) < 2:
                dm.error = e
                return
            log.warning("the DM to %s was refused (%s): sending its parts alone", dm.user, e.reason)
            dm.parts = dm.split()
            for part in dm.parts:
                self._send(part)
        except Exception as e:
            dm.error = e

    def _record(
        self, posting: deque[_Dm], token: str, now: datetime, result: TickResult, waiting: int
    ) -> None:
        """Record the DMs posted so far, several at once (the sent ones in one transaction):
        once more than `waiting` are on their way (then wait for the oldest until half as
        many are left), or once the oldest posted has waited RECORD_WITHIN to be recorded."""
        full = len(posting) > waiting
        if not full and not (posting and _overdue(posting[0])):
            return
        keep = waiting // 2 if full else len(posting)  # not full: take the posted ones only
        done: list[_Dm] = []
        while posting and (posting[0].posted.done() or len(posting) > keep):  # type: ignore[union-attr]
            oldest = posting[0].posted
            assert oldest is not None
            if not oldest.done():
                if done and _overdue(done[0]):
                    break
                wait([oldest], timeout=RECORD_WITHIN)
                continue
            done.append(posting.popleft())
        sent: list[Delivered] = []
        for dm in (leaf for each in done for leaf in each.outcomes()):
            if dm.where is not None and dm.sent_at is not None:
                sent.append(Delivered([v.nudge_id for v in dm.views], *dm.where, dm.sent_at))
                result.sent += len(dm.views)
            elif dm.error is not None:
                self._failed(dm, token, now, result)
        if sent:
            self.outbox.mark_sent_many(token, sent)

    def _failed(self, dm: _Dm, token: str, now: datetime, result: TickResult) -> None:
        e = dm.error
        if not isinstance(e, NotifyError):
            log.error("delivering nudges to %s failed", dm.user, exc_info=e)
            e = NotifyError("internal_error", transient=True)
        by_id = {n.id: n for n in dm.nudges}
        for v in dm.views:
            n = by_id[v.nudge_id]
            if e.transient:
                self._retry(n, token, now, e.reason, result)
            else:
                log.warning("nudge %s to %s failed for good: %s", n.id, dm.user, e.reason)
                self.outbox.mark_failed(n.id, token, e.reason)
                result.failed += 1

    def _already_sent(self, n: Nudge, token: str, now: datetime, result: TickResult) -> bool:
        """A previous attempt may have posted without hearing back (a crash, a timeout): did
        its DM go out? True when this settled the nudge: found (now marked sent), or the
        history could not be read (retried later, since sending blind may DM twice)."""
        try:
            # A previous claim (so its send) was at most COALESCE before the nudge was due.
            found = self.messenger.find_sent(n.team_id, n.recipient_id, n.id, n.due_at - COALESCE)
        except NotifyError as e:
            log.warning("could not check DM history for nudge %s: %s", n.id, e.reason)
            if not e.transient:
                return False  # sending fails the same way and records why
            self._retry(n, token, now, f"could not check the DM history: {e.reason}", result)
            return True
        if found is None:
            return False
        self.outbox.mark_sent(n.id, token, now, *found)
        result.sent += 1
        log.info("nudge %s was already sent before a crash; not sending it again", n.id)
        return True

    def _retry(self, n: Nudge, token: str, now: datetime, error: str, result: TickResult) -> None:
        """A failed attempt: tried again with backoff, given up after MAX_ATTEMPTS failures
        (claims cut short by a crash don't count: they did nothing wrong)."""
        failed = n.failures + 1
        if failed >= MAX_ATTEMPTS:
            log.error(
                "nudge %s to %s gave up after %s failed attempts: %s",
                n.id,
                n.recipient_id,
                failed,
                error,
            )
            self.outbox.mark_failed(n.id, token, f"gave up after {failed} failed attempts: {error}")
            result.failed += 1
            return
        backoff = min(timedelta(seconds=30) * 2 ** (failed - 1), timedelta(minutes=30))
        at = now + backoff * random.uniform(0.8, 1.2)
        log.warning("nudge %s to %s will be retried at %s: %s", n.id, n.recipient_id, at, error)
        self.outbox.retry_later(n.id, token, at, error)
        result.retried += 1
