"""The due-scan of one tick with 1,000,000 stored nudges, on PostgreSQL and SQLite.

The table holds a realistic history: mostly sent nudges, some cancelled, skipped and
failed ones, and 1% queued, of which a few hundred are due now and the rest planned for
the next 30 days; four nudges per item. After ANALYZE it times, median of many runs:

- the SELECT of `Outbox.claim_due` (queued, due, soonest first, LIMIT, and on PostgreSQL
  FOR UPDATE SKIP LOCKED), and
- the whole claim, `Outbox.claim_due` itself (UPDATE … RETURNING the claimed rows, ORM
  objects included), in a transaction that is rolled back after each run,

and prints the plans (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS); SQLite: EXPLAIN QUERY
PLAN), checks that they use ix_nudges_status_next_at and that the claim takes no more
rows than its LIMIT. On PostgreSQL it also runs the claim once on a fresh table whose
statistics have not been gathered yet, as right after a deployment or a bulk import.

Run: `uv run python -m benchmarks.due_scan [--rows 1000000] [--due 300] [--runs 50] [--quick]`.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, func, insert, select, text
from sqlalchemy.orm import sessionmaker

from benchmarks.common import (
    APP_CPU,
    add_backend_options,
    insert_items,
    item_row,
    nudge_row,
    on_each_backend,
    pin,
    temp_postgres,
    user_ids,
    warn_if_busy,
)
from bot.core.plan import Kind
from bot.store.db import make_engine, migrate
from bot.store.models import Nudge
from bot.store.outbox import QUEUED, Outbox
from bot.usecases.dispatch import LEASE

LIMIT = 200  # what Dispatcher.tick asks for
TARGET_MS = 10.0
INDEX = "ix_nudges_status_next_at"
PER_ITEM = 4
USERS = 2000
NUDGE_COLUMNS = [c.name for c in Nudge.__table__.columns if c.name != "id"]
HISTORY = ["sent"] * 93 + ["cancelled"] * 4 + ["skipped", "failed"]  # and 1 in 100 queued
KINDS = [Kind.BEFORE, Kind.MISSED, Kind.HEADS_UP, Kind.FOLLOW_UP]


def nudges(rows: int, due: int, now: datetime) -> Iterator[dict[str, Any]]:
    """Row i belongs to item i // 4 + 1; one row in a hundred is queued, the first `due` of
    those due within the last hour, the others spread over the next 30 days."""
    users = user_ids(USERS)
    queued = 0
    for i in range(rows):
        item = i // PER_ITEM + 1
        kind = KINDS[i % PER_ITEM]
        owner = users[item % USERS]
        if i % 100 == 0:
            if queued < due:
                at = now - timedelta(seconds=(queued * 7919) % 3600 + 1)
            else:
                at = now + timedelta(seconds=60 + (i * 7919) % (30 * 86400))
            queued += 1
            status = QUEUED
        else:
            at = now - timedelta(seconds=60 + (i * 104_729) % (365 * 86400))
            status = HISTORY[i % 100 % len(HISTORY)]
        yield nudge_row(item, owner, kind, f"{kind}@{i}", at, at - timedelta(days=2), status)


def items(rows: int, now: datetime) -> list[dict[str, Any]]:
    users = user_ids(USERS)
    count = (rows + PER_ITEM - 1) // PER_ITEM
    return [
        item_row(k, users[k % USERS], now + timedelta(days=1), now - timedelta(days=3), "open")
        for k in range(1, count + 1)
    ]


def seed(engine: Engine, rows: int, due: int, now: datetime) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        insert_items(conn, items(rows, now), history=False)
        if engine.dialect.name == "postgresql":
            _copy_nudges(conn, nudges(rows, due, now))
        else:
            chunk: list[dict[str, Any]] = []
            for row in nudges(rows, due, now):
                chunk.append(row)
                if len(chunk) == 50_000:
                    conn.execute(insert(Nudge), chunk)
                    chunk = []
            if chunk:
                conn.execute(insert(Nudge), chunk)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    return time.perf_counter() - started


def _copy_nudges(conn: Connection, rows: Iterator[dict[str, Any]]) -> None:
    """PostgreSQL COPY through psycopg, in the caller's transaction."""
    raw = conn.connection.driver_connection
    assert raw is not None
    columns = ", ".join(NUDGE_COLUMNS)
    with raw.cursor() as cur, cur.copy(f"COPY nudges ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in NUDGE_COLUMNS])


def due_select(now: datetime, dialect: str) -> Any:
    """The SELECT inside Outbox.claim_due, as it builds it."""
    q = (
        select(Nudge.id)
        .where(Nudge.status == QUEUED, Nudge.next_at <= now)
        .order_by(Nudge.next_at)
        .limit(LIMIT)
    )
    return q.with_for_update(skip_locked=True) if dialect == "postgresql" else q


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            yield conn
        finally:
            if tx.is_active:  # a failed statement may have ended it already
                tx.rollback()


def timed(engine: Engine, runs: int, body: Callable[[Connection], int]) -> tuple[list[float], int]:
    """Run `body` in a rolled-back transaction `runs` times (after 5 warm-ups): times in ms."""
    times, rows = [], 0
    for n in range(runs + 5):
        with rolled_back(engine) as conn:
            started = time.perf_counter()
            rows = body(conn)
            elapsed = (time.perf_counter() - started) * 1000
        if n >= 5:
            times.append(elapsed)
    return times, rows


def claim_in(conn: Connection, now: datetime) -> int:
    """The real Outbox.claim_due, in the caller's transaction (its commit is a no-op)."""
    outbox = Outbox(sessionmaker(bind=conn, join_transaction_mode="rollback_only"))
    return len(outbox.claim_due(now, now + LEASE, "bench-claim", LIMIT))


def captured(
    engine: Engine, body: Callable[[Connection], object], *, run: bool = True
) -> tuple[str, Any]:
    """The first SELECT or UPDATE `body` sends to the database, with its parameters as
    the driver gets them. With run=False it is stopped before the database sees it."""
    seen: list[tuple[str, Any]] = []

    def record(_c, _cur, statement, parameters, _ctx, _many):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE")) and not seen:
            seen.append((statement, parameters))
            if not run:
                raise _Captured

    event.listen(engine, "before_cursor_execute", record)
    try:
        with rolled_back(engine) as conn:
            body(conn)
    except _Captured:
        pass
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen[0]


class _Captured(Exception):
    pass


def explain(engine: Engine, sql: str, params: Any) -> list[str]:
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if engine.dialect.name == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with rolled_back(engine) as conn:
        rows = conn.exec_driver_sql(prefix + sql, params).all()
    if engine.dialect.name == "postgresql":
        return [r[0] for r in rows]
    return [f"{'  ' * _depth(rows, r)}{r[-1]}" for r in rows]


def _depth(rows: Any, row: Any) -> int:
    """Indentation for SQLite's (id, parent, notused, detail) plan rows."""
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent:
        depth, parent = depth + 1, parents.get(parent, 0)
    return depth


def state(engine: Engine, now: datetime) -> tuple[int, int, int]:
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(Nudge)) or 0
        queued = (
            conn.scalar(select(func.count()).select_from(Nudge).where(Nudge.status == QUEUED)) or 0
        )
        due = (
            conn.scalar(
                select(func.count())
                .select_from(Nudge)
                .where(Nudge.status == QUEUED, Nudge.next_at <= now, Nudge.claim.is_(None))
            )
            or 0
        )
    return total, queued, due


