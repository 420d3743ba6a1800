"""The thank-you survives a SIGKILL between the close and Slack's answer, and is never
posted twice: the real process (`python -m bot run --http`, as in test_durability) closes
a promise made in a channel and is killed while Slack holds the thank-you's way out,
either before the post reached Slack or after Slack took it. The process that reclaims
the request posts it in the first case and finds it (by its metadata) in the second."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.store.models import IntakeRequest, Item, ItemEvent
from tests.e2e import test_intake_crash
from tests.e2e.replicas import post, serving
from tests.e2e.test_durability import BotProcess, Store, add_users, wait_until
from tests.fakeslack import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_channel("C0PROJECT", "acme-project")  # not watched: its sharing is asked
    yield fake
    fake.stop()


bots = test_intake_crash.bots  # the fixture: start bot processes, each killed at the end


def started(bots: Callable[[str], BotProcess], url: str) -> BotProcess:
    bot = bots(url)
    wait_until(lambda: serving(bot), 20, "the bot to serve", bot)
    return bot


def command(fake: FakeSlack, bot: BotProcess, user: str, text: str) -> str:
    """`/promise TEXT` in the project channel, acked; its response_url."""
    form = fake.slash_command("/promise", text, user_id=user, channel_id="C0PROJECT")
    status, _ = post(bot, urlencode(form), "application/x-www-form-urlencoded")
    assert status == 200
    return str(form["response_url"])


def thank_yous(fake: FakeSlack) -> list[dict[str, object]]:
    return [
        m
        for m in fake.messages("C0PROJECT")
        if (m.get("metadata") or {}).get("event_type") == "promise_change"
    ]


@pytest.mark.parametrize(
    ("held", "after"),
    [("conversations.info", False), ("chat.postMessage", True)],
    ids=["killed before the post reached Slack", "killed after Slack took the post"],
)
def test_a_thank_you_cut_off_by_a_kill_is_posted_once_after_the_restart(
    fake: FakeSlack,
    sqlite_url: str,
    bots: Callable[[str], BotProcess],
    held: str,
    after: bool,
) -> None:
    [owner] = add_users(fake, 1)
    store = Store.open(sqlite_url)
    first = started(bots, sqlite_url)
    made = command(fake, first, owner, "send the deck by tomorrow 4pm")
    fake.wait_for_response(made)
    with store.repo.sessions() as s:
        [item_id] = s.scalars(select(Item.id))

    # After the close is stored the thank-you asks whether the client reads the channel
    # (conversations.info), then posts it: Slack hangs on one of the two.
    fake.slow_next(held, seconds=60, after=after)
    done = command(fake, first, owner, f"done {item_id}")
    wait_until(lambda: held in fake.held, 20, f"Slack to hold {held}", first)
    with store.repo.sessions() as s:
        assert s.get_one(Item, item_id).status == "done"
        [event] = s.scalars(select(ItemEvent).where(ItemEvent.kind == "done"))
        assert event.post == "owed"
    first.kill()
    assert len(thank_yous(fake)) == (1 if after else 0)

    second = started(bots, sqlite_url)

    def processed() -> bool:
        with store.repo.sessions() as s:
            return not s.scalar(select(func.count()).where(IntakeRequest.done_at.is_(None)))

    wait_until(processed, 30, "the done to be processed again", second)
    [thanks] = thank_yous(fake)  # exactly one, either way
    assert str(thanks["text"]).startswith("Delivered: send the deck") and f"<@{owner}>" in str(
        thanks["text"]
    )
    with store.repo.sessions() as s:
        [event] = s.scalars(select(ItemEvent).where(ItemEvent.kind == "done"))
        assert event.post == "posted"
    [answer] = [r for r in fake.responses if r.url == done]
    assert "I thanked everyone in <#C0PROJECT>" in str(answer.payload)
    store.close()
