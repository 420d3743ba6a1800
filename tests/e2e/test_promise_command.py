"""`/promise` end to end: signed slash commands in, ephemeral answers and channel posts out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import NY
from tests.e2e.harness import Bot, text_of

DATE_TOKEN = re.compile(r"<!date\^(\d+)\^[^|]+\|[^>]+>")


def epoch_in(message: dict) -> int:
    m = DATE_TOKEN.search(text_of(message))
    assert m, text_of(message)
    return int(m.group(1))


def test_it_records_a_promise_and_confirms_with_a_date_token(bot: Bot) -> None:
    answer = bot.command("send the revised deck by 4pm")

    [item] = bot.items()
    assert (item.what, item.owner_id, item.creator_id, item.channel_id, item.status) == (
        "send the revised deck",
        "U0OWNER",
        "U0OWNER",
        "C0CLIENT",
        "open",
    )
    due = datetime(2026, 12, 1, 16, 0, tzinfo=NY)
    assert item.due_at == due
    assert answer["response_type"] == "ephemeral"
    assert f"#{item.id}" in text_of(answer)
    assert epoch_in(answer) == int(due.timestamp())


def test_it_reads_the_deadline_in_the_invokers_time_zone(bot: Bot) -> None:
    bot.command("<@U0OWNER|maria> check the contract by 4pm", user="U0HELPER")  # Sam is in London

    [item] = bot.items()
    assert item.owner_id == "U0OWNER" and item.creator_id == "U0HELPER"
    assert item.due_at == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def test_it_falls_back_to_promise_timezone_when_slack_gives_none(make_bot, slack) -> None:  # type: ignore[no-untyped-def]
    slack.add_user("U0NOTZ", "nz", tz="")
    bot = make_bot(PROMISE_TIMEZONE="Europe/Berlin")
    bot.command("send it by 5pm", user="U0NOTZ")  # 16:00 in Berlin now: 5pm is still today
    assert bot.items()[0].due_at == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def test_it_takes_unicode_and_emoji(bot: Bot) -> None:
    answer = bot.command("envoyer le devis à Zoë 📎 by tomorrow 10am")
    [item] = bot.items()
    assert item.what == "envoyer le devis à Zoë 📎"
    assert item.due_at == datetime(2026, 12, 2, 10, 0, tzinfo=NY)
    assert "Zoë 📎" in text_of(answer)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("send the deck", "I need a deadline"),
        ("send the deck by blursday", "blursday"),
        ("send the deck by 2025-01-03 14:00", "passed"),
        ("send the deck by", "Say when"),
        ("done 999", "can't find #999"),
        ("move 999 to friday", "can't find #999"),
        ("cancel abc", "isn't a promise number"),
        ("<@U0NOBODY|ghost> send it by 4pm", "can't find <@U0NOBODY>"),
        ("<@U0ROBOT|robot> send it by 4pm", "is a bot"),
        ("<@U0GONE> send it by 4pm", "deactivated"),
        ("x" * 5000 + " by 4pm", "more than I can take"),
        ("\x00 by 4pm", "Say what you promised"),  # control characters are dropped first
        ("list everybody", "`list` takes"),
    ],
)
def test_it_answers_bad_input_kindly_and_stores_nothing(bot: Bot, text: str, says: str) -> None:
    answer = bot.command(text)

    shown = text_of(answer)
    assert says in shown
    assert "For example: `/promise" in shown
    assert answer["response_type"] == "ephemeral"
    assert bot.items() == []
    assert "Traceback" not in shown


def test_it_refuses_to_let_others_close_move_or_cancel(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    item_id = bot.items()[0].id
    for text in (f"done {item_id}", f"move {item_id} to friday", f"cancel {item_id}"):
        answer = bot.command(text, user="U0OTHER")
        assert "Only the owner" in text_of(answer)
    [item] = bot.items()
    assert item.status == "open" and item.due_at == datetime(2026, 12, 1, 16, 0, tzinfo=NY)
    assert bot.fake.calls_to("chat.postMessage") == []


def test_it_thanks_owner_and_helpers_in_the_channel(bot: Bot) -> None:
    bot.command("send the revised deck by 4pm")
    item_id = bot.items()[0].id

    answer = bot.command(f"done #{item_id} <@U0HELPER|sam> <@U0LEAD>")

    [post] = bot.fake.calls_to("chat.postMessage")
    assert post.params["channel"] == "C0CLIENT"
    thanks = text_of(post.params)
    assert "<@U0OWNER>" in thanks and "<@U0HELPER>" in thanks and "<@U0LEAD>" in thanks
    assert "send the revised deck" in thanks and "early by 6 h" in thanks
    assert "Closed" in text_of(answer) and "early by 6 h" in text_of(answer)
    [item] = bot.items()
    assert item.status == "done" and item.closed_by == "U0OWNER"
    assert [c.user_id for c in item.contributors] == ["U0OWNER", "U0HELPER", "U0LEAD"]


def test_it_says_how_late_it_was(bot: Bot) -> None:
    bot.command("send the deck by 11am")
    bot.clock.advance(timedelta(hours=1, minutes=20))
    bot.command(f"done {bot.items()[0].id}")
    assert "late by 20 min" in text_of(bot.fake.calls_to("chat.postMessage")[0].params)


def test_closing_twice_is_a_friendly_no_op(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    item_id = bot.items()[0].id
    bot.command(f"done {item_id}")
    again = bot.command(f"done {item_id}")
    assert "already done" in text_of(again)
    assert len(bot.fake.calls_to("chat.postMessage")) == 1


def test_the_lead_may_close_someone_elses_promise(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    answer = bot.command(f"done {bot.items()[0].id}", user="U0LEAD")
    assert "Closed" in text_of(answer)
    assert bot.items()[0].closed_by == "U0LEAD"


def test_moving_in_advance_posts_the_note_and_counts_as_renegotiated(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    item_id = bot.items()[0].id

    answer = bot.command(f"move {item_id} to tomorrow 11am because the figures changed overnight")

    new_due = datetime(2026, 12, 2, 11, 0, tzinfo=NY)
    assert epoch_in(answer) == int(new_due.timestamp())
    assert "renegotiated in advance" in text_of(answer)
    [note] = bot.fake.calls_to("chat.postMessage")
    assert note.params["channel"] == "C0CLIENT"
    assert "the figures changed overnight" in text_of(note.params)
    [item] = bot.items()
    assert item.due_at == new_due and item.moved_in_advance == 1 and item.moved_late == 0

    bot.clock.advance(timedelta(days=1))
    bot.command(f"done {item_id}")
    thanks = text_of(bot.fake.calls_to("chat.postMessage")[-1].params)
    assert "renegotiating the deadline in advance" in thanks


def test_moving_after_the_deadline_is_not_renegotiation(bot: Bot) -> None:
    bot.command("send the deck by 11am")
    bot.clock.advance(timedelta(hours=2))
    answer = bot.command(f"move {bot.items()[0].id} to 3pm")
    assert "old deadline had passed" in text_of(answer)
    assert bot.items()[0].moved_late == 1
    assert bot.fake.calls_to("chat.postMessage") == []  # no note given, nothing posted


def test_cancel_posts_nothing(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    answer = bot.command(f"cancel {bot.items()[0].id}")
    assert "cancelled" in text_of(answer)
    assert bot.items()[0].status == "cancelled"
    assert bot.fake.calls_to("chat.postMessage") == []


def test_list_shows_mine_theirs_and_all_for_the_lead(bot: Bot) -> None:
    bot.command("mine by 4pm")
    bot.command("<@U0HELPER> theirs by 5pm")
    bot.command("not mine by friday", user="U0OTHER")

    mine = text_of(bot.command("list"))
    assert "mine" in mine and "theirs" in mine and "not mine" not in mine
    theirs = text_of(bot.command("list <@U0OTHER|alex>"))
    assert "not mine" in theirs and "theirs" not in theirs
    refused = text_of(bot.command("list all"))
    assert "Only the lead" in refused
    everything = text_of(bot.command("list all", user="U0LEAD"))
    assert all(w in everything for w in ("mine", "theirs", "not mine"))


def test_list_flags_overdue_items(bot: Bot) -> None:
    bot.command("send the deck by 11am")
    bot.clock.advance(timedelta(hours=2))
    assert "overdue" in text_of(bot.command("list"))


def test_reply_is_due_by_the_end_of_the_working_day(bot: Bot) -> None:
    answer = bot.command("reply to Acme about the invoice question")
    [item] = bot.items()
    assert (item.kind, item.client, item.what) == ("reply", "Acme", "the invoice question")
    assert item.due_at == datetime(2026, 12, 1, 17, 0, tzinfo=NY)
    assert "Acme" in text_of(answer)


def test_reply_after_the_cutoff_is_due_next_working_day(bot: Bot) -> None:
    bot.clock.set(datetime(2026, 12, 4, 16, 45, tzinfo=NY))  # Friday, after the 16:30 cutoff
    bot.command("reply <@U0HELPER> to Acme")
    assert bot.items()[0].due_at == datetime(2026, 12, 7, 17, 0, tzinfo=NY)  # Monday
    assert bot.items()[0].owner_id == "U0HELPER"


def test_help_lists_every_command_and_changes_nothing(bot: Bot) -> None:
    said = text_of(bot.command("help"))
    for usage in (
        "/promise [@owner] WHAT by WHEN",
        "/promise away",
        "/promise stats",
        "/promise settings",
    ):
        assert usage in said
    assert bot.items() == []


def test_a_thank_you_that_cannot_be_posted_says_why(bot: Bot) -> None:
    bot.command("send the deck by 4pm", channel="C0NOBOT")
    answer = bot.command(f"done {bot.items()[0].id}", channel="C0NOBOT")
    assert "not_in_channel" in text_of(answer) and "/invite @promise-bot" in text_of(answer)
    assert bot.items()[0].status == "done"


def test_another_workspace_cannot_see_or_touch_an_item(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    item_id = bot.items()[0].id
    answer = bot.command(f"done {item_id}", team="T0OTHER")
    assert f"can't find #{item_id}" in text_of(answer)
    assert "nothing" in text_of(bot.command("list", team="T0OTHER")).lower() or "none" in text_of(
        bot.command("list", team="T0OTHER")
    )
    assert bot.items()[0].status == "open"


def test_slack_hiccups_are_retried(bot: Bot) -> None:
    bot.fake.fail_next("users.info", status=429, retry_after=1)
    bot.command("send the deck by 4pm")
    assert len(bot.items()) == 1
    bot.fake.fail_next("chat.postMessage", status=503, count=2)
    bot.command(f"done {bot.items()[0].id}")
    assert len(bot.fake.calls_to("chat.postMessage")) == 3  # two 503s, then the thank-you
    assert bot.items()[0].status == "done"


def test_it_works_on_postgresql(make_bot, pg_url: str) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(pg_url)
    bot.command("send the deck by 4pm")
    bot.command(f"done {bot.items()[0].id} <@U0HELPER>")
    [item] = bot.items()
    assert item.status == "done" and item.due_at == datetime(2026, 12, 1, 16, 0, tzinfo=NY)
    assert "<@U0HELPER>" in text_of(bot.fake.calls_to("chat.postMessage")[0].params)


def test_a_dead_response_url_is_logged_not_fatal(bot: Bot, caplog) -> None:  # type: ignore[no-untyped-def]
    bot.fake.fail_response_urls(404)
    body, url = bot.command_body("send the deck by 4pm")
    assert bot.post_signed(body, "application/x-www-form-urlencoded").status == 200
    [attempt] = bot.fake.wait_for_response(url)
    assert attempt.status == 404
    assert len(bot.items()) == 1  # the promise is kept even though the answer was lost
    bot.fake.fail_response_urls(None)
    assert "#" in text_of(bot.command("list"))  # and the app still answers


def test_when_slack_cannot_tell_the_time_zone_the_fallback_is_used(make_bot, slack) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(PROMISE_TIMEZONE="Europe/Berlin")
    slack.fail_next("users.info", status=500, count=20)  # beyond the retries
    answer = bot.command("send it by 5pm", timeout=15)
    [item] = bot.items()
    assert item.due_at == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 17:00 Berlin
    assert f"#{item.id}" in text_of(answer)
    assert len(slack.calls_to("users.info")) == 3  # one look-up and its two retries, not more
