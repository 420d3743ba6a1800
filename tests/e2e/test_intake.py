"""The intake over signed HTTP: a request processed again after a crash records once, an
answer too late for the response_url comes as a DM, and a replay to another replica is
processed once. (The SIGKILL of a real process is in test_intake_crash.py.)"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from bot.core.intake import RequestKind
from bot.store.intake import Asked
from bot.store.models import IntakeRequest
from tests.e2e import test_client_messages
from tests.e2e.conftest import START
from tests.e2e.harness import Bot, text_of, tick_at
from tests.e2e.test_client_messages import client_says, settle, ts_at
from tests.fakeslack import signed_headers

watched = test_client_messages.watched  # the fixture: C0CLIENT watched as "Acme"


def forget_done(bot: Bot) -> int:
    """As if the process had died after the work and before marking it done."""
    with bot.runtime.repo.sessions.begin() as s:
        result = s.execute(update(IntakeRequest).values(done_at=None))
        return int(result.rowcount)  # type: ignore[attr-defined]


def answers(bot: Bot, url: str) -> list[str]:
    return [text_of(r.payload) for r in bot.fake.responses if r.url == url]


def test_a_command_processed_again_after_a_crash_makes_its_promise_once(
    make_bot: Callable[..., Bot], database_url: str
) -> None:
    bot = make_bot(database_url)
    body, url = bot.command_body("send the deck by fri 3pm")
    assert bot.post_signed(body, "application/x-www-form-urlencoded").status == 200
    bot.fake.wait_for_response(url)
    assert bot.runtime.after_ack.drain(timeout=10)
    assert forget_done(bot) == 1

    # Any process's tick takes it up once its lease has run out, and does it again.
    tick_at(bot, START + bot.runtime.settings.lease + timedelta(seconds=1))
    assert bot.runtime.after_ack.drain(timeout=10)

    [item] = bot.items()
    assert item.what == "send the deck" and item.request_key
    first, again = answers(bot, url)
    assert f"#{item.id}" in first and first == again  # the same promise, answered again


def test_a_command_left_undone_past_its_response_url_is_answered_in_a_dm(bot: Bot) -> None:
    form = bot.fake.slash_command(
        "/promise", "call Acme back by tomorrow 4pm", user_id="U0OWNER", channel_id="C0CLIENT"
    )
    # Acked, then the process died before any work; it is back 40 minutes later.
    store = bot.runtime.intake.store
    asked = Asked(form["team_id"], RequestKind.COMMAND, "h:acked-then-killed", json.dumps(form))
    store.take([asked], START, bot.runtime.settings.lease)

    tick_at(bot, START + timedelta(minutes=40))
    assert bot.runtime.after_ack.drain(timeout=10)

    [item] = bot.items()
    assert item.what == "call Acme back"
    assert not answers(bot, form["response_url"]), "Slack no longer takes that response_url"
    [dm] = bot.fake.messages(bot.fake.dm_channel("U0OWNER"))
    assert f"#{item.id}" in text_of(dm)


def test_a_command_replayed_to_another_replica_is_processed_once(
    make_bot: Callable[..., Bot], database_url: str
) -> None:
    one, two = make_bot(database_url), make_bot(database_url)
    body, url = one.command_body("send the deck by fri 3pm")
    timestamp = int(time.time())  # one signed request, sent twice
    for replica in (one, two):
        answer = replica.post_signed(body, "application/x-www-form-urlencoded", timestamp=timestamp)
        assert answer.status == 200
    for replica in (one, two):
        assert replica.runtime.after_ack.drain(timeout=10)

    assert [i.what for i in one.items()] == ["send the deck"]
    assert len(answers(one, url)) == 1


def test_a_command_that_cannot_be_stored_is_not_acked_as_done(bot: Bot) -> None:
    with bot.runtime.repo.engine.begin() as conn:
        conn.execute(text("DROP TABLE intake"))  # the database refuses the insert

    body, url = bot.command_body("send the deck by fri 3pm")
    answer = bot.post_signed(body, "application/x-www-form-urlencoded")

    assert answer.status == 200  # answered at once, in the person's channel
    assert "couldn't save that" in json.loads(answer.body)["text"]
    assert bot.runtime.after_ack.drain(timeout=10)
    assert bot.items() == [] and not answers(bot, url)


def test_a_teammates_reply_done_again_after_a_crash_still_closes(watched: Bot) -> None:
    """An event the intake runs again is not taken for Slack's retry: the intake alone
    recognises retries, so the second run does the work the first one did not finish."""
    asked = ts_at(START)
    client_says(watched, "Can you send the quote?", asked)
    assert len(settle(watched, status="open")) == 1
    # The first run got as far as remembering the event, then the process died.
    watched.runtime.repo.mark_event_seen("T0001", "Ev-reply", START)
    body = watched.fake.event_callback(
        {
            "type": "message",
            "channel": "C0CLIENT",
            "user": "U0HELPER",
            "user_team": "T0001",
            "text": "Sent!",
            "ts": ts_at(START, 4),
            "thread_ts": asked,
        },
        event_id="Ev-reply",
    )
    raw = json.dumps(body)
    headers = {**signed_headers("e2e-signing-secret", raw), "Content-Type": "application/json"}
    assert watched.request("POST", "/slack/events", raw, headers).status == 200
    [item] = settle(watched)
    assert item.status == "done"


def test_a_message_slack_cant_say_who_wrote_closes_nothing_and_is_tried_again(
    watched: Bot, make_bot: Callable[..., Bot], caplog: pytest.LogCaptureFixture
) -> None:
    """Taken for a teammate's reply while users.info fails, a client's message would close
    the client's own open items: it waits for a later try instead."""
    asked = ts_at(START)
    client_says(watched, "Can you send the quote?", asked)
    assert len(settle(watched, status="open")) == 1
    watched.fake.add_user("U0VISITOR", "val", team_id="T0ACME", tz="UTC")
    watched.fake.fail_next("users.info", status=200, error="fatal_error")
    later = ts_at(START, 7)
    watched.fake.add_message("C0CLIENT", "Also, where is the invoice?", user="U0VISITOR", ts=later)
    test_client_messages.send_event(  # an event shape without `user_team`: Slack must be asked
        watched,
        {
            "type": "message",
            "user": "U0VISITOR",
            "text": "Also, where is the invoice?",
            "ts": later,
        },
    )
    [first] = settle(watched)
    assert first.status == "open" and first.closed_by is None
    with watched.runtime.repo.sessions() as s:
        [row] = s.scalars(select(IntakeRequest).where(IntakeRequest.kind == "message")).all()[1:]
    assert (row.done_at, row.attempts) == (None, 1)
    [line] = [r for r in caplog.records if r.name == "bot.slack.intake"]
    assert line.levelname == "WARNING" and line.exc_info is None  # Slack's trouble: one line
    assert "fatal_error" in line.getMessage() and "tried again later" in line.getMessage()

    # Slack answers again; the next process to look (here another replica) records it.
    other = make_bot()
    tick_at(other, START + other.runtime.settings.lease + timedelta(seconds=1))
    assert other.runtime.after_ack.drain(timeout=10)
    items = {i.message_ts: i for i in settle(other)}
    assert items[asked].status == "open"
    assert (items[later].status, items[later].client_user_id) == ("open", "U0VISITOR")


