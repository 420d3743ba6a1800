"""Digest render time with 10,000 loops closed in the period, on PostgreSQL and SQLite.

Seeds a workspace whose last day holds `--closed` items closed as done (70% promises, a
third of them with a helper and some renegotiated or late; 30% client messages answered,
across 60 clients and 40 people), on top of `--history` older closed items and 2,000 open
ones. Then times, median of `--runs` runs, what the dispatcher does for one digest:

- load: the period's closed items and their people, and the open/overdue counts
  (`StatsStore.facts`: three queries);
- compute: `bot.core.stats.numbers` (on time, percentiles, SLA, thanks, grouping) and the
  weekly chart's per-day series (`by_day`);
- render: the Block Kit message (`bot.slack.blocks.digest.digest_message`), checked
  against Slack's limits by the fake's Block Kit validator.

The chart's PNG is drawn in a child process (`bot.chart`) once a week and is timed apart.

Run: `uv run python -m benchmarks.digest_render [--closed 10000] [--history 90000] [--runs 15]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from benchmarks.common import (
    APP_CPU,
    TEAM,
    add_backend_options,
    insert_items,
    item_row,
    on_each_backend,
    pin,
    user_ids,
    warn_if_busy,
)
from bot.core.stats import by_day, numbers
from bot.store.db import make_engine, migrate
from bot.store.models import Contributor
from bot.store.repo import Repo
from tests.fakeslack.blockkit import blocks_errors

TARGET_MS = 200.0
TZ = "America/New_York"
UNTIL = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # Tue 17:00 in New York
SINCE = UNTIL - timedelta(days=1)
PEOPLE = 40
CLIENTS = 60


def closed_rows(
    count: int, first_id: int, start: datetime, span: timedelta
) -> list[dict[str, Any]]:
    """`count` items closed evenly over [start, start + span)."""
    users = user_ids(PEOPLE)
    rows = []
    for k in range(count):
        item_id = first_id + k
        closed = start + span * (k + 0.5) / count
        owner = users[k % PEOPLE]
        reply = k % 10 < 3
        created = closed - timedelta(minutes=5 + (k * 37) % 240)
        due = closed + timedelta(minutes=60 - (k * 13) % 90)  # about one in three late
        row = item_row(item_id, owner, due, created, status="done")
        row.update(
            kind="reply" if reply else "promise",
            client=f"Client {k % CLIENTS:02d}",
            closed_at=closed,
            closed_by=users[(k + 1) % PEOPLE] if reply else owner,
            first_reply_at=closed if reply else None,
            moved_in_advance=1 if not reply and k % 17 == 0 else 0,
        )
        if row["moved_in_advance"]:
            row["original_due_at"] = due - timedelta(hours=2)
        rows.append(row)
    return rows


def seed(url: str, closed: int, history: int) -> Repo:
    engine = make_engine(url)
    migrate(engine)
    users = user_ids(PEOPLE)
    old = closed_rows(history, 1, SINCE - timedelta(days=365), timedelta(days=364))
    period = closed_rows(closed, history + 1, SINCE, timedelta(days=1))
    open_rows = [
        item_row(
            history + closed + 1 + k, users[k % PEOPLE], UNTIL + timedelta(hours=k % 48 - 8), SINCE
        )
        for k in range(2000)
    ]
    for row in open_rows:
        row["first_reply_at"] = None  # one shape for every row of the bulk insert
    with engine.begin() as conn:
        insert_items(conn, old + period + open_rows)
        helpers = [
            {
                "team_id": TEAM,
                "item_id": r["id"],
                "user_id": users[(i + 3) % PEOPLE],
                "role": "helper",
            }
            for i, r in enumerate(period)
            if r["kind"] == "promise" and i % 3 == 0
        ]
        conn.execute(insert(Contributor), helpers)
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
    return Repo(engine)


def one_digest(repo: Repo) -> tuple[dict[str, float], dict[str, Any], int]:
    from bot.slack.blocks.digest import digest_message

    cpu = time.process_time()
    t0 = time.perf_counter()
    facts = repo.stats.facts(TEAM, SINCE, UNTIL, UNTIL)
    t1 = time.perf_counter()
    n = numbers(facts, SINCE, UNTIL)
    by_day(facts.closed, SINCE, UNTIL, TZ)
    t2 = time.perf_counter()
    message = digest_message(n, TZ, 1, weekly=True)
    t3 = time.perf_counter()
    ms = {"load": (t1 - t0) * 1000, "compute": (t2 - t1) * 1000, "render": (t3 - t2) * 1000}
    ms["total"] = sum(ms.values())
    ms["cpu"] = (time.process_time() - cpu) * 1000  # this process only: less sensitive to
    # other work on the machine than the wall-clock total (the database server's is not in it)
    return ms, message, n.closed


def measure(backend: str, url: str, closed: int, history: int, runs: int) -> dict[str, Any]:
    repo = seed(url, closed, history)
    one_digest(repo)  # warm up: connections, statement caches
    samples = []
    for _ in range(runs):
        ms, message, counted = one_digest(repo)
        samples.append(ms)
    assert counted == closed, (counted, closed)
    errors = blocks_errors(message["blocks"])
    assert not errors, errors
    repo.engine.dispose()
    med = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
    return {"backend": backend, "closed": counted, "blocks": len(message["blocks"]), **med}


def chart_seconds() -> float:
    from bot.chart import render

    repo_days = by_day([], UNTIL - timedelta(days=7), UNTIL, TZ)
    t = time.perf_counter()
    png = render(repo_days, "benchmark")
    assert png.startswith(b"\x89PNG")
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--closed", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=90_000)
    parser.add_argument("--runs", type=int, default=15)
    add_backend_options(parser)
    args = parser.parse_args()
    warn_if_busy()
    pin(APP_CPU)
    results = on_each_backend(
        args,
        lambda backend, url: measure(backend, url, args.closed, args.history, args.runs),
    )
    print(f"\nmedian of {args.runs} runs; {args.history:,} older closed items, 2,000 open\n")
    print(
        "| backend | closed in period | load ms | compute ms | render ms | total ms "
        "| bot CPU ms | blocks |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['backend']} | {r['closed']:,} | {r['load']:.1f} | {r['compute']:.1f} | "
            f"{r['render']:.1f} | **{r['total']:.1f}** | {r['cpu']:.1f} | {r['blocks']} |"
        )
    print(f"\nweekly chart (child process, matplotlib): {chart_seconds():.2f} s")
    failing = [r["backend"] for r in results if r["total"] > TARGET_MS]
    print(
        f"target ≤ {TARGET_MS:.0f} ms: "
        + ("met" if not failing else f"NOT met on {', '.join(failing)}")
    )


if __name__ == "__main__":
    main()
