"""Who the bot may see and DM: what Slack refuses about one person stays about that person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.store.models import Nudge
from tests.e2e.conftest import NY
from tests.e2e.harness import Bot, text_of, tick_at


def test_a_person_slack_hides_is_refused_and_look_ups_of_others_go_on(bot: Bot) -> None:
    bot.fake.add_user("U0HIDDEN", "hidden", visible=False)
    refused = bot.command("<@U0HIDDEN|hidden> send the deck by fri 3pm")
    assert "can't find <@U0HIDDEN>" in text_of(refused)
    assert bot.items() == []  # never accepted unchecked
    # The back-off is about that one person: the next look-up still asks Slack.
    answer = bot.command("<@U0HELPER|sam> send the deck by fri 3pm")
    [item] = bot.items()
    assert item.owner_id == "U0HELPER" and f"#{item.id}" in text_of(answer)
    asked = [c.params.get("user") for c in bot.fake.calls_to("users.info")]
    assert asked.index("U0HELPER") > asked.index("U0HIDDEN")


def test_a_nudge_to_a_deactivated_owner_fails_alone_with_slacks_reason(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    bot.fake.add_user("U0KIM", "kim", tz="America/New_York")
    bot.command("<@U0KIM|kim> send the brief by 4pm")
    bot.fake.add_user("U0KIM", "kim", tz="America/New_York", deleted=True)  # left the company
    result = tick_at(bot, datetime(2026, 12, 1, 15, 0, tzinfo=NY))
    assert (result.sent, result.failed) == (1, 1)
    with bot.runtime.repo.sessions() as s:
        rows = {n.recipient_id: n for n in s.scalars(select(Nudge).where(Nudge.kind == "before"))}
    assert (rows["U0KIM"].status, rows["U0KIM"].last_error) == ("failed", "user_disabled")
    assert rows["U0OWNER"].status == "sent"
    assert len(bot.fake.messages(bot.fake.dm_channel("U0OWNER"))) == 1