def test_an_event_slack_sends_again_at_once_after_a_500_is_processed(watched: Bot) -> None:
    """Slack's first retry comes at once, often in the same second: the same timestamp and
    body, so the same signature. It is not a replay to ignore when the first try failed."""
    asked = ts_at(START)
    watched.fake.add_message("C0CLIENT", "Can you send the quote?", user="U0CLIENT", ts=asked)
    event = {"type": "message", "channel": "C0CLIENT", "user": "U0CLIENT"}
    event |= {"user_team": "T0ACME", "text": "Can you send the quote?", "ts": asked}
    raw = json.dumps(watched.fake.event_callback(event))
    headers = {**signed_headers("e2e-signing-secret", raw), "Content-Type": "application/json"}
    with watched.runtime.repo.engine.begin() as conn:
        conn.execute(text("ALTER TABLE intake RENAME TO intake_away"))  # the write fails
    assert watched.request("POST", "/slack/events", raw, headers).status == 500
    with watched.runtime.repo.engine.begin() as conn:
        conn.execute(text("ALTER TABLE intake_away RENAME TO intake"))

    retried = {**headers, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert watched.request("POST", "/slack/events", raw, retried).status == 200

    [item] = settle(watched)
    assert (item.message_ts, item.status) == (asked, "open")
    # Answered well once, the same signed request is a replay now: ignored.
    assert watched.request("POST", "/slack/events", raw, retried).status == 200
    assert len(settle(watched)) == 1


def test_a_request_still_at_work_past_its_lease_is_not_taken_up_by_another_replica(
    make_bot: Callable[..., Bot],
) -> None:
    """A slow Slack holds the thank-you past the lease; the working process renews its
    lease on its tick, so the other replica's tick leaves the request alone: one post."""
    bot = make_bot()
    bot.command("send the deck by fri 3pm")
    [item] = bot.items()
    other = make_bot()
    bot.fake.slow_next("chat.postMessage", seconds=2)
    body, url = bot.command_body(f"done {item.id}")
    assert bot.post_signed(body, "application/x-www-form-urlencoded").status == 200
    bot.fake.wait_for_held("chat.postMessage")

    past = START + bot.runtime.settings.lease + timedelta(seconds=1)
    bot.clock.set(past)
    bot.runtime.intake.renew()  # its renewal timer: still at work, its lease is renewed
    tick_at(other, past)
    assert other.runtime.after_ack.drain(timeout=10)
    assert bot.runtime.after_ack.drain(timeout=10)

    thanks = [m for m in bot.fake.messages("C0CLIENT") if "Thank you" in str(m.get("text"))]
    assert len(thanks) == 1
    assert "I thanked everyone" in answers(bot, url)[-1] and len(answers(bot, url)) == 1
