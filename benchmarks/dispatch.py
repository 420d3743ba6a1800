"""Dispatch throughput: due nudges sent per second by `Dispatcher.tick`, SQLite and PostgreSQL.

Each run seeds N due nudges, every one for an open item of its own (with its contributor
and `created` event, as the bot stores them), spread over some owners; then it calls
`runtime.dispatcher.tick()` until every nudge is recorded as sent. Slack is the fake in
another process on the other core, answering at once; the clock is the real one. Two
shapes: many nudges per owner (they are coalesced into one DM per owner, so few Web API
calls) and one nudge per owner (one DM per nudge, the expensive case). The first tick
includes the cold users.info and conversations.open look-ups, as after a restart.

Run: `uv run python -m benchmarks.dispatch [--nudges 3000] [--users 300 3000] [--quick]`.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
)
from bot.config import Settings
from bot.core.plan import Kind
from bot.runtime import Runtime, build_runtime
from bot.store.models import Nudge

SECRET = "bench-secret"
TARGET = 300.0  # nudges/s


def seed(runtime: Runtime, nudges: int, users: list[str]) -> None:
    """Half before-deadline nudges (deadline in an hour), half missed ones (deadline passed),
    all due within the last ten minutes, in a scrambled order of owners."""
    now = datetime.now(UTC)
    created = now - timedelta(days=2)
    items, rows = [], []
    for i in range(1, nudges + 1):
        owner = users[(i * 7919) % len(users)]
        at = now - timedelta(seconds=(i * 104_729) % 600 + 1)
        if i % 2:
            due, kind, reason = now + timedelta(hours=1), Kind.BEFORE, "before"
        else:
            due, kind, reason = at, Kind.MISSED, "missed"
        items.append(item_row(i, owner, due, created))
        rows.append(nudge_row(i, owner, kind, f"{reason}@{due.isoformat()}", at, created))
    with runtime.repo.engine.begin() as conn:
        insert_items(conn, items)
        insert_nudges(conn, rows)


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


def run(backend: str, fake: dict[str, str], nudges: int, users: list[str]) -> str:
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
            seed(runtime, nudges, users)
            assert queued(runtime) == nudges
            dms = 0
            send = runtime.notifier.send_nudges

            def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
                nonlocal dms
                dms += 1
                return send(*args, **kwargs)

            runtime.notifier.send_nudges = counting  # type: ignore[method-assign]
            sent = ticks = 0
            started = time.perf_counter()
            while sent < nudges:
                result = runtime.dispatcher.tick()
                ticks += 1
                if result.skipped or result.failed or result.retried:
                    raise RuntimeError(f"{backend}: not every nudge was sent: {result}")
                sent += result.sent
                if ticks > 100:
                    raise RuntimeError(f"{backend}: {sent} of {nudges} sent after 100 ticks")
            elapsed = time.perf_counter() - started
            left = queued(runtime)
            assert left == 0, f"{left} nudges still queued"
        finally:
            runtime.close()
    rate = nudges / elapsed
    return (
        f"| {backend} | {nudges:,} | {len(users):,} | {dms:,} | {ticks} | {elapsed:.2f} "
        f"| **{rate:,.0f}** | {dms / elapsed:,.0f} | {'yes' if rate >= TARGET else 'NO'} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nudges", type=int, default=3000)
    parser.add_argument(
        "--users", type=int, nargs="+", default=[300, 3000], help="owners per run (one run each)"
    )
    parser.add_argument("--quick", action="store_true", help="300 nudges over 30 and 300 owners")
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
    pin(APP_CPU)
    everyone = user_ids(max(args.users))
    fake_proc, fake = start_fake(everyone)
    try:
        print(
            "| backend | nudges | owners | DMs | ticks | seconds | nudges/s | DMs/s "
            f"| ≥ {TARGET:.0f} nudges/s |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for users in args.users:
            for backend in backends:
                print(run(backend, fake, args.nudges, everyone[:users]), flush=True)
    finally:
        stop_fake(fake_proc)


if __name__ == "__main__":
    main()
