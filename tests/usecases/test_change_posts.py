"""The post that follows a change, across a crash: a request processed again after its
change was stored posts what the first run did not, and never a second copy. (The real
process killed between the two is in tests/e2e/test_change_posts.py.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.items import PostState
from bot.store.models import ItemEvent
from bot.usecases.change_posts import GAVE_UP
from bot.usecases.results import Closed, HandedOff, Invocation, Moved
from tests.usecases.data import CHANNEL, MARIA, NOW, SAM, TEAM, at
from tests.usecases.stubs import Said, World

KEY = "h:the-request"


def asked(user: str = MARIA) -> Invocation:
    """The request as the intake hands it over (again): its key, when it was asked."""
    return Invocation(TEAM, user, CHANNEL, request_key=KEY, asked_at=NOW)


def post_state(world: World) -> str | None:
    with world.repo.sessions() as s:
        [event] = s.query(ItemEvent).filter(ItemEvent.request_key == KEY).all()
        return event.post


# The change as the first run stored it (and then died), the post it owes, the request
# processed again, and what the result says of the post.
Case = tuple[
    Callable[[World, int], object],
    str,
    Callable[[World, int], object],
    Callable[[object], bool],
]
CASES: dict[str, Case] = {
    "thank-you": (
        lambda w, i: w.repo.close_item(TEAM, i, MARIA, NOW, key=KEY, post=True),
        "thank_you",
        lambda w, i: w.promises.close(asked(), i),
        lambda r: isinstance(r, Closed) and r.announced,
    ),
    "note for the client": (
        lambda w, i: w.repo.move_item(TEAM, i, MARIA, at(16), NOW, "new figures", KEY, post=True),
        "deadline_moved",
        lambda w, i: w.promises.move(asked(), i, "4pm", "new figures"),
        lambda r: isinstance(r, Moved) and r.note_posted,
    ),
    "hand-off DM": (
        lambda w, i: w.repo.hand_off(TEAM, i, MARIA, SAM, NOW, key=KEY, post=True),
        "handed_off",
        lambda w, i: w.promises.hand_off(asked(), i, SAM),
        lambda r: isinstance(r, HandedOff) and r.told,
    ),
}


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_a_post_the_crash_cut_off_is_made_when_the_request_runs_again(
    world: World, case: str
) -> None:
    change, post, again, says_posted = CASES[case]
    item = world.promise(by="3pm")
    change(world, item.id)  # committed, post owed; then the process died
    assert post_state(world) == PostState.OWED
    world.transcript.clear()

    result = again(world, item.id)

    assert says_posted(result), result
    [said] = world.transcript.said(post)
    assert said.item_ids == (item.id,) and said.detail["key"] == KEY
    assert post_state(world) == PostState.POSTED
    again(world, item.id)  # and once more: it is settled now
    assert len(world.transcript.said(post)) == 1


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_a_post_slack_took_before_the_crash_is_not_made_twice(world: World, case: str) -> None:
    change, post, again, says_posted = CASES[case]
    item = world.promise(by="3pm")
    change(world, item.id)
    # The first run's post reached Slack (with the request's key), then the process died.
    world.transcript.log.append(Said(post, TEAM, CHANNEL, (item.id,), detail={"key": KEY}))
    before = len(world.transcript.said(post))

    result = again(world, item.id)

    assert says_posted(result), result
    assert len(world.transcript.said(post)) == before
    assert post_state(world) == PostState.POSTED


def test_a_post_slack_refused_is_reported_again_not_retried(world: World) -> None:
    item = world.promise(by="3pm")
    world.transcript.refuse("thank_you", "not_in_channel")
    first = world.promises.close(asked(), item.id)
    assert isinstance(first, Closed) and first.announce_error == "not_in_channel"
    assert post_state(world) == PostState.failed("not_in_channel")

    again = world.promises.close(asked(), item.id)  # processed again after a crash

    assert isinstance(again, Closed) and not again.announced
    assert again.announce_error == "not_in_channel"  # what the person was told, again
    assert world.transcript.said("thank_you") == []


def test_a_post_slack_fails_for_now_is_handed_back_and_made_when_the_request_runs_again(
    world: World,
) -> None:
    item = world.promise(by="3pm")
    world.transcript.clear()
    world.transcript.refuse("thank_you", "service_unavailable", transient=True)

    first = world.promises.close(asked(), item.id)

    assert isinstance(first, Closed) and first.announce_later and not first.announced
    assert world.transcript.handed_back == [(TEAM, KEY)]  # the intake runs it again later
    assert post_state(world) == PostState.OWED
    assert world.item(item.id).status == "done"

    again = world.promises.close(asked(), item.id)  # the intake's next try

    assert isinstance(again, Closed) and again.announced
    [said] = world.transcript.said("thank_you")
    assert said.detail["key"] == KEY
    assert post_state(world) == PostState.POSTED


def test_a_post_slack_keeps_failing_is_given_up_and_the_person_told(world: World) -> None:
    item = world.promise(by="3pm")
    world.transcript.tries_left = 0  # the intake has given this request all its tries
    world.transcript.refuse("handed_off", "service_unavailable", transient=True)

    result = world.promises.hand_off(asked(), item.id, SAM)

    assert isinstance(result, HandedOff) and not result.told and not result.tell_later
    assert result.tell_error == GAVE_UP
    assert post_state(world) == PostState.failed(GAVE_UP)
    assert world.item(item.id).owner_id == SAM  # the hand-off itself stands
