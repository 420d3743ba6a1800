"""Clicks and form submissions through the intake, over signed HTTP against the fake Slack
with a frozen clock: processed again after a crash (after the work, before it was marked
done) they change once; one acked and then killed before any work is done after the
restart; one that can't be stored is not acked as done."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.store.models import IntakeRequest, ItemEvent
from tests.e2e import test_client_messages
from tests.e2e.harness import Bot, text_of, tick_at
from tests.e2e.test_forms import more_time
from tests.e2e.test_intake import forget_done
from tests.e2e.test_no_reply import NO_REPLY, message_owed
from tests.e2e.test_nudges import at, click, dms, form_on_the_nudge

watched = test_client_messages.watched  # the fixture: C0CLIENT watched as "Acme"
OWNER = "U0OWNER"


def events(bot: Bot, kind: str) -> list[ItemEvent]:
    with bot.runtime.repo.sessions.begin() as s:
        rows = s.scalars(select(ItemEvent).where(ItemEvent.kind == kind)).all()
        s.expunge_all()
        return list(rows)


def notes_posted(bot: Bot) -> list[dict[str, Any]]:
    return [m for m in bot.fake.messages("C0CLIENT") if "Update on" in (m.get("text") or "")]


def again_after_a_crash(bot: Bot, now: Any) -> None:
    """The process died after the work, before marking it done; a later tick reclaims it."""
    assert bot.runtime.after_ack.drain(timeout=10)
    assert forget_done(bot) >= 1
    tick_at(bot, now + bot.runtime.settings.lease + timedelta(seconds=1))
    assert bot.runtime.after_ack.drain(timeout=10)
    with bot.runtime.repo.sessions.begin() as s:
        clicks = s.scalars(
            select(IntakeRequest.done_at).where(IntakeRequest.kind == "interaction")
        ).all()
    assert clicks and all(clicks)  # the click or form was stored, and processed again


def test_need_more_time_processed_again_moves_once_and_posts_its_note_once(bot: Bot) -> None:
    view = form_on_the_nudge(bot, "nudge_more_time")
    assert more_time(bot, view, "tomorrow 11am", "The client asked for a change").body in ("", "{}")
    again_after_a_crash(bot, at(15))

    [item] = bot.items()
    assert item.due_at == at(11, day=2) and item.moved_in_advance == 1
    assert len(events(bot, "moved")) == 1
    assert len(notes_posted(bot)) == 1
    updates = [c for c in bot.fake.calls if c.method == "chat.update"]
    assert len(updates) == 2 and all("now due" in text_of(c.params) for c in updates)


def test_no_reply_needed_processed_again_closes_once(watched: Bot) -> None:
    item_id = message_owed(watched)
    tick_at(watched, at(16))
    [dm] = dms(watched, OWNER)
    click(watched, OWNER, dm, NO_REPLY)
    again_after_a_crash(watched, at(16))

    [item] = watched.items()
    assert (item.id, item.status, item.closed_at) == (item_id, "no_reply", at(16))
    assert len(events(watched, "no_reply")) == 1
    updates = [c for c in watched.fake.calls if c.method == "chat.update"]
    assert [("no reply needed" in text_of(c.params)) for c in updates] == [True, True]


def test_a_snooze_processed_again_snoozes_once(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    tick_at(bot, at(15))
    [dm] = dms(bot, OWNER)
    click(bot, OWNER, dm, "nudge_snooze", selected="30m")
    again_after_a_crash(bot, at(15))

    assert bot.items()[0].snoozed_until == at(15, 30)  # not 30 minutes after the reclaim
    [snoozed] = events(bot, "snoozed")
    assert snoozed.due_after == at(15, 30) and snoozed.request_key


def test_a_click_acked_then_killed_is_done_after_the_restart(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.command("send the deck by 4pm")
    tick_at(bot, at(15))
    [dm] = dms(bot, OWNER)
    with monkeypatch.context() as m:  # stored and acked, then the process died
        m.setattr(bot.runtime.intake, "_submit", lambda *_, **__: None)
        click(bot, OWNER, dm, "nudge_snooze", selected="1h")
    assert bot.items()[0].snoozed_until is None

    back = at(15) + bot.runtime.settings.lease + timedelta(seconds=1)
    tick_at(bot, back)
    assert bot.runtime.after_ack.drain(timeout=10)

    # An hour from when it was clicked, not from when it was finally done.
    assert bot.items()[0].snoozed_until == at(15) + timedelta(hours=1)
    [update] = [c for c in bot.fake.calls if c.method == "chat.update"]
    assert "snoozed until" in text_of(update.params)


def test_a_form_acked_then_killed_is_done_after_the_restart(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = form_on_the_nudge(bot, "nudge_handoff")
    with monkeypatch.context() as m:
        m.setattr(bot.runtime.intake, "_submit", lambda *_, **__: None)
        to = {"to": {"value": {"type": "users_select", "selected_user": "U0HELPER"}}}
        assert bot.submit_view(OWNER, view, to).body in ("", "{}")
    assert bot.items()[0].owner_id == OWNER

    again_at = at(15) + bot.runtime.settings.lease + timedelta(seconds=1)
    tick_at(bot, again_at)
    assert bot.runtime.after_ack.drain(timeout=10)
    assert bot.items()[0].owner_id == "U0HELPER"
    told = [c for c in bot.fake.calls if c.params.get("text") == "You now own #1"]

    # Processed once more (a crash before it was marked done): not handed off again.
    again_after_a_crash(bot, again_at)
    assert len(events(bot, "handoff")) == 1
    again = [c for c in bot.fake.calls if c.params.get("text") == "You now own #1"]
    assert len(again) == len(told) == 1


def test_a_click_that_cannot_be_stored_is_not_acked_as_done(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    tick_at(bot, at(15))
    [dm] = dms(bot, OWNER)
    with bot.runtime.repo.engine.begin() as conn:
        conn.execute(text("DROP TABLE intake"))  # the database refuses the insert

    with pytest.raises(AssertionError):  # not a 200: Slack shows the person it failed
        click(bot, OWNER, dm, "nudge_snooze", selected="30m")
    assert bot.runtime.after_ack.drain(timeout=10)
    assert bot.items()[0].snoozed_until is None
    assert not [c for c in bot.fake.calls if c.method == "chat.update"]


def test_a_form_that_cannot_be_stored_stays_open_with_an_error(bot: Bot) -> None:
    view = form_on_the_nudge(bot, "nudge_more_time")
    with bot.runtime.repo.engine.begin() as conn:
        conn.execute(text("DROP TABLE intake"))

    answer = more_time(bot, view, "tomorrow 11am", "x")

    body = json.loads(answer.body)
    assert answer.status == 200 and body["response_action"] == "errors"
    assert "couldn't save" in body["errors"]["when"]
    assert bot.runtime.after_ack.drain(timeout=10)
    assert bot.items()[0].due_at == at(16) and notes_posted(bot) == []


def test_a_done_clicked_in_time_and_done_after_a_restart_is_on_time(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.command("send the deck by 4pm")
    tick_at(bot, at(15))
    [dm] = dms(bot, OWNER)
    bot.clock.set(at(15, 58))  # two minutes before the deadline
    with monkeypatch.context() as m:  # stored and acked, then the process died
        m.setattr(bot.runtime.intake, "_submit", lambda *_, **__: None)
        issue = bot.fake.trigger_id
        # By the time the restarted process gets to it, the click's trigger has expired.
        m.setattr(bot.fake, "trigger_id", lambda **_: issue(age=300))
        click(bot, OWNER, dm, "nudge_done")
    assert bot.items()[0].status == "open"

    tick_at(bot, at(15, 58) + bot.runtime.settings.lease + timedelta(seconds=1))  # 16:03
    assert bot.runtime.after_ack.drain(timeout=10)

    [item] = bot.items()
    assert item.status == "done" and item.closed_at == at(15, 58)
    [thanks] = [m for m in bot.fake.messages("C0CLIENT") if "<@U0OWNER>" in text_of(m)]
    assert "late" not in text_of(thanks).lower()
