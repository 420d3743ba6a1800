"""Nudges end to end: planned rows, the dispatcher's DMs, and the buttons on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.store.models import Nudge
from tests.e2e.conftest import NY
from tests.e2e.harness import Bot, text_of


def nudges(bot: Bot) -> list[Nudge]:
    from sqlalchemy import select

    with bot.runtime.repo.sessions() as s:
        return list(s.scalars(select(Nudge).order_by(Nudge.due_at, Nudge.id)))


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=NY)


def tick_at(bot: Bot, when: datetime) -> Any:
    bot.clock.set(when)
    return bot.runtime.dispatcher.tick()


def dms(bot: Bot, user: str) -> list[dict[str, Any]]:
    return bot.fake.messages(bot.fake.dm_channel(user))


def click(
    bot: Bot,
    user: str,
    message: dict[str, Any],
    action_id: str,
    value: str | None = None,
    selected: str | None = None,
) -> None:
    block = next(
        b
        for b in message["blocks"]
        if b.get("type") == "actions" and any(e["action_id"] == action_id for e in b["elements"])
    )
    element = next(e for e in block["elements"] if e["action_id"] == action_id)
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block["block_id"],
        "type": element["type"],
    }
    if selected is not None:
        action["selected_option"] = next(
            o for o in element["options"] if o["value"].endswith(selected)
        )
    else:
        action["value"] = value or element["value"]
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "acme-agency"},
        "user": {"id": user, "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": bot.fake.trigger_id(),
        "container": {
            "type": "message",
            "channel_id": bot.fake.dm_channel(user),
            "message_ts": message["ts"],
        },
        "channel": {"id": bot.fake.dm_channel(user)},
        "message": message,
        "response_url": bot.fake.response_url(),
        "actions": [action],
    }
    assert bot.interact(payload).status == 200


def test_a_promise_plans_its_nudges(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    planned = {(n.kind, n.recipient_id, n.due_at) for n in nudges(bot) if n.status == "queued"}
    assert ("before", "U0OWNER", at(15)) in planned
    assert ("missed", "U0OWNER", at(16)) in planned
    assert ("eod", "U0OWNER", at(16, 30)) in planned
    assert any(k == "heads_up" for k, _, _ in planned)
    assert ("escalate", "U0LEAD", at(10, day=2)) in planned  # 2 working hours after 16:00


def test_the_before_nudge_arrives_as_a_dm_with_buttons(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    assert tick_at(bot, at(14, 59)).sent == 0
    assert tick_at(bot, at(15)).sent == 1
    [dm] = dms(bot, "U0OWNER")
    assert "send the deck" in text_of(dm) and "due" in text_of(dm)
    action_ids = {
        e["action_id"] for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    assert action_ids == {"nudge_done", "nudge_more_time", "nudge_snooze", "nudge_handoff"}
    assert dm["metadata"]["event_type"] == "promise_nudge"
    assert tick_at(bot, at(15, 1)).sent == 0  # never twice


def test_done_on_the_nudge_closes_thanks_and_updates_the_dm(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    tick_at(bot, at(15))
    [dm] = dms(bot, "U0OWNER")
    click(bot, "U0OWNER", dm, "nudge_done")
    [update] = bot.fake.wait_for("chat.update")
    assert "done" in text_of(update.params) and "nudge_done" not in str(update.params["blocks"])
    assert bot.items()[0].status == "done"
    thanks = [c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "C0CLIENT"]
    assert len(thanks) == 1 and "<@U0OWNER>" in text_of(thanks[0].params)
    assert tick_at(bot, at(16)).sent == 0  # the missed nudge was cancelled
    assert {n.kind for n in nudges(bot) if n.status == "queued"} <= {"follow_up", "eod"}


def test_a_stranger_clicking_changes_nothing(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    tick_at(bot, at(15))
    [dm] = dms(bot, "U0OWNER")
    click(bot, "U0OTHER", dm, "nudge_done")
    answer = bot.fake.wait_for_response(None, count=2)[-1]
    assert "Only the owner" in text_of(answer.payload)
    assert bot.items()[0].status == "open"


def test_snooze_holds_everything_back_until_it_ends(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    tick_at(bot, at(15))
    [dm] = dms(bot, "U0OWNER")
    click(bot, "U0OWNER", dm, "nudge_snooze", selected="30m")
    bot.fake.wait_for("chat.update")
    assert bot.items()[0].snoozed_until == at(15, 30)
    assert tick_at(bot, at(15, 29)).sent == 0
    assert tick_at(bot, at(15, 30)).sent == 1
    assert "due" in text_of(dms(bot, "U0OWNER")[-1])


def test_missed_heads_up_then_escalation(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    tick_at(bot, at(15))
    tick_at(bot, at(16))
    assert "Tell the client now" in text_of(dms(bot, "U0OWNER")[-1])
    tick_at(bot, at(16, 30))  # end-of-day DM lists it
    assert "Before you wrap up" in text_of(dms(bot, "U0OWNER")[-1])
    heads_up = next(n for n in nudges(bot) if n.kind == "heads_up")
    escalate = next(n for n in nudges(bot) if n.kind == "escalate")
    assert heads_up.due_at < escalate.due_at
    tick_at(bot, heads_up.due_at)
    assert "goes to the lead" in text_of(dms(bot, "U0OWNER")[-1])
    assert dms(bot, "U0LEAD") == []
    tick_at(bot, escalate.due_at)
    [lead_dm] = dms(bot, "U0LEAD")
    assert "<@U0OWNER>" in text_of(lead_dm) and "late by" in text_of(lead_dm)


def test_renegotiating_in_time_cancels_the_escalation(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    bot.clock.set(at(15, 30))
    bot.command(f"move {bot.items()[0].id} to tomorrow 3pm because figures changed")
    for hour in (16, 17):
        tick_at(bot, at(hour))
    tick_at(bot, at(10, 30, day=2))
    assert dms(bot, "U0LEAD") == []
    assert all("Tell the client now" not in text_of(m) for m in dms(bot, "U0OWNER"))


def test_nudges_due_together_arrive_as_one_dm(bot: Bot) -> None:
    bot.command("first by 4pm")
    bot.command("second by 4:02pm")
    assert tick_at(bot, at(15, 2)).sent == 2
    [dm] = dms(bot, "U0OWNER")
    assert "first" in text_of(dm) and "second" in text_of(dm)


def test_a_nudge_waits_for_working_hours(bot: Bot) -> None:
    bot.clock.set(at(17, 30))
    bot.command("send the deck by tomorrow 9:30am")
    before = next(n for n in nudges(bot) if n.kind == "before")
    assert before.due_at == at(9, day=2)  # not 8:30: the owner's day starts at 9


def test_slack_failures_retry_then_deliver(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    bot.fake.fail_next("chat.postMessage", status=500, count=3)  # beyond the client's retries
    result = tick_at(bot, at(15))
    assert result.sent == 0 and result.retried == 1
    row = next(n for n in nudges(bot) if n.kind == "before")
    assert row.status == "queued" and row.last_error
    result = tick_at(bot, at(15, 5))
    assert result.sent == 1 and len(dms(bot, "U0OWNER")) == 1


def test_a_permanent_error_ends_the_nudge_with_its_reason(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    bot.fake.fail_next("chat.postMessage", status=200, error="account_inactive")
    assert tick_at(bot, at(15)).failed == 1
    row = next(n for n in nudges(bot) if n.kind == "before")
    assert (row.status, row.last_error) == ("failed", "account_inactive")


def test_after_downtime_stale_nudges_are_skipped_with_a_reason(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    result = tick_at(bot, at(16, 10))  # the bot was down at 15:00
    assert result.skipped == 1 and result.sent == 1  # the missed nudge still matters
    before = next(n for n in nudges(bot) if n.kind == "before")
    assert before.status == "skipped" and "deadline passed" in (before.last_error or "")


def test_handoff_tells_the_new_owner_with_context(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    item_id = bot.items()[0].id
    answer = bot.command(f"handoff {item_id} <@U0HELPER|sam>")
    assert "now <@U0HELPER>'s" in text_of(answer)
    [dm] = bot.fake.wait_for(
        "chat.postMessage", where=lambda c: c.params["channel"] == bot.fake.dm_channel("U0HELPER")
    )
    assert "send the deck" in text_of(dm.params) and "<#C0CLIENT>" in text_of(dm.params)
    assert {n.recipient_id for n in nudges(bot) if n.status == "queued" and n.kind == "before"} == {
        "U0HELPER"
    }
