"""Dispatch throughput: due nudges sent per second by `Dispatcher.tick`, SQLite and PostgreSQL.

Each run seeds N due nudges, every one for an open item of its own (with its contributor
and `created` event, as the bot stores them), spread over some owners, and runs ANALYZE;
then it calls `runtime.dispatcher.tick()` until every nudge is recorded as sent. Slack is
the fake in another process on the other core, answering at once; the clock is the real
one. Two shapes: many nudges per owner (coalesced into one DM per owner, so few Web API
calls) and one nudge per owner (one DM per nudge, the expensive case). Each shape runs
twice on one runtime: cold (just started, so every owner costs a users.info and a
conversations.open call) and warm (a second batch for the same owners, those cached).

`--phases` also prints where the time went (wall time inside each step, summed; the DMs
are posted by a sender thread while the dispatching thread builds the next ones and records
the sent ones, so those steps overlap). "app CPU" is this process's CPU time per nudge, all
threads: less sensitive than nudges/s to other processes keeping the machine busy. First, as
a reference, how fast the fake answers chat.postMessage alone, one call after another: DMs
go out one after another, so with one nudge per DM that is the ceiling.

Run: `uv run python -m benchmarks.dispatch [--nudges 3000] [--users 300 3000] [--quick]`.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.common import (
    APP_CPU,
    insert_items,
    insert_nudges,
    item_row,
    nudge_row,
    pg_reachable,
    pin,
    start_fake,
    stop_fake,
    temp_postgres,
    user_ids,
    warn_if_busy,
)
from bot.config import Settings
from bot.core.plan import Kind
from bot.runtime import Runtime, build_runtime
from bot.slack.client import build_web_client
from bot.store.models import Nudge

SECRET = "bench-secret"
TARGET = 300.0  # nudges/s
LIMIT = 200  # Dispatcher.tick's default
DM = "DM sent (all of notifier.send_nudges)"


def seed(runtime: Runtime, nudges: int, users: list[str], first: int = 1) -> None:
    """Half before-deadline nudges (deadline in an hour), half missed ones (deadline passed),
    all due within the last ten minutes, in a scrambled order of owners; item IDs from
    `first` on."""
    now = datetime.now(UTC)
    created = now - timedelta(days=2)
    items, rows = [], []
    for i in range(first, first + nudges):
        owner = users[(i * 7919) % len(users)]
        at = now - timedelta(seconds=(i * 104_729) % 600 + 1)
        if i % 2:
            due, kind, reason = now + timedelta(hours=1), Kind.BEFORE, "before"
        else:
            due, kind, reason = at, Kind.MISSED, "missed"
        items.append(item_row(i, owner, due, created))
        rows.append(nudge_row(i, owner, kind, f"{reason}@{due.isoformat()}", at, created))
    engine = runtime.repo.engine
    with engine.begin() as conn:
        insert_items(conn, items)
        insert_nudges(conn, rows)
    with engine.connect() as conn:  # statistics, as autovacuum would soon gather them
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def queued(runtime: Runtime) -> int:
    with runtime.repo.engine.connect() as conn:
        return int(
            conn.scalar(select(func.count()).select_from(Nudge).where(Nudge.status == "queued"))
            or 0
        )


@contextlib.contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "SQLite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'promise-bot.db'}"
    else:
        with temp_postgres() as url:
            yield url


class Phases:
    """Wall time spent inside chosen methods of one runtime (wrapped on the instances)."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.largest_claim = 0
        self.threads: defaultdict[str, set[str]] = defaultdict(set)
        self._lock = threading.Lock()
        self._wrapped: list[tuple[Any, str]] = []

    def wrap(self, obj: Any, name: str, label: str) -> None:
        inner: Callable[..., Any] = getattr(obj, name)
        self._wrapped.append((obj, name))

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds[label] += time.perf_counter() - started
                    self.calls[label] += 1
                    thread = threading.current_thread() is threading.main_thread()
                    self.threads[label].add("tick" if thread else "sender")

        setattr(obj, name, timed)

    def watch(self, runtime: Runtime, detailed: bool) -> None:
        outbox = runtime.repo.outbox
        claim_batch = outbox.claim_batch

        def claiming(*args: Any, **kwargs: Any) -> Any:
            claimed = claim_batch(*args, **kwargs)
            self.largest_claim = max(self.largest_claim, len(claimed))
            return claimed

        outbox.claim_batch = claiming  # type: ignore[method-assign]
        self._wrapped.append((outbox, "claim_batch"))
        self.wrap(runtime.notifier, "send_nudges", DM)
        if not detailed:
            return
        for name in ("claim_batch", "renew", "mark_sent", "mark_sent_many", "first_queued"):
            self.wrap(outbox, name, f"outbox.{name}")
        for name in ("get_item", "get_items"):
            self.wrap(runtime.repo, name, f"repo.{name}")
        self.wrap(runtime.workplace, "calendar_for", "workplace.calendar_for")
        self.wrap(runtime.directory, "_fetch", "  of which users.info (not cached yet)")
        self.wrap(runtime.notifier, "dm_channel", "notifier.dm_channel")
        self.wrap(
            runtime.client, "conversations_open", "  of which conversations.open (not cached yet)"
        )
        self.wrap(runtime.client, "chat_postMessage", "chat.postMessage")

    def unwatch(self, runtime: Runtime) -> None:
        """Back to the methods themselves (instance attributes removed)."""
        for obj, name in reversed(self._wrapped):
            with contextlib.suppress(AttributeError):
                delattr(obj, name)

    def table(self, title: str, total: float) -> str:
        lines = [
            f"\n{title}: {total:.2f} s in tick() (steps in the sender thread overlap the "
            "others: shares add up to more than 100%)\n",
            "| step | thread | calls | ms per call | share of the time |",
            "|---|---|---:|---:|---:|",
        ]
        for label, seconds in self.seconds.most_common():
            calls = self.calls[label]
            lines.append(
                f"| {label} | {', '.join(sorted(self.threads[label]))} | {calls:,} "
                f"| {seconds * 1000 / calls:.2f} | {seconds / total * 100:.0f}% |"
            )
        return "\n".join(lines)


