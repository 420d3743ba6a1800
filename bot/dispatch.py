"""Claim due nudges, send them, record what happened: the outbox's only consumer.

Claim in one short transaction with a lease, send outside it, then mark. A row whose lease
ran out (its claimer crashed) is checked against the DM history before it is sent again,
so a crash between send and mark does not produce a second DM. Nudges for one person that
are due within a few minutes of each other go out as one DM.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.core.plan import Kind
from bot.ports import EndOfDay, Messenger, NotifyError, NudgeView
from bot.store.models import Item, Nudge
from bot.store.outbox import Outbox
from bot.store.repo import Repo

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
COALESCE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKLOG_SHOWN = 3
DIGEST_KINDS = (Kind.DIGEST, Kind.WEEKLY)


@dataclass
class TickResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0


class Dispatcher:
    def __init__(  # type: ignore[no-untyped-def]
        self,
        repo: Repo,
        outbox: Outbox,
        messenger: Messenger,
        service,
        clock: Clock,
        lease: timedelta = LEASE,
        digests=None,  # bot.digest.Digests: posts the digest rows, plans the next ones
    ) -> None:
        self.digests = digests
        self.lease = lease
        self._stopping = threading.Event()
        self.repo = repo
        self.outbox = outbox
        self.messenger = messenger
        self.service = service  # calendars and re-planning (bot.service.Service)
        self.clock = clock

    def stop(self) -> None:
        """Finish the batch in hand, then stop (shutdown must not wait on a busy queue)."""
        self._stopping.set()

    def tick(self, limit: int = 200) -> TickResult:
        """Send everything due now; returns what happened (for logs, tests and benchmarks)."""
        result = TickResult()
        if self.digests is not None:
            self.digests.ensure_all()  # cheap once queued; never raises
        while not self._stopping.is_set():
            now = self.clock.now()
            token = str(uuid.uuid4())
            claimed = self.outbox.claim_due(now, now + self.lease, token, limit)
            if not claimed:
                return result
            groups: dict[tuple[str, str], list[Nudge]] = defaultdict(list)
            for n in claimed:
                groups[(n.team_id, n.recipient_id)].append(n)
            for (team, user), nudges in groups.items():
                nudges += self.outbox.claim_recipient(
                    team, user, now + COALESCE, now, now + self.lease, token
                )
                # Working through a batch can outlast the lease (Slack slow or rate limiting):
                # renew it per person just before sending, and drop rows another process
                # took over meanwhile, or both would send them.
                held = self.outbox.renew(
                    [n.id for n in nudges], token, self.clock.now() + self.lease
                )
                nudges = [n for n in nudges if n.id in held]
                if not nudges:
                    continue
                try:
                    if self.digests is not None and nudges[0].kind in DIGEST_KINDS:
                        # a channel's digests: `user` is the channel
                        self.digests.deliver(team, user, nudges, token, now, result, self._retry)
                    else:
                        self._deliver(team, user, nudges, token, now, result)
                except Exception:  # one failing person never blocks the others
                    log.exception("delivering nudges to %s failed", user)
                    for n in nudges:
                        self._retry(n, token, now, "internal_error", result)

    def _deliver(
        self,
        team: str,
        user: str,
        nudges: list[Nudge],
        token: str,
        now: datetime,
        result: TickResult,
    ) -> None:
        views: list[NudgeView] = []
        eod: EndOfDay | None = None
        eod_nudges: list[Nudge] = []
        for n in nudges:
            if n.attempts > 1 and self._already_sent(n, token, now, result):
                continue
            if n.kind == Kind.EOD:
                eod_nudges.append(n)
                continue
            item = self.repo.get_item(team, n.item_id) if n.item_id is not None else None
            if n.kind == Kind.COVERAGE:  # away coverage: what falls due while they're away
                coverage = self.service.coverage.view(team, n)
                if isinstance(coverage, str):
                    self.outbox.mark_skipped(n.id, token, coverage)
                    result.skipped += 1
                else:
                    views.append(coverage)
                continue
            if n.kind == Kind.QUIET:
                quiet = self.service.inbox.quiet_view(team, n.id, n.key)
                if isinstance(quiet, str):
                    self.outbox.mark_skipped(n.id, token, quiet)
                    result.skipped += 1
                else:
                    views.append(quiet)
                continue
            if n.kind == Kind.RESUME:  # not a message: the wait on the client is over
                self.outbox.mark_skipped(n.id, token, "the wait ended; the clock runs again")
                if item is not None:
                    self.service.resume(item)
                continue
            why_not = self._stale(n, item, now)
            if why_not:
                self.outbox.mark_skipped(n.id, token, why_not)
                result.skipped += 1
                continue
            views.append(NudgeView(n.id, n.kind, item, self._escalates_at(team, n, item)))
        for n in eod_nudges:
            why_not, content = self._end_of_day(team, user, n, now)
            if why_not:
                self.outbox.mark_skipped(n.id, token, why_not)
                result.skipped += 1
            else:
                eod = content
                views.append(NudgeView(n.id, n.kind))
            self.service.ensure_eod(team, user, catch_up=why_not is not None)
        if not views:
            return
        tz = self.service.calendar_for(team, user).tz.key
        try:
            channel, ts = self.messenger.send_nudges(team, user, views, eod, tz)
        except NotifyError as e:
            for v in views:
                n = next(x for x in nudges if x.id == v.nudge_id)
                if e.transient:
                    self._retry(n, token, now, e.reason, result)
                else:
                    log.warning("nudge %s to %s failed for good: %s", n.id, user, e.reason)
                    self.outbox.mark_failed(n.id, token, e.reason)
                    result.failed += 1
            return
        for v in views:
            self.outbox.mark_sent(v.nudge_id, token, self.clock.now(), channel, ts)
            result.sent += 1

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

    def _stale(self, n: Nudge, item: Item | None, now: datetime) -> str | None:
        """Why a nudge is no longer worth sending, or None when it still is."""
        if item is None:
            return "the item is gone"
        if n.kind == Kind.FOLLOW_UP:
            return None if item.status == "done" else "the item is not done"
        if item.status != "open":
            return f"the item is {item.status}"
        if n.kind in (Kind.BEFORE, Kind.SNOOZED) and now >= item.due_at:
            return "the deadline passed before it could be sent"
        return None

    def _escalates_at(self, team: str, n: Nudge, item: Item | None) -> datetime | None:
        if n.kind != Kind.HEADS_UP or item is None:
            return None
        for other in self.outbox.for_item(team, item.id):
            if other.kind == Kind.ESCALATE and other.status == "queued":
                return other.due_at
        return None

    def _end_of_day(
        self, team: str, user: str, n: Nudge, now: datetime
    ) -> tuple[str | None, EndOfDay | None]:
        cal = self.service.calendar_for(team, user)
        day = cal.today(n.due_at)
        if now >= cal.end_of_day_on(day):
            return "the working day was over before it could be sent", None
        start, end = cal.start_of_day_on(day), cal.end_of_day_on(day)
        due_today: list[Item] = []
        replies: list[Item] = []
        backlog: list[Item] = []
        for item in self.repo.open_items(team, owner_id=user, limit=1000):
            if start <= item.due_at <= end:
                (replies if item.kind == "reply" else due_today).append(item)
            elif item.due_at < start:
                backlog.append(item)
        backlog.sort(key=lambda i: i.due_at, reverse=True)  # start where you are: newest first
        content = EndOfDay(
            due_today, replies, backlog[:BACKLOG_SHOWN], max(0, len(backlog) - BACKLOG_SHOWN)
        )
        if content.empty():
            return "nothing to say", None
        return None, content

    def _retry(self, n: Nudge, token: str, now: datetime, error: str, result: TickResult) -> None:
        if n.attempts >= MAX_ATTEMPTS:
            log.error(
                "nudge %s to %s gave up after %s attempts: %s",
                n.id,
                n.recipient_id,
                n.attempts,
                error,
            )
            self.outbox.mark_failed(n.id, token, f"gave up after {n.attempts} attempts: {error}")
            result.failed += 1
            return
        backoff = min(timedelta(seconds=30) * 2 ** (n.attempts - 1), timedelta(minutes=30))
        at = now + backoff * random.uniform(0.8, 1.2)
        log.warning("nudge %s to %s will be retried at %s: %s", n.id, n.recipient_id, at, error)
        self.outbox.retry_later(n.id, token, at, error)
        result.retried += 1