def measure(backend: str, url: str, rows: int, due: int, runs: int) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        migrate(engine)
        now = datetime.now(UTC).replace(microsecond=0)
        seconds = seed(engine, rows, due, now)
        total, queued, due_now = state(engine, now)
        scan = due_select(now, engine.dialect.name)
        select_ms, selected = timed(engine, runs, lambda c: len(c.execute(scan).all()))
        claim_ms, claimed = timed(engine, runs, lambda c: claim_in(c, now))
        claim_sql, claim_params = captured(engine, lambda c: claim_in(c, now))
        sql_ms, _ = timed(
            engine, runs, lambda c: len(c.exec_driver_sql(claim_sql, claim_params).all())
        )
        after = state(engine, now)
        assert after == (total, queued, due_now), f"the rolled-back claims left traces: {after}"
        select_plan = explain(engine, *captured(engine, lambda c: c.execute(scan).all()))
        claim_plan = explain(engine, claim_sql, claim_params)
        index_size = None
        if engine.dialect.name == "sqlite":
            size = Path(url.removeprefix("sqlite:///")).stat().st_size
        else:
            with engine.connect() as conn:
                size = conn.scalar(text("SELECT pg_total_relation_size('nudges')"))
                index_size = conn.scalar(text(f"SELECT pg_relation_size('{INDEX}')"))
        return {
            "backend": backend,
            "seed_s": seconds,
            "total": total,
            "queued": queued,
            "due": due_now,
            "select_ms": select_ms,
            "selected": selected,
            "claim_ms": claim_ms,
            "sql_ms": sql_ms,
            "claimed": claimed,
            "select_plan": select_plan,
            "claim_plan": claim_plan,
            "claim_sql": claim_sql,
            "size": size,
            "index_size": index_size if engine.dialect.name == "postgresql" else None,
        }
    finally:
        engine.dispose()


