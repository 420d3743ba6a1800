"""What the outbox benchmarks share: the fake Slack in its own process, a throw-away
PostgreSQL database, and rows for bulk seeding (plain dicts for SQLAlchemy core inserts).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, create_engine, insert, text

from bot.store.models import Contributor, Item, ItemEvent, Nudge

# On two or more cores: the apps get a core of their own; the fake Slack (whose CPU would be
# Slack's) and the load generator share the other.
CPUS = sorted(os.sched_getaffinity(0))
APP_CPU, SLACK_CPU = (CPUS[-1], CPUS[0]) if len(CPUS) > 1 else (CPUS[0], CPUS[0])

PG_SERVER = os.environ.get("PROMISE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
TEAM = "T0001"  # the fake's workspace
CHANNEL = "C0BENCH"
TZ = "America/New_York"

T = TypeVar("T")


def warn_if_busy(seconds: float = 2.0, threshold: float = 0.15) -> None:
    """Say so on stderr when other processes keep the CPUs busy: the numbers would be low."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields[:8]), fields[3] + fields[4]  # all, idle + iowait

    try:
        total1, idle1 = sample()
        time.sleep(seconds)
        total2, idle2 = sample()
    except OSError:
        return
    busy = 1 - (idle2 - idle1) / max(1, total2 - total1)
    if busy > threshold:
        print(
            f"warning: other processes keep the CPUs {busy:.0%} busy; "
            "expect slower numbers than on an idle machine",
            file=sys.stderr,
        )


def user_ids(n: int) -> list[str]:
    return [f"U{k:07d}" for k in range(n)]


def pin(cpu: int) -> None:
    os.sched_setaffinity(0, {cpu})


def start_fake(
    users: Sequence[str], tz: str = TZ, channel: str = f"{CHANNEL}:bench"
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """`python -m tests.fakeslack` on the other core, knowing `users` and `channel` (ID:name);
    returns its info line."""
    args = [sys.executable, "-m", "tests.fakeslack", "--channel", channel]
    for user in users:
        args += ["--user", f"{user}:{tz}"]
    proc = subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: pin(SLACK_CPU),
    )
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def stop_fake(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=30)


def pg_reachable() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    admin = create_engine(f"{PG_SERVER}/postgres")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except Exception as e:
        return str(e).splitlines()[0]
    finally:
        admin.dispose()


def require_postgres() -> None:
    """End the run, saying why, when the PostgreSQL server does not answer."""
    why = pg_reachable()
    if why:
        raise SystemExit(f"PostgreSQL is not reachable ({why}); use --no-postgres")


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    """`--no-postgres` and `--no-sqlite`, which `on_each_backend` reads."""
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")


def on_each_backend(args: argparse.Namespace, measure: Callable[[str, str], T]) -> list[T]:
    """`measure(backend, url)` on a throw-away PostgreSQL database, then on a SQLite file in
    a temporary directory, leaving out what `--no-postgres` or `--no-sqlite` leaves out."""
    results = []
    if not args.no_postgres:
        require_postgres()
        with temp_postgres() as url:
            results.append(measure("PostgreSQL", url))
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(measure("SQLite", f"sqlite:///{Path(tmp) / 'promise-bot.db'}"))
    return results


@contextmanager
def temp_postgres() -> Iterator[str]:
    """A database of its own for one run, dropped afterwards."""
    name = f"promise_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def item_row(
    item_id: int, owner: str, due: datetime, created: datetime, status: str = "open"
) -> dict[str, Any]:
    return {
        "id": item_id,
        "team_id": TEAM,
        "kind": "promise",
        "status": status,
        "what": f"send the revised estimate #{item_id}",
        "client": f"Client {item_id % 97}",
        "owner_id": owner,
        "creator_id": owner,
        "channel_id": CHANNEL,
        "due_at": due,
        "original_due_at": due,
        "created_at": created,
        "closed_at": None if status == "open" else due,
        "closed_by": None if status == "open" else owner,
        "moved_in_advance": 0,
        "moved_late": 0,
        "snoozed_until": None,
    }


def nudge_row(
    item_id: int | None,
    recipient: str,
    kind: str,
    reason: str,
    at: datetime,
    created: datetime,
    status: str = "queued",
) -> dict[str, Any]:
    sent = status == "sent"
    return {
        "team_id": TEAM,
        "item_id": item_id,
        "recipient_id": recipient,
        "kind": kind,
        "key": f"{item_id}:{reason}" if item_id is not None else reason,
        "due_at": at,
        "next_at": at,
        "status": status,
        "attempts": 1 if status in ("sent", "failed", "skipped") else 0,
        "claim": None,
        "last_error": None,
        "sent_at": at + timedelta(seconds=1) if sent else None,
        "channel_id": "D" + recipient[1:] if sent else None,
        "message_ts": f"{at.timestamp():.6f}" if sent else None,
        "created_at": created,
    }


def insert_items(
    conn: Connection, items: list[dict[str, Any]], chunk: int = 20_000, *, history: bool = True
) -> None:
    """Items with their owner as contributor and a `created` event, as Repo.create_item does
    (history=False: the items alone)."""
    for start in range(0, len(items), chunk):
        part = items[start : start + chunk]
        conn.execute(insert(Item), part)
        if not history:
            continue
        conn.execute(
            insert(Contributor),
            [
                {"team_id": TEAM, "item_id": i["id"], "user_id": i["owner_id"], "role": "owner"}
                for i in part
            ],
        )
        conn.execute(
            insert(ItemEvent),
            [
                {
                    "team_id": TEAM,
                    "item_id": i["id"],
                    "at": i["created_at"],
                    "actor_id": i["creator_id"],
                    "kind": "created",
                    "due_before": None,
                    "due_after": i["due_at"],
                    "note": None,
                }
                for i in part
            ],
        )
    _bump_sequences(conn, ("items",))


def insert_nudges(conn: Connection, nudges: list[dict[str, Any]], chunk: int = 20_000) -> None:
    for start in range(0, len(nudges), chunk):
        conn.execute(insert(Nudge), nudges[start : start + chunk])


def _bump_sequences(conn: Connection, tables: Sequence[str]) -> None:
    """Explicit IDs leave PostgreSQL's identity sequences behind; move them past the rows."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        )


def app_env(fake: dict[str, str], secret: str) -> dict[str, str]:
    """The environment a benchmarked app runs with: the fake's token and URL, quiet logs."""
    return {
        "SLACK_BOT_TOKEN": fake["bot_token"],
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": fake["api_url"],
        "LOG_LEVEL": "WARNING",
    }
