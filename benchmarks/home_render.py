"""App Home render time: 500 open items for one person, on SQLite and PostgreSQL.

Times what publishing a Home tab costs the bot, without the Web API call: gathering the
person's items (a light query over all their open items, sorted into sections in Python,
then the few shown loaded in full), the watched channels, for the lead the team's load per
owner, each owner's first items, this week's numbers (computed afresh each run, though
the bot reuses them for a minute) and away cover, and rendering the Block Kit view. The database holds,
besides the person's 500 open items (spread over due today, overdue, replies owed,
backlog and coming up), 30 teammates with 50 open items each and a history of 5,000
closed items. Median and p95 of `--runs` runs, after a warm-up; the target is 200 ms.

Also times `HomeWatch.changed()`, which the planner calls after every change (the
client-message ingest path calls it hundreds of times a second).

Run: `uv run python -m benchmarks.home_render [--runs 50] [--items 500]`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.common import (
    APP_CPU,
    CHANNEL,
    TEAM,
    insert_items,
    item_row,
    pg_reachable,
    pin,
    temp_postgres,
    warn_if_busy,
)
from bot.clock import FrozenClock
from bot.config import Defaults
from bot.slack.blocks.home import render_home
from bot.store.db import make_engine, migrate
from bot.store.repo import Repo
from bot.usecases.coverage import Coverage
from bot.usecases.digest import Digests
from bot.usecases.home import Home, HomeData, HomeWatch
from bot.usecases.planner import Planner
from bot.usecases.ports import Person
from bot.usecases.workplace import Workplace

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=NY)  # a Tuesday morning
LEAD = "U0LEAD00"
OWNER = "U0OWNER0"
TARGET_MS = 200.0


class Directory:
    def person(self, team_id: str, user_id: str) -> Person:
        return Person(id=user_id, tz="America/New_York")


class Screen:
    def publish(self, team_id: str, user_id: str, data: HomeData) -> None:
        """Measured without Slack: rendering is timed on its own."""


def seed(url: str, items: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    rows: list[dict[str, Any]] = []
    created = (NOW - timedelta(days=60)).astimezone(UTC)
    offsets = [  # where one person's open items fall, relative to now
        lambda n: timedelta(hours=1, minutes=n % 400),  # due later today
        lambda n: -timedelta(minutes=10 + n % 900),  # overdue since yesterday morning
        lambda n: timedelta(hours=7),  # replies owed today (kind set below)
        lambda n: -timedelta(days=3 + n % 300),  # the backlog
        lambda n: timedelta(days=2 + n % 40),  # coming up
    ]
    next_id = 1
    for person in (LEAD, OWNER):
        for n in range(items):
            row = item_row(next_id, person, NOW + offsets[n % 5](n), created)
            if n % 5 == 2:
                row["kind"] = "reply"
            rows.append(row)
            next_id += 1
    for k in range(30):
        for n in range(50):
            rows.append(item_row(next_id, f"U0TEAM{k:02d}", NOW + timedelta(hours=n - 25), created))
            next_id += 1
    for n in range(5000):
        rows.append(
            item_row(next_id, f"U0TEAM{n % 30:02d}", NOW - timedelta(days=n % 90), created, "done")
        )
        next_id += 1
    for row in rows:
        row["due_at"] = row["due_at"].astimezone(UTC)
        row["original_due_at"] = row["due_at"]
    with engine.begin() as conn:
        insert_items(conn, rows)
    repo = Repo(engine)
    for c in range(3):
        repo.channels.watch(TEAM, f"{CHANNEL}{c}", f"Client {c}", OWNER, [], NOW)
    engine.dispose()


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    fn()  # warm-up: caches, prepared statements
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def measure(backend: str, url: str, runs: int, items: int) -> list[tuple[str, ...]]:
    seed(url, items)
    engine = make_engine(url)
    repo = Repo(engine)
    defaults = Defaults(timezone="America/New_York", lead=LEAD)
    clock = FrozenClock(NOW)
    # As the runtime builds them: the lead's Home shows this week's numbers and away cover.
    workplace = Workplace(repo.settings, defaults, Directory())
    planner = Planner(repo, workplace, clock)
    coverage = Coverage(repo, workplace, planner, clock)
    digests = Digests(repo, workplace, None, clock)  # type: ignore[arg-type]
    home = Home(repo, workplace, digests, coverage, Screen(), clock)

    def view_of(who: str) -> dict[str, Any]:
        home._numbers.clear()  # the worst case: this week's figures computed afresh
        return render_home(home.data(TEAM, who))

    rows = []
    for who, label in ((OWNER, "owner"), (LEAD, "lead (+ team of 30, week's numbers)")):
        view = view_of(who)
        assert len(view["blocks"]) <= 100, len(view["blocks"])
        med, p95 = timed(lambda who=who: view_of(who), runs)  # type: ignore[misc]
        data = home.data(TEAM, who)
        render_med, _ = timed(lambda data=data: render_home(data), runs)  # type: ignore[misc]
        ok = "yes" if med <= TARGET_MS else "NO"
        rows.append(
            (
                backend,
                label,
                str(items),
                str(len(view["blocks"])),
                f"{med:.1f}",
                f"{p95:.1f}",
                f"{render_med:.1f}",
                ok,
            )
        )
    watch = HomeWatch()
    watch.opened(TEAM, OWNER)
    n = 200_000
    started = time.perf_counter()
    for _ in range(n):
        watch.changed(TEAM, OWNER)
    per_call_us = (time.perf_counter() - started) / n * 1e6
    rows.append((backend, "HomeWatch.changed()", "", "", f"{per_call_us:.2f} µs", "", "", ""))
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--items", type=int, default=500)
    args = parser.parse_args()
    pin(APP_CPU)
    warn_if_busy()
    results: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as tmp:
        results += measure("SQLite", f"sqlite:///{Path(tmp) / 'home.db'}", args.runs, args.items)
    why = pg_reachable()
    if why is None:
        with temp_postgres() as url:
            results += measure("PostgreSQL", url, args.runs, args.items)
    else:
        print(f"PostgreSQL skipped: {why}")
    print(
        "| backend | Home of | open items | blocks | gather + render, median ms | p95 ms "
        "| render alone ms | ≤ 200 ms |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for row in results:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
