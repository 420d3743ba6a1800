"""Ack latency of `/promise … by tomorrow 4pm` over real HTTP, next to a bare Bolt app.

Four processes, as in production: the fake Slack (Slack is remote), promise-bot itself
(`promise-bot run --http`, on PostgreSQL then SQLite), a bare Bolt app that only acks the
same command on the same waitress set-up, and this load generator sending requests signed
like Slack's. Each acked command is stored (the intake) before its ack.
Run: `uv run python -m benchmarks.ack_latency [--requests N] [--no-postgres] [--no-sqlite]`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from benchmarks.common import (
    APP_CPU,
    SLACK_CPU,
    add_backend_options,
    app_env,
    on_each_backend,
    pin,
    start_fake,
)
from tests.fakeslack import signed_headers

SECRET = "bench-secret"


def start_app(
    args: list[str], env: dict[str, str], cwd: str, marker: str
) -> tuple[subprocess.Popen[str], int]:
    """Start a server process and read its port from the line that says it is serving."""
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: pin(APP_CPU),
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if marker in line:
            port = int(line.rsplit(":", 1)[1].split()[0])
            # Keep reading its output so a chatty server never blocks on a full pipe.
            ThreadPoolExecutor(1).submit(lambda: [None for _ in proc.stdout])  # type: ignore[union-attr]
            return proc, port
    raise RuntimeError(f"{args} exited without serving")


def stop_all(fake_proc: subprocess.Popen[str], apps: list[subprocess.Popen[str]]) -> None:
    """Stop the apps (SIGTERM, as a process manager would), then the fake Slack."""
    for proc in apps:
        proc.terminate()
        proc.wait(timeout=10)
    assert fake_proc.stdin is not None
    fake_proc.stdin.close()
    fake_proc.wait(timeout=10)


# 32 concurrent clients are 32 people at least: the commands are spread over many, each far
# under the per-person limit (bot/core/fair_use.py), as in a busy workspace.
USERS = [f"U0B{n:04d}" for n in range(1000)]


def one_request(port: int, fake: dict[str, str], i: int) -> float:
    body = urlencode(
        {
            "team_id": fake["team_id"],
            "channel_id": "C0BENCH",
            "user_id": USERS[i % len(USERS)],
            "command": "/promise",
            "text": f"send report {i} by tomorrow 4pm",
            "response_url": f"{fake['base_url']}/respond/{uuid.uuid4().hex}",
            "trigger_id": f"{i}.1.x",
        }
    )
    headers = signed_headers(SECRET, body)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    conn.request("POST", "/slack/events", body=body, headers=headers)
    resp = conn.getresponse()
    answer = resp.read()
    elapsed = time.perf_counter() - started
    conn.close()
    assert resp.status == 200, resp.status
    assert b"faster than" not in answer, "a command over the per-person limit: add USERS"
    return elapsed


def measure(port: int, fake: dict[str, str], concurrency: int, total: int) -> tuple[float, float]:
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(lambda i: one_request(port, fake, i), range(total)))
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return statistics.median(latencies) * 1000, p99 * 1000


def stored(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM items")).scalar_one())
    finally:
        engine.dispose()


def compare(backend: str, url: str, fake: dict[str, str], requests: int, bare_port: int) -> None:
    """Bare Bolt and promise-bot on `url`, at 1 and 32 clients: one table row each."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**app_env(fake, SECRET), "DATABASE_URL": url, "LOG_LEVEL": "INFO"}
        ours, our_port = start_app(
            ["-m", "bot", "run", "--http", "--port", "0", "--host", "127.0.0.1"],
            env,
            tmp,
            "serving Slack over HTTP",
        )
        try:
            sent = 0
            for concurrency in (1, 32):
                for name, port in (("bare Bolt", bare_port), ("promise-bot", our_port)):
                    measure(port, fake, concurrency, 20)  # warm up
                    p50, p99 = measure(port, fake, concurrency, requests)
                    drained = "—"
                    if name == "promise-bot":
                        sent += 20 + requests
                        started = time.perf_counter()
                        # Each round starts with the previous round's work done.
                        while stored(url) < sent:
                            time.sleep(0.05)
                        drained = f"{time.perf_counter() - started:.1f} s"
                    print(
                        f"| {backend} | {name} | {concurrency} | {p50:.1f} | {p99:.1f} | {drained} |",
                        flush=True,
                    )
        finally:
            ours.terminate()
            ours.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    add_backend_options(parser)
    args = parser.parse_args()
    pin(SLACK_CPU)
    fake_proc, fake = start_fake(USERS)
    procs: list[subprocess.Popen[str]] = [fake_proc]
    try:
        env = app_env(fake, SECRET)
        bare, bare_port = start_app(
            ["-m", "benchmarks.bare_bolt"], env, str(Path.cwd()), "serving on"
        )
        procs.append(bare)
        print("| backend | app | clients | p50 ms | p99 ms | all stored after the last ack |")
        print("|---|---|---:|---:|---:|---:|")
        on_each_backend(
            args, lambda backend, url: compare(backend, url, fake, args.requests, bare_port)
        )
    finally:
        stop_all(fake_proc, procs[1:])


if __name__ == "__main__":
    main()