def fake_ceiling(fake: dict[str, str], user: str, calls: int = 300) -> float:
    """chat.postMessage calls per second the fake answers, one after another, with nothing
    else going on: the most one-DM-per-nudge dispatching can reach, DMs being sent in order."""
    client = build_web_client(fake["bot_token"], fake["api_url"])
    channel = client.conversations_open(users=user)["channel"]["id"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*#1* send the deck"}}]
    started = time.perf_counter()
    for k in range(calls):
        client.chat_postMessage(
            channel=channel,
            text="send the deck",
            blocks=blocks,
            metadata={"event_type": "bench", "event_payload": {"nudges": str(k)}},
        )
    return calls / (time.perf_counter() - started)


def send_all(runtime: Runtime, backend: str, nudges: int) -> tuple[float, int, float]:
    """Tick until `nudges` are sent; returns the seconds it took, the number of ticks and
    the CPU seconds this process used meanwhile (all its threads)."""
    sent = ticks = 0
    started, cpu = time.perf_counter(), time.process_time()
    while sent < nudges:
        result = runtime.dispatcher.tick(LIMIT)
        ticks += 1
        if result.skipped or result.failed or result.retried:
            raise RuntimeError(f"{backend}: not every nudge was sent: {result}")
        sent += result.sent
        if ticks > 100:
            raise RuntimeError(f"{backend}: {sent} of {nudges} sent after 100 ticks")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    left = queued(runtime)
    assert left == 0, f"{left} nudges still queued"
    return elapsed, ticks, cpu


def run(
    backend: str, fake: dict[str, str], nudges: int, users: list[str], detailed: bool
) -> list[tuple[str, str]]:
    """Two passes on one runtime: cold (just started: no users.info or DM channel cached
    yet), then warm (the same owners again, their look-ups cached, as in steady state)."""
    out = []
    with database(backend) as url:
        settings = Settings(
            bot_token=fake["bot_token"],
            signing_secret=SECRET,
            database_url=url,
            slack_api_url=fake["api_url"],
            log_level="WARNING",
        )
        runtime = build_runtime(settings)
        try:
            for n, caches in enumerate(("cold", "warm")):
                seed(runtime, nudges, users, first=1 + n * nudges)
                assert queued(runtime) == nudges
                phases = Phases()
                phases.watch(runtime, detailed)
                elapsed, ticks, cpu = send_all(runtime, backend, nudges)
                phases.unwatch(runtime)
                rate = nudges / elapsed
                dms = phases.calls[DM]
                claim = f"{phases.largest_claim:,}"
                row = (
                    f"| {backend} | {nudges:,} | {len(users):,} | {caches} | {dms:,} | {ticks} "
                    f"| {claim} | {elapsed:.2f} | {cpu * 1000 / nudges:.2f} "
                    f"| **{rate:,.0f}** | {dms / elapsed:,.0f} "
                    f"| {'yes' if rate >= TARGET else 'NO'} |"
                )
                title = f"{backend}, {nudges:,} nudges for {len(users):,} owners, {caches}"
                out.append((row, phases.table(title, elapsed)))
        finally:
            runtime.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nudges", type=int, default=3000)
    parser.add_argument(
        "--users", type=int, nargs="+", default=[300, 3000], help="owners per run (one run each)"
    )
    parser.add_argument("--quick", action="store_true", help="300 nudges over 30 and 300 owners")
    parser.add_argument("--phases", action="store_true", help="also show where the time went")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.nudges, args.users = 300, [30, 300]
    backends = ["SQLite"]
    if not args.no_postgres:
        why = pg_reachable()
        if why:
            raise SystemExit(f"PostgreSQL is not reachable ({why}); use --no-postgres")
        backends.append("PostgreSQL")
    warn_if_busy()
    pin(APP_CPU)
    everyone = user_ids(max(args.users))
    fake_proc, fake = start_fake(everyone)
    breakdowns = []
    try:
        print(
            f"The fake Slack alone answers {fake_ceiling(fake, everyone[0]):,.0f} "
            "chat.postMessage calls/s one after another (the ceiling for one DM per nudge).\n"
        )
        print(
            "| backend | nudges | owners | Slack look-ups | DMs | ticks | largest claim "
            "(due + coalesced) | seconds | app CPU ms per nudge "
            f"| nudges/s | DMs/s | ≥ {TARGET:.0f} nudges/s |"
        )
        print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for users in args.users:
            for backend in backends:
                for row, breakdown in run(
                    backend, fake, args.nudges, everyone[:users], args.phases
                ):
                    print(row, flush=True)
                    breakdowns.append(breakdown)
    finally:
        stop_fake(fake_proc)
    if args.phases:
        print("\n".join(breakdowns))


if __name__ == "__main__":
    main()
