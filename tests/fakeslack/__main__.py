"""Run the fake on its own, in another process (benchmarks: Slack's CPU is not ours).

`python -m tests.fakeslack --user U0BENCH:America/New_York --channel C0BENCH:bench`
prints one JSON line ({"api_url", "base_url", "bot_token", "team_id"}) and serves
until its standard input closes.
"""

from __future__ import annotations

import argparse
import json
import sys

from tests.fakeslack import FakeSlack


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", action="append", default=[], help="ID:TZ")
    parser.add_argument("--channel", action="append", default=[], help="ID:NAME")
    args = parser.parse_args()
    fake = FakeSlack(any_response_url=True).start()
    for spec in args.user:
        user_id, tz = spec.split(":", 1)
        fake.add_user(user_id, user_id.lower(), tz=tz)
    for spec in args.channel:
        channel_id, name = spec.split(":", 1)
        fake.add_channel(channel_id, name)
    info = {
        "api_url": fake.api_url,
        "base_url": fake.base_url,
        "bot_token": fake.bot_token,
        "team_id": fake.team_id,
    }
    print(json.dumps(info), flush=True)
    sys.stdin.read()
    fake.stop()


if __name__ == "__main__":
    main()
