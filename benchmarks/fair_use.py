"""Fair use (issue #7 §5): during one person's flood of commands, how long another person's
"Need more time" click waits for its form.

Three processes' worth of roles, as in production: the fake Slack answering like Slack
(~100 ms a call, `answer_in`), here in the load generator's process on the other core;
promise-bot itself (this module with `--serve`: the real runtime on waitress, SQLite);
and the load generator sending requests signed like Slack's. User A floods 800 `/promise`
commands, 16 at a time; meanwhile user B clicks "Need more time" on a nudge 50 times spread
over the flood. Measured: from B's click POST to the fake recording `views.open` (the fake's
100 ms included). Slack refuses a form opened 3 s after its click.

Both fixes can be switched off here only (`--serve --no-limit --no-lane`): the per-person
limit (an allowance nobody reaches), and the pool's first lane (form openers then queue with
everything else). Run: `uv run python -m benchmarks.fair_use [--flood N] [--clicks N]`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.ack_latency import start_app
from benchmarks.common import SLACK_CPU, app_env, pin
from tests.fakeslack import FakeSlack, signed_headers

SECRET = "bench-secret"
FLOODER, CLICKER, CHANNEL = "U0FLOOD", "U0CLICK", "C0BENCH"
SLACK_SECONDS = 0.1  # what a Slack call takes from a data centre


def serve(limit: bool, lane: bool) -> None:
    """The app as `promise-bot run --http` builds it, with the fixes on or off."""
    from bot.config import load_settings
    from bot.core import fair_use
    from bot.runtime import build_runtime
    from bot.slack.http import make_server
    from bot.slack.priority import AfterAckExecutor

    logging.basicConfig(level=logging.ERROR)
    if not limit:
        fair_use.COMMANDS = fair_use.Allowance(10**9, timedelta(microseconds=1))
    if not lane:
        AfterAckExecutor.submit_first = AfterAckExecutor.submit  # type: ignore[method-assign]
    runtime = build_runtime(load_settings(dict(os.environ)))
    server = make_server(runtime.web(), "127.0.0.1", 0)
    print(f"serving on 127.0.0.1:{server.effective_port}", flush=True)
    server.run()


def post(port: int, body: str) -> int:
    headers = signed_headers(SECRET, body)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/slack/events", body=body, headers=headers)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp.status


def command(fake: FakeSlack, user: str, text: str) -> str:
    return urlencode(
        {
            "team_id": fake.team_id,
            "channel_id": CHANNEL,
            "user_id": user,
            "command": "/promise",
            "text": text,
            "response_url": fake.response_url(),
            "trigger_id": fake.trigger_id(),
        }
    )


def click(fake: FakeSlack, trigger: str, item_id: int) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": fake.team_id},
        "user": {"id": CLICKER, "team_id": fake.team_id},
        "api_app_id": "A0001",
        "trigger_id": trigger,
        "container": {"type": "message", "channel_id": "D0CLICK", "message_ts": "1.000001"},
        "channel": {"id": "D0CLICK"},
        "actions": [
            {
                "action_id": "nudge_more_time",
                "block_id": "n",
                "type": "button",
                "value": str(item_id),
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def run(fake: FakeSlack, limit: bool, lane: bool, flood: int, clicks: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **app_env({"bot_token": fake.bot_token, "api_url": fake.api_url}, SECRET),
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
        }
        args = ["-m", "benchmarks.fair_use", "--serve"]
        args += [] if limit else ["--no-limit"]
        args += [] if lane else ["--no-lane"]
        app, port = start_app(args, env, str(Path.cwd()), "serving on")
        try:
            url_count = len(fake.responses)
            assert post(port, command(fake, CLICKER, "send the deck by friday 4pm")) == 200
            fake.wait_for_response(count=url_count + 1, timeout=10)
            item_id = 1
            clicked: dict[str, float] = {}
            before = len(fake.calls_to("views.open"))

            def flooding() -> None:
                with ThreadPoolExecutor(16) as pool:
                    texts = [f"send report {i} by friday 4pm" for i in range(flood)]
                    list(pool.map(lambda t: post(port, command(fake, FLOODER, t)), texts))

            flooder = threading.Thread(target=flooding)
            started = time.time()
            flooder.start()
            for _ in range(clicks):
                trigger = fake.trigger_id()
                clicked[trigger] = time.time()
                assert post(port, click(fake, trigger, item_id)) == 200
                time.sleep(0.15)  # 50 clicks over about as long as the flood
            flooder.join()
            flood_seconds = time.time() - started
            opened = fake.wait_for("views.open", count=before + clicks, timeout=180)[before:]
        finally:
            app.terminate()
            app.wait(timeout=10)
    waits = sorted(c.at - clicked[c.params["trigger_id"]] for c in opened)
    expired = sum(not c.ok for c in opened)
    p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
    return (
        f"| {'on' if limit else 'off'} | {'on' if lane else 'off'} | {flood_seconds:.1f} s "
        f"| {statistics.median(waits):.2f} | {p99:.2f} | {waits[-1]:.2f} | {expired} of {clicks} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true", help="(internal) run the app")
    parser.add_argument("--no-limit", action="store_true")
    parser.add_argument("--no-lane", action="store_true")
    parser.add_argument("--flood", type=int, default=800)
    parser.add_argument("--clicks", type=int, default=50)
    args = parser.parse_args()
    if args.serve:
        serve(limit=not args.no_limit, lane=not args.no_lane)
        return
    pin(SLACK_CPU)
    with FakeSlack(any_response_url=True) as fake:
        fake.add_user(FLOODER, "flood", tz="America/New_York")
        fake.add_user(CLICKER, "click", tz="America/New_York")
        fake.add_channel(CHANNEL, "bench")
        fake.answer_in(SLACK_SECONDS)
        print("| limit | first lane | flood sent in | p50 s | p99 s | max s | forms refused |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for limit, lane in ((False, False), (True, False), (False, True), (True, True)):
            print(run(fake, limit, lane, args.flood, args.clicks), flush=True)


if __name__ == "__main__":
    sys.exit(main())
