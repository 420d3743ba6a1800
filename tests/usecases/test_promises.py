"""Promises: who may change an item, what a close, a move and a hand-off store and post."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

import pytest

from bot.core import commands as cmd
from bot.core.outcome import Verdict
from bot.usecases.results import (
    AlreadyClosed,
    Cancelled,
    Closed,
    Created,
    FormErrors,
    FormInput,
    HandedOff,
    Invocation,
    Moved,
    Problem,
    Result,
)
from tests.usecases.data import ALEX, CHANNEL, GONE, LEAD, LEE, MARIA, NOW, ROBOT, SAM, TEAM, at
from tests.usecases.stubs import World

Change = Callable[[World, Invocation, int], Result]

CHANGES: dict[str, Change] = {
    "close": lambda w, who, i: w.promises.close(who, i),
    "move": lambda w, who, i: w.promises.move(who, i, "tomorrow 4pm", "the figures changed"),
    "cancel": lambda w, who, i: w.promises.cancel(who, cmd.Cancel(i)),
    "hand off": lambda w, who, i: w.promises.hand_off(who, i, ALEX),
    "snooze": lambda w, who, i: w.promises.snooze(who, i, "1h"),
    "pause": lambda w, who, i: w.promises.wait(who, i, None),
}


def snapshot(world: World, item_id: int) -> tuple[object, ...]:
    """What a refused change must leave as it was: the item, its history, its nudges."""
    item = world.item(item_id)
    rows = [(n.recipient_id, n.key, n.status, n.due_at) for n in world.rows(status=None)]
    fields = ("status", "owner_id", "due_at", "moved_in_advance", "moved_late")
    state = tuple(getattr(item, f) for f in fields)
    return state, item.snoozed_until, item.waiting_since, world.events(item_id), rows


# -- who may change an item


@pytest.mark.parametrize("verb", list(CHANGES))
def test_a_stranger_is_refused_and_nothing_changes(world: World, verb: str) -> None:
    item = world.promise(owner=MARIA, creator=SAM)
    before = snapshot(world, item.id)

    result = CHANGES[verb](world, world.who(ALEX, CHANNEL), item.id)

    assert isinstance(result, Problem)
    assert f"can {verb} #{item.id}" in result.message
    assert f"<@{MARIA}>" in result.message and f"<@{SAM}>" in result.message
    assert result.example == "/promise list"
    assert snapshot(world, item.id) == before
    assert world.transcript.log == []


@pytest.mark.parametrize("closer", [MARIA, SAM, LEAD], ids=["owner", "creator", "lead"])
def test_the_owner_whoever_made_it_and_the_lead_may_close(world: World, closer: str) -> None:
    item = world.promise(owner=MARIA, creator=SAM)

    result = world.promises.close(world.who(closer, CHANNEL), item.id)

    assert isinstance(result, Closed)
    stored = world.item(item.id)
    assert (stored.status, stored.closed_by, stored.closed_at) == ("done", closer, NOW)
    assert world.events(item.id) == ["created", "done"]


def test_an_item_of_another_workspace_is_not_found(world: World) -> None:
    item = world.promise()

    result = world.promises.close(Invocation("T2", MARIA, CHANNEL), item.id)

    assert isinstance(result, Problem) and f"can't find #{item.id}" in result.message
    assert world.item(item.id).status == "open"


# -- closing


def test_closing_twice_is_already_closed_and_thanks_once(world: World) -> None:
    item = world.promise()
    first = world.promises.close(world.who(MARIA), item.id)
    world.clock.advance(timedelta(minutes=5))

    second = world.promises.close(world.who(LEAD), item.id)

    assert isinstance(first, Closed)
    assert isinstance(second, AlreadyClosed) and second.item.closed_by == MARIA
    assert len(world.transcript.said("thank_you")) == 1
    assert world.events(item.id) == ["created", "done"]


def test_a_promise_made_in_a_channel_is_thanked_there(world: World) -> None:
    item = world.promise(by="3pm", channel=CHANNEL)
    world.clock.set(at(14))

    result = world.promises.close(world.who(MARIA), item.id)

    assert isinstance(result, Closed) and result.announced
    [thanks] = world.transcript.log
    assert (thanks.what, thanks.team, thanks.to, thanks.item_ids) == (
        "thank_you",
        TEAM,
        CHANNEL,
        (item.id,),
    )
    assert thanks.detail["outcome"].verdict == Verdict.EARLY
    assert thanks.detail["outcome"].by == timedelta(hours=1)


def test_a_promise_made_outside_any_channel_is_closed_without_a_thank_you(world: World) -> None:
    """The form opened from App Home (or a shortcut without a channel) stores none."""
    form = FormInput(MARIA, "send the deck", "Acme", date(2026, 12, 1), time(15), channel_id=None)
    created = world.promises.create_from_form(world.who(MARIA), form)
    assert isinstance(created, Created) and created.item.channel_id is None

    result = world.promises.close(world.who(MARIA), created.item.id)

    assert isinstance(result, Closed) and not result.announced
    assert world.item(created.item.id).status == "done"
    assert world.transcript.said("thank_you") == []


def test_a_reply_owed_is_closed_without_a_thank_you(world: World) -> None:
    created = world.run(MARIA, "reply to Acme about the invoice by 4pm", CHANNEL)
    assert isinstance(created, Created) and created.item.kind == "reply"

    result = world.promises.close(world.who(MARIA), created.item.id)

    assert isinstance(result, Closed) and not result.announced
    assert world.transcript.log == []


def test_a_thank_you_slack_refuses_still_closes_the_item(world: World) -> None:
    item = world.promise()
    world.transcript.refuse("thank_you", "not_in_channel")

    result = world.promises.close(world.who(MARIA), item.id)

    assert isinstance(result, Closed)
    assert (result.announced, result.announce_error) == (False, "not_in_channel")
    assert world.item(item.id).status == "done"


def test_a_helper_who_is_a_bot_is_refused_and_nothing_closes(world: World) -> None:
    item = world.promise()

    result = world.promises.close(world.who(MARIA), item.id, helpers=(SAM, ROBOT))

    assert isinstance(result, Problem) and "can't be the helper" in result.message
    assert world.item(item.id).status == "open"
    assert world.transcript.log == []


# -- moving


def test_a_move_before_the_deadline_counts_as_in_advance(world: World) -> None:
    item = world.promise(by="3pm")

    result = world.promises.move(world.who(MARIA), item.id, "tomorrow 4pm", None)

    assert isinstance(result, Moved) and result.in_advance
    stored = world.item(item.id)
    assert (stored.due_at, stored.original_due_at) == (at(16, day=2), at(15))
    assert (stored.moved_in_advance, stored.moved_late) == (1, 0)
    assert world.events(item.id) == ["created", "moved"]


def test_a_move_after_the_deadline_counts_as_late(world: World) -> None:
    item = world.promise(by="3pm")
    world.clock.set(at(15, 30))

    result = world.promises.move(world.who(MARIA), item.id, "tomorrow 4pm", None)

    assert isinstance(result, Moved) and not result.in_advance
    stored = world.item(item.id)
    assert (stored.moved_in_advance, stored.moved_late) == (0, 1)


def test_a_move_with_a_note_is_posted_to_the_channel_and_one_without_is_not(
    world: World,
) -> None:
    item = world.promise(by="3pm")

    quiet = world.promises.move(world.who(MARIA), item.id, "4pm", None)
    noted = world.promises.move(world.who(LEAD), item.id, "tomorrow 4pm", "new figures")

    assert isinstance(quiet, Moved) and not quiet.note_posted
    assert isinstance(noted, Moved) and noted.note_posted
    [post] = world.transcript.log
    assert (post.what, post.to, post.item_ids) == ("deadline_moved", CHANNEL, (item.id,))
    assert post.detail == {"note": "new figures", "actor": LEAD, "due_at": at(16, day=2)}


def test_a_move_to_the_same_deadline_changes_nothing(world: World) -> None:
    item = world.promise(by="3pm")
    before = snapshot(world, item.id)

    result = world.promises.move(world.who(MARIA), item.id, "3pm", "no change")

    assert isinstance(result, Problem) and "already has" in result.message
    assert result.example is not None and result.example.startswith(f"/promise move {item.id}")
    assert snapshot(world, item.id) == before
    assert world.transcript.log == []


def test_moving_a_closed_item_is_already_closed(world: World) -> None:
    item = world.promise()
    world.promises.close(world.who(MARIA), item.id)

    result = world.promises.move(world.who(MARIA), item.id, "tomorrow 4pm", "late figures")

    assert isinstance(result, AlreadyClosed)
    assert world.item(item.id).due_at == at(15)
    assert world.transcript.said("deadline_moved") == []


# -- cancelling


def test_cancelling_stores_who_and_stops_every_nudge(world: World) -> None:
    item = world.promise()

    result = world.promises.cancel(world.who(LEAD), cmd.Cancel(item.id))

    assert isinstance(result, Cancelled)
    assert world.item(item.id).status == "cancelled"
    assert world.rows(item_id=item.id) == []
    assert world.transcript.log == []


# -- handing off


def test_a_hand_off_tells_the_new_owner_and_replans_their_nudges(world: World) -> None:
    item = world.promise(owner=MARIA, creator=MARIA)

    result = world.promises.hand_off(world.who(MARIA, CHANNEL), item.id, SAM)

    assert isinstance(result, HandedOff) and result.told and result.previous_owner == MARIA
    assert world.item(item.id).owner_id == SAM
    [told] = world.transcript.log
    assert (told.what, told.to, told.item_ids) == ("handed_off", SAM, (item.id,))
    assert told.detail == {"previous_owner": MARIA, "actor": MARIA}
    recipients = {(n.kind, n.recipient_id) for n in world.rows(item_id=item.id)}
    assert recipients == {
        ("before", SAM),
        ("missed", SAM),
        ("heads_up", SAM),
        ("escalate", LEAD),
    }
    cancelled = world.rows(status="cancelled", item_id=item.id)
    assert {n.recipient_id for n in cancelled} == {MARIA}
    assert [n.recipient_id for n in world.rows() if n.kind == "eod"] == [MARIA, SAM]
    assert (TEAM, SAM) in world.listener.changes and (TEAM, MARIA) in world.listener.changes


@pytest.mark.parametrize("to", [ROBOT, GONE])
def test_a_hand_off_to_a_bot_or_a_deactivated_account_is_refused(world: World, to: str) -> None:
    item = world.promise()
    before = snapshot(world, item.id)

    result = world.promises.hand_off(world.who(MARIA), item.id, to)

    assert isinstance(result, Problem) and "can't be the owner" in result.message
    assert snapshot(world, item.id) == before
    assert world.transcript.log == []


def test_a_hand_off_to_the_owner_is_refused(world: World) -> None:
    item = world.promise()

    result = world.promises.hand_off(world.who(LEAD), item.id, MARIA)

    assert isinstance(result, Problem) and "already owns" in result.message
    assert world.transcript.log == []


def test_a_new_owner_slack_cannot_tell_still_owns_it(world: World) -> None:
    item = world.promise()
    world.transcript.refuse("handed_off", "user_not_found")

    result = world.promises.hand_off(world.who(MARIA), item.id, SAM)

    assert isinstance(result, HandedOff)
    assert (result.told, result.tell_error) == (False, "user_not_found")
    assert world.item(item.id).owner_id == SAM


# -- recording


@pytest.mark.parametrize("owner", [ROBOT, GONE])
def test_a_bot_or_a_deactivated_account_cannot_own_a_promise(world: World, owner: str) -> None:
    result = world.run(MARIA, f"<@{owner}> send the deck by 3pm", CHANNEL)

    assert isinstance(result, Problem) and result.example == cmd.EXAMPLE_CREATE
    assert world.repo.count_open(TEAM) == 0
    assert world.rows(status=None) == []


def test_the_deadline_is_read_in_the_creators_time_zone(world: World) -> None:
    result = world.run(LEE, f"<@{MARIA}> send the deck by 3pm", CHANNEL)

    assert isinstance(result, Created) and result.tz == "America/New_York"
    assert world.item(result.item.id).due_at == at(20)  # 15:00 in New York


def test_the_form_says_what_is_wrong_under_each_field_and_stores_nothing(world: World) -> None:
    form = FormInput(ROBOT, "  ", None, date(2026, 11, 30), None, channel_id=CHANNEL)

    result = world.promises.create_from_form(world.who(MARIA), form)

    assert isinstance(result, FormErrors)
    assert set(result.errors) == {"what", "owner", "date"}
    assert result.errors["date"] == "That time has already passed: 2026-11-30 17:00."
    assert world.repo.count_open(TEAM) == 0
