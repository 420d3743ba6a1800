"""The end-of-day DM reads right and fits Slack whatever the data: overdue items apart from
what is still due today, counts that match the list, each row's buttons right below it, and
long texts or long lists shortened rather than refused (the fake Slack checks the limits)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.core.items import NewItem
from tests.e2e.conftest import NY
from tests.e2e.harness import TEAM, Bot, text_of, tick_at
from tests.e2e.test_nudges import dms, nudges

OWNER = "U0OWNER"


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, second, tzinfo=NY)


def add_item(bot: Bot, what: str, due: datetime, kind: str = "promise") -> int:
    item = bot.runtime.repo.create_item(
        NewItem(
            team_id=TEAM,
            kind=kind,
            what=what,
            owner_id=OWNER,
            creator_id=OWNER,
            due_at=due,
            channel_id="C0CLIENT",
            client="Acme" if kind == "reply" else None,
        ),
        at(8),
    )
    return item.id


def eod_dm(bot: Bot) -> dict[str, Any]:
    return next(m for m in reversed(dms(bot, OWNER)) if "Before you wrap up" in text_of(m))


def eod_blocks(dm: dict[str, Any]) -> list[dict[str, Any]]:
    start = next(
        i for i, b in enumerate(dm["blocks"]) if "Before you wrap up" in str(b.get("text"))
    )
    return dm["blocks"][start:]


def test_a_promise_missed_this_morning_is_overdue_not_due_today(bot: Bot) -> None:
    bot.clock.set(at(9))
    bot.command("send the deck by 10am")
    bot.command("call the printer by 5pm")
    tick_at(bot, at(16, 30))
    dm = eod_dm(bot)
    shown = text_of({"text": "", "blocks": eod_blocks(dm)})
    deck, _printer = bot.items()
    assert "Overdue — tell the client now (1)" in shown and "Due today (1)" in shown
    overdue, due_today = shown.split("Due today (1)")
    assert f"#{deck.id}*" in overdue and "was due" in overdue and "send the deck" in overdue
    assert "send the deck" not in due_today and "call the printer" in due_today
    assert "End of day: 1 overdue, 1 due today" in dm["text"]


def test_each_rows_buttons_sit_right_below_it_and_name_the_item(bot: Bot) -> None:
    bot.clock.set(at(9))
    bot.command("send the deck by 10am")
    bot.command("call the printer by 5pm")
    bot.command("reply to Acme about the invoice")
    tick_at(bot, at(16, 30))
    blocks = eod_blocks(eod_dm(bot))
    actions = [n for n, b in enumerate(blocks) if b["type"] == "actions"]
    assert len(actions) == 3
    for n in actions:
        item = blocks[n]["elements"][0]["value"]
        assert blocks[n - 1]["type"] == "section" and f"#{item}*" in blocks[n - 1]["text"]["text"]
        for button in blocks[n]["elements"]:
            assert button["accessibility_label"].endswith(f"#{item}")


def test_the_counts_match_the_list_with_a_backlog(bot: Bot) -> None:
    for day in range(1, 7):
        add_item(bot, f"old task {day}", datetime(2026, 11, 20 + day, 12, tzinfo=NY))
    bot.clock.set(at(9))
    bot.command("reply to Acme about the invoice")
    tick_at(bot, at(16, 30))
    dm = eod_dm(bot)
    assert "End of day: 1 reply owed, 6 in the backlog" in dm["text"]
    shown = text_of(dm)
    assert "Replies owed to clients today (1)" in shown and "…and 3 older" in shown


def test_500_long_overdue_items_still_make_a_dm_slack_accepts(bot: Bot) -> None:
    bot.clock.set(at(9))
    bot.command("send the deck by 5pm")  # plans today's end-of-day DM
    filler = "word &amp; <@U0123456> <!date^1764600000^{date}|Dec 1> " * 60
    ids = [
        add_item(bot, f"task {k} {filler}"[:3000], at(9) + timedelta(seconds=30 * k))
        for k in range(500)
    ]
    result = tick_at(bot, at(16, 30))
    assert result.sent >= 1
    [today] = [n for n in nudges(bot) if n.kind == "eod" and n.due_at == at(16, 30)]
    assert today.status == "sent"
    dm = eod_dm(bot)
    assert len(dm["blocks"]) <= 50 and len(dm["text"]) <= 40_000
    shown = text_of(dm)
    assert f"#{ids[-1]}*" in shown and f"#{ids[0]}*" not in shown  # the latest miss first
    assert "Overdue — tell the client now (500)" in shown and "more overdue" in shown
    assert "End of day: 500 overdue, 1 due today" in dm["text"]
    for block in dm["blocks"]:
        if block["type"] == "section":
            text = block["text"]["text"]
            assert len(text) <= 3000
            assert text.count("<") == text.count(">")  # no token cut in half


def test_a_nudge_for_a_40000_character_item_goes_through(bot: Bot) -> None:
    bot.clock.set(at(9))
    add_item(bot, "long " * 8000, at(16))  # a client message at Slack's 40,000 characters
    [long] = bot.items()
    bot.runtime.planner.replan(long)
    result = tick_at(bot, at(15))  # the reminder before the deadline
    assert result.sent == 1
    assert next(n for n in nudges(bot) if n.kind == "before").status == "sent"
    dm = dms(bot, OWNER)[-1]
    assert "long long" in text_of(dm) and "…" in text_of(dm)
    assert all(len(b["text"]["text"]) <= 3000 for b in dm["blocks"] if b["type"] == "section")
