"""Events ingest: signed `message` events/s acked, and for a watched channel stored, next
to a bare Bolt app that only acks them.

Four processes, as in benchmarks.ack_latency: the fake Slack, promise-bot itself
(`promise-bot run --http`, SQLite), a bare Bolt app (`benchmarks.bare_bolt --events`) on the
same waitress set-up, and this load generator sending Events API requests signed like
Slack's, 16 at a time. promise-bot watches C0CLIENT (`/promise watch Acme`, signed, as the
owner would type it); every event is a Slack Connect client's message (`user_team` is
another team) in its own thread, so none folds into another and each one must become a
*reply owed* item. Unwatched events go to channels nobody watches.

"Stored by the last ack" shows the work after the ack waiting while acks are in flight
(bot/slack/priority.py): in this flood nearly all of it runs after the last ack. The CPU
time promise-bot used per event (from /proc) does not depend on how busy the machine is as
much as the rates do; its share of its core (printed below the table) says how much of
that core other processes took.
Run: `uv run python -m benchmarks.events_ingest [--events N]`.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import sqlite3
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.ack_latency import start_app, stop_all
from benchmarks.common import SLACK_CPU, app_env, pin, start_fake, warn_if_busy
from tests.fakeslack import signed_headers

SECRET = "bench-secret"
OWNER = "U0OWNER"
WATCHED = "C0CLIENT"
CLIENT, CLIENT_TEAM = "U0CLIENT", "T0ACME"  # someone from Acme's own Slack (Slack Connect)
UNWATCHED_CHANNELS = 32
CONCURRENCY = 16
WARM_UP = 100
TARGET_RATIO = 1.2  # unwatched acks within 1.2x of bare Bolt's
TARGET_STORED = 200  # watched events/s, acked and stored

Request = tuple[bytes, dict[str, str]]


def post(port: int, body: bytes, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def watch(port: int, fake: dict[str, str], db: Path) -> None:
    """`/promise watch Acme` in C0CLIENT by its owner; returns once the channel is watched."""
    body = urlencode(
        {
            "team_id": fake["team_id"],
            "channel_id": WATCHED,
            "channel_name": "acme",
            "user_id": OWNER,
            "command": "/promise",
            "text": "watch Acme",
            "response_url": f"{fake['base_url']}/respond/{uuid.uuid4().hex}",
            "trigger_id": f"{int(time.time())}.1.x",
        }
    ).encode()
    headers = signed_headers(SECRET, body)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    assert post(port, body, headers) == 200
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if count(
            db, "SELECT count(*) FROM client_channels WHERE channel_id = ? AND active", WATCHED
        ):
            return
        time.sleep(0.05)
    raise RuntimeError(f"promise-bot did not start watching {WATCHED}")


class Events:
    """Signed `message` event_callback requests, each with its own event_id, ts and thread."""

    def __init__(self, team_id: str) -> None:
        self.team_id = team_id
        self.base = int(time.time())
        self.serial = itertools.count(1)

    def message(self, channel: str) -> Request:
        n = next(self.serial)
        ts = f"{self.base}.{n:06d}"
        event = {
            "type": "message",
            "channel": channel,
            "channel_type": "channel",
            "user": CLIENT,
            "user_team": CLIENT_TEAM,
            "team": CLIENT_TEAM,
            "text": f"Could you send the signed contract, part {n}?",
            "ts": ts,
            "thread_ts": f"{self.base - 3600}.{n:06d}",  # a thread of its own: no folding
            "event_ts": ts,
        }
        body = {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:16].upper()}",
            "event_time": self.base,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": "U0BOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": True,
            "event_context": f"4-{uuid.uuid4().hex}",
        }
        raw = json.dumps(body).encode()
        headers = signed_headers(SECRET, raw)
        headers["Content-Type"] = "application/json"
        return raw, headers

    def batch(self, n: int, watched: bool) -> list[Request]:
        return [
            self.message(WATCHED if watched else f"C0OTHER{i % UNWATCHED_CHANNELS:02d}")
            for i in range(n)
        ]


def send(port: int, requests: list[Request]) -> tuple[float, float]:
    """Send all `requests`, CONCURRENCY at a time; (start, last ack) on the monotonic clock."""
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        started = time.perf_counter()
        statuses = list(pool.map(lambda r: post(port, *r), requests))
        acked = time.perf_counter()
    bad = [s for s in statuses if s != 200]
    if bad:
        raise RuntimeError(f"{len(bad)} of {len(statuses)} events not acked: {sorted(set(bad))}")
    return started, acked


def count(db: Path, query: str, *params: str) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return int(conn.execute(query, params).fetchone()[0])


def replies(db: Path) -> int:
    return count(db, "SELECT count(*) FROM items WHERE kind = 'reply'")


def wait_stored(db: Path, expected: int, timeout: float = 300) -> float:
    """perf_counter time at which `expected` reply items were first all in the database."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if replies(db) >= expected:
            return time.perf_counter()
        time.sleep(0.02)
    raise RuntimeError(f"only {replies(db)} of {expected} reply items stored after {timeout} s")


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000, help="events per measured run")
    args = parser.parse_args()
    n = args.events
    warn_if_busy()
    pin(SLACK_CPU)
    fake_proc, fake = start_fake([OWNER], channel=f"{WATCHED}:acme")
    procs: list[subprocess.Popen[str]] = [fake_proc]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = app_env(fake, SECRET)
            ours, our_port = start_app(
                ["-m", "bot", "run", "--http", "--port", "0", "--host", "127.0.0.1"],
                {**env, "LOG_LEVEL": "INFO"},
                tmp,
                "serving Slack over HTTP",
            )
            procs.append(ours)
            bare, bare_port = start_app(
                ["-m", "benchmarks.bare_bolt", "--events"], env, str(Path.cwd()), "serving on"
            )
            procs.append(bare)
            db = Path(tmp) / "promise-bot.db"
            watch(our_port, fake, db)
            events = Events(fake["team_id"])

            runs = (
                ("bare Bolt (acks only)", bare_port, False),
                ("promise-bot, unwatched channels", our_port, False),
                ("promise-bot, watched channel", our_port, True),
            )
            print(
                f"{n} signed `message` events per run, {CONCURRENCY} concurrent clients, "
                f"{os.cpu_count()} CPUs\n"
            )
            print(
                "| app | events | acked events/s | time × bare Bolt's | stored by the last ack "
                "| all stored after the last ack | stored events/s (first send → all stored) "
                "| promise-bot's CPU ms/event |"
            )
            print("|---|---:|---:|---:|---:|---:|---:|---:|")
            rates: dict[str, float] = {}
            stored_rate = 0.0
            core = ""
            for name, port, watched in runs:
                before = replies(db)
                send(port, events.batch(WARM_UP, watched))
                if watched:
                    wait_stored(db, before + WARM_UP)
                    before += WARM_UP
                batch = events.batch(n, watched)
                cpu_start = cpu_seconds(ours.pid)
                started, acked = send(port, batch)
                cpu_acked = cpu_seconds(ours.pid)
                rate = n / (acked - started)
                rates[name] = rate
                early = drained = stored = cpu = "—"
                if watched:
                    early = str(replies(db) - before)
                    done = wait_stored(db, before + n)
                    cpu_done = cpu_seconds(ours.pid)
                    stored_rate = n / (done - started)
                    drained = f"{done - acked:.2f} s"
                    stored = f"{stored_rate:.0f}"
                    cpu = f"{1000 * (cpu_done - cpu_start) / n:.2f}"
                    # Below 100 %: something else had the core (or the work waited).
                    core = (
                        f"promise-bot's CPU time over wall time, watched run: "
                        f"{(cpu_acked - cpu_start) / (acked - started):.0%} while acking, "
                        f"{(cpu_done - cpu_acked) / (done - acked):.0%} after the last ack."
                    )
                elif port == our_port:
                    time.sleep(0.5)  # what is after the ack has run; nothing may be stored
                    assert replies(db) == before, "an unwatched channel's message was stored"
                    cpu = f"{1000 * (cpu_seconds(ours.pid) - cpu_start) / n:.2f}"
                ratio = rates[runs[0][0]] / rate
                print(
                    f"| {name} | {n} | {rate:.0f} | {ratio:.2f}× | {early} | {drained} | {stored} "
                    f"| {cpu} |",
                    flush=True,
                )

            bare_rate = rates[runs[0][0]]
            ratio = bare_rate / rates[runs[1][0]]
            print()
            print(
                f"- Unwatched within {TARGET_RATIO}× of bare Bolt: "
                f"{'met' if ratio <= TARGET_RATIO else 'NOT met'} ({ratio:.2f}×)."
            )
            print(f"- {core}")
            print(
                f"- Watched ≥ {TARGET_STORED} events/s acked and stored: "
                f"{'met' if stored_rate >= TARGET_STORED else 'NOT met'} "
                f"({stored_rate:.0f} events/s)."
            )
    finally:
        stop_all(fake_proc, procs[1:])


if __name__ == "__main__":
    main()
