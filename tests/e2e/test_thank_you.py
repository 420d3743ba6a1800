"""Thank-yous end to end: every way of closing a promise posts one Block Kit thank-you in its
channel (what, for which client, how it went, each contributor by mention); the Done button
asks who helped; a follow-up or a cancel posts none."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.harness import Bot, text_of, tick_at
from tests.e2e.test_modal import open_form, submit_form
from tests.e2e.test_nudges import at, click, dms, form_on_the_nudge


def channel_posts(bot: Bot, channel: str = "C0CLIENT") -> list[dict[str, Any]]:
    return [
        c.params for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == channel
    ]


def helpers_picked(*users: str) -> dict[str, Any]:
    return {"helpers": {"value": {"type": "multi_users_select", "selected_users": list(users)}}}


@pytest.mark.parametrize(
    ("steps", "verdict"),
    [
        ([("done", 0)], "early by 6 h"),
        ([("done", 5 * 60 + 50)], "on time"),
        ([("move", 60), ("done", 26 * 60)], "on time, after renegotiating the deadline in advance"),
        ([("done", 7 * 60 + 20)], "late by 1 h 20 min"),
    ],
)
def test_done_thanks_every_contributor_and_says_how_it_went(
    bot: Bot, steps: list[tuple[str, int]], verdict: str
) -> None:
    bot.command("send the revised deck by 4pm")  # at 10:00
    item_id = bot.items()[0].id
    start = bot.clock.now()
    for verb, minutes in steps:
        bot.clock.set(start + timedelta(minutes=minutes))
        if verb == "move":
            bot.command(f"move {item_id} to tomorrow 4pm because Acme sent new figures")
        else:
            bot.command(f"done {item_id} <@U0HELPER|sam> <@U0LEAD>")

    [thanks] = [p for p in channel_posts(bot) if "Delivered" in text_of(p)]
    section, context = thanks["blocks"]
    assert section["type"] == "section" and context["type"] == "context"
    body = section["text"]["text"]
    assert "_send the revised deck_" in body and f"— {verdict}." in body
    assert "Thank you <@U0OWNER>, <@U0HELPER> and <@U0LEAD>!" in body
    assert context["elements"][0]["text"] == f"Promise #{item_id}"
    assert "<@U0HELPER>" in thanks["text"]  # the notification says it too


def test_the_thank_you_names_the_client(bot: Bot) -> None:
    submit_form(bot, open_form(bot), owner="U0OWNER", client="Acme")
    bot.fake.wait_for("chat.postEphemeral")
    bot.command(f"done {bot.items()[0].id}")
    [thanks] = channel_posts(bot)
    assert "Delivered to *Acme*: _send the deck_" in text_of(thanks)


def test_the_done_button_asks_who_helped_and_thanks_them(bot: Bot) -> None:
    view = form_on_the_nudge(bot, "nudge_done")

    [picker] = [b for b in view["blocks"] if b.get("block_id") == "helpers"]
    assert picker["optional"] is True and picker["element"]["type"] == "multi_users_select"
    assert bot.items()[0].status == "open"  # nothing closes until the form is sent

    assert bot.submit_view("U0OWNER", view, helpers_picked("U0HELPER", "U0LEAD")).status == 200

    [update] = bot.fake.wait_for("chat.update")
    assert "done" in text_of(update.params) and "nudge_done" not in str(update.params["blocks"])
    [thanks] = channel_posts(bot)
    assert "Thank you <@U0OWNER>, <@U0HELPER> and <@U0LEAD>!" in text_of(thanks)
    assert "early by 1 h" in text_of(thanks)  # clicked at 15:00 for 16:00
    [item] = bot.items()
    assert item.status == "done"
    assert [(c.user_id, c.role) for c in item.contributors] == [
        ("U0OWNER", "owner"),
        ("U0HELPER", "helper"),
        ("U0LEAD", "helper"),
    ]


def test_a_bot_picked_as_helper_is_refused_under_the_field(bot: Bot) -> None:
    view = form_on_the_nudge(bot, "nudge_done")

    answer = bot.submit_view("U0OWNER", view, helpers_picked("U0HELPER", "U0ROBOT"))

    assert '"response_action":"errors"' in answer.body.replace(" ", "")
    assert "is a bot" in answer.body
    assert bot.items()[0].status == "open" and channel_posts(bot) == []


def test_a_stranger_clicking_done_gets_no_form(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    tick_at(bot, at(15))
    click(bot, "U0OTHER", dms(bot, "U0OWNER")[0], "nudge_done")
    refusal = bot.fake.wait_for_response(None, count=2)[-1]
    assert "Only the owner" in text_of(refusal.payload)
    assert bot.fake.calls_to("views.open") == []
    assert bot.items()[0].status == "open"


def test_a_reply_owed_closes_on_the_click_with_no_thank_you(bot: Bot) -> None:
    bot.command("reply to Acme about the invoice")
    tick_at(bot, at(16, 30))  # the end-of-day DM lists it
    [dm] = dms(bot, "U0OWNER")

    click(bot, "U0OWNER", dm, "nudge_done")

    bot.fake.wait_for("chat.update")
    assert bot.items()[0].status == "done"
    assert bot.fake.calls_to("views.open") == [] and channel_posts(bot) == []


def test_follow_up_done_posts_no_second_thank_you(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    bot.command(f"done {bot.items()[0].id}")
    assert len(channel_posts(bot)) == 1
    tick_at(bot, at(10, day=3))  # two working days after delivery
    follow_up = next(m for m in dms(bot, "U0OWNER") if "Check it landed" in text_of(m))

    click(bot, "U0OWNER", follow_up, "followup_done")

    [update] = bot.fake.wait_for("chat.update")
    assert "Followed up" in text_of(update.params)
    assert len(channel_posts(bot)) == 1  # the loop was closed (and thanked) at delivery


def thank_yous(bot: Bot) -> list[dict[str, Any]]:
    """The thank-yous Slack holds in the channel (what it took, not what it was asked)."""
    return [m for m in bot.fake.messages("C0CLIENT") if "Thank you" in str(m.get("text"))]


def test_a_thank_you_slack_fails_for_now_follows_when_the_request_runs_again(
    bot: Bot,
) -> None:
    """Slack failing the post after the close is stored: the person is told it follows, the
    intake processes the request again after a lease, and the thank-you goes once."""
    bot.command("send the deck by fri 3pm")
    [item] = bot.items()
    bot.fake.fail_next("chat.postMessage", status=200, error="service_unavailable")
    body, url = bot.command_body(f"done {item.id}")
    assert bot.post_signed(body, "application/x-www-form-urlencoded").status == 200
    [first] = bot.fake.wait_for_response(url)
    assert "Slack didn't answer just now: I'll post the thank-you in <#C0CLIENT>" in text_of(
        first.payload
    )
    assert bot.runtime.after_ack.drain(timeout=10)  # the first run is over, not just answered
    assert [i.status for i in bot.items()] == ["done"] and thank_yous(bot) == []

    tick_at(bot, bot.clock.now() + bot.runtime.settings.lease + timedelta(seconds=1))
    assert bot.runtime.after_ack.drain(timeout=10)

    [thanks] = thank_yous(bot)
    assert "Thank you <@U0OWNER>" in thanks["text"]
    assert thanks["metadata"]["event_type"] == "promise_change"
    _, again = bot.fake.wait_for_response(url, count=2)
    assert "I thanked everyone in <#C0CLIENT>" in text_of(again.payload)
    tick_at(bot, bot.clock.now() + 2 * bot.runtime.settings.lease)  # nothing left to do
    assert bot.runtime.after_ack.drain(timeout=10)
    assert len(thank_yous(bot)) == 1
