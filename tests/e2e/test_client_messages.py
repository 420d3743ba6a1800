"""Client messages recorded by themselves: watch a channel, client writes, a teammate replies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import NY, START
from tests.e2e.harness import Bot, text_of

CLIENT = "U0CLIENT"  # someone from Acme's own Slack (Slack Connect)


@pytest.fixture
def watched(bot: Bot) -> Bot:
    bot.fake.add_user(CLIENT, "pat", team_id="T0ACME", tz="Europe/Paris")
    bot.fake.add_user("U0GUEST", "gus", is_restricted=True)
    answer = bot.command("watch Acme", user="U0OWNER")
    assert "Watching" in text_of(answer)
    return bot


def ts_at(when: datetime, n: int = 0) -> str:
    return f"{int(when.timestamp())}.{n:06d}"


def send_event(
    bot: Bot, event: dict[str, Any], event_id: str | None = None, retry: int | None = None
) -> str:
    body = bot.fake.event_callback(
        {"channel": "C0CLIENT", "channel_type": "channel", **event}, event_id=event_id
    )
    raw = json.dumps(body)
    from tests.fakeslack import signed_headers

    headers = signed_headers("e2e-signing-secret", raw)
    headers["Content-Type"] = "application/json"
    if retry is not None:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    answer = bot.request("POST", "/slack/events", raw, headers)
    assert answer.status == 200 and answer.seconds < 3
    return body["event_id"]


def client_says(bot: Bot, text: str, ts: str, **extra: Any) -> str:
    """The client posts in the channel: Slack stores the message and sends the event."""
    bot.fake.add_message("C0CLIENT", text, user=CLIENT, ts=ts, thread_ts=extra.get("thread_ts"))
    return send_event(
        bot,
        {"type": "message", "user": CLIENT, "user_team": "T0ACME", "text": text, "ts": ts, **extra},
    )


def teammate_says(bot: Bot, text: str, ts: str, user: str = "U0HELPER", **extra: Any) -> str:
    return send_event(
        bot,
        {"type": "message", "user": user, "user_team": "T0001", "text": text, "ts": ts, **extra},
    )


def settle(bot: Bot, count: int = 0, status: str | None = None) -> list[Any]:
    """Events are handled after the ack: wait for that work, then read the database."""
    assert bot.runtime.after_ack.drain(timeout=10)
    return [i for i in bot.items() if i.kind == "reply" and (status is None or i.status == status)]


def test_watch_joins_a_public_channel_and_list_shows_it(bot: Bot) -> None:
    bot.fake.add_channel("C0PUBLIC", "acme-public", bot_is_member=False)
    answer = bot.command("watch Acme owner <@U0HELPER|sam>", channel="C0PUBLIC")
    assert "Watching <#C0PUBLIC> as *Acme*" in text_of(answer) and "joined" in text_of(answer)
    assert bot.fake.calls_to("conversations.join")[0].params["channel"] == "C0PUBLIC"
    assert "<#C0PUBLIC>" in text_of(bot.command("list"))


def test_watch_asks_to_be_invited_to_a_private_channel(bot: Bot) -> None:
    bot.fake.add_channel("G0PRIVATE", "acme-private", is_private=True, bot_is_member=False)
    answer = bot.command("watch Acme", channel="G0PRIVATE")
    assert "/invite @promise-bot" in text_of(answer)
    assert bot.fake.calls_to("conversations.join") == []


def test_a_client_message_becomes_a_reply_owed_by_end_of_day(watched: Bot) -> None:
    client_says(watched, "Can you resend the invoice?", ts_at(START))
    [item] = settle(watched, 1)
    assert (item.kind, item.owner_id, item.client, item.client_user_id) == (
        "reply",
        "U0OWNER",
        "Acme",
        CLIENT,
    )
    assert item.what == "Can you resend the invoice?"
    assert item.due_at == datetime(2026, 12, 1, 17, 0, tzinfo=NY)


def test_internal_bot_and_system_messages_are_not_client_messages(watched: Bot) -> None:
    teammate_says(watched, "internal chatter", ts_at(START, 1))
    send_event(
        watched,
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B9",
            "text": "beep",
            "ts": ts_at(START, 2),
        },
    )
    send_event(
        watched,
        {
            "type": "message",
            "subtype": "channel_join",
            "user": CLIENT,
            "text": "joined",
            "ts": ts_at(START, 3),
        },
    )
    client_says(watched, "real question", ts_at(START, 4))
    items = settle(watched, 1)
    assert [i.what for i in items] == ["real question"]


def test_a_thread_reply_from_the_team_closes_it_and_times_the_first_response(watched: Bot) -> None:
    asked = ts_at(START)
    client_says(watched, "Where is the file?", asked)
    settle(watched, 1)
    teammate_says(watched, "Sending it now!", ts_at(START, 5), thread_ts=asked)
    [item] = settle(watched, 1, status="done")
    assert item.first_reply_at is not None and item.closed_by == "U0HELPER"
    assert [
        c for c in watched.fake.calls_to("chat.postMessage") if c.params["channel"] == "C0CLIENT"
    ] == []  # silent


def test_a_reply_in_the_channel_after_it_closes_it(watched: Bot) -> None:
    client_says(watched, "Any news?", ts_at(START))
    settle(watched, 1)
    teammate_says(watched, "Yes — tomorrow.", ts_at(START, 9))
    assert len(settle(watched, 1, status="done")) == 1


def test_a_check_mark_from_the_team_closes_it(watched: Bot) -> None:
    asked = ts_at(START)
    client_says(watched, "ping", asked)
    settle(watched, 1)
    send_event(
        watched,
        {
            "type": "reaction_added",
            "user": "U0HELPER",
            "reaction": "white_check_mark",
            "item": {"type": "message", "channel": "C0CLIENT", "ts": asked},
        },
    )
    assert len(settle(watched, 1, status="done")) == 1


def test_retried_events_are_recorded_once(watched: Bot) -> None:
    event_id = client_says(watched, "hello?", ts_at(START))
    settle(watched, 1)
    body = {
        "type": "message",
        "user": CLIENT,
        "user_team": "T0ACME",
        "text": "hello?",
        "ts": ts_at(START),
    }
    send_event(watched, body, event_id=event_id, retry=1)
    send_event(watched, body)  # a new event_id for the same message (Socket Mode drops retry marks)
    settle(watched, 2)
    assert len([i for i in watched.items() if i.kind == "reply"]) == 1


def test_a_folded_message_delivered_again_under_a_new_event_id_is_not_folded_twice(
    watched: Bot,
) -> None:
    client_says(watched, "one", ts_at(START))
    settle(watched)
    client_says(watched, "two", ts_at(START, 100))  # folds into "one": no row of its own
    settle(watched)
    body = {"type": "message", "user": CLIENT, "user_team": "T0ACME", "text": "two"}
    send_event(watched, {**body, "ts": ts_at(START, 100)})  # the same message, a new event ID
    [item] = settle(watched)
    assert item.what == "one\ntwo"


def test_consecutive_client_messages_fold_into_one_item(watched: Bot) -> None:
    client_says(watched, "one", ts_at(START))
    settle(watched, 1)
    client_says(watched, "two", ts_at(START, 100))
    settle(watched)
    client_says(watched, "later", ts_at(datetime(2026, 12, 1, 10, 30, tzinfo=NY)))
    items = settle(watched, 2)
    assert [i.what for i in items] == ["one\ntwo", "later"]


def test_edits_update_and_deletes_cancel(watched: Bot) -> None:
    asked = ts_at(START)
    client_says(watched, "typo", asked)
    settle(watched, 1)
    send_event(
        watched,
        {
            "type": "message",
            "subtype": "message_changed",
            "ts": ts_at(START, 7),
            "message": {"type": "message", "user": CLIENT, "text": "fixed", "ts": asked},
        },
    )
    send_event(
        watched,
        {
            "type": "message",
            "subtype": "message_deleted",
            "ts": ts_at(START, 8),
            "deleted_ts": asked,
        },
    )
    [item] = settle(watched, 1, status="cancelled")
    assert item.what == "fixed"


def test_a_named_guest_is_a_client_in_a_shared_internal_channel(bot: Bot) -> None:
    bot.fake.add_user("U0GUEST", "gus", is_restricted=True)
    bot.command("watch Acme clients <@U0GUEST|gus>")
    teammate_says(bot, "question from the guest", ts_at(START), user="U0GUEST")
    [item] = settle(bot, 1)
    assert item.client_user_id == "U0GUEST"


def test_messages_in_unwatched_channels_cost_no_api_call(bot: Bot) -> None:
    bot.fake.add_user(CLIENT, "pat", team_id="T0ACME")
    before = len(bot.fake.calls)
    client_says(bot, "hello", ts_at(START))
    settle(bot)
    assert bot.items() == [] and len(bot.fake.calls) == before


def test_unwatch_stops_recording_and_keeps_open_items(watched: Bot) -> None:
    client_says(watched, "first", ts_at(START))
    settle(watched, 1)
    assert "Stopped watching" in text_of(watched.command("unwatch"))
    client_says(watched, "second", ts_at(START, 500))
    settle(watched)
    assert [(i.what, i.status) for i in watched.items() if i.kind == "reply"] == [("first", "open")]


def test_the_shortcut_tracks_any_message_with_a_form(bot: Bot) -> None:
    asked = ts_at(START)
    payload = bot.interaction(
        "message_action",
        "U0HELPER",
        callback_id="track_client_message",
        channel={"id": "C0CLIENT", "name": "acme-project"},
        message={
            "type": "message",
            "user": "U0OTHER",
            "text": "Email from Acme: need the SOW",
            "ts": asked,
        },
        response_url=bot.fake.response_url(),
    )
    assert bot.interact(payload).status == 200
    [opened] = bot.fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "track_message"

    def submit(when: str | None) -> Any:
        values = {
            "owner": {"value": {"type": "users_select", "selected_user": "U0OWNER"}},
            "when": {"value": {"type": "plain_text_input", "value": when}},
        }
        return bot.submit_view("U0HELPER", view, values, view_id="V0T")

    assert "blursday" in submit("blursday").body
    assert submit("tomorrow noon").status == 200
    [item] = settle(bot, 1)
    assert (item.owner_id, item.creator_id, item.message_ts) == ("U0OWNER", "U0HELPER", asked)
    assert item.due_at == datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # noon for Sam, in London
    [confirm] = bot.fake.wait_for("chat.postEphemeral")
    assert f"#{item.id}" in text_of(confirm.params)
    assert "already tracked" in submit(None).body  # the same message twice: refused


def test_socket_mode_delivers_the_same_events(watched: Bot) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    fake = watched.fake
    handler = SocketModeHandler(
        watched.runtime.app, fake.app_token, web_client=watched.runtime.client
    )
    handler.connect()
    try:
        fake.socket.wait_connected()
        event = {
            "type": "message",
            "channel": "C0CLIENT",
            "channel_type": "channel",
            "user": CLIENT,
            "user_team": "T0ACME",
            "text": "over the socket",
            "ts": ts_at(START),
        }
        ack = fake.socket.send("events_api", fake.event_callback(event))
        assert "envelope_id" in ack
        settle(watched, 1)
        # Socket Mode drops the retry marker: the same message again, with a new event_id.
        fake.socket.send("events_api", fake.event_callback(event))
        [item] = settle(watched, 1)
        assert item.what == "over the socket"
    finally:
        handler.close()


def test_the_end_of_day_dm_lists_unanswered_messages_with_permalinks(watched: Bot) -> None:
    client_says(watched, "Unanswered question", ts_at(START))
    client_says(watched, "Answered question", ts_at(START, 1), thread_ts=ts_at(START, 1))
    settle(watched, 2)
    teammate_says(watched, "Here you go", ts_at(START, 2), thread_ts=ts_at(START, 1))
    settle(watched)
    watched.clock.set(datetime(2026, 12, 1, 16, 30, tzinfo=NY))
    watched.runtime.dispatcher.tick()
    dm = watched.fake.messages(watched.fake.dm_channel("U0OWNER"))[-1]
    shown = text_of(dm)
    assert "Replies owed to clients today" in shown
    assert "Unanswered question" in shown and "Answered question" not in shown
    link = watched.fake.calls_to("chat.getPermalink")[0]
    assert link.params["message_ts"] == ts_at(START)
    assert "|see the message>" in shown


def test_an_unanswered_message_past_its_sla_is_missed_then_escalated(watched: Bot) -> None:
    client_says(watched, "Site is down!", ts_at(START))
    [item] = settle(watched, 1)
    watched.clock.set(datetime(2026, 12, 1, 17, 0, tzinfo=NY))
    watched.runtime.dispatcher.tick()
    assert "Tell the client now" in text_of(
        watched.fake.messages(watched.fake.dm_channel("U0OWNER"))[-1]
    )
    watched.clock.set(datetime(2026, 12, 2, 11, 0, tzinfo=NY))
    watched.runtime.dispatcher.tick()
    [lead] = watched.fake.messages(watched.fake.dm_channel("U0LEAD"))
    assert f"#{item.id}" in text_of(lead) and "late by" in text_of(lead)


def test_waiting_on_the_client_pauses_until_they_write(watched: Bot) -> None:
    watched.command("send the deck by 4pm")
    item_id = watched.items()[0].id
    answer = watched.command(f"wait {item_id}")
    assert "waiting on the client" in text_of(answer)
    from tests.e2e.test_nudges import nudges

    assert [n for n in nudges(watched) if n.item_id == item_id and n.status == "queued"] == []
    watched.clock.set(datetime(2026, 12, 1, 12, 0, tzinfo=NY))  # two hours later, the client writes
    client_says(watched, "Here are the figures you needed", ts_at(watched.clock.now()))
    settle(watched, 1)
    item = next(i for i in watched.items() if i.id == item_id)
    assert item.waiting_since is None
    assert item.due_at == datetime(2026, 12, 1, 18, 0, tzinfo=NY)  # the clock paused for 2 h
    assert any(
        n.kind == "before" for n in nudges(watched) if n.item_id == item_id and n.status == "queued"
    )


def test_a_wait_with_an_end_resumes_by_itself(watched: Bot) -> None:
    watched.command("send the deck by 4pm")
    item_id = watched.items()[0].id
    watched.command(f"wait {item_id} until 11am")
    watched.clock.set(datetime(2026, 12, 1, 11, 0, tzinfo=NY))
    watched.runtime.dispatcher.tick()
    item = next(i for i in watched.items() if i.id == item_id)
    assert item.waiting_since is None and item.due_at == datetime(2026, 12, 1, 17, 0, tzinfo=NY)
    assert watched.fake.messages(watched.fake.dm_channel("U0OWNER")) == []  # resuming is silent


def test_watching_takes_effect_at_once_even_after_unwatched_traffic(bot: Bot) -> None:
    bot.fake.add_user(CLIENT, "pat", team_id="T0ACME")
    client_says(bot, "before watching", ts_at(START))  # remembered as an unwatched channel
    settle(bot)
    bot.command("watch Acme")
    client_says(bot, "after watching", ts_at(START, 1))
    assert [i.what for i in settle(bot, 1)] == ["after watching"]


def test_a_quiet_client_gets_one_reach_out_nudge_per_quiet_spell(watched: Bot) -> None:
    from tests.e2e.test_nudges import nudges

    client_says(watched, "thanks, all good", ts_at(START))
    settle(watched, 1)
    [quiet] = [n for n in nudges(watched) if n.kind == "quiet" and n.status == "queued"]
    assert quiet.recipient_id == "U0OWNER"
    assert quiet.due_at == datetime(2026, 12, 21, 10, 0, tzinfo=NY)  # 14 working days later
    watched.clock.set(quiet.due_at)
    watched.runtime.dispatcher.tick()
    dm = watched.fake.messages(watched.fake.dm_channel("U0OWNER"))[-1]
    assert "hasn't written in <#C0CLIENT>" in text_of(dm) and "Acme" in text_of(dm)
    watched.clock.set(datetime(2026, 12, 22, 10, 0, tzinfo=NY))
    assert watched.runtime.dispatcher.tick().sent == 0  # once per quiet spell

    client_says(watched, "we're back", ts_at(watched.clock.now()))  # a new spell starts
    settle(watched)
    queued = [n for n in nudges(watched) if n.kind == "quiet" and n.status == "queued"]
    assert len(queued) == 1 and queued[0].due_at > watched.clock.now()


def test_a_busy_channel_re_plans_its_quiet_nudge_at_most_once_a_minute(watched: Bot) -> None:
    from tests.e2e.test_nudges import nudges

    for n in range(5):  # five messages within a minute: one quiet spell key, planned once
        client_says(watched, f"question {n}", ts_at(START + timedelta(seconds=10 * n), n))
    settle(watched, 1)
    client_says(watched, "one more thing", ts_at(START + timedelta(minutes=2, seconds=7)))
    settle(watched)
    quiet = [(n.key, n.status) for n in nudges(watched) if n.kind == "quiet"]
    assert quiet == [
        ("quiet:C0CLIENT:2026-12-01T15:00:00+00:00", "cancelled"),
        ("quiet:C0CLIENT:2026-12-01T15:02:00+00:00", "queued"),
    ]
    inbox = watched.runtime.uses.clients
    for key in quiet[1][0], "quiet:C0CLIENT:2026-12-01T15:02:07+00:00":  # (keys used to be exact)
        assert not isinstance(inbox.quiet_view("T0001", 1, key), str)
    assert inbox.quiet_view("T0001", 1, "quiet:C0CLIENT:2026-12-01T15:00:00+00:00") == (
        "the client wrote since"
    )


def test_a_folded_or_edited_client_message_refreshes_the_owners_home(watched: Bot) -> None:
    from tests.e2e.test_home import open_home

    open_home(watched, "U0OWNER")
    asked = ts_at(START)
    client_says(watched, "Can you send the deck?", asked)
    settle(watched)
    home = watched.runtime.home
    assert home.flush() == 1
    client_says(watched, "And the figures, please", ts_at(START + timedelta(minutes=1)))
    [item] = settle(watched)
    assert "And the figures, please" in item.what  # folded into the first
    assert home.flush() == 1
    assert "And the figures, please" in text_of(watched.fake.home_view("U0OWNER") or {})

    send_event(
        watched,
        {
            "type": "message",
            "subtype": "message_changed",
            "ts": ts_at(START, 7),
            "message": {"type": "message", "user": CLIENT, "text": "the deck v2", "ts": asked},
        },
    )
    settle(watched)
    assert home.flush() == 1
    assert "the deck v2" in text_of(watched.fake.home_view("U0OWNER") or {})


# -- a reply to any message folded into an item answers it


def _folded(bot: Bot) -> tuple[str, str]:
    """The client writes A, then B a minute later: B folds into A's item."""
    a, b = ts_at(START), ts_at(START + timedelta(minutes=1))
    client_says(bot, "Can you check the invoice?", a)
    settle(bot, 1)
    client_says(bot, "And the March one too", b)
    [item] = settle(bot, 1)
    assert item.what == "Can you check the invoice?\nAnd the March one too"
    return a, b