def fresh_table_claim(due: int) -> tuple[int, list[str]]:
    """PostgreSQL: claim_due's UPDATE on a table whose statistics were never gathered."""
    with temp_postgres() as url:
        engine = make_engine(url)
        try:
            migrate(engine)
            with engine.connect() as conn:  # as a new deployment: no autovacuum run yet
                conn.execute(text("ALTER TABLE nudges SET (autovacuum_enabled = false)"))
                conn.commit()
            now = datetime.now(UTC).replace(microsecond=0)
            users = user_ids(100)
            with engine.begin() as conn:
                insert_items(
                    conn, [item_row(k, users[k % 100], now, now) for k in range(1, due + 1)]
                )
                conn.execute(
                    insert(Nudge),
                    [
                        nudge_row(
                            k,
                            users[k % 100],
                            Kind.MISSED,
                            f"missed@{k}",
                            now - timedelta(seconds=k),
                            now,
                        )
                        for k in range(1, due + 1)
                    ],
                )
            # The first execution must be EXPLAIN ANALYZE's: it plans and runs the claim
            # (rolled back) before any statistics or earlier plan exist.
            sql, params = captured(engine, lambda c: claim_in(c, now), run=False)
            plan = explain(engine, sql, params)
            found = re.search(r"actual time=\S+ rows=(\d+)", plan[0])
            assert found, plan[0]
            return int(found.group(1)), plan
        finally:
            engine.dispose()


