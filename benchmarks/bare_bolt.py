"""A bare Bolt app that only acks `/promise`, served exactly like promise-bot (waitress, 8
threads, /slack/events). The baseline for benchmarks.ack_latency; prints its port.

With `--events` it also acks `message` events and does nothing with them (the baseline for
benchmarks.events_ingest).
"""

from __future__ import annotations

import argparse
import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.slack.client import build_web_client
from bot.slack.http import make_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", action="store_true", help="also ack `message` events")
    args = parser.parse_args()
    client = build_web_client(os.environ["SLACK_BOT_TOKEN"], os.environ["SLACK_API_URL"])
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.command("/promise")
    def only_ack(ack):  # type: ignore[no-untyped-def]
        ack()

    if args.events:

        @app.event("message")
        def ignore_message():  # type: ignore[no-untyped-def]
            pass  # Bolt acks events itself, before the listener runs

    # Bolt's own WSGI adapter, nothing of ours in front of it: the baseline.
    server = make_server(SlackRequestHandler(app, path="/slack/events"), "127.0.0.1", 0)
    print(f"serving on 127.0.0.1:{server.effective_port}", flush=True)
    server.run()


if __name__ == "__main__":
    main()
