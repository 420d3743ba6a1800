"""Nudges and posts that stay true: a promise made in a client channel belongs to that
client, the default daily digest keeps the working calendar, and a miss never goes out
with an earlier reminder. End to end over signed
HTTP against the fake Slack, with a frozen clock."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e import test_client_messages
from tests.e2e.conftest import at
from tests.e2e.harness import Bot, text_of, tick_at
from tests.e2e.test_client_messages import client_says, settle, ts_at
from tests.e2e.test_digest import DIGEST_CHANNEL, ENV, digests, promise, rows
from tests.e2e.test_nudges import at as nudge_at
from tests.e2e.test_nudges import click, dms, nudges

watched = test_client_messages.watched  # the fixture: C0CLIENT watched as "Acme"


def test_a_promise_made_in_a_client_channel_is_that_clients(watched: Bot) -> None:
    watched.command("send the deck by 4pm", channel="C0CLIENT")
    watched.fake.add_channel("C0INTERNAL", "team-internal")
    watched.command("update the wiki by 4pm", channel="C0INTERNAL")
    clients = {i.what: i.client for i in watched.items()}
    assert clients == {"send the deck": "Acme", "update the wiki": None}


def test_a_promise_naming_its_client_keeps_that_name_in_a_client_channel(watched: Bot) -> None:
    watched.command("reply to Globex about the contract", channel="C0CLIENT")
    [item] = watched.items()
    assert item.client == "Globex"


def digest_bot(make_bot: Callable[..., Bot], **env: str) -> Bot:
    bot = make_bot(**ENV, **env)
    bot.fake.clock = bot.clock  # messages get timestamps of the frozen time, as history reads them
    bot.fake.add_channel(DIGEST_CHANNEL, "team-digest")
    return bot


def test_the_default_daily_digest_skips_a_holiday_and_the_next_one_covers_it(
    make_bot: Callable[..., Bot],
) -> None:
    bot = digest_bot(make_bot, PROMISE_HOLIDAYS="ES")  # Tue 8 Dec 2026 is a holiday in Spain
    promise(bot, "send the plan", owner="U0OWNER", client="Acme", due=at(9, 12), closed=at(7, 18))
    tick_at(bot, at(7, 16))  # the bot plans Monday's digest
    assert tick_at(bot, at(7, 17)).sent == 0  # Monday: nothing closed yet
    result = tick_at(bot, at(8, 17))
    assert (result.sent, digests(bot.fake)) == (0, [])
    [holiday] = [n for n in rows(bot, "digest") if n.due_at == at(8, 17)]
    assert (holiday.status, holiday.last_error) == (
        "skipped",
        "not a working day (a holiday): the next digest covers it",
    )
    assert tick_at(bot, at(9, 17)).sent == 1
    [digest] = digests(bot.fake)
    assert "send the plan" in text_of(digest)


def test_a_digest_schedule_of_ones_own_is_kept_on_a_holiday(make_bot: Callable[..., Bot]) -> None:
    bot = digest_bot(make_bot, PROMISE_HOLIDAYS="ES", PROMISE_DIGEST_CRON="0 17 * * mon-fri")
    promise(bot, "send the plan", owner="U0OWNER", client="Acme", due=at(9, 12), closed=at(7, 18))
    tick_at(bot, at(7, 16))  # the bot plans Monday's digest
    tick_at(bot, at(7, 17))
    assert tick_at(bot, at(8, 17)).sent == 1


def test_a_miss_never_rides_along_with_an_earlier_reminder(bot: Bot) -> None:
    bot.command("send the deck by 4pm")  # missed at 16:00
    bot.command("send the figures by 4:58pm")  # reminded at 15:58, two minutes before that
    tick_at(bot, nudge_at(15))  # the deck's reminder
    assert tick_at(bot, nudge_at(15, 58)).sent == 1
    reminder = text_of(dms(bot, "U0OWNER")[-1])
    assert "send the figures" in reminder and "was due" not in reminder
    assert tick_at(bot, nudge_at(15, 59)).sent == 0  # still not 16:00
    assert tick_at(bot, nudge_at(16)).sent == 1
    missed = text_of(dms(bot, "U0OWNER")[-1])
    assert "send the deck" in missed and "was due" in missed


@pytest.mark.parametrize("button", ["nudge_more_time", "nudge_handoff"])
def test_a_stranger_gets_no_form_prefilled_with_the_item(bot: Bot, button: str) -> None:
    bot.command("send the deck by 4pm")
    tick_at(bot, nudge_at(15))
    [dm] = dms(bot, "U0OWNER")
    click(bot, "U0OTHER", dm, button)
    answer = bot.fake.wait_for_response(None, count=2)[-1]
    assert "Only the owner" in text_of(answer.payload)
    assert bot.fake.calls_to("views.open") == []


@pytest.mark.parametrize("button", ["nudge_more_time", "nudge_handoff"])
def test_a_closed_item_opens_no_form(bot: Bot, button: str) -> None:
    bot.command("send the deck by 4pm")
    tick_at(bot, nudge_at(15))
    [dm] = dms(bot, "U0OWNER")
    [item] = bot.items()
    bot.command(f"done {item.id}")
    click(bot, "U0OWNER", dm, button)
    assert bot.runtime.after_ack.drain(timeout=10)
    assert bot.fake.calls_to("views.open") == []
    assert bot.items()[0].status == "done"


def test_the_note_to_the_client_carries_the_new_deadline(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    [item] = bot.items()
    bot.command(f"move {item.id} to tomorrow 10am because the figures changed")
    [moved] = bot.items()
    [note] = [m for m in bot.fake.messages("C0CLIENT") if "Update on" in (m.get("text") or "")]
    token = f"<!date^{int(moved.due_at.timestamp())}^"
    assert "the figures changed" in text_of(note)
    assert token in note["text"] and token in text_of(note)


def _thank_you(bot: Bot, channel: str) -> str:
    assert bot.runtime.after_ack.drain(timeout=10)
    [thanks] = [m for m in bot.fake.messages(channel) if "Delivered" in (m.get("text") or "")]
    return text_of(thanks)


def test_the_thank_you_in_a_client_channel_states_no_timing_judgement(watched: Bot) -> None:
    watched.command("send the deck by 11am", channel="C0CLIENT")
    [item] = watched.items()
    watched.clock.set(nudge_at(14))  # three hours late
    watched.command(f"done {item.id} <@U0HELPER>", channel="C0CLIENT")
    text = _thank_you(watched, "C0CLIENT")
    assert "send the deck" in text and "<@U0OWNER>" in text and "<@U0HELPER>" in text
    for judgement in ("late", "early", "on time"):
        assert judgement not in text


def test_the_thank_you_in_a_slack_connect_channel_states_no_timing_judgement(bot: Bot) -> None:
    bot.fake.add_channel("C0SHARED", "acme-shared", is_ext_shared=True)
    bot.command("send the deck by 11am", channel="C0SHARED")
    [item] = bot.items()
    bot.clock.set(nudge_at(14))
    bot.command(f"done {item.id}", channel="C0SHARED")
    text = _thank_you(bot, "C0SHARED")
    assert "send the deck" in text and "late" not in text


def test_an_internal_channel_keeps_the_timing(bot: Bot) -> None:
    bot.command("send the deck by 11am")
    [item] = bot.items()
    bot.clock.set(nudge_at(14))
    bot.command(f"done {item.id}")
    assert "late by 3 h" in _thank_you(bot, "C0CLIENT")


def test_a_client_message_after_the_end_of_day_dm_is_heard_the_same_day(watched: Bot) -> None:
    client_says(watched, "Can you send the deck?", ts_at(nudge_at(10)))
    settle(watched)
    tick_at(watched, nudge_at(16, 30))  # the end-of-day DM lists the deck
    assert "send the deck" in text_of(dms(watched, "U0OWNER")[-1])
    watched.clock.set(nudge_at(16, 40))
    client_says(watched, "Also, can you resend the invoice?", ts_at(nudge_at(16, 40)))
    settle(watched)
    assert tick_at(watched, nudge_at(16, 40)).sent == 1
    heard = text_of(dms(watched, "U0OWNER")[-1])
    assert "New since your end-of-day list" in heard and "resend the invoice" in heard


def test_before_the_end_of_day_dm_a_client_message_waits_for_it(watched: Bot) -> None:
    watched.clock.set(nudge_at(15))
    client_says(watched, "Can you send the deck?", ts_at(nudge_at(15)))
    settle(watched)
    assert [n.kind for n in nudges(watched) if n.kind == "arrived"] == []
    tick_at(watched, nudge_at(16, 30))
    assert "send the deck" in text_of(dms(watched, "U0OWNER")[-1])


def test_after_the_working_day_a_client_message_is_tomorrows(watched: Bot) -> None:
    client_says(watched, "Can you send the deck?", ts_at(nudge_at(10)))
    settle(watched)
    tick_at(watched, nudge_at(16, 30))
    watched.clock.set(nudge_at(17, 30))
    client_says(watched, "And the invoice?", ts_at(nudge_at(17, 30)))
    settle(watched)
    assert [n.kind for n in nudges(watched) if n.kind == "arrived"] == []