def stats(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{statistics.median(times):.2f} ({p95:.2f})"


def report(results: list[dict[str, Any]], runs: int) -> None:
    print(
        f"| backend | nudges stored | queued | due now | **due-scan SELECT** ms | claim UPDATE "
        f"(SQL only) ms | `claim_due()` ms | rows claimed (LIMIT {LIMIT}) | uses {INDEX} "
        f"| due-scan ≤ {TARGET_MS:.0f} ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in results:
        uses = all(INDEX in "\n".join(r[p]) for p in ("select_plan", "claim_plan"))
        r["uses"] = uses
        r["ok"] = uses and statistics.median(r["select_ms"]) <= TARGET_MS
        print(
            f"| {r['backend']} | {r['total']:,} | {r['queued']:,} | {r['due']:,} "
            f"| **{stats(r['select_ms'])}** | {stats(r['sql_ms'])} | {stats(r['claim_ms'])} "
            f"| {r['claimed']} | {'yes' if uses else 'NO'} | {'yes' if r['ok'] else 'NO'} |"
        )
    print(
        f"\nMedian (p95) of {runs} runs after 5 warm-ups, timed in the client, each in a "
        "transaction that is rolled back. *SQL only*: the claim's UPDATE … RETURNING as "
        "claim_due sends it, through the driver; `claim_due()`: the method itself, building "
        "its ORM objects."
    )
    for r in results:
        size = f"{r['size'] / 2**20:,.0f} MB"
        if r["index_size"] is not None:
            size = (
                f"nudges table with its indexes {size}, {INDEX} {r['index_size'] / 2**20:,.0f} MB"
            )
        else:
            size = f"database file {size}"
        print(f"{r['backend']}: seeded in {r['seed_s']:.0f} s; {size}.")
    for r in results:
        how = "EXPLAIN (ANALYZE, BUFFERS)" if r["backend"] == "PostgreSQL" else "EXPLAIN QUERY PLAN"
        print(f"\n**{r['backend']}, the due-scan SELECT** ({how}):\n\n```")
        print("\n".join(r["select_plan"]))
        print(f"```\n\n**{r['backend']}, the whole claim** ({how}):\n\n```sql")
        print(r["claim_sql"].strip())
        print("```\n\n```")
        print("\n".join(r["claim_plan"]))
        print("```")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=300, help="queued nudges due now")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="100,000 rows, 20 runs")
    add_backend_options(parser)
    args = parser.parse_args()
    if args.quick:
        args.rows, args.runs = 100_000, 20
    warn_if_busy()
    pin(APP_CPU)
    results = on_each_backend(
        args, lambda backend, url: measure(backend, url, args.rows, args.due, args.runs)
    )
    report(results, args.runs)
    if not args.no_postgres:
        fresh = 1000
        claimed, plan = fresh_table_claim(fresh)
        print(
            f"\n**PostgreSQL, first claim on a fresh table** ({fresh:,} due nudges, no "
            f"statistics yet; LIMIT {LIMIT}): claimed **{claimed}** rows"
            f"{'' if claimed <= LIMIT else ' — more than its LIMIT'}.\n\n```"
        )
        print("\n".join(plan))
        print("```")
        if claimed > LIMIT:
            print(PROPOSAL_LIMIT)
    failing = [r for r in results if not r["ok"]]
    for r in failing:
        print(f"\n{r['backend']}: the due-scan misses its target (index used: {r['uses']}).")
    if failing:
        print(PROPOSAL_INDEX)


PROPOSAL_LIMIT = """
Why: without statistics the planner puts the LIMIT subquery on the inner side of a nested
loop semi join, so it runs again for every outer row (`loops=1000`); each run skips the
rows this UPDATE already changed and locks the next ones, so LIMIT bounds each run, not
the claim: every due row is claimed at once, under one lease, in quadratic time.

Proposed (not applied): claim through a CTE, which PostgreSQL runs once, so LIMIT bounds
the claim whatever the plan (SQLAlchemy: `due = select(...).cte("due").prefix_with(
"MATERIALIZED")`, then `update(Nudge).where(Nudge.id == due.c.id, ...)`):

```sql
WITH due AS MATERIALIZED (
  SELECT id FROM nudges WHERE status = 'queued' AND next_at <= :now
  ORDER BY next_at LIMIT :n FOR UPDATE SKIP LOCKED)
UPDATE nudges SET next_at = :lease_until, attempts = attempts + 1, claim = :token
FROM due WHERE nudges.id = due.id AND nudges.status = 'queued'
RETURNING nudges.*;
```"""

PROPOSAL_INDEX = """
Proposed (not applied): a partial index on what the scan reads, small however long the
history grows: `CREATE INDEX ix_nudges_queued_next_at ON nudges (next_at) WHERE status =
'queued'` (SQLite supports partial indexes too), keeping the query as it is."""


if __name__ == "__main__":
    main()
