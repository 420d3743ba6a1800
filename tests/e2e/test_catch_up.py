"""Catch-up without a stack: after downtime, or on inheriting overdue items, the owner gets
one summary DM with a button to App Home, not a pile of stale missed and heads-up lines; a
heads-up never says "goes to the lead" once the lead was told; and a DM Slack refuses for
one nudge still brings the others."""

from __future__ import annotations

from typing import Any

import pytest

from bot.usecases.ports import NotifyError, NudgeView
from tests.e2e.conftest import at
from tests.e2e.harness import TEAM, Bot, text_of, tick_at
from tests.e2e.test_nudges import dms, nudges

OWNER = "U0OWNER"
HOME = "slack://app?team=T0001&id=A0001&tab=home"


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def shown_items(message: dict[str, Any]) -> list[str]:
    """The item IDs the message lists, in order (from its rows' "*#12*")."""
    return [
        b["text"]["text"].split("*")[1]
        for b in message["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith("• *#")
    ]


def test_after_a_day_of_downtime_the_owner_gets_one_summary_not_a_stack(bot: Bot) -> None:
    bot.clock.set(at(30, 10, month=11))  # Monday; the bot goes down after this
    bot.command("send the old report by 4pm")
    bot.clock.set(at(1, 9))  # Tuesday, still down
    bot.command("send the deck by 11am")
    bot.command("call the printer by 3pm")
    old, deck, printer = (i.id for i in bot.items())

    tick_at(bot, at(2, 11))  # back on Wednesday morning

    [summary] = dms(bot, OWNER)
    said = text_of(summary)
    assert "Catching up: 3 of your items are past their deadline" in said
    assert "today first (2), then 1 from the backlog" in said
    assert "Tell the client now" not in said and "Heads-up" not in said
    assert "goes to the lead" not in said
    assert shown_items(summary) == [f"#{printer}", f"#{deck}", f"#{old}"]  # newest first
    [home] = [b for b in buttons(summary) if b.get("url")]
    assert (home["text"]["text"], home["url"]) == ("Open App Home", HOME)
    # every missed and heads-up line is recorded as sent, with that one DM
    lines = [n for n in nudges(bot) if n.kind in ("missed", "heads_up")]
    assert len(lines) == 6
    assert {(n.status, n.recipient_id, n.message_ts) for n in lines} == {
        ("sent", OWNER, summary["ts"])
    }
    named = set(summary["metadata"]["event_payload"]["nudges"].split(","))
    assert {str(n.id) for n in lines} <= named  # a crash before marking never resends them
    # the lead still hears of each, in their own DM
    assert "late by" in text_of(dms(bot, "U0LEAD")[-1])
    # the button is a link: the click is acked, nothing else happens
    block = next(
        b for b in summary["blocks"] if b["type"] == "actions" and b["elements"][0].get("url")
    )
    answer = bot.click(OWNER, block, "catch_up_open_home", container={"type": "message"})
    assert answer.status == 200


def test_inheriting_overdue_items_brings_the_handoff_dms_and_one_summary(bot: Bot) -> None:
    bot.fake.add_user("U0NIA", "nia", tz="America/New_York")
    for due in ("10:30am", "10:45am", "11am"):
        bot.command(f"send part {due} by {due}")
    for when in (at(1, 10, 30), at(1, 10, 45), at(1, 11)):  # each missed line, on time
        tick_at(bot, when)
    assert sum("Tell the client now" in text_of(m) for m in dms(bot, OWNER)) == 3
    bot.clock.set(at(1, 11, 30))
    for item in bot.items():
        bot.command(f"handoff {item.id} <@U0NIA|nia>")

    tick_at(bot, at(1, 11, 31))

    *handoffs, summary = dms(bot, "U0NIA")
    assert len(handoffs) == 3 and all("You now own" in m["text"] for m in handoffs)
    said = text_of(summary)
    assert "Catching up: 3 of your items are past their deadline" in said
    assert "Tell the client now" not in said
    assert HOME in [b.get("url") for b in buttons(summary)]
    missed = [n for n in nudges(bot) if n.kind == "missed" and n.recipient_id == "U0NIA"]
    assert len(missed) == 3 and {n.status for n in missed} == {"sent"}


def test_an_item_already_escalated_gets_no_goes_to_the_lead_line(bot: Bot) -> None:
    bot.fake.add_user("U0NIA", "nia", tz="America/New_York")
    bot.command("send the deck by 10:30am")
    for when in (at(1, 10, 30), at(1, 12), at(1, 12, 30)):  # missed, heads-up, escalation
        tick_at(bot, when)
    assert "late by" in text_of(dms(bot, "U0LEAD")[-1])
    [item] = bot.items()
    bot.clock.set(at(1, 13))
    bot.command(f"handoff {item.id} <@U0NIA|nia>")

    tick_at(bot, at(1, 13, 1))

    said = "\n".join(text_of(m) for m in dms(bot, "U0NIA"))
    assert "Tell the client now" in said  # the new owner still hears it is late
    assert "goes to the lead" not in said and "Heads-up" not in said
    [heads_up] = [n for n in nudges(bot) if n.kind == "heads_up" and n.recipient_id == "U0NIA"]
    assert heads_up.status == "skipped"
    assert heads_up.last_error == "no escalation is queued: the lead was already told, or won't be"


def test_a_dm_slack_refuses_for_one_nudge_still_brings_the_others(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    bot.command("send the POISON by 4pm")
    bot.command("call the printer by 4:02pm")
    bot.fake.reject_posts("POISON", error="invalid_blocks")

    result = tick_at(bot, at(1, 15, 2))

    # the others go, each alone (which of them Slack would refuse is known only by trying)
    arrived = [text_of(m) for m in dms(bot, OWNER)]
    assert len(arrived) == 2 and not any("POISON" in said for said in arrived)
    assert any("send the deck" in said for said in arrived)
    assert any("call the printer" in said for said in arrived)
    assert (result.sent, result.failed, result.retried) == (2, 1, 0)
    before = {n.item_id: n for n in nudges(bot) if n.kind == "before"}
    deck, poison, printer = (i.id for i in bot.items())
    assert (before[poison].status, before[poison].last_error) == ("failed", "invalid_blocks")
    assert {before[deck].status, before[printer].status} == {"sent"}
    assert {before[deck].message_ts, before[printer].message_ts} == {
        m["ts"] for m in dms(bot, OWNER)
    }


def test_a_dm_that_cannot_be_built_is_refused_as_its_content_with_the_real_reason(
    bot: Bot,
) -> None:
    bot.command("send the deck by 4pm")
    [item] = bot.items()
    view = NudgeView(1, "no-such-kind", bot.runtime.repo.get_item(TEAM, item.id))

    with pytest.raises(NotifyError) as refused:
        bot.runtime.notifier.send_nudges(TEAM, OWNER, [view], None, "UTC")

    assert refused.value.content and not refused.value.transient
    assert refused.value.reason == (
        "could not build the DM: ValueError: no message for a no-such-kind nudge"
    )
    assert dms(bot, OWNER) == []


def test_a_long_catch_up_shows_the_newest_few_and_points_at_app_home(bot: Bot) -> None:
    bot.clock.set(at(1, 9))
    for hour in range(10, 17):
        bot.command(f"send part {hour} by {hour % 12 or 12}{'am' if hour < 12 else 'pm'}")

    tick_at(bot, at(2, 10))  # the bot was down since Tuesday 9:00

    [summary] = dms(bot, OWNER)
    assert "Catching up: 7 of your items" in text_of(summary)
    ids = [f"#{i.id}" for i in bot.items()]
    assert shown_items(summary) == ids[::-1][:5]
    assert "…and 2 more in App Home, newest first." in text_of(summary)


def test_one_late_item_keeps_its_lines_and_its_heads_up_says_now_not_a_past_time(
    bot: Bot,
) -> None:
    bot.command("send the deck by 11am")

    tick_at(bot, at(2, 11))  # down since Tuesday: the escalation goes in this same tick

    [dm] = dms(bot, OWNER)
    said = text_of(dm)
    assert "Catching up" not in said and "Tell the client now" in said
    assert "goes to the lead now" in said
    assert "late by" in text_of(dms(bot, "U0LEAD")[-1])
