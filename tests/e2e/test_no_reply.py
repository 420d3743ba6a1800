"""No reply needed: a client message the bot could not tell was only an acknowledgement is
closed by hand, silently, from a nudge, the end-of-day DM or App Home; it is counted apart
from the answered ones. End to end over signed HTTP against the fake Slack, frozen clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.e2e import test_client_messages
from tests.e2e.conftest import NY, START
from tests.e2e.harness import Bot, text_of, tick_at
from tests.e2e.test_client_messages import client_says, settle, teammate_says, ts_at
from tests.e2e.test_digest import ENV
from tests.e2e.test_home import buttons_by_item, click_home, open_home
from tests.e2e.test_nudges import click, dms, nudges

watched = test_client_messages.watched  # the fixture: C0CLIENT watched as "Acme", Maria owns it

OWNER, LEAD, OTHER = "U0OWNER", "U0LEAD", "U0OTHER"
NO_REPLY = "nudge_no_reply"


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=NY)


def message_owed(bot: Bot, text: str = "FYI the board meets on Thursday at noon.") -> int:
    """The client writes something the bot can't tell needs nothing: a reply is owed."""
    client_says(bot, text, ts_at(START))
    [item] = settle(bot, 1, "open")
    return int(item.id)


def item(bot: Bot, item_id: int) -> Any:
    return next(i for i in bot.items() if i.id == item_id)


def queued(bot: Bot, item_id: int) -> set[str]:
    return {n.kind for n in nudges(bot) if n.item_id == item_id and n.status == "queued"}


def channel_activity(bot: Bot) -> tuple[int, int]:
    """What the client's channel holds, and the bot's calls that could add to it."""
    writes = [
        c
        for c in bot.fake.calls
        if c.method in ("chat.postMessage", "chat.postEphemeral", "reactions.add")
        and c.params.get("channel") == "C0CLIENT"
    ]
    return len(bot.fake.messages("C0CLIENT")), len(writes)


def the_button(message: dict[str, Any], item_id: int) -> dict[str, Any]:
    return next(
        e
        for b in message["blocks"]
        if b.get("type") == "actions"
        for e in b["elements"]
        if e["action_id"] == NO_REPLY and e["value"] == str(item_id)
    )


def test_no_reply_needed_on_a_nudge_closes_it_silently_and_updates_the_dm(watched: Bot) -> None:
    item_id = message_owed(watched)
    assert {"before", "missed", "heads_up", "escalate"} <= queued(watched, item_id)
    tick_at(watched, at(16))  # an hour before the end of the day: the reminder
    [dm] = dms(watched, OWNER)
    button = the_button(dm, item_id)
    assert button["text"]["text"] == "No reply needed"
    assert button["accessibility_label"] == f"No reply needed: #{item_id}"
    in_channel = channel_activity(watched)

    click(watched, OWNER, dm, NO_REPLY)
    [update] = watched.fake.wait_for("chat.update")

    closed = item(watched, item_id)
    assert (closed.status, closed.closed_by, closed.closed_at) == ("no_reply", OWNER, at(16))
    assert closed.first_reply_at is None  # nobody answered: not timed as a reply
    assert update.params["ts"] == dm["ts"]  # the clicked DM, in place
    assert "no reply needed" in text_of(update.params)
    assert NO_REPLY not in str(update.params["blocks"])
    assert "nudge_done" not in str(update.params["blocks"])
    assert channel_activity(watched) == in_channel  # no thank-you, nothing in the channel
    assert queued(watched, item_id) == set()  # missed, heads-up, escalation: all cancelled
    assert {n.status for n in nudges(watched) if n.item_id == item_id} == {"sent", "cancelled"}
    for when in (at(16, 30), at(17), at(11, day=2)):  # end of day, missed, escalation
        assert tick_at(watched, when).sent == 0
    assert dms(watched, LEAD) == []


def test_a_promise_gets_no_such_button_and_a_forged_click_changes_nothing(watched: Bot) -> None:
    watched.command("send the deck by 4pm")
    [promise] = watched.items()
    tick_at(watched, at(15))
    [dm] = dms(watched, OWNER)
    assert NO_REPLY not in str(dm["blocks"])
    forged = {
        "type": "actions",
        "block_id": f"item-{promise.id}-0",
        "elements": [
            {
                "type": "button",
                "action_id": NO_REPLY,
                "value": str(promise.id),
                "text": {"type": "plain_text", "text": "No reply needed"},
            }
        ],
    }
    answers = len(watched.fake.responses)

    click(watched, OWNER, {**dm, "blocks": [forged]}, NO_REPLY)

    answer = watched.fake.wait_for_response(None, count=answers + 1)[-1]
    assert "is a promise" in text_of(answer.payload)
    assert "/promise done" in text_of(answer.payload)
    assert item(watched, promise.id).status == "open"
    assert "missed" in queued(watched, promise.id)
    assert watched.fake.calls_to("chat.update") == []