def test_a_reply_in_the_thread_of_a_folded_message_closes_the_item(watched: Bot) -> None:
    _, b = _folded(watched)
    teammate_says(watched, "On it!", ts_at(START + timedelta(minutes=2)), thread_ts=b)
    [item] = settle(watched, 1, status="done")
    assert item.first_reply_at is not None and item.closed_by == "U0HELPER"


def test_a_check_mark_on_a_folded_message_closes_the_item(watched: Bot) -> None:
    _, b = _folded(watched)
    send_event(
        watched,
        {
            "type": "reaction_added",
            "user": "U0HELPER",
            "reaction": "white_check_mark",
            "item": {"type": "message", "channel": "C0CLIENT", "ts": b},
        },
    )
    [item] = settle(watched, 1, status="done")
    assert item.first_reply_at is not None


def test_an_edit_of_the_first_message_keeps_the_folded_text(watched: Bot) -> None:
    a, _ = _folded(watched)
    send_event(
        watched,
        {
            "type": "message",
            "subtype": "message_changed",
            "ts": ts_at(START + timedelta(minutes=3)),
            "message": {
                "type": "message",
                "user": CLIENT,
                "text": "Check the April invoice?",
                "ts": a,
            },
        },
    )
    [item] = settle(watched, 1, status="open")
    assert item.what == "Check the April invoice?\nAnd the March one too"


def test_a_delete_of_a_folded_message_drops_only_its_text(watched: Bot) -> None:
    a, b = _folded(watched)
    send_event(
        watched,
        {
            "type": "message",
            "subtype": "message_deleted",
            "ts": ts_at(START + timedelta(minutes=3)),
            "deleted_ts": b,
        },
    )
    [item] = settle(watched, 1, status="open")
    assert item.what == "Can you check the invoice?"
    teammate_says(watched, "Done", ts_at(START + timedelta(minutes=4)), thread_ts=a)
    assert len(settle(watched, 1, status="done")) == 1
