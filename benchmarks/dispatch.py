"""Dispatch throughput: due nudges sent per second by `Dispatcher.tick`, SQLite and PostgreSQL.

Each run seeds N due nudges, every one for an open item of its own (with its contributor
and `created` event, as the bot stores them), spread over some owners, and runs ANALYZE;
then it calls `runtime.dispatcher.tick()` until every nudge is recorded as sent. Slack is
the fake in another process on the other core, answering at once; the clock is the real
one. Two shapes: many nudges per owner (coalesced into one DM per owner, so few Web API
calls) and one nudge per owner (one DM per nudge, the expensive case). Each shape runs
twice on one runtime: cold (just started, so every owner costs a users.info and a
conversations.open call) and warm (a second batch for the same owners, those cached).

`--phases` also prints where the time went (wall time inside each step, summed).

Run: `uv run python -m benchmarks.dispatch [--nudges 3000] [--users 300 3000] [--quick]`.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections import Counter
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
        self._wrapped: list[tuple[Any, str]] = []

    def wrap(self, obj: Any, name: str, label: str) -> None:
        inner: Callable[..., Any] = getattr(obj, name)
        self._wrapped.append((obj, name))

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1

        setattr(obj, name, timed)

    def watch(self, runtime: Runtime, detailed: bool) -> None:
        outbox = runtime.repo.outbox
        claim_due = outbox.claim_due

        def claiming(*args: Any, **kwargs: Any) -> Any:
            claimed = claim_due(*args, **kwargs)
            self.largest_claim = max(self.largest_claim, len(claimed))
            return claimed

        outbox.claim_due = claiming  # type: ignore[method-assign]
        self._wrapped.append((outbox, "claim_due"))
        self.wrap(runtime.notifier, "send_nudges", DM)
        if not detailed:
            return
        for name in ("claim_due", "claim_recipient", "renew", "mark_sent"):
            if hasattr(outbox, name):
                self.wrap(outbox, name, f"outbox.{name}")
        self.wrap(runtime.repo, "get_item", "repo.get_item")
        self.wrap(runtime.service, "calendar_for", "service.calendar_for")
        self.wrap(runtime.service.directory, "_fetch", "  of which users.info (not cached yet)")
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
            f"\n{title}: {total:.2f} s in tick()\n",
            "| step | calls | ms per call | share of the time |",
            "|---|---:|---:|---:|",
        ]
        for label, seconds in self.seconds.most_common():
            calls = self.calls[label]
            lines.append(
                f"| {label} | {calls:,} | {seconds * 1000 / calls:.2f} "
                f"| {seconds / total * 100:.0f}% |"
            )
        return "\n".join(lines)


def send_all(runtime: Runtime, backend: str, nudges: int) -> tuple[float, int]:
    """Tick until `nudges` are sent; returns the seconds it took and the number of ticks."""
    sent = ticks = 0
    started = time.perf_counter()
    while sent < nudges:
        result = runtime.dispatcher.tick(LIMIT)
        ticks += 1
        if result.skipped or result.failed or result.retried:
            raise RuntimeError(f"{backend}: not every nudge was sent: {result}")
        sent += result.sent
        if ticks > 100:
            raise RuntimeError(f"{backend}: {sent} of {nudges} sent after 100 ticks")
    elapsed = time.perf_counter() - started
    left = queued(runtime)
    assert left == 0, f"{left} nudges still queued"
    return elapsed, ticks


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
                elapsed, ticks = send_all(runtime, backend, nudges)
                phases.unwatch(runtime)
                rate = nudges / elapsed
                dms = phases.calls[DM]
                claim = f"{phases.largest_claim}"
                if phases.largest_claim > LIMIT:
                    claim += " (> LIMIT)"
                row = (
                    f"| {backend} | {nudges:,} | {len(users):,} | {caches} | {dms:,} | {ticks} "
                    f"| {claim} | {elapsed:.2f} | **{rate:,.0f}** | {dms / elapsed:,.0f} "
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
            "| backend | nudges | owners | Slack look-ups | DMs | ticks | largest claim | seconds "
            f"| nudges/s | DMs/s | ≥ {TARGET:.0f} nudges/s |"
        )
        print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")
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