def test_no_reply_needed_in_the_end_of_day_dm_closes_only_that_row(watched: Bot) -> None:
    item_id = message_owed(watched)
    watched.command("send the deck by 5pm")
    tick_at(watched, at(16))  # the reminders
    tick_at(watched, at(16, 30))  # the end-of-day list
    eod = dms(watched, OWNER)[-1]
    assert "Before you wrap up" in text_of(eod)
    row = next(
        b for b in eod["blocks"] if b["type"] == "actions" and f"item-{item_id}-" in b["block_id"]
    )
    assert any(e["action_id"] == NO_REPLY for e in row["elements"])
    in_channel = channel_activity(watched)

    click(watched, OWNER, eod, NO_REPLY)  # the only row with one: the promise has none
    [update] = watched.fake.wait_for("chat.update")

    assert item(watched, item_id).status == "no_reply"
    assert update.params["ts"] == eod["ts"]
    blocks = update.params["blocks"]
    assert len(blocks) == len(eod["blocks"])  # only the clicked row changed
    [answered] = [b for b in blocks if "no reply needed" in text_of({"blocks": [b]})]
    assert answered["type"] == "context"
    deck = next(i for i in watched.items() if i.kind == "promise")
    assert any(b.get("block_id", "").startswith(f"item-{deck.id}-") for b in blocks)
    assert channel_activity(watched) == in_channel
    assert queued(watched, item_id) == set()


def test_no_reply_needed_on_app_home_closes_it_and_republishes(watched: Bot) -> None:
    item_id = message_owed(watched)
    open_home(watched, OWNER)
    assert NO_REPLY in buttons_by_item(watched.fake.home_view(OWNER) or {})[item_id]
    in_channel = channel_activity(watched)

    click_home(watched, OWNER, NO_REPLY, item_id)

    assert item(watched, item_id).status == "no_reply"
    view = watched.fake.home_view(OWNER) or {}
    assert f"#{item_id} closed: no reply needed" in text_of(view)
    assert item_id not in buttons_by_item(view)
    assert watched.fake.calls_to("chat.update") == []  # no message: the Home was updated
    assert channel_activity(watched) == in_channel
    assert queued(watched, item_id) == set()
    assert watched.runtime.home.flush() == 0  # already published with the change


def test_the_lead_may_close_it_as_needing_no_reply(watched: Bot) -> None:
    item_id = message_owed(watched)
    tick_at(watched, at(16))
    [dm] = dms(watched, OWNER)
    click(watched, LEAD, dm, NO_REPLY)
    watched.fake.wait_for("chat.update")
    assert (item(watched, item_id).status, item(watched, item_id).closed_by) == ("no_reply", LEAD)


@pytest.mark.parametrize("stale", ["a stranger", "answered already"])
def test_a_stale_or_unauthorised_click_answers_privately_and_changes_nothing(
    watched: Bot, stale: str
) -> None:
    item_id = message_owed(watched)
    tick_at(watched, at(16))
    [dm] = dms(watched, OWNER)
    clicker = OWNER
    if stale == "a stranger":
        clicker = OTHER
    else:
        teammate_says(watched, "Thanks, noted!", ts_at(at(16), 1), thread_ts=ts_at(START))
        settle(watched)
    before = item(watched, item_id)
    plan = queued(watched, item_id)
    in_channel = channel_activity(watched)
    answers = len(watched.fake.responses)

    click(watched, clicker, dm, NO_REPLY)

    answer = watched.fake.wait_for_response(None, count=answers + 1)[-1]
    said = text_of(answer.payload)
    assert answer.payload.get("response_type", "ephemeral") == "ephemeral"
    assert ("Only the owner" in said) if stale == "a stranger" else ("already done" in said)
    after = item(watched, item_id)
    assert (after.status, after.closed_by, after.closed_at) == (
        before.status,
        before.closed_by,
        before.closed_at,
    )
    assert queued(watched, item_id) == plan
    assert watched.fake.calls_to("chat.update") == []
    assert channel_activity(watched) == in_channel


def test_stats_and_the_digest_count_it_apart_from_the_answered_ones(make_bot: Any) -> None:
    bot = make_bot(**ENV)
    bot.fake.clock = bot.clock  # messages get timestamps of the frozen time
    bot.fake.add_channel(ENV["PROMISE_DIGEST_CHANNEL"], "team-digest")
    bot.fake.add_user(test_client_messages.CLIENT, "pat", team_id="T0ACME", tz="Europe/Paris")
    bot.command("watch Acme", user=OWNER)
    tick_at(bot, START)  # plans today's digest
    dismissed = message_owed(bot)
    bot.clock.set(at(10, 15))  # after the fold window: a message of its own
    client_says(bot, "Could you resend the invoice?", ts_at(at(10, 15)))
    answered = next(i.id for i in settle(bot, 2, "open") if i.id != dismissed)
    bot.clock.set(at(10, 30))
    teammate_says(bot, "Sent!", ts_at(at(10, 30)), thread_ts=ts_at(at(10, 15)))
    settle(bot)
    assert item(bot, answered).status == "done"
    tick_at(bot, at(16))
    click(bot, OWNER, dms(bot, OWNER)[0], NO_REPLY)
    bot.fake.wait_for("chat.update")
    assert item(bot, dismissed).status == "no_reply"

    bot.clock.set(at(16, 5))
    stats = text_of(bot.command("stats", user=OWNER))
    mine, team = stats.split("The team's")
    assert "1 client message needed no reply" in mine and "1 client message needed no" in team
    # one loop (the answered message): the dismissed one is not a reply, not timed
    assert "1 loop closed: 1 client message answered" in team
    assert "first response in 15 min (median), 15 min (90th percentile)" in team
    assert "1 of 1 within the SLA" in team

    assert tick_at(bot, at(17)).sent >= 1
    posted = bot.fake.messages(ENV["PROMISE_DIGEST_CHANNEL"])
    [digest] = [m for m in posted if "Closed loops" in text_of(m)]
    text = text_of(digest)
    assert "1 loop closed: 1 client message answered" in text
    assert "1 of 1 within the SLA" in text
    assert ":ok_hand: 1 client message needed no reply" in text
    assert "*Acme* — 1 reply" in text
