"""Memory of the bot process with many open items: the real `promise-bot run --http`.

A SQLite database is seeded beforehand (bulk inserts) with N open items spread over some
owners, each with its contributor, `created` event and planned nudges (before the
deadline and missed, plus one end-of-day nudge per owner); a couple of hundred
before-deadline nudges are due at once, so the first ticks send DMs. Then the bot starts
(`PROMISE_TICK=1s`) against the fake Slack in another process, serves, runs a few
dispatch ticks, answers a handful of signed `/promise` commands, ticks again, and its
resident memory is read from /proc/PID/status (VmRSS now, VmHWM the peak). A run with an
empty database comes first, for comparison.

Run: `uv run python -m benchmarks.memory [--items 0 100000] [--quick]`.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.ack_latency import one_request
from benchmarks.common import (
    APP_CPU,
    TZ,
    insert_items,
    insert_nudges,
    item_row,
    nudge_row,
    pin,
    start_fake,
    stop_fake,
    user_ids,
    warn_if_busy,
)
from bot.config import Defaults
from bot.core.calendar import WorkCalendar
from bot.core.plan import Kind, next_eod
from bot.store.db import make_engine, migrate

SECRET = "bench-secret"
TARGET_MB = 150.0
COMMANDER = "U0BENCH"  # who sends the /promise commands (benchmarks.ack_latency's user)


def seed(db: Path, items: int, users: list[str], due_now: int) -> tuple[int, int]:
    """Open items due over the next 60 days, with their nudges; returns (items, nudges)."""
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    now = datetime.now(UTC).replace(microsecond=0)
    d = Defaults()
    cal = WorkCalendar(ZoneInfo(TZ), d.workdays, d.day_start, d.end_of_day)
    item_rows, nudge_rows = [], []
    for i in range(1, items + 1):
        owner = users[i % len(users)]
        if i <= due_now:  # the before-deadline nudge is due now
            due = now + timedelta(minutes=59)
        else:
            due = now + timedelta(hours=2, seconds=(i * 7919) % (60 * 86400))
        created = now - timedelta(days=(i % 14) + 1)
        item_rows.append(item_row(i, owner, due, created))
        key = due.isoformat()
        before = due - d.remind_before
        nudge_rows.append(nudge_row(i, owner, Kind.BEFORE, f"before@{key}", before, created))
        nudge_rows.append(nudge_row(i, owner, Kind.MISSED, f"missed@{key}", due, created))
    if items:
        at, reason = next_eod(cal, d.eod_cutoff, now)
        nudge_rows += [nudge_row(None, u, Kind.EOD, reason, at, now) for u in users]
    with engine.begin() as conn:
        insert_items(conn, item_rows)
        insert_nudges(conn, nudge_rows)
    engine.dispose()
    return items, len(nudge_rows)


class Bot:
    """`python -m bot run --http` on its own core; reads its log as it goes."""

    def __init__(self, env: dict[str, str], cwd: str) -> None:
        full = {k: v for k, v in os.environ.items() if k != "SLACK_APP_TOKEN"}
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--http", "--port", "0", "--host", "127.0.0.1"],
            cwd=cwd,
            env={**full, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=lambda: pin(APP_CPU),
        )
        self.port = 0
        self.serving_after = 0.0
        self.ticks = 0
        self.sent = 0
        self.lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line.rstrip())
                if "serving Slack over HTTP" in line:
                    self.port = int(line.rsplit(":", 1)[1].split()[0])
                    self.serving_after = time.perf_counter() - self.started
                elif "_tick" in line and "executed successfully" in line:
                    self.ticks += 1
                elif "nudges: " in line and " sent," in line:
                    self.sent += int(line.split("nudges: ", 1)[1].split()[0])
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait(self, what: str, ready, timeout: float = 180) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        with self._changed:
            while not ready():
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    tail = "\n".join(self.lines[-20:])
                    raise RuntimeError(f"the bot did not get to: {what}\n{tail}")
                self._changed.wait(min(left, 0.5))

    def status(self) -> dict[str, int]:
        """VmRSS, VmHWM… from /proc/PID/status, in kB."""
        values = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("Vm") or line.startswith("Rss"):
                name, value = line.split(":", 1)
                values[name] = int(value.split()[0])
        return values

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def stored(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM items").fetchone()[0])


def run(fake: dict[str, str], items: int, users: list[str], commands: int, ticks: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "promise-bot.db"
        due_now = min(200, items)
        started = time.perf_counter()
        seeded, nudges = seed(db, items, users, due_now)
        seeding = time.perf_counter() - started
        size = db.stat().st_size
        bot = Bot(
            {
                "SLACK_BOT_TOKEN": fake["bot_token"],
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake["api_url"],
                "DATABASE_URL": f"sqlite:///{db}",
                "PROMISE_TICK": "1s",
                "LOG_LEVEL": "INFO",
            },
            tmp,
        )
        try:
            bot.wait("serving HTTP", lambda: bot.port)
            bot.wait(f"{ticks} ticks", lambda: bot.ticks >= ticks)
            bot.wait(f"{due_now} due nudges sent", lambda: bot.sent >= due_now)
            for i in range(commands):
                one_request(bot.port, fake, i)
            deadline = time.monotonic() + 60
            while stored(db) < seeded + commands:
                if time.monotonic() > deadline:
                    raise RuntimeError("the /promise commands were not all stored")
                time.sleep(0.05)
            after = bot.ticks
            bot.wait("two more ticks", lambda: bot.ticks >= after + 2)
            vm = bot.status()
            errors = [line for line in bot.lines if " ERROR " in line or "Traceback" in line]
            if errors:
                raise RuntimeError("the bot logged errors:\n" + "\n".join(errors[:20]))
        finally:
            bot.stop()
    rss, hwm = vm["VmRSS"] / 1024, vm["VmHWM"] / 1024
    return (
        f"| {seeded:,} | {nudges:,} | {size / 2**20:,.0f} MB | {seeding:.0f} s "
        f"| {bot.serving_after:.1f} s | {bot.ticks} | {bot.sent} | {commands} "
        f"| **{rss:.0f}** | **{hwm:.0f}** | {'yes' if hwm <= TARGET_MB else 'NO'} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--items", type=int, nargs="+", default=[0, 100_000], help="open items (one run each)"
    )
    parser.add_argument("--users", type=int, default=500, help="owners of the open items")
    parser.add_argument("--commands", type=int, default=10, help="signed /promise commands")
    parser.add_argument("--ticks", type=int, default=3, help="dispatch ticks before commands")
    parser.add_argument("--quick", action="store_true", help="0 and 10,000 open items")
    args = parser.parse_args()
    if args.quick:
        args.items = [0, 10_000]
    warn_if_busy()
    pin(APP_CPU)
    users = user_ids(args.users)
    fake_proc, fake = start_fake([*users, COMMANDER])
    try:
        print(
            "| open items | nudges | SQLite file | seeding | serving after | ticks | nudges sent "
            f"| /promise commands | VmRSS MB | VmHWM MB (peak) | ≤ {TARGET_MB:.0f} MB |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for items in args.items:
            print(run(fake, items, users, args.commands, args.ticks), flush=True)
    finally:
        stop_fake(fake_proc)


if __name__ == "__main__":
    main()
