"""Fair use: one person's burst of commands is held to their share, and a click that opens a
form is served before queued command work (Slack refuses a form 3 s after its click). End to
end over signed HTTP against the fake Slack, with a frozen clock."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.slack.blocks import nudges
from bot.store.models import IntakeRequest
from tests.e2e.harness import Answer, Bot, text_of

FORM = "application/x-www-form-urlencoded"
TOO_FAST = "You're sending commands faster than I can keep up with"


def send(bot: Bot, text: str, user: str) -> Answer:
    body, _ = bot.command_body(text, user=user)
    answer = bot.post_signed(body, FORM)
    assert answer.status == 200, answer
    return answer


def stored(bot: Bot) -> int:
    with bot.runtime.repo.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(IntakeRequest)) or 0)


def test_the_eleventh_command_in_a_burst_is_refused_kindly_and_stores_nothing(
    bot: Bot, clock: FrozenClock
) -> None:
    for n in range(10):
        assert send(bot, f"send draft {n} by friday 4pm", "U0OWNER").body in ("", "{}")
    eleventh = send(bot, "send draft 10 by friday 4pm", "U0OWNER")
    said = json.loads(eleventh.body)
    assert said["response_type"] == "ephemeral" and TOO_FAST in said["text"]
    assert bot.runtime.after_ack.drain(timeout=10)
    assert stored(bot) == 10
    assert sorted(i.what for i in bot.items()) == [f"send draft {n}" for n in range(10)]

    # Someone else in the same workspace is not held back by it.
    assert "recorded" in text_of(bot.command("call Acme by friday 4pm", user="U0HELPER"))
    assert len(bot.items()) == 11

    # One more command is earned every two seconds (the frozen clock, no sleeping).
    clock.advance(timedelta(seconds=1))
    assert TOO_FAST in send(bot, "send draft 11 by friday 4pm", "U0OWNER").body
    clock.advance(timedelta(seconds=1))
    assert "recorded" in text_of(bot.command("send draft 12 by friday 4pm", user="U0OWNER"))
    assert bot.runtime.after_ack.drain(timeout=10)
    assert stored(bot) == 12
    assert "send draft 11" not in [i.what for i in bot.items()]


def test_a_click_that_opens_a_form_goes_before_queued_commands(bot: Bot) -> None:
    bot.command("send the deck by friday 4pm")
    [item] = bot.items()
    bot.fake.answer_in(0.6)  # Slack slow: each command's answer takes 0.6 s
    for n in range(10):  # 10 × 0.6 s on two workers: 3 s of work queued
        send(bot, f"list {n}", "U0HELPER")
    clicked = time.time()
    block = {"block_id": "nudge", "elements": [{"action_id": nudges.MORE_TIME, "type": "button"}]}
    answer = bot.click(
        "U0OWNER",
        block,
        nudges.MORE_TIME,
        value=str(item.id),
        container={"type": "message", "channel_id": "D0OWNER", "message_ts": "1.000001"},
        channel={"id": "D0OWNER"},
    )
    assert answer.status == 200
    [opened] = bot.fake.wait_for("views.open", timeout=5)
    assert opened.ok, opened.response  # inside Slack's 3-second window
    assert opened.at - clicked < 1.5  # the fake's own 0.6 s included
    assert bot.runtime.after_ack.drain(timeout=15)
    answered = [r.at for r in bot.fake.responses if r.at > clicked]
    assert len(answered) == 10 and sum(at > opened.at for at in answered) >= 8


def test_a_bare_promise_command_opens_its_form_before_queued_commands(bot: Bot) -> None:
    bot.fake.answer_in(0.6)
    for n in range(10):  # 3 s of another person's command work queued
        send(bot, f"list {n}", "U0HELPER")
    sent = time.time()
    send(bot, "", "U0OWNER")  # bare `/promise`: the form
    [opened] = bot.fake.wait_for("views.open", timeout=5)
    assert opened.ok, opened.response
    assert opened.at - sent < 1.5
    assert bot.runtime.after_ack.drain(timeout=15)
