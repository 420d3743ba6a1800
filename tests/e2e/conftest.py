from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FrozenClock
from tests.e2e.harness import Bot
from tests.fakeslack import FakeSlack

NY = ZoneInfo("America/New_York")
# Tuesday 1 December 2026, 10:00 in New York: a working morning.
START = datetime(2026, 12, 1, 10, 0, tzinfo=NY)


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    """A wall-clock time in New York in 2026 (December unless told)."""
    return datetime(2026, month, day, hour, minute, tzinfo=NY)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_user("U0OWNER", "maria", tz="America/New_York")
    fake.add_user("U0HELPER", "sam", tz="Europe/London")
    fake.add_user("U0LEAD", "lee", tz="America/New_York")
    fake.add_user("U0OTHER", "alex", tz="Asia/Kolkata")
    fake.add_user("U0ROBOT", "robot", is_bot=True)
    fake.add_user("U0GONE", "gone", deleted=True)
    fake.add_channel("C0CLIENT", "acme-project")
    fake.add_channel("C0NOBOT", "random", bot_is_member=False)
    yield fake
    fake.stop()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def make_bot(slack: FakeSlack, sqlite_url: str, clock: FrozenClock) -> Iterator[Callable[..., Bot]]:
    bots: list[Bot] = []

    def make(database_url: str | None = None, **env: str) -> Bot:
        bot = Bot(slack, database_url or sqlite_url, clock, env)
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        bot.close()


@pytest.fixture
def bot(make_bot: Callable[..., Bot]) -> Bot:
    return make_bot(PROMISE_LEAD="U0LEAD")
