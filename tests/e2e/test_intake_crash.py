"""An ack is a promise: acked commands and events survive a SIGKILL right after the ack.

The real process (`python -m bot run --http`, as in test_durability) takes 100 `/promise`
commands and 10 client messages over signed HTTP while Slack hangs on the first look-ups,
so nothing acked has been processed when it is killed. After a restart every command has
made its promise exactly once and been answered, and every message is recorded once (in
a reply owed that the client's messages, one after another, fold into).
"""

from __future__ import annotations

import http.client
import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.store.models import IntakeRequest, Item, ItemMessage
from tests.e2e.replicas import serving
from tests.e2e.test_durability import TEAM, BotProcess, Store, add_users, wait_until
from tests.fakeslack import FakeSlack, signed_headers

CLIENT = "U0CLIENT"  # someone from the client's own Slack (Slack Connect)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_channel("C0CLIENT", "acme-project")
    fake.add_user(CLIENT, "pat", team_id="T0ACME", tz="UTC")
    yield fake
    fake.stop()


@pytest.fixture
def bots(fake: FakeSlack, tmp_path: Path) -> Iterator[Callable[[str], BotProcess]]:
    started: list[BotProcess] = []

    def start(url: str) -> BotProcess:
        started.append(BotProcess(f"bot{len(started) + 1}", fake, url, tmp_path))
        return started[-1]

    yield start
    for bot in started:
        bot.close()


def post(bot: BotProcess, body: str, content_type: str) -> int:
    headers = {**signed_headers("s", body), "Content-Type": content_type}
    conn = http.client.HTTPConnection("127.0.0.1", bot.port, timeout=10)
    try:
        conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_every_acked_command_and_event_is_done_once_after_a_sigkill(
    fake: FakeSlack, sqlite_url: str, bots: Callable[[str], BotProcess]
) -> None:
    users = add_users(fake, 10)
    store = Store.open(sqlite_url)
    store.repo.channels.watch(
        TEAM, "C0CLIENT", "acme-project", users[0], ["Acme"], datetime.now(UTC)
    )
    # The first look-ups of a person's time zone hang: both after-ack workers are stuck on
    # them, so every acked request is still waiting when the process dies.
    fake.slow_next("users.info", seconds=60, count=2)
    first = bots(sqlite_url)
    wait_until(lambda: serving(first), 20, "the bot to serve", first)

    urls: dict[str, str] = {}  # response_url → what was promised
    for n in range(100):
        what = f"send report {n}"
        form = fake.slash_command(
            "/promise", f"{what} by tomorrow 4pm", user_id=users[n % 10], channel_id="C0CLIENT"
        )
        urls[form["response_url"]] = what
        assert post(first, urlencode(form), "application/x-www-form-urlencoded") == 200
    now = int(datetime.now(UTC).timestamp())
    for n in range(10):
        event = {
            "type": "message",
            "channel": "C0CLIENT",
            "channel_type": "channel",
            "user": CLIENT,
            "user_team": "T0ACME",
            "text": f"can we get an update on part {n}?",
            "ts": f"{now}.{n:06d}",
        }
        assert post(first, json.dumps(fake.event_callback(event)), "application/json") == 200
    first.kill()  # right after the last ack

    with store.repo.sessions() as s:
        pending = s.scalar(select(func.count()).where(IntakeRequest.done_at.is_(None)))
    assert pending == 110, "the kill came before the work, as intended"
    assert not fake.responses, "nothing was answered before the kill"

    second = bots(sqlite_url)

    def all_done() -> bool:
        with store.repo.sessions() as s:
            return not s.scalar(select(func.count()).where(IntakeRequest.done_at.is_(None)))

    wait_until(all_done, 60, "every acked request to be processed after the restart", second)

    with store.repo.sessions() as s:
        items = list(s.scalars(select(Item)))
        messages = Counter(s.scalars(select(ItemMessage.ts)))
    promised = Counter(i.what for i in items if i.kind == "promise")
    assert promised == Counter(urls.values()), "each command made its promise exactly once"
    # The client's messages, one after another, fold into the replies owed (how many depends
    # on which worker took which first): each message is in exactly one of them, once.
    assert messages == Counter(f"{now}.{n:06d}" for n in range(10))
    assert "reply" in {i.kind for i in items}
    answered = {r.url for r in fake.responses}
    assert answered == set(urls), "every command was answered on its response_url"
    assert all("send report" in json.dumps(r.payload) for r in fake.responses)
    assert "processing" in second.log() and "acked before a restart" in second.log()
    store.close()
