"""Ack latency of `/promise … by tomorrow 4pm` over real HTTP, next to a bare Bolt app.

Both apps run in this process on waitress (same thread count) against the local fake
Slack; requests are signed like Slack's. Run: `uv run python -m benchmarks.ack_latency`.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from slack_bolt import App

from bot.clock import SystemClock
from bot.config import load_settings
from bot.runtime import build_runtime
from bot.slack.client import build_web_client
from bot.slack.http import WebApp, make_server
from tests.e2e.harness import serve_in_background
from tests.fakeslack import FakeSlack, signed_headers

SECRET = "bench-secret"


def serve(web: WebApp) -> tuple[object, int]:
    server = make_server(web, "127.0.0.1", 0, threads=8)
    serve_in_background(server)
    return server, server.effective_port


def bare_bolt(fake: FakeSlack) -> WebApp:
    app = App(client=build_web_client(fake.bot_token, fake.api_url), signing_secret=SECRET)

    @app.command("/promise")
    def only_ack(ack):  # type: ignore[no-untyped-def]
        ack()

    return WebApp(app, healthy=lambda: True)


def one_request(port: int, fake: FakeSlack, i: int) -> float:
    body = urlencode(
        {
            "team_id": fake.team_id,
            "channel_id": "C0BENCH",
            "user_id": "U0BENCH",
            "command": "/promise",
            "text": f"send report {i} by tomorrow 4pm",
            "response_url": fake.response_url(),
            "trigger_id": f"{i}.1.x",
        }
    )
    headers = signed_headers(SECRET, body)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    conn.request("POST", "/slack/events", body=body, headers=headers)
    resp = conn.getresponse()
    resp.read()
    elapsed = time.perf_counter() - started
    conn.close()
    assert resp.status == 200, resp.status
    return elapsed


def measure(port: int, fake: FakeSlack, concurrency: int, total: int) -> tuple[float, float]:
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(lambda i: one_request(port, fake, i), range(total)))
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return p50 * 1000, p99 * 1000


def main() -> None:
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        fake.add_user("U0BENCH", "bench", tz="America/New_York")
        fake.add_channel("C0BENCH", "bench")
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": fake.bot_token,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.api_url,
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
            }
        )
        runtime = build_runtime(settings, SystemClock())
        ours, our_port = serve(runtime.web())
        bare, bare_port = serve(bare_bolt(fake))
        print(f"{'app':<12}{'clients':>8}{'p50 ms':>10}{'p99 ms':>10}")
        for concurrency in (1, 32):
            for name, port in (("bare Bolt", bare_port), ("promise-bot", our_port)):
                measure(port, fake, concurrency, 20)  # warm up
                p50, p99 = measure(port, fake, concurrency, args.requests)
                print(f"{name:<12}{concurrency:>8}{p50:>10.1f}{p99:>10.1f}")
        stored = runtime.repo.count_open(fake.team_id)
        print(f"promises stored by promise-bot: {stored}")
        ours.close()  # type: ignore[attr-defined]
        bare.close()  # type: ignore[attr-defined]
        runtime.close()


if __name__ == "__main__":
    main()
