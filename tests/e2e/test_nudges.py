"""Nudges end to end: planned rows, the dispatcher's DMs, and the buttons on them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.store.models import Nudge
from tests.e2e.conftest import NY
from tests.e2e.harness import Bot, text_of, tick_at
from tests.fakeslack import Call


def nudges(bot: Bot) -> list[Nudge]:
    from sqlalchemy import select

    with bot.runtime.repo.sessions() as s:
        return list(s.scalars(select(Nudge).order_by(Nudge.due_at, Nudge.id)))


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=NY)


def dms(bot: Bot, user: str) -> list[dict[str, Any]]:
    return bot.fake.messages(bot.fake.dm_channel(user))


def in_dm_with(call: Call, bot: Bot, user: str) -> bool:
    """A post that landed in the app's DM with `user` (posted to their user ID or the DM's)."""
    return bool(call.response and call.response.get("channel") == bot.fake.dm_channel(user))


def click(
    bot: Bot,
    user: str,
    message: dict[str, Any],
    action_id: str,
    value: str | None = None,
    selected: str | None = None,
) -> None:
    """`user` clicks `action_id` on a message in their DM with the app."""
    block = next(
        b
        for b in message["blocks"]
        if b.get("type") == "actions" and any(e["action_id"] == action_id for e in b["elements"])
    )
    answer = bot.click(
        user,
        block,
        action_id,
        value=value,
        selected=selected,
        container={
            "type": "message",
            "channel_id": bot.fake.dm_channel(user),
            "message_ts": message["ts"],
        },
        channel={"id": bot.fake.dm_channel(user)},
        message=message,
        response_url=bot.fake.response_url(),
    )
    assert answer.status == 200


def form_on_the_nudge(bot: Bot, action_id: str) -> dict[str, Any]:
    """Maria promises "send the deck by 4pm", gets the 15:00 nudge and clicks `action_id` on
    it: the form the app opens."""
    bot.command("send the deck by 4pm")
    tick_at(bot, at(15))
    [dm] = dms(bot, "U0OWNER")
    click(bot, "U0OWNER", dm, action_id)
    [opened] = bot.fake.wait_for("views.open")
    return opened.params["view"]


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
    view = form_on_the_nudge(bot, "nudge_done")  # "Who helped?", which may be left empty
    bot.submit_view("U0OWNER", view, {})
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
    [dm] = bot.fake.wait_for("chat.postMessage", where=lambda c: in_dm_with(c, bot, "U0HELPER"))
    assert "send the deck" in text_of(dm.params) and "<#C0CLIENT>" in text_of(dm.params)
    assert {n.recipient_id for n in nudges(bot) if n.status == "queued" and n.kind == "before"} == {
        "U0HELPER"
    }


def test_need_more_time_moves_posts_the_note_and_updates_the_dm(bot: Bot) -> None:
    view = form_on_the_nudge(bot, "nudge_more_time")
    note_block = next(b for b in view["blocks"] if b["block_id"] == "note")
    assert "more time" in note_block["element"]["initial_value"]  # prefilled, polite

    bad = bot.submit_view(
        "U0OWNER",
        view,
        {
            "when": {"value": {"type": "plain_text_input", "value": "blursday"}},
            "note": {"value": {"type": "plain_text_input", "value": "x"}},
        },
    )
    assert "blursday" in bad.body and '"response_action":"errors"' in bad.body.replace(" ", "")
    assert bot.items()[0].due_at == at(16)

    ok = bot.submit_view(
        "U0OWNER",
        view,
        {
            "when": {"value": {"type": "plain_text_input", "value": "tomorrow 11am"}},
            "note": {"value": {"type": "plain_text_input", "value": "New figures <today>, sorry!"}},
        },
    )
    assert ok.status == 200
    [update] = bot.fake.wait_for("chat.update")
    assert "renegotiated in advance" in text_of(update.params)
    [item] = bot.items()
    assert item.due_at == at(11, day=2) and item.moved_in_advance == 1
    note = next(
        c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "C0CLIENT"
    )
    assert "New figures &lt;today&gt;, sorry!" in text_of(note.params)
    assert tick_at(bot, at(16)).sent == 0  # the old deadline's nudges are gone


def test_hand_off_button_gives_the_item_to_someone_else(bot: Bot) -> None:
    view = form_on_the_nudge(bot, "nudge_handoff")
    robot = bot.submit_view(
        "U0OWNER",
        view,
        {"to": {"value": {"type": "users_select", "selected_user": "U0ROBOT"}}},
    )
    assert "is a bot" in robot.body
    bot.submit_view(
        "U0OWNER",
        view,
        {"to": {"value": {"type": "users_select", "selected_user": "U0HELPER"}}},
    )
    bot.fake.wait_for("chat.update")
    assert bot.items()[0].owner_id == "U0HELPER"
    assert any("send the deck" in text_of(m) for m in dms(bot, "U0HELPER"))


def test_follow_up_arrives_working_days_after_delivery(bot: Bot) -> None:
    bot.clock.set(at(11, day=4))  # Friday
    bot.command("send the deck by 4pm")
    bot.command(f"done {bot.items()[0].id}")
    follow_up = next(n for n in nudges(bot) if n.kind == "follow_up")
    assert follow_up.due_at == at(11, day=8)  # two working days later: Tuesday
    tick_at(bot, follow_up.due_at)
    dm = dms(bot, "U0OWNER")[-1]
    assert "Check it landed" in text_of(dm)
    click(bot, "U0OWNER", dm, "followup_done")
    [update] = bot.fake.wait_for("chat.update")
    assert "Followed up" in text_of(update.params)


def test_the_end_of_day_dm_lists_today_and_a_little_backlog_newest_first(bot: Bot) -> None:
    bot.clock.set(at(9, 30, day=1))
    for day in (1, 2, 3, 4):  # four promises due on four days this week
        bot.command(f"task {day} by dec {day} 10am")
    bot.command("today's thing by 4pm")
    bot.command("reply to Acme about the invoice")
    tick_at(bot, at(16, 30, day=7))  # next Monday at the cutoff: 4 overdue, nothing due today
    dm = dms(bot, "U0OWNER")[-1]
    shown = text_of(dm)
    assert "Before you wrap up" in shown
    assert shown.index("task 4") < shown.index("task 3") < shown.index("task 2")  # newest first
    assert "task 1" not in shown.split("From the backlog")[1].split("older")[0] or "…and" in shown
    assert "and 3 older" in shown  # 6 overdue, 3 shown


def test_no_end_of_day_dm_when_there_is_nothing_to_say(bot: Bot) -> None:
    bot.command("send the deck by tomorrow 4pm")
    result = tick_at(bot, at(16, 30))
    assert result.sent == 0 and result.skipped == 1
    assert dms(bot, "U0OWNER") == []


def test_the_scheduler_ticks_the_dispatcher(bot: Bot) -> None:
    from bot.scheduler import start_ticking

    bot.command("send the deck by 4pm")
    bot.clock.set(at(15))
    scheduler = start_ticking(bot.runtime.dispatcher, timedelta(seconds=0.2))
    try:
        bot.fake.wait_for(
            "chat.postMessage",
            where=lambda c: in_dm_with(c, bot, "U0OWNER"),
        )
    finally:
        scheduler.shutdown(wait=True)
    assert next(n for n in nudges(bot) if n.kind == "before").status == "sent"


def test_need_more_time_takes_the_pickers_too(bot: Bot) -> None:
    view = form_on_the_nudge(bot, "nudge_more_time")
    nothing = bot.submit_view("U0OWNER", view, {})
    assert "Type a new deadline" in nothing.body
    bot.submit_view(
        "U0OWNER",
        view,
        {
            "date": {"value": {"type": "datepicker", "selected_date": "2026-12-03"}},
            "time": {"value": {"type": "timepicker", "selected_time": "14:30"}},
            "note": {"value": {"type": "plain_text_input", "value": "Thursday, promise."}},
        },
    )
    bot.fake.wait_for("chat.update")
    assert bot.items()[0].due_at == at(14, 30, day=3)


def test_a_nudge_past_slacks_edit_window_is_answered_privately(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    tick_at(bot, at(15))
    [dm] = dms(bot, "U0OWNER")
    bot.fake.edit_window = 0.0  # the workspace allows no edits after posting
    click(bot, "U0OWNER", dm, "nudge_snooze", selected="30m")
    [refused] = bot.fake.wait_for("chat.update")
    assert refused.response["error"] == "edit_window_closed"
    assert bot.runtime.after_ack.drain(timeout=10)
    command_url = bot.fake.responses[0].url
    [answer] = [r for r in bot.fake.responses if r.url != command_url]  # the click's
    assert "snooze" in text_of(answer.payload).lower()
    assert bot.items()[0].snoozed_until is not None  # the snooze itself was kept


def test_leases_are_renewed_while_a_tick_is_held_up_at_slack(bot: Bot) -> None:
    """The renewal has a timer of its own: a tick slow at Slack (429 waits) must not let
    the requests this process holds lapse, or another replica takes them up."""
    import threading

    from bot.scheduler import start_ticking

    bot.command("send the deck by 4pm")
    bot.clock.set(at(15))
    bot.fake.slow_next("chat.postMessage", seconds=3)  # the tick's DM hangs at Slack
    renewed = threading.Event()
    ticking = start_ticking(bot.runtime.dispatcher, timedelta(seconds=0.2), renew=renewed.set)
    try:
        bot.fake.wait_for_held("chat.postMessage")
        renewed.clear()
        assert renewed.wait(timeout=2), "no renewal while the tick waited on Slack"
        assert "chat.postMessage" in bot.fake.held  # the tick was still held up
    finally:
        ticking.shutdown(wait=True)
